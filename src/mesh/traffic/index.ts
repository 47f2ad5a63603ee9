// The mesh's traffic management, pure: Istio VirtualService/DestinationRule and GAMMA HTTPRoutes →
// one RouteTable per destination Service (compile.ts), specialised per calling workload.
export { compileMeshTraffic } from './compile.js';
export { specializeTable, type Caller } from './specialize.js';
export type { MeshObjects, ServiceTable, TrafficOptions, TrafficProblem, TrafficResult } from './types.js';
