// The scale labs (`npm run bench -- --only up`, examples/scale, test/scale.test.ts): N pods on M
// nodes, nine in ten of them agnhost `pause` and one in ten agnhost `netexec`, as a big cluster's
// mostly idle pods next to the few that `podnet check` and `probe matrix` talk to. Pure: it returns
// manifest text, the caller writes it where it wants.

export interface ScaleSpec {
  pods: number;
  nodes: number;
  /** Share of netexec pods; the rest are pause. Default 0.1. */
  netexecShare?: number;
  /** Lab name in the Cluster document; default `scale`. */
  name?: string;
}

export const SCALE_NETEXEC_NS = 'scale-net';
export const SCALE_PAUSE_NS = 'scale-pause';
const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';

export function scaleCounts(spec: ScaleSpec): { netexec: number; pause: number } {
  const netexec = Math.max(2, Math.round(spec.pods * (spec.netexecShare ?? 0.1)));
  return { netexec, pause: Math.max(0, spec.pods - netexec) };
}

function deployment(ns: string, name: string, replicas: number, args: string[], ports: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
        - name: ${name}
          image: ${AGNHOST}
          args: ${JSON.stringify(args)}${ports}
`;
}

/** One YAML stream: the Cluster, two namespaces, the netexec and pause Deployments. */
export function scaleManifests(spec: ScaleSpec): string {
  if (!Number.isInteger(spec.pods) || spec.pods < 2) throw new Error(`scale lab: pods must be an integer >= 2, not ${spec.pods}`);
  if (!Number.isInteger(spec.nodes) || spec.nodes < 1) throw new Error(`scale lab: nodes must be an integer >= 1, not ${spec.nodes}`);
  const { netexec, pause } = scaleCounts(spec);
  const docs = [
    `# ${spec.pods} pods on ${spec.nodes} nodes: ${netexec} agnhost netexec, ${pause} agnhost pause (src/lab/scale-manifests.ts)
apiVersion: podnet.dev/v1alpha1
kind: Cluster
metadata: {name: ${spec.name ?? 'scale'}}
spec: {nodes: ${spec.nodes}, backend: vxlan, ipFamily: ipv4}
`,
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${SCALE_NETEXEC_NS}}\n`,
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${SCALE_PAUSE_NS}}\n`,
    deployment(SCALE_NETEXEC_NS, 'netexec', netexec, ['netexec', '--http-port=8080', '--udp-port=8081'], `
          ports:
            - {name: http, containerPort: 8080}
            - {name: udp, containerPort: 8081, protocol: UDP}`),
  ];
  if (pause > 0) docs.push(deployment(SCALE_PAUSE_NS, 'pause', pause, ['pause'], ''));
  return docs.join('---\n');
}
