// The mesh part of `policy explain`, for the flows the issue names: the wrong principal gets 403,
// the right one passes; STRICT refuses plain text from an unmeshed pod, PERMISSIVE accepts it; an
// unmeshed destination is not judged by the mesh.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuthorizationPolicy, PeerAuthentication } from '../kinds/types.js';
import { explainMesh, formatMeshExplanation, type MeshFlow } from './explain.js';

const ALLOW_SLEEP: AuthorizationPolicy = {
  apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: 'httpbin', namespace: 'foo' },
  spec: { selector: { matchLabels: { app: 'httpbin' } }, action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/foo/sa/sleep'] } }], to: [{ operation: { methods: ['GET'] } }] }] },
};
const STRICT: PeerAuthentication = { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name: 'default', namespace: 'foo' }, spec: { mtls: { mode: 'STRICT' } } };
const PERMISSIVE: PeerAuthentication = { ...STRICT, spec: { mtls: { mode: 'PERMISSIVE' } } };

function flow(sa: string, meshed = true, dstMeshed = true): MeshFlow {
  return {
    source: { pod: 'foo/sleep-1', namespace: 'foo', labels: { app: 'sleep' }, ip: '10.244.1.4', meshed, serviceAccount: sa },
    destination: { pod: 'foo/httpbin-1', namespace: 'foo', labels: { app: 'httpbin' }, ip: '10.244.2.5', port: 8000, meshed: dstMeshed },
    http: { method: 'GET', path: '/headers' },
  };
}

describe('explainMesh', () => {
  it('the right principal is allowed by the named policy and rule', () => {
    const e = explainMesh(flow('sleep'), { authorizationPolicies: [ALLOW_SLEEP], peerAuthentications: [STRICT] });
    assert.equal(formatMeshExplanation(e), [
      'mesh: foo/sleep-1 -> foo/httpbin-1 port 8000 GET /headers: ALLOWED',
      '  peer authentication: STRICT (PeerAuthentication foo/default, namespace level)',
      '  source identity: cluster.local/ns/foo/sa/sleep (mTLS)',
      '  authorization: allowed by AuthorizationPolicy foo/httpbin rule 0 (ALLOW)',
      '',
    ].join('\n'));
  });

  it('the wrong principal gets 403', () => {
    const e = explainMesh(flow('intruder'), { authorizationPolicies: [ALLOW_SLEEP], peerAuthentications: [] });
    assert.equal(e.allowed, false);
    assert.equal(e.lines[3], '  authorization: denied: ALLOW policies apply (foo/httpbin) and none of their rules matches: HTTP 403');
  });

  it('STRICT refuses plain text from an unmeshed pod; PERMISSIVE accepts it (then no identity)', () => {
    const strict = explainMesh(flow('sleep', false), { authorizationPolicies: [], peerAuthentications: [STRICT] });
    assert.equal(strict.allowed, false);
    assert.equal(strict.authorization, undefined);
    assert.match(strict.lines[2], /refused in STRICT mode/);
    const permissive = explainMesh(flow('sleep', false), { authorizationPolicies: [], peerAuthentications: [PERMISSIVE] });
    assert.equal(permissive.allowed, true);
    assert.equal(permissive.mtls, false);
    const noIdentity = explainMesh(flow('sleep', false), { authorizationPolicies: [ALLOW_SLEEP], peerAuthentications: [PERMISSIVE] });
    assert.equal(noIdentity.allowed, false, 'a principal rule cannot match plain text');
  });

  it('an unmeshed destination is not judged', () => {
    const e = explainMesh(flow('x', true, false), { authorizationPolicies: [ALLOW_SLEEP], peerAuthentications: [STRICT] });
    assert.deepEqual([e.applies, e.allowed], [false, true]);
  });

  it('TCP flows: the connection is closed, HTTP-only rules do not allow', () => {
    const f = { ...flow('sleep'), http: undefined };
    const e = explainMesh(f, { authorizationPolicies: [ALLOW_SLEEP], peerAuthentications: [] });
    assert.equal(e.allowed, false);
    assert.match(e.lines[3], /connection closed$/);
  });
});
