// podnet-enter (src/lab/enter/enter.c), what every container and exec probe starts through: it
// must put the program in the pod's UTS and network namespaces with the pod's /etc files and a
// /sys of that namespace, keep the pid (exec, no fork), leave the host's mounts alone, and fail
// with one line and a distinct code when it cannot.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { REPO } from './helpers/lab.js';

const ENTER = `${REPO}/dist/lab-bin/podnet-enter`;
const NETNS = `pn-rventer-${process.pid % 10000}`;
const DIR = `/run/podnet-enter-test-${process.pid}`;

/** The host's mounts on /sys and under /etc, which podnet-enter mounts over in its own mount namespace. */
function hostEtcSysMounts(): string[] {
  return readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((l) => / \/(sys|etc)(\/\S*)? /.test(l));
}

function sh(cmd: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('podnet-enter runs a program in the pod namespaces, as nsenter --uts + ip netns exec', () => {
  const hostMounts = hostEtcSysMounts();
  const uts = `${DIR}/uts`;
  try {
    assert.equal(sh('ip', ['netns', 'add', NETNS]).code, 0);
    mkdirSync(`/etc/netns/${NETNS}`, { recursive: true });
    writeFileSync(`/etc/netns/${NETNS}/resolv.conf`, 'nameserver 192.0.2.53\n');
    mkdirSync(DIR, { recursive: true });
    writeFileSync(uts, '');
    assert.equal(sh('unshare', [`--uts=${uts}`, 'hostname', 'enter-test-pod']).code, 0);

    const r = sh(ENTER, [`--uts=${uts}`, `--net=${NETNS}`, '--', 'sh', '-c', 'hostname; cat /etc/resolv.conf; ls /sys/class/net; ip -o link | wc -l; echo $$']);
    assert.equal(r.code, 0, r.stderr);
    const [host, resolv, sysNet, links] = r.stdout.split('\n');
    assert.equal(host, 'enter-test-pod');
    assert.equal(resolv, 'nameserver 192.0.2.53');
    assert.equal(sysNet, 'lo'); // /sys describes the pod's namespace: only its loopback
    assert.equal(links, '1');
    assert.deepEqual(hostEtcSysMounts(), hostMounts, 'the host mounts on /sys and /etc are unchanged');

    const exitCode = sh(ENTER, [`--net=${NETNS}`, '--', 'sh', '-c', 'exit 7']);
    assert.equal(exitCode.code, 7); // exec: the program's own exit code

    const missing = sh(ENTER, [`--net=${NETNS}`, '--', '/nonexistent/prog']);
    assert.deepEqual([missing.code, missing.stderr.trim().split('\n').length], [127, 1]);
    assert.match(missing.stderr, /^podnet-enter: exec \/nonexistent\/prog: No such file/);
    const noNetns = sh(ENTER, ['--net=pn-no-such-netns', '--', 'true']);
    assert.equal(noNetns.code, 125);
    assert.match(noNetns.stderr, /join network namespace \/run\/netns\/pn-no-such-netns/);
    assert.equal(sh(ENTER, ['--bogus', '--', 'true']).code, 125);
  } finally {
    sh('umount', [uts]);
    rmSync(DIR, { recursive: true, force: true });
    rmSync(`/etc/netns/${NETNS}`, { recursive: true, force: true });
    sh('ip', ['netns', 'del', NETNS]);
  }
});
