// Pod spec validation: the subset of core/v1 ValidatePodSpec that matters to podnet, plus checks
// for what the lab cannot do (env sources other than the downward API), so a manifest fails at
// load time rather than as a pod that silently behaves differently from a real cluster.
import { isPort } from './checks.js';
import type { FieldError } from './errors.js';
import { checkDNS1123Label, checkDNS1123Subdomain, checkEnvVarName, checkPortName } from './names.js';
import { validateLabels } from './selectors.js';
import { isRecord } from './util.js';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];

/** Downward API field paths the lab can fill in (see the kubelet's podFieldSelectorRuntimeValue). */
const FIELD_PATHS = new Set([
  'metadata.name', 'metadata.namespace', 'metadata.uid', 'status.podIP', 'status.podIPs', 'status.hostIP',
  'spec.nodeName', 'spec.serviceAccountName',
]);
const LABEL_FIELD_PATH = /^metadata\.labels\['(.+)'\]$/;

export interface PodSpecOptions {
  /** Workload templates must restart always (apps/v1 rejects anything else for Deployments etc.). */
  restartAlwaysOnly?: boolean;
}

export function validatePodSpec(spec: unknown, field: string, err: FieldError, opts: PodSpecOptions = {}): void {
  if (!isRecord(spec)) throw err(field, 'required');
  const containers = spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) throw err(`${field}.containers`, 'must have at least one container');
  const names = new Set<string>();
  for (const list of ['initContainers', 'containers'] as const) {
    const items = spec[list] ?? [];
    if (!Array.isArray(items)) throw err(`${field}.${list}`, 'must be a list');
    items.forEach((c: unknown, i) => validateContainer(c, `${field}.${list}[${i}]`, err, names));
  }
  const restart = spec.restartPolicy;
  if (restart !== undefined) {
    if (!RESTART_POLICIES.includes(restart as string)) {
      throw err(`${field}.restartPolicy`, `unsupported value ${JSON.stringify(restart)}: must be one of ${RESTART_POLICIES.join(', ')}`);
    }
    if (opts.restartAlwaysOnly && restart !== 'Always') throw err(`${field}.restartPolicy`, `must be Always in a workload template, not ${String(restart)}`);
  }
  if (spec.dnsPolicy !== undefined && !DNS_POLICIES.includes(spec.dnsPolicy as string)) {
    throw err(`${field}.dnsPolicy`, `unsupported value ${JSON.stringify(spec.dnsPolicy)}: must be one of ${DNS_POLICIES.join(', ')}`);
  }
  for (const f of ['hostname', 'subdomain'] as const) {
    if (spec[f] === undefined) continue;
    const bad = typeof spec[f] === 'string' ? checkDNS1123Label(spec[f]) : 'must be a string';
    if (bad) throw err(`${field}.${f}`, bad);
  }
  if (spec.nodeName !== undefined) {
    const bad = typeof spec.nodeName === 'string' ? checkDNS1123Subdomain(spec.nodeName) : 'must be a string';
    if (bad) throw err(`${field}.nodeName`, bad);
  }
  validateLabels(spec.nodeSelector, `${field}.nodeSelector`, err);
  if (spec.hostNetwork !== undefined && typeof spec.hostNetwork !== 'boolean') throw err(`${field}.hostNetwork`, 'must be true or false');
}

function validateContainer(c: unknown, field: string, err: FieldError, names: Set<string>): void {
  if (!isRecord(c)) throw err(field, 'must be a container (a mapping with name and image)');
  if (typeof c.name !== 'string' || c.name === '') throw err(`${field}.name`, 'required');
  const badName = checkDNS1123Label(c.name);
  if (badName) throw err(`${field}.name`, badName);
  if (names.has(c.name)) throw err(`${field}.name`, `duplicate container name ${JSON.stringify(c.name)}`);
  names.add(c.name);
  if (typeof c.image !== 'string' || c.image.trim() === '') throw err(`${field}.image`, 'required');
  validatePorts(c.ports, `${field}.ports`, err);
  validateEnv(c.env, `${field}.env`, err);
}

function validatePorts(ports: unknown, field: string, err: FieldError): void {
  if (ports === undefined || ports === null) return;
  if (!Array.isArray(ports)) throw err(field, 'must be a list');
  const names = new Set<string>();
  ports.forEach((p: unknown, i) => {
    const at = `${field}[${i}]`;
    if (!isRecord(p)) throw err(at, 'must be a mapping with containerPort');
    if (!isPort(p.containerPort)) throw err(`${at}.containerPort`, `must be an integer between 1 and 65535, not ${JSON.stringify(p.containerPort)}`);
    if (p.hostPort !== undefined && p.hostPort !== 0 && !isPort(p.hostPort)) {
      throw err(`${at}.hostPort`, `must be an integer between 1 and 65535, not ${JSON.stringify(p.hostPort)}`);
    }
    if (p.protocol !== undefined && !PROTOCOLS.includes(p.protocol as string)) {
      throw err(`${at}.protocol`, `unsupported value ${JSON.stringify(p.protocol)}: must be one of ${PROTOCOLS.join(', ')}`);
    }
    if (p.name !== undefined) {
      const bad = typeof p.name === 'string' ? checkPortName(p.name) : 'must be a string';
      if (bad) throw err(`${at}.name`, bad);
      if (names.has(p.name as string)) throw err(`${at}.name`, `duplicate port name ${JSON.stringify(p.name)}`);
      names.add(p.name as string);
    }
  });
}

function validateEnv(env: unknown, field: string, err: FieldError): void {
  if (env === undefined || env === null) return;
  if (!Array.isArray(env)) throw err(field, 'must be a list');
  env.forEach((e: unknown, i) => {
    const at = `${field}[${i}]`;
    if (!isRecord(e)) throw err(at, 'must be a mapping with name and value');
    if (typeof e.name !== 'string' || e.name === '') throw err(`${at}.name`, 'required');
    const bad = checkEnvVarName(e.name);
    if (bad) throw err(`${at}.name`, bad);
    if (e.value !== undefined && typeof e.value !== 'string') throw err(`${at}.value`, `must be a string (quote it: "${String(e.value)}")`);
    if (e.valueFrom === undefined) return;
    if (e.value !== undefined && e.value !== '') throw err(`${at}.valueFrom`, 'may not be specified when value is not empty');
    if (!isRecord(e.valueFrom)) throw err(`${at}.valueFrom`, 'must be a mapping');
    const sources = Object.keys(e.valueFrom);
    if (sources.length !== 1 || !isRecord(e.valueFrom.fieldRef)) {
      // configMapKeyRef/secretKeyRef/resourceFieldRef need objects the lab does not model.
      throw err(`${at}.valueFrom`, `only fieldRef is supported by podnet, not ${sources.join(', ') || 'nothing'}`);
    }
    const path = e.valueFrom.fieldRef.fieldPath;
    if (typeof path !== 'string') throw err(`${at}.valueFrom.fieldRef.fieldPath`, 'required');
    if (!FIELD_PATHS.has(path) && !LABEL_FIELD_PATH.test(path)) {
      throw err(`${at}.valueFrom.fieldRef.fieldPath`,
        `unsupported ${JSON.stringify(path)}: must be one of ${[...FIELD_PATHS].join(', ')} or metadata.labels['KEY']`);
    }
  });
}
