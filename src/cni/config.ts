// The conflist the lab writes for each node: podnet (bridge + built-in IPAM), optionally chained
// with the reference portmap plugin for hostPorts.

export interface PluginConf {
  type: string;
  capabilities?: Record<string, boolean>;
  [key: string]: unknown;
}

export interface Conflist {
  cniVersion: string;
  name: string;
  plugins: PluginConf[];
  disableCheck?: boolean;
  disableGC?: boolean;
}

export interface NodeConflistOptions {
  name: string;
  bridge: string;
  mtu: number;
  /** One subnet per family, e.g. ['10.244.1.0/24', 'fd00:10:244:1::/64']. */
  subnets: string[];
  dataDir: string;
  /** Chain the reference portmap plugin (hostPort support, iptables based). */
  portmap?: boolean;
}

export function nodeConflist(o: NodeConflistOptions): Conflist {
  const hasV4 = o.subnets.some((s) => !s.includes(':'));
  const hasV6 = o.subnets.some((s) => s.includes(':'));
  const plugins: PluginConf[] = [
    {
      type: 'podnet',
      bridge: o.bridge,
      mtu: o.mtu,
      hairpinMode: true,
      ipam: {
        type: 'podnet',
        ranges: o.subnets.map((subnet) => [{ subnet }]),
        routes: [...(hasV4 ? [{ dst: '0.0.0.0/0' }] : []), ...(hasV6 ? [{ dst: '::/0' }] : [])],
        dataDir: o.dataDir,
      },
    },
  ];
  if (o.portmap) plugins.push({ type: 'portmap', capabilities: { portMappings: true }, snat: true });
  // The Debian reference plugins (1.1.1) speak up to 1.0.0; GC/STATUS are negotiated per plugin
  // by runtime.ts, so podnet still gets them.
  return { cniVersion: o.portmap ? '1.0.0' : '1.1.0', name: o.name, plugins };
}
