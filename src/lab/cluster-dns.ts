// The cluster DNS add-on every lab gets, shaped like kubeadm's CoreDNS: Deployment `coredns` and
// Service `kube-dns` in kube-system at the 10th address of each service range, so that pods'
// resolv.conf (written by the kubelet before any DNS pod exists) points at a stable VIP.
import type { ClusterConfig, KubeObject, Loaded } from '../api/types.js';
import { clusterDNS } from './pod-files.js';

export const DNS_IMAGE = 'podnet/dns:latest';
const SOURCE = { file: '<cluster add-ons>', doc: 0 };

export function clusterDNSObjects(config: ClusterConfig, apiSocket: string): Loaded[] {
  const labels = { 'k8s-app': 'kube-dns' };
  const ips = clusterDNS(config);
  const service: KubeObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { ...labels, 'kubernetes.io/name': 'CoreDNS' } },
    spec: {
      selector: labels,
      clusterIP: ips[0],
      clusterIPs: ips,
      ipFamilies: ips.map((ip) => (ip.includes(':') ? 'IPv6' : 'IPv4')),
      ipFamilyPolicy: ips.length > 1 ? 'RequireDualStack' : 'SingleStack',
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
    },
  };
  const args = ['--api-socket', apiSocket, '--domain', config.clusterDomain, ...config.dnsUpstreams.flatMap((u) => ['--upstream', u])];
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'coredns', namespace: 'kube-system', labels },
    spec: {
      replicas: Math.min(2, config.nodes.length),
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          dnsPolicy: 'Default',
          containers: [{
            name: 'coredns',
            image: DNS_IMAGE,
            args,
            ports: [
              { name: 'dns', containerPort: 53, protocol: 'UDP' },
              { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
              { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
            ],
            readinessProbe: { httpGet: { path: '/ready', port: 8181, scheme: 'HTTP' }, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 3 },
            livenessProbe: { httpGet: { path: '/health', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 5 },
          }],
        },
      },
    },
  };
  return [{ object: service, source: SOURCE }, { object: deployment, source: SOURCE }];
}
