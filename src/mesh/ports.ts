// The sidecar's fixed numbers, Istio's where Istio has one, so that habits and exclusions carry over.
export const OUTBOUND_PORT = 15001;
export const INBOUND_PORT = 15006;
export const STATUS_PORT = 15021;
export const METRICS_PORT = 15090;
/** Ports of the sidecar itself, never redirected. */
export const SIDECAR_PORTS = [OUTBOUND_PORT, INBOUND_PORT, STATUS_PORT, METRICS_PORT] as const;
/** The sidecar runs as this uid (Istio's istio-proxy uid), so capture lets its own traffic through by `meta skuid`. */
export const PROXY_UID = 1337;
/** ALPN the sidecars speak to each other, before the app protocol (Istio uses istio-peer-exchange / istio). */
export const MESH_ALPN = 'podnet-mesh';
export const SIDECAR_IMAGE = 'podnet.dev/sidecar:latest';
export const SIDECAR_CONTAINER = 'istio-proxy';
