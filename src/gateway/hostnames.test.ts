import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostSpecificity, intersectHostnames, wildcardCovers } from './hostnames.js';
import { parseDuration } from './duration.js';

describe('hostname intersection (Gateway API)', () => {
  it('no listener hostname: the route\'s, or any', () => {
    assert.deepEqual(intersectHostnames(undefined, []), ['*']);
    assert.deepEqual(intersectHostnames(undefined, ['A.com', 'a.com']), ['a.com']);
  });
  it('no route hostnames: the listener\'s', () => assert.deepEqual(intersectHostnames('*.x.io', undefined), ['*.x.io']));
  it('exact and wildcard meet at the more specific name', () => {
    assert.deepEqual(intersectHostnames('very.specific.com', ['non.matching.com', '*.specific.com', 'very.specific.com']), ['very.specific.com']);
    assert.deepEqual(intersectHostnames('*.wildcard.io', ['wildcard.io', 'foo.wildcard.io', 'foo.bar.wildcard.io']), ['foo.wildcard.io', 'foo.bar.wildcard.io']);
    assert.deepEqual(intersectHostnames('*.io', ['*.wildcard.io']), ['*.wildcard.io']);
    assert.deepEqual(intersectHostnames('*.wildcard.io', ['*.io']), ['*.wildcard.io']);
    assert.deepEqual(intersectHostnames('*.a.io', ['*.b.io', 'specific.but.wrong.com']), []);
  });
  it('a wildcard never covers its bare suffix', () => {
    assert.ok(!wildcardCovers('*.foo.com', 'foo.com'));
    assert.ok(wildcardCovers('*.foo.com', 'a.b.foo.com'));
    assert.ok(!wildcardCovers('*.foo.com', 'afoo.com'));
  });
  it('specificity: exact > longer wildcard > shorter wildcard > *', () => {
    const sorted = ['*', '*.a.com', 'x.a.com', '*.b.a.com'].sort((a, b) => hostSpecificity(b) - hostSpecificity(a));
    assert.deepEqual(sorted, ['x.a.com', '*.b.a.com', '*.a.com', '*']);
  });
});

describe('durations (GEP-2257)', () => {
  it('parses and refuses', () => {
    assert.equal(parseDuration('1h'), 3_600_000);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('0s'), 0);
    for (const bad of ['', '1.5s', '-1s', '1d', '1s1s1s1s1s', '123456s']) assert.equal(parseDuration(bad), undefined, bad);
  });
});
