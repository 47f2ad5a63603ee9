// What the lab runs for a served Gateway (and for the Ingress table): a Deployment of the proxy
// (image podnet/gateway, src/l7/proxy/proxy-main.ts) reading its route table from a file the
// controller writes, behind a Service of type LoadBalancer whose ports are the listener ports, as
// Envoy Gateway runs one Envoy Deployment and one LoadBalancer Service per Gateway. Pure: objects
// in, objects out; the controller (src/lab/daemon/gateway-controller.ts) applies them.
import type { KubeObject } from '../api/types.js';
import { safeHash } from '../api/hash.js';
import type { RouteTable } from '../l7/route-table.js';

export const GATEWAY_IMAGE = 'podnet/gateway:latest';
/** The proxy's admin port (/metrics), Envoy Gateway's choice; listeners may use anything else. */
export const ADMIN_PORT = 19000;
/** Where the shared Ingress gateway runs (a namespace every cluster has). */
export const INGRESS_NAMESPACE = 'kube-system';
export const INGRESS_DEPLOYMENT = 'podnet-ingress';
/** The label that ties a gateway's pods to its Service, and names what they serve. */
export const DEPLOYMENT_LABEL = 'podnet.dev/gateway-deployment';
/** On the Deployment and Service: which Gateway (`ns/name`) or `ingress` they serve, for cleanup. */
export const SERVES_ANNOTATION = 'podnet.dev/serves';

export interface GatewayWorkload {
  /** `ns/name` of the Gateway, or `ingress`. */
  serves: string;
  namespace: string;
  /** Deployment and Service name. */
  name: string;
  /** The route table file the proxy reads (and watches). */
  tableFile: string;
}

/**
 * The Deployment/Service name for Gateway `name`: at most 46 characters, so that its pods' names
 * (`<deployment>-<10>-<5>`) stay within a 63-character hostname; longer names are cut and given a
 * hash of the whole name, so two long Gateway names do not collide.
 */
export function workloadName(gatewayName: string): string {
  const name = `podnet-gw-${gatewayName}`;
  return name.length <= 46 ? name : `${name.slice(0, 38).replace(/[-.]+$/, '')}-${safeHash(7, gatewayName)}`;
}

export function gatewayWorkload(key: string, tableDir: string): GatewayWorkload {
  if (key === 'ingress') return { serves: key, namespace: INGRESS_NAMESPACE, name: INGRESS_DEPLOYMENT, tableFile: `${tableDir}/ingress.json` };
  const [namespace, name] = key.split('/');
  return { serves: key, namespace, name: workloadName(name), tableFile: `${tableDir}/${namespace}_${name}.json` };
}

/** The Deployment and the LoadBalancer Service for one table (its listener ports, TCP). */
export function gatewayObjects(w: GatewayWorkload, table: RouteTable): KubeObject[] {
  const labels = { [DEPLOYMENT_LABEL]: w.name, 'app.kubernetes.io/managed-by': 'podnet-gateway' };
  const metadata = { name: w.name, namespace: w.namespace, labels, annotations: { [SERVES_ANNOTATION]: w.serves } };
  const ports = [...new Set(table.listeners.map((l) => l.port))].sort((a, b) => a - b);
  const deployment: KubeObject = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata,
    spec: {
      replicas: 1,
      selector: { matchLabels: { [DEPLOYMENT_LABEL]: w.name } },
      template: {
        metadata: { labels },
        spec: {
          containers: [{
            name: 'proxy', image: GATEWAY_IMAGE,
            args: ['--table', w.tableFile, '--admin-port', String(ADMIN_PORT), '--access-log', '-'],
            ports: [...ports.map((p) => ({ containerPort: p, protocol: 'TCP' })), { name: 'admin', containerPort: ADMIN_PORT, protocol: 'TCP' }],
            readinessProbe: { tcpSocket: { port: ADMIN_PORT }, periodSeconds: 1, failureThreshold: 3 },
          }],
        },
      },
    },
  };
  const service: KubeObject = {
    apiVersion: 'v1', kind: 'Service', metadata,
    spec: {
      type: 'LoadBalancer',
      selector: { [DEPLOYMENT_LABEL]: w.name },
      ports: ports.map((p) => ({ name: `tcp-${p}`, port: p, targetPort: p, protocol: 'TCP' })),
    },
  };
  return [deployment, service];
}
