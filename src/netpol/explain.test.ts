import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explain, parsePortProto } from './explain.js';
import { golden } from './golden.test.js';
import { SCENARIOS, e2eWorld } from './scenarios.js';

const scenario = (part: string) => SCENARIOS.find((s) => s.name.includes(part))!;

describe('explain', () => {
  it('prints both sides down to each peer and port (testdata/explain.golden)', () => {
    const together = e2eWorld(scenario('Ingress, Egress specified together'));
    const out = [
      explain(together, 'x/c', 'x/a', '81/TCP'),
      explain(together, 'x/b', 'x/a', '80/tcp'),
      explain(together, 'x/a', 'y/b', '81'),
      explain(e2eWorld(scenario('Multiple PodSelectors and NamespaceSelectors')), 'y/a', 'x/a', '80/TCP'),
      explain(e2eWorld(scenario('except clause')), 'x/a', '10.244.1.11', '80/TCP'),
      explain(e2eWorld(scenario('allow ingress access from namespace on one named port')), 'y/a', 'x/a', '81/TCP'),
      explain(e2eWorld(scenario("'default-deny-all'")), '10.244.1.10', '192.168.7.7', 'ICMP'),
    ];
    golden('explain.golden', out.join('\n'));
  });

  it('parses PORT/PROTOCOL forms and rejects others in one line', () => {
    assert.deepEqual(parsePortProto('80/tcp'), { port: 80, protocol: 'TCP' });
    assert.deepEqual(parsePortProto('53/UDP'), { port: 53, protocol: 'UDP' });
    assert.deepEqual(parsePortProto('8080'), { port: 8080, protocol: 'TCP' });
    assert.deepEqual(parsePortProto('icmp'), { protocol: 'ICMP' });
    assert.throws(() => parsePortProto('http'), /unknown protocol HTTP/);
    assert.throws(() => parsePortProto('0/TCP'), /port 0 is outside 1-65535/);
    assert.throws(() => parsePortProto('80/ICMP'), /protocol ICMP has no ports/);
    assert.throws(() => parsePortProto('80:tcp'), /"80:tcp" is not PORT\/PROTOCOL/);
  });
});
