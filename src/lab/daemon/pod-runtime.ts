// The lab's kubelet + container runtime for one pod: a network namespace wired by podnet's CNI
// plugin (through the node's agent, exactly as a runtime would call it), a UTS namespace for the
// pod's hostname, its own resolv.conf and hosts, and one supervised process per container.
import { mkdirSync, writeFileSync } from 'node:fs';
import type { ClusterConfig, V1Pod } from '../../api/types.js';
import { cniAdd, cniDel, type Conflist } from '../../cni/runtime.js';
import { run } from '../../sys/exec.js';
import { record } from '../../sys/journal.js';
import { addNetns, addUtsNamespaces, deleteNetns } from '../../sys/netns.js';
import { SupervisedProcess, type ContainerState, type RestartPolicy } from '../../sys/supervisor.js';
import { removeTree } from '../../sys/files.js';
import { processStart, terminate } from '../../sys/proc.js';
import { containerArgv, type BuiltinPaths } from '../images.js';
import { containerEnv, expandArgv } from '../downward.js';
import { containerLog, labDir, podDir, podEtcDir, podNetns, podUtsFile } from '../names.js';
import { hostsFile, resolvConf } from '../pod-files.js';
import type { NodePlan } from '../network-plan.js';

export interface RuntimeContext {
  lab: string;
  config: ClusterConfig;
  builtins: BuiltinPaths;
  cniPath: string[];
  conflistFor: (node: string) => Conflist;
  cacheDirFor: (node: string) => string;
}

export class PodSandbox {
  readonly netns: string;
  readonly uts: string;
  readonly containers = new Map<string, SupervisedProcess>();
  /** Each container's environment as started: exec probes run with the same. */
  readonly env = new Map<string, Record<string, string>>();
  ips: string[] = [];

  constructor(
    private readonly ctx: RuntimeContext,
    readonly pod: V1Pod,
    readonly node: NodePlan,
  ) {
    this.netns = podNetns(ctx.lab, this.namespace, this.name);
    this.uts = podUtsFile(ctx.lab, this.namespace, this.name);
  }

  get name(): string {
    return this.pod.metadata?.name ?? '';
  }

  /**
   * What enters the pod: its UTS namespace (hostname) and network namespace, with
   * /etc/netns/<ns>/{resolv.conf,hosts} bind-mounted over /etc in a private mount namespace, as
   * `nsenter --uts -- ip netns exec` does; dist/lab-bin/podnet-enter (src/lab/enter/enter.c) does
   * it in one exec instead of three. Containers and exec probes both start this way.
   */
  get execPrefix(): string[] {
    const enter = this.ctx.builtins.enter;
    if (enter) return [enter, `--uts=${this.uts}`, `--net=${this.netns}`, '--'];
    return ['nsenter', `--uts=${this.uts}`, '--', 'ip', 'netns', 'exec', this.netns];
  }

  get namespace(): string {
    return this.pod.metadata?.namespace ?? 'default';
  }

  private cniArgs() {
    return {
      containerID: this.pod.metadata?.uid ?? this.netns,
      netns: `/run/netns/${this.netns}`,
      ifname: 'eth0',
      args: { K8S_POD_NAMESPACE: this.namespace, K8S_POD_NAME: this.name, K8S_POD_INFRA_CONTAINER_ID: this.pod.metadata?.uid ?? '' },
    };
  }

  private cniOpts() {
    return { cniPath: this.ctx.cniPath, cacheDir: this.ctx.cacheDirFor(this.node.name), runInNetns: this.node.netns };
  }

  get hostname(): string {
    return this.pod.spec?.hostname ?? this.name;
  }

  private namespacesReady = false;

  /**
   * The network and UTS namespaces (with hostname) of many pods at once: one `ip -batch` and one
   * `sh`, instead of two process spawns from the daemon per pod (each a fork of a big process that
   * blocks its event loop). Journaled first, so `down` finds them whatever happens. On failure the
   * caller falls back to create() per pod, which names the pod that failed.
   */
  static async createNamespaces(lab: string, sandboxes: PodSandbox[]): Promise<void> {
    if (sandboxes.length === 0) return;
    const journal = labDir(lab);
    for (const sb of sandboxes) {
      record(journal, { type: 'netns', name: sb.netns });
      record(journal, { type: 'mount', path: sb.uts });
      mkdirSync(podDir(lab, sb.namespace, sb.name), { recursive: true });
      writeFileSync(sb.uts, '');
    }
    await addNetns(sandboxes.map((sb) => sb.netns));
    await addUtsNamespaces(sandboxes.map((sb) => ({ file: sb.uts, hostname: sb.hostname })));
    for (const sb of sandboxes) sb.namespacesReady = true;
  }

  /** Namespaces (unless createNamespaces made them), network (CNI ADD) and files; returns the pod's addresses. */
  async create(): Promise<string[]> {
    if (!this.namespacesReady) {
      const journal = labDir(this.ctx.lab);
      record(journal, { type: 'netns', name: this.netns });
      // A failed batch may have made this one already: start from nothing.
      await run('umount', ['-l', this.uts], { allowFail: true });
      await deleteNetns([this.netns]);
      await addNetns([this.netns]);
      mkdirSync(podDir(this.ctx.lab, this.namespace, this.name), { recursive: true });
      record(journal, { type: 'mount', path: this.uts });
      writeFileSync(this.uts, '');
      await run('unshare', [`--uts=${this.uts}`, 'hostname', this.hostname]);
      this.namespacesReady = true;
    }

    const result = await cniAdd(this.ctx.conflistFor(this.node.name), this.cniArgs(), this.cniOpts());
    this.ips = (result.ips ?? []).map((ip) => ip.address.split('/')[0]);
    // IPv4 first, as the kubelet reports podIPs.
    this.ips.sort((a, b) => Number(a.includes(':')) - Number(b.includes(':')));

    const etc = podEtcDir(this.netns);
    mkdirSync(etc, { recursive: true });
    writeFileSync(`${etc}/resolv.conf`, resolvConf(this.pod, this.ctx.config));
    writeFileSync(`${etc}/hosts`, hostsFile(this.pod, this.ips, this.ctx.config.clusterDomain));
    return this.ips;
  }

  /** Starts every container; `onChange` hears each container's state changes. */
  startContainers(pod: V1Pod, onChange: (name: string, state: ContainerState) => void): void {
    const policy = (pod.spec?.restartPolicy ?? 'Always') as RestartPolicy;
    for (const c of pod.spec?.containers ?? []) {
      const env = containerEnv(pod, c);
      const argv = expandArgv(containerArgv(c, this.ctx.builtins), env);
      this.env.set(c.name, env);
      const proc = new SupervisedProcess({
        argv: [...this.execPrefix, ...argv],
        env,
        logFile: containerLog(this.ctx.lab, this.namespace, this.name, c.name),
        restartPolicy: policy,
        onChange: (s) => onChange(c.name, s),
        onSpawn: (pid, start) => record(labDir(this.ctx.lab), { type: 'process', pid, start, what: `${this.namespace}/${this.name}/${c.name}` }),
      });
      this.containers.set(c.name, proc);
      proc.launch();
    }
  }

  /**
   * Kills one run of a container (a failed liveness or startup probe): SIGTERM, SIGKILL after
   * `graceMs`. Its supervisor sees the exit and restarts it per restartPolicy, counting the restart.
   * A no-op when `pid` is no longer that container's current process.
   */
  async killContainer(name: string, pid: number, graceMs: number): Promise<void> {
    const s = this.containers.get(name)?.current;
    if (s?.state !== 'running' || s.pid !== pid) return;
    await terminate([{ pid, start: processStart(pid) }], graceMs);
  }

  /** Stops containers, CNI DEL, and removes the namespaces and files. Safe to call twice. */
  async destroy(graceMs: number): Promise<void> {
    await Promise.all([...this.containers.values()].map((p) => p.stop(graceMs)));
    try {
      await cniDel(this.ctx.conflistFor(this.node.name), this.cniArgs(), this.cniOpts());
    } finally {
      await run('umount', ['-l', this.uts], { allowFail: true });
      await deleteNetns([this.netns]);
      await removeTree(podEtcDir(this.netns));
      await removeTree(podDir(this.ctx.lab, this.namespace, this.name));
    }
  }
}
