/**
 * A PRIVATE containerd and a PRIVATE dockerd for the e2e tests, under one temp directory:
 * their own sockets, root/state (data/exec) directories, pid files and config files, so
 * nothing is shared with a system daemon (none needs to run, none is touched). dockerd uses
 * the private containerd (`--containerd`) with its own namespace, runs no bridge, no
 * iptables, and every container the tests start uses `--network none`.
 *
 * Stopping goes by the pids started here: containers removed first, then dockerd and
 * containerd get SIGTERM (SIGKILL after a timeout); containerd-shim processes left behind are
 * found by OUR containerd socket in their command line and killed by pid; then anything still
 * mounted under the temp directory is unmounted and the directory removed.
 *
 * The CRI plugin is disabled in the private containerd: it needs CNI and a pause image that
 * this machine does not have, and the e2e tests drive containerd through ctr (the CRI
 * runtime entry that `install containerd` writes is checked with `containerd config dump`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export const REPO = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
export const SHIM_BIN = join(REPO, 'bin', 'openclaw-runtime');

export interface Containerd {
  dir: string;
  address: string;
  config: string;
  pid: number;
  log: string;
  /** `ctr -a ADDRESS -n NS ARGS...` */
  ctr(ns: string, args: readonly string[], opts?: { timeout?: number; input?: string }): Promise<CmdResult>;
}

export interface Dockerd {
  dir: string;
  host: string;
  daemonJson: string;
  pidfile: string;
  pid: number;
  log: string;
  /** `docker -H HOST ARGS...` */
  docker(args: readonly string[], opts?: { timeout?: number; input?: string }): Promise<CmdResult>;
}

export interface Engines {
  dir: string;
  containerd: Containerd;
  dockerd?: Dockerd;
  stop(): Promise<void>;
}

export interface CmdResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a command, never throwing on a non-zero exit (tests assert on the result). */
export async function cmd(file: string, args: readonly string[], opts: { timeout?: number; input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CmdResult> {
  const r = await execa(file, [...args], { reject: false, timeout: opts.timeout ?? 60_000, input: opts.input, env: opts.env, stripFinalNewline: false });
  return { exitCode: r.exitCode ?? (r.timedOut ? 124 : 1), stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), timedOut: r.timedOut === true };
}

/** Why the e2e suites cannot run here, or undefined when they can. */
export function missingPrerequisite(needs: readonly string[] = ['containerd', 'ctr', 'containerd-shim-runc-v2', 'dockerd', 'docker', 'runc', 'busybox']): string | undefined {
  if (process.getuid?.() !== 0) return 'e2e tests need root (they start private daemons)';
  const path = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin']);
  for (const bin of needs) {
    if (!path.some((d) => d && existsSync(join(d, bin)))) return `e2e tests need ${bin} on PATH`;
  }
  if (!existsSync(join(REPO, 'dist', 'main.js'))) return 'e2e tests need the shim built (npm run build)';
  return undefined;
}

async function waitFor(what: string, check: () => Promise<boolean>, child: ChildProcess, log: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited during start (${child.exitCode ?? child.signalCode}); log ${log}:\n${tail(log)}`);
    }
    if (await check()) return;
    await sleep(200);
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms; log ${log}:\n${tail(log)}`);
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startDaemon(binary: string, args: readonly string[], log: string): ChildProcess {
  const fd = openSync(log, 'a');
  // Not detached: the daemon is our child, stopped by its pid. PATH must reach runc and the shim.
  const child = spawn(binary, [...args], { stdio: ['ignore', fd, fd], env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` } });
  closeSync(fd);
  return child;
}

/** SIGTERM, then SIGKILL after timeoutMs; resolves when the process is gone. */
async function stopPid(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await gone;
  clearTimeout(timer);
}

/** Processes whose command line mentions `needle` (our private socket path): containerd shims we caused. */
export function pidsMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').includes(needle)) out.push(Number(e));
    } catch {
      /* exited */
    }
  }
  return out;
}

/** Mount points under dir, deepest first (from our mount table). */
export function mountsUnder(dir: string): string[] {
  const points: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line.split(' ')[4];
    if (!mp) continue;
    const decoded = mp.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
    if (decoded === dir || decoded.startsWith(`${dir}/`)) points.push(decoded);
  }
  return points.sort((a, b) => b.length - a.length);
}

export interface StartOptions {
  /** Also start dockerd (on the private containerd). */
  docker?: boolean;
  /** daemon.json content for dockerd (the tests put the openclaw runtimes here). */
  daemonJson?: Record<string, unknown>;
  /** Log lines from the helper (default: none). */
  note?: (line: string) => void;
  /**
   * Run both daemons (and so every runtime they start) in their own mount namespace with
   * /sys/fs/cgroup/unified covered by an empty tmpfs. crun 1.8.1 refuses this machine's hybrid
   * cgroup layout (v1 controllers plus a v2 mount at unified) and works when the v2 mount is out
   * of sight (an empty, writable tmpfs: crun still makes its per-container directories there,
   * and they vanish with the namespace); runc works either way. The host's mount table is untouched.
   */
  hideUnifiedCgroup?: boolean;
}

/**
 * argv that starts `argv` in a new mount namespace with /sys/fs/cgroup/unified hidden (when it
 * is a mount point); unshare execs the daemon, so the child's pid is the daemon's and
 * `nsenter -t PID -m` enters the same namespace.
 */
function inHiddenUnifiedNamespace(argv: readonly string[]): [string, string[]] {
  const script = 'if mountpoint -q /sys/fs/cgroup/unified; then mount -t tmpfs -o mode=0755 openclaw-hidden /sys/fs/cgroup/unified || exit 1; fi; exec "$@"';
  return ['unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script, 'sh', ...argv]];
}

export async function startEngines(opts: StartOptions = {}): Promise<Engines> {
  const dir = mkdtempSync('/tmp/oc-e2e-');
  // Traversable by the ids a user-namespaced container maps to (FIELD-NOTES: rootfs binds).
  chmodSync(dir, 0o711);
  const children: ChildProcess[] = [];
  const cdir = join(dir, 'containerd');
  mkdirSync(cdir);
  const address = join(cdir, 'containerd.sock');
  const config = join(cdir, 'config.toml');
  writeFileSync(
    config,
    [
      'version = 2',
      `root = "${cdir}/root"`,
      `state = "${cdir}/state"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${address}"`,
      '[ttrpc]',
      `  address = "${address}.ttrpc"`,
      '[debug]',
      '  address = ""',
      '[metrics]',
      '  address = ""',
      '',
    ].join('\n'),
  );
  const clog = join(cdir, 'containerd.log');
  const cchild = opts.hideUnifiedCgroup
    ? startDaemon(...inHiddenUnifiedNamespace(['containerd', '--config', config]), clog)
    : startDaemon('containerd', ['--config', config], clog);
  children.push(cchild);
  const ctr: Containerd['ctr'] = (ns, args, o = {}) => cmd('ctr', ['-a', address, '-n', ns, ...args], o);
  const containerd: Containerd = { dir: cdir, address, config, pid: cchild.pid ?? -1, log: clog, ctr };

  const usedNamespaces = new Set<string>();
  let dockerd: Dockerd | undefined;
  let dchild: ChildProcess | undefined;
  const stop = async (): Promise<void> => {
    // Containers first, while the daemons can still clean up after them.
    if (dockerd && dchild && dchild.exitCode === null) {
      const ids = (await dockerd.docker(['ps', '-aq'], { timeout: 20_000 })).stdout.split('\n').filter(Boolean);
      if (ids.length > 0) await dockerd.docker(['rm', '-f', ...ids], { timeout: 60_000 });
    }
    if (dchild) await stopPid(dchild, 15_000);
    if (cchild.exitCode === null) {
      const nss = (await ctr('default', ['namespaces', 'ls', '-q'], { timeout: 10_000 })).stdout.split('\n').filter(Boolean);
      for (const ns of nss) {
        usedNamespaces.add(ns);
        const tasks = (await ctr(ns, ['tasks', 'ls', '-q'], { timeout: 10_000 })).stdout.split('\n').filter(Boolean);
        for (const t of tasks) {
          await ctr(ns, ['tasks', 'kill', '-s', 'SIGKILL', t], { timeout: 10_000 });
          await ctr(ns, ['tasks', 'delete', '-f', t], { timeout: 20_000 });
        }
        const containers = (await ctr(ns, ['containers', 'ls', '-q'], { timeout: 10_000 })).stdout.split('\n').filter(Boolean);
        for (const c of containers) await ctr(ns, ['containers', 'delete', c], { timeout: 20_000 });
      }
    }
    await stopPid(cchild, 15_000);
    // Shims that outlived containerd (they are started detached by design).
    for (const pid of pidsMentioning(address)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    for (const mp of mountsUnder(dir)) {
      const r = await cmd('umount', [mp], { timeout: 10_000 });
      if (r.exitCode !== 0) await cmd('umount', ['-l', mp], { timeout: 10_000 });
    }
    rmSync(dir, { recursive: true, force: true });
    // The runc v2 shim keeps runc state under /run/containerd/runc/<namespace>: drop our
    // namespaces' directories when empty (never anything else there).
    for (const ns of usedNamespaces) {
      try {
        rmdirSync(join('/run/containerd/runc', ns));
      } catch {
        /* not there or not empty */
      }
    }
  };
  const emergency = () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  };
  process.once('exit', emergency);

  try {
    await waitFor('containerd', async () => existsSync(address) && (await ctr('default', ['version'], { timeout: 5_000 })).exitCode === 0, cchild, clog, 30_000);
    opts.note?.(`containerd pid ${cchild.pid} at ${address}`);
    if (opts.docker) {
      const ddir = join(dir, 'docker');
      mkdirSync(ddir);
      const host = `unix://${join(ddir, 'docker.sock')}`;
      const daemonJson = join(ddir, 'daemon.json');
      const pidfile = join(ddir, 'docker.pid');
      writeFileSync(daemonJson, `${JSON.stringify(opts.daemonJson ?? {}, null, 2)}\n`);
      const dlog = join(ddir, 'dockerd.log');
      // dockerd mounts container root file systems that containerd's shims must see: same namespace.
      const dockerdArgv = [
          '--data-root', join(ddir, 'data'),
          '--exec-root', join(ddir, 'exec'),
          '--pidfile', pidfile,
          '-H', host,
          '--config-file', daemonJson,
          '--containerd', address,
          '--containerd-namespace', 'openclaw-e2e-moby',
          '--containerd-plugins-namespace', 'openclaw-e2e-plugins',
          '--bridge=none',
          '--iptables=false',
          '--ip6tables=false',
          '--ip-masq=false',
          '--storage-driver', 'overlay2',
      ];
      dchild = opts.hideUnifiedCgroup
        ? startDaemon('nsenter', ['-t', String(cchild.pid), '-m', '--', 'dockerd', ...dockerdArgv], dlog)
        : startDaemon('dockerd', dockerdArgv, dlog);
      children.push(dchild);
      const docker: Dockerd['docker'] = (args, o = {}) => cmd('docker', ['-H', host, ...args], o);
      dockerd = { dir: ddir, host, daemonJson, pidfile, pid: dchild.pid ?? -1, log: dlog, docker };
      const d = dchild;
      await waitFor('dockerd', async () => (await docker(['version', '--format', '{{.Server.Version}}'], { timeout: 5_000 })).exitCode === 0, d, dlog, 60_000);
      opts.note?.(`dockerd pid ${d.pid} at ${host}`);
    }
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return {
    dir,
    containerd,
    dockerd,
    stop: async () => {
      process.off('exit', emergency);
      await stop();
    },
  };
}
