import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveCluster } from '../api/cluster.js';
import type { V1Pod, V1PodSpec } from '../api/types.js';
import { clusterDNS, hostsFile, resolvConf } from './pod-files.js';

const ipv4 = resolveCluster({ name: 'lab' }, undefined);
const dual = resolveCluster({ name: 'lab', ipFamily: 'dual' }, undefined);

const pod = (spec: Partial<V1PodSpec> = {}, namespace: string | null = 'shop'): V1Pod => ({
  metadata: { name: 'web-0', namespace: namespace ?? undefined },
  spec: { containers: [{ name: 'c' }], ...spec },
});

describe('clusterDNS', () => {
  it('is the 10th address of each service range', () => {
    assert.deepEqual(clusterDNS(ipv4), ['10.96.0.10']);
    assert.deepEqual(clusterDNS(dual), ['10.96.0.10', 'fd00:10:96::a']);
  });
});

describe('resolvConf', () => {
  it('ClusterFirst (the default): cluster DNS, namespace search path, ndots:5', () => {
    const want = 'nameserver 10.96.0.10\nsearch shop.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n';
    assert.equal(resolvConf(pod(), ipv4), want);
    assert.equal(resolvConf(pod({ dnsPolicy: 'ClusterFirst' }), ipv4), want);
    assert.equal(resolvConf(pod({ dnsPolicy: 'ClusterFirstWithHostNet' }), ipv4), want);
    // Dual stack still uses the first (IPv4) DNS address only.
    assert.equal(resolvConf(pod(), dual), want);
  });

  it('a pod without a namespace is in default', () => {
    assert.match(resolvConf(pod({}, null), ipv4), /^search default\.svc\.cluster\.local /m);
  });

  it('dnsPolicy None: only what dnsConfig gives', () => {
    const p = pod({
      dnsPolicy: 'None',
      dnsConfig: { nameservers: ['1.1.1.1', '8.8.8.8'], searches: ['example.com'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] },
    });
    assert.equal(resolvConf(p, ipv4), 'nameserver 1.1.1.1\nnameserver 8.8.8.8\nsearch example.com\noptions ndots:2 edns0\n');
    assert.equal(resolvConf(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.1.1.1'] } }), ipv4), 'nameserver 1.1.1.1\n');
  });

  it('dnsConfig merges on top of ClusterFirst: appended servers and searches, options override by name', () => {
    const p = pod({
      dnsConfig: {
        nameservers: ['1.1.1.1', '8.8.8.8', '9.9.9.9'],
        searches: ['svc.cluster.local', 'example.com'],
        options: [{ name: 'ndots', value: '1' }, { name: 'single-request-reopen' }],
      },
    });
    assert.equal(resolvConf(p, ipv4), [
      // At most three nameservers, cluster DNS first.
      'nameserver 10.96.0.10',
      'nameserver 1.1.1.1',
      'nameserver 8.8.8.8',
      // Duplicate searches dropped, order kept.
      'search shop.svc.cluster.local svc.cluster.local cluster.local example.com',
      'options ndots:1 single-request-reopen',
      '',
    ].join('\n'));
  });
});

describe('hostsFile', () => {
  const header = [
    '# Kubernetes-managed hosts file (podnet).',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::1\tip6-mcastprefix',
    'fe00::2\tip6-allrouters',
  ];

  it('maps each pod IP to the pod name', () => {
    assert.equal(hostsFile(pod(), ['10.244.1.5', 'fd00:10:244:1::5']), [...header, '10.244.1.5\tweb-0', 'fd00:10:244:1::5\tweb-0', ''].join('\n'));
  });

  it('hostname and subdomain give the FQDN first', () => {
    assert.equal(
      hostsFile(pod({ hostname: 'db', subdomain: 'backend' }), ['10.244.1.5']),
      [...header, '10.244.1.5\tdb.backend.shop.svc.cluster.local\tdb', ''].join('\n'),
    );
    // A hostname without a subdomain has no FQDN.
    assert.equal(hostsFile(pod({ hostname: 'db' }), ['10.244.1.5']), [...header, '10.244.1.5\tdb', ''].join('\n'));
    // A subdomain alone uses the pod name.
    assert.match(hostsFile(pod({ subdomain: 'backend' }), ['10.244.1.5']), /^10\.244\.1\.5\tweb-0\.backend\.shop\.svc\.cluster\.local\tweb-0$/m);
  });

  it('appends hostAliases, one line per IP', () => {
    const p = pod({ hostAliases: [{ ip: '127.0.0.1', hostnames: ['foo.local', 'bar.local'] }, { ip: '10.1.2.3', hostnames: ['baz'] }] });
    assert.equal(
      hostsFile(p, ['10.244.1.5']),
      [...header, '10.244.1.5\tweb-0', '127.0.0.1\tfoo.local\tbar.local', '10.1.2.3\tbaz', ''].join('\n'),
    );
  });
});
