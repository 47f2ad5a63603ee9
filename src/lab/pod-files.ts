// The files a pod sees as /etc/resolv.conf and /etc/hosts, as the kubelet writes them.
import type { ClusterConfig, V1Pod } from '../api/types.js';
import { nthAddress, parseCIDR } from '../api/cidr.js';

/** Upstream's default cluster domain; a lab's own comes from its Cluster document. */
export const CLUSTER_DOMAIN = 'cluster.local';

/** The kube-dns Service's address: the 10th address of each service range (10.96.0.10). */
export function clusterDNS(config: ClusterConfig): string[] {
  return config.serviceCIDRs.map((c) => nthAddress(parseCIDR(c), 10));
}

export function resolvConf(pod: V1Pod, config: ClusterConfig): string {
  const ns = pod.metadata?.namespace ?? 'default';
  const policy = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  const dnsConfig = pod.spec?.dnsConfig;
  let nameservers: string[] = [];
  let searches: string[] = [];
  let options: { name: string; value?: string }[] = [];
  if (policy === 'ClusterFirst' || policy === 'ClusterFirstWithHostNet') {
    nameservers = clusterDNS(config).slice(0, 1);
    const domain = config.clusterDomain ?? CLUSTER_DOMAIN;
    searches = [`${ns}.svc.${domain}`, `svc.${domain}`, domain];
    options = [{ name: 'ndots', value: '5' }];
  }
  // dnsConfig is merged on top (and is all there is with dnsPolicy None), as the kubelet does.
  nameservers = [...nameservers, ...(dnsConfig?.nameservers ?? [])].slice(0, 3);
  searches = [...new Set([...searches, ...(dnsConfig?.searches ?? [])])].slice(0, 32);
  for (const o of dnsConfig?.options ?? []) {
    options = options.filter((x) => x.name !== o.name);
    options.push({ name: o.name ?? '', value: o.value });
  }
  const lines = nameservers.map((n) => `nameserver ${n}`);
  if (searches.length) lines.push(`search ${searches.join(' ')}`);
  if (options.length) lines.push(`options ${options.map((o) => (o.value === undefined ? o.name : `${o.name}:${o.value}`)).join(' ')}`);
  return lines.join('\n') + '\n';
}

export function hostsFile(pod: V1Pod, ips: string[], domain = CLUSTER_DOMAIN): string {
  const name = pod.spec?.hostname ?? pod.metadata?.name ?? '';
  const ns = pod.metadata?.namespace ?? 'default';
  const fqdn = pod.spec?.subdomain ? `${name}.${pod.spec.subdomain}.${ns}.svc.${domain}` : '';
  const lines = [
    '# Kubernetes-managed hosts file (podnet).',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::1\tip6-mcastprefix',
    'fe00::2\tip6-allrouters',
    ...ips.map((ip) => `${ip}\t${fqdn ? `${fqdn}\t` : ''}${name}`),
  ];
  for (const alias of pod.spec?.hostAliases ?? []) {
    if (alias.ip) lines.push(`${alias.ip}\t${(alias.hostnames ?? []).join('\t')}`);
  }
  return lines.join('\n') + '\n';
}
