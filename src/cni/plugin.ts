// The CNI verb handler shared by the agent and the standalone executable: request in, exit code
// and stdout out. All errors become the spec's error JSON here, and nowhere else.
import { parseEnv } from './env.js';
import { toCniError } from './errors.js';
import { parseNetConf, peekVersion } from './netconf.js';
import { cmdAdd } from './verbs/add.js';
import { cmdCheck } from './verbs/check.js';
import { cmdDel } from './verbs/del.js';
import { cmdGC, cmdStatus } from './verbs/gc-status.js';
import { assertSupported, assertVerbAllowed, convertResult, LATEST_VERSION, SUPPORTED_VERSIONS } from './version.js';
import type { CniRequest, CniResponse } from './types.js';

export type { CniRequest, CniResponse } from './types.js';

/** Optional observer (the agent logs each request with its duration). */
export interface HandleHooks {
  log?: (line: string) => void;
}

export async function handleCni(req: CniRequest, hooks: HandleHooks = {}): Promise<CniResponse> {
  const started = performance.now();
  let version = peekVersion(req.stdin) ?? LATEST_VERSION;
  const verb = req.env.CNI_COMMAND ?? '?';
  try {
    const env = parseEnv(req.env);
    if (env.command === 'VERSION') {
      // VERSION answers whatever the config says (it may be empty); spec: cniVersion of the request.
      if (!(SUPPORTED_VERSIONS as readonly string[]).includes(version)) version = LATEST_VERSION;
      return ok({ cniVersion: version, supportedVersions: [...SUPPORTED_VERSIONS] });
    }
    const conf = parseNetConf(req.stdin);
    version = conf.cniVersion;
    assertSupported(version);
    assertVerbAllowed(env.command, version);
    let stdout = '';
    switch (env.command) {
      case 'ADD':
        stdout = JSON.stringify(convertResult(await cmdAdd(conf, env, req.stdin), version));
        break;
      case 'DEL':
        await cmdDel(conf, env, req.stdin);
        break;
      case 'CHECK':
        await cmdCheck(conf, env, req.stdin);
        break;
      case 'GC': {
        const r = await cmdGC(conf, env, req.stdin);
        hooks.log?.(`GC released ${r.released} allocation(s), deleted ${r.links.length} link(s)`);
        break;
      }
      case 'STATUS':
        await cmdStatus(conf, env, req.stdin);
        break;
    }
    hooks.log?.(`${verb} ${req.env.CNI_CONTAINERID ?? ''} ${req.env.CNI_IFNAME ?? ''} ok ${(performance.now() - started).toFixed(1)}ms`);
    return { exitCode: 0, stdout };
  } catch (e) {
    // Keep the version in the error only if it is one we speak (the error must be parseable).
    if (!(SUPPORTED_VERSIONS as readonly string[]).includes(version)) version = LATEST_VERSION;
    const err = toCniError(e, version);
    hooks.log?.(`${verb} ${req.env.CNI_CONTAINERID ?? ''} failed code=${err.code}: ${err.msg}${err.details ? ` (${err.details})` : ''}`);
    return { exitCode: err.code > 255 ? 255 : err.code, stdout: JSON.stringify(err) };
  }
}

function ok(o: unknown): CniResponse {
  return { exitCode: 0, stdout: JSON.stringify(o) };
}
