// PeerAuthentication precedence, after Istio's reference examples: mesh-wide STRICT in the root
// namespace, a namespace PERMISSIVE, a workload STRICT with port 8080 DISABLE, UNSET inheriting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PeerAuthentication } from '../kinds/types.js';
import { acceptsMtls, acceptsPlaintext, resolvePeerAuthentication } from './peer.js';

function pa(ns: string, name: string, spec: PeerAuthentication['spec'], created = '2026-01-01T00:00:00Z'): PeerAuthentication {
  return { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication', metadata: { name, namespace: ns, creationTimestamp: created as unknown as Date }, spec };
}

const MESH = pa('istio-system', 'default', { mtls: { mode: 'STRICT' } });
const FOO = pa('foo', 'default', { mtls: { mode: 'PERMISSIVE' } });
const FINANCE = pa('foo', 'finance', { selector: { matchLabels: { app: 'finance' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { '8080': { mode: 'DISABLE' }, '9090': { mode: 'UNSET' } } });
const UNSET = pa('bar', 'unset', { mtls: { mode: 'UNSET' } });

describe('resolvePeerAuthentication', () => {
  const cases: [string, PeerAuthentication[], string, Record<string, string>, number, string][] = [
    ['nothing: PERMISSIVE by default', [], 'foo', {}, 80, 'PERMISSIVE default default'],
    ['mesh-wide', [MESH], 'foo', {}, 80, 'STRICT mesh PeerAuthentication istio-system/default'],
    ['namespace beats mesh', [MESH, FOO], 'foo', {}, 80, 'PERMISSIVE namespace PeerAuthentication foo/default'],
    ['workload beats namespace', [MESH, FOO, FINANCE], 'foo', { app: 'finance' }, 80, 'STRICT workload PeerAuthentication foo/finance'],
    ['port level beats workload', [MESH, FOO, FINANCE], 'foo', { app: 'finance' }, 8080, 'DISABLE port PeerAuthentication foo/finance'],
    ['port UNSET inherits the workload mode', [MESH, FOO, FINANCE], 'foo', { app: 'finance' }, 9090, 'STRICT workload PeerAuthentication foo/finance'],
    ['selector not matching', [MESH, FOO, FINANCE], 'foo', { app: 'web' }, 8080, 'PERMISSIVE namespace PeerAuthentication foo/default'],
    ['UNSET namespace inherits mesh', [MESH, UNSET], 'bar', {}, 80, 'STRICT mesh PeerAuthentication istio-system/default'],
    ['oldest of two namespace policies', [pa('foo', 'b-old', { mtls: { mode: 'DISABLE' } }, '2025-01-01T00:00:00Z'), pa('foo', 'a-new', { mtls: { mode: 'STRICT' } })], 'foo', {}, 80, 'DISABLE namespace PeerAuthentication foo/b-old'],
  ];
  for (const [name, list, ns, labels, port, want] of cases) {
    it(name, () => {
      const r = resolvePeerAuthentication(list, { namespace: ns, labels }, port);
      assert.equal(`${r.mode} ${r.level} ${r.decidedBy}`, want);
    });
  }

  it('what each mode accepts', () => {
    assert.deepEqual((['STRICT', 'PERMISSIVE', 'DISABLE'] as const).map((m) => [acceptsPlaintext(m), acceptsMtls(m)]), [[false, true], [true, true], [true, false]]);
  });
});
