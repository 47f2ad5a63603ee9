// Result types of the CNI spec (1.x shape; see version.ts for older versions).

export interface CniInterface {
  name: string;
  mac?: string;
  mtu?: number;
  sandbox?: string;
}

export interface IpConfig {
  /** CIDR notation: the address and its prefix length, e.g. 10.244.1.5/24. */
  address: string;
  gateway?: string;
  /** Index into interfaces[]. */
  interface?: number;
}

export interface Route {
  dst: string;
  gw?: string;
  mtu?: number;
}

export interface Dns {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

export interface CniResult {
  interfaces?: CniInterface[];
  ips: IpConfig[];
  routes?: Route[];
  dns?: Dns;
}

export interface CniRequest {
  env: Record<string, string>;
  stdin: string;
}

export interface CniResponse {
  exitCode: number;
  stdout: string;
}
