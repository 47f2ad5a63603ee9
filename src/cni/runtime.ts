// A small libcni: runs the plugins of a conflist for ADD (in order, chaining prevResult), DEL (in
// reverse, with the cached ADD result as prevResult), CHECK, GC and STATUS. Capability args
// (e.g. portMappings) go to a plugin's runtimeConfig only if it declares that capability. The lab
// runs in the host netns but executes plugins inside a node netns (`runInNetns`) so that the
// node's agent (abstract socket) and links are the ones used.
import { CniCode, CniError, invalidConfig } from './errors.js';
import { execPlugin, PluginError } from './exec-plugin.js';
import { findPlugin } from './store/host.js';
import { readCached, removeCached, writeCached } from './store/cache.js';
import { compareVersions, parseResult } from './version.js';
import type { Conflist, PluginConf } from './config.js';
import type { CniResult } from './types.js';

export { PluginError as CniPluginError } from './exec-plugin.js';
export type { Conflist, PluginConf } from './config.js';

export interface RuntimeConf {
  containerID: string;
  /** Path of the pod netns, e.g. /run/netns/<podns>. */
  netns: string;
  ifname: string;
  /** CNI_ARGS pairs, e.g. K8S_POD_NAMESPACE, K8S_POD_NAME, K8S_POD_INFRA_CONTAINER_ID. */
  args?: Record<string, string>;
  /** Capability args, e.g. { portMappings: [{hostPort, containerPort, protocol}] }. */
  runtimeConfig?: Record<string, unknown>;
}

export interface RuntimeOptions {
  cniPath: string[];
  cacheDir: string;
  /** Node netns name (or path): plugins are executed there via nsenter. */
  runInNetns?: string;
}

export interface AddResult extends CniResult {
  cniVersion: string;
}

function pluginConfig(list: Conflist, p: PluginConf, version: string, runtimeConfig: Record<string, unknown> | undefined, prevResult: unknown): string {
  const conf: Record<string, unknown> = { ...p, cniVersion: version, name: list.name };
  const caps = Object.entries(p.capabilities ?? {}).filter(([, on]) => on).map(([k]) => k);
  const rc: Record<string, unknown> = {};
  for (const k of caps) if (runtimeConfig?.[k] !== undefined) rc[k] = runtimeConfig[k];
  if (Object.keys(rc).length) conf.runtimeConfig = rc;
  if (prevResult !== undefined) conf.prevResult = prevResult;
  return JSON.stringify(conf);
}

async function invoke(command: string, list: Conflist, p: PluginConf, stdin: string, rt: RuntimeConf | undefined, opts: RuntimeOptions): Promise<string> {
  const path = await findPlugin(p.type, opts.cniPath);
  if (!path) throw invalidConfig(`CNI plugin "${p.type}" not found in ${opts.cniPath.join(':')}`);
  const env: Record<string, string> = { CNI_COMMAND: command, CNI_PATH: opts.cniPath.join(':') };
  if (rt) {
    env.CNI_CONTAINERID = rt.containerID;
    env.CNI_NETNS = rt.netns;
    env.CNI_IFNAME = rt.ifname;
    const args = Object.entries(rt.args ?? {}).map(([k, v]) => `${k}=${v}`).join(';');
    if (args) env.CNI_ARGS = args;
  }
  return execPlugin(path, { env, stdin, netns: opts.runInNetns });
}

function validate(list: Conflist): void {
  if (!list?.name || !list.cniVersion || !Array.isArray(list.plugins) || list.plugins.length === 0) {
    throw invalidConfig('conflist needs name, cniVersion and at least one plugin');
  }
}

export async function cniAdd(list: Conflist, rt: RuntimeConf, opts: RuntimeOptions): Promise<AddResult> {
  validate(list);
  let prev: unknown;
  try {
    for (const p of list.plugins) {
      const out = await invoke('ADD', list, p, pluginConfig(list, p, list.cniVersion, rt.runtimeConfig, prev), rt, opts);
      // A plugin may pass its prevResult through unchanged by printing it; an empty answer keeps prev.
      if (out.trim()) prev = JSON.parse(out) as unknown;
    }
  } catch (e) {
    // Unlike libcni we undo a half-done chain ourselves (kubelet would issue the DEL): best effort.
    await cniDelChain(list, rt, opts, prev).catch(() => undefined);
    throw e;
  }
  if (prev === undefined) throw new CniError(CniCode.Internal, `conflist ${list.name} produced no result`);
  await writeCached(opts.cacheDir, {
    kind: 'cni#v1',
    containerId: rt.containerID,
    ifName: rt.ifname,
    networkName: list.name,
    netns: rt.netns,
    cniArgs: rt.args ?? {},
    capabilityArgs: rt.runtimeConfig ?? {},
    result: prev,
  });
  return { cniVersion: list.cniVersion, ...parseResult(prev) };
}

async function cniDelChain(list: Conflist, rt: RuntimeConf, opts: RuntimeOptions, prevResult: unknown): Promise<void> {
  // prevResult on DEL exists since 0.4.0.
  const prev = compareVersions(list.cniVersion, '0.4.0') >= 0 ? prevResult : undefined;
  for (const p of [...list.plugins].reverse()) {
    await invoke('DEL', list, p, pluginConfig(list, p, list.cniVersion, rt.runtimeConfig, prev), rt, opts);
  }
}

export async function cniDel(list: Conflist, rt: RuntimeConf, opts: RuntimeOptions): Promise<void> {
  validate(list);
  const cached = await readCached(opts.cacheDir, list.name, rt.containerID, rt.ifname);
  const runtimeConfig = rt.runtimeConfig ?? cached?.capabilityArgs;
  await cniDelChain(list, { ...rt, runtimeConfig }, opts, cached?.result);
  await removeCached(opts.cacheDir, list.name, rt.containerID, rt.ifname);
}

export async function cniCheck(list: Conflist, rt: RuntimeConf, opts: RuntimeOptions): Promise<void> {
  validate(list);
  if (compareVersions(list.cniVersion, '0.4.0') < 0) throw new CniError(CniCode.IncompatibleVersion, `CHECK needs cniVersion >= 0.4.0, conflist has ${list.cniVersion}`);
  if (list.disableCheck) return;
  const cached = await readCached(opts.cacheDir, list.name, rt.containerID, rt.ifname);
  if (!cached) throw new CniError(CniCode.UnknownContainer, `no cached result for ${rt.containerID}/${rt.ifname} in network ${list.name}`);
  for (const p of list.plugins) {
    await invoke('CHECK', list, p, pluginConfig(list, p, list.cniVersion, rt.runtimeConfig ?? cached.capabilityArgs, cached.result), rt, opts);
  }
}

const versionCache = new Map<string, string[]>();

/** The spec versions a plugin speaks (VERSION verb), cached per plugin type and netns. */
async function pluginVersions(list: Conflist, p: PluginConf, opts: RuntimeOptions): Promise<string[]> {
  const key = `${opts.runInNetns ?? ''}|${p.type}`;
  let v = versionCache.get(key);
  if (!v) {
    const out = await invoke('VERSION', list, p, JSON.stringify({ cniVersion: list.cniVersion }), undefined, opts);
    v = (JSON.parse(out) as { supportedVersions?: string[] }).supportedVersions ?? [];
    versionCache.set(key, v);
  }
  return v;
}

/**
 * GC and STATUS are 1.1.0 verbs. libcni skips them for older conflists; we ask each plugin instead
 * and send them, at 1.1.0, to every plugin that speaks 1.1.0 (podnet does, the Debian portmap not).
 */
async function eachModernPlugin(list: Conflist, opts: RuntimeOptions, fn: (p: PluginConf) => Promise<void>): Promise<void> {
  for (const p of list.plugins) {
    if (compareVersions(list.cniVersion, '1.1.0') >= 0 || (await pluginVersions(list, p, opts)).includes('1.1.0')) await fn(p);
  }
}

export async function cniGC(list: Conflist, gc: { validAttachments: { containerID: string; ifname: string }[] }, opts: RuntimeOptions): Promise<void> {
  validate(list);
  if (list.disableGC) return;
  const version = compareVersions(list.cniVersion, '1.1.0') >= 0 ? list.cniVersion : '1.1.0';
  await eachModernPlugin(list, opts, async (p) => {
    const conf = JSON.parse(pluginConfig(list, p, version, undefined, undefined)) as Record<string, unknown>;
    conf['cni.dev/valid-attachments'] = gc.validAttachments;
    await invoke('GC', list, p, JSON.stringify(conf), undefined, opts);
  });
}

/** Resolves when every plugin reports ready; throws CniPluginError (code 50 = not available) otherwise. */
export async function cniStatus(list: Conflist, opts: RuntimeOptions): Promise<void> {
  validate(list);
  const version = compareVersions(list.cniVersion, '1.1.0') >= 0 ? list.cniVersion : '1.1.0';
  await eachModernPlugin(list, opts, async (p) => {
    await invoke('STATUS', list, p, pluginConfig(list, p, version, undefined, undefined), undefined, opts);
  });
}

export function isPluginError(e: unknown): e is PluginError {
  return e instanceof PluginError;
}
