import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stampConditions, stampGatewayStatus, stampRouteParents, withProxyReadiness } from './status-write.js';
import { condition } from './conditions.js';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:01:00Z';

describe('status writing', () => {
  it('keeps lastTransitionTime while type, status and reason stay, and stamps a change', () => {
    const first = stampConditions([condition('Accepted', true, 'Accepted', 'ok', 1)], undefined, T0);
    assert.equal(first[0].lastTransitionTime, T0);
    const same = stampConditions([condition('Accepted', true, 'Accepted', 'ok', 2)], first, T1);
    assert.equal(same[0].lastTransitionTime, T0);
    assert.equal(same[0].observedGeneration, 2);
    const changed = stampConditions([condition('Accepted', false, 'NotAllowedByListeners', 'no', 2)], same, T1);
    assert.equal(changed[0].lastTransitionTime, T1);
  });

  it('stamps listener conditions by listener name', () => {
    const s = { conditions: [condition('Programmed', true, 'Programmed', 'ok')], listeners: [{ name: 'h', supportedKinds: [], attachedRoutes: 1, conditions: [condition('Accepted', true, 'Accepted', 'ok')] }] };
    const a = stampGatewayStatus(s, undefined, T0);
    const b = stampGatewayStatus(s, a, T1);
    assert.deepEqual(b, a, 'an unchanged status is written equal, so the store sees no change');
  });

  it('replaces podnet\'s route parents and keeps other controllers\'', () => {
    const other = { parentRef: { name: 'g' }, controllerName: 'example.com/other', conditions: [] };
    const ours = { parentRef: { name: 'g' }, controllerName: 'podnet.dev/gateway', conditions: [condition('Accepted', true, 'Accepted', 'ok')] };
    const a = stampRouteParents([ours], [other], 'podnet.dev/gateway', T0);
    assert.deepEqual(a.map((p) => p.controllerName), ['example.com/other', 'podnet.dev/gateway']);
    assert.equal(stampRouteParents([ours], a, 'podnet.dev/gateway', T1)[1].conditions[0].lastTransitionTime, T0);
  });

  it('holds Programmed at Pending until a proxy pod is ready', () => {
    const s = { conditions: [condition('Accepted', true, 'Accepted', 'ok'), condition('Programmed', true, 'Programmed', 'ok')], listeners: [] };
    assert.equal(withProxyReadiness(s, true), s);
    assert.deepEqual(withProxyReadiness(s, false).conditions.map((c) => [c.type, c.status, c.reason]), [['Accepted', 'True', 'Accepted'], ['Programmed', 'False', 'Pending']]);
  });
});
