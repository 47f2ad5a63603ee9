// The gateway classes every lab gets, as an installed controller would create them: GatewayClass
// `podnet` (controllerName podnet.dev/gateway) and IngressClass `podnet`, annotated as the default
// class, so an Ingress without a class is served (the DefaultIngressClass admission rule).
import type { KubeObject, Loaded } from '../api/types.js';
import { CONTROLLER_NAME, DEFAULT_CLASS_ANNOTATION, GATEWAY_CLASS, GATEWAY_GROUP, INGRESS_CLASS, INGRESS_CONTROLLER } from '../gateway/types.js';

const SOURCE = { file: '<cluster add-ons>', doc: 0 };

export function clusterGatewayObjects(): Loaded[] {
  const gatewayClass: KubeObject = {
    apiVersion: `${GATEWAY_GROUP}/v1`, kind: 'GatewayClass', metadata: { name: GATEWAY_CLASS },
    spec: { controllerName: CONTROLLER_NAME, description: 'podnet\'s L7 gateway: one proxy Deployment and LoadBalancer Service per Gateway' },
  };
  const ingressClass: KubeObject = {
    apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass',
    metadata: { name: INGRESS_CLASS, annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
    spec: { controller: INGRESS_CONTROLLER },
  };
  return [{ object: gatewayClass, source: SOURCE }, { object: ingressClass, source: SOURCE }];
}
