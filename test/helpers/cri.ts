/**
 * Kubernetes without a kubelet: a PRIVATE containerd with its CRI plugin enabled (own socket,
 * root, state, CNI config, netns under its state dir, no TCP streaming beyond loopback) and a
 * CRI v1 gRPC client (@grpc/grpc-js + test/e2e/cri/cri-v1.proto) that sends the kubelet's calls.
 *
 * What this machine needs for it (FIELD-NOTES, "Kubernetes without a kubelet"):
 * - CNI: containerd 1.6 wants an IP on the pod's eth0. test/e2e/cri/cni-pod-veth creates a veth
 *   pair with both ends inside the pod's netns (no dummy driver here; nothing reaches the host);
 *   Debian's containernetworking-plugins `loopback` brings up lo (containerd adds it itself).
 * - restrict_oom_score_adj = true (the machine refuses the -998 the CRI plugin asks for).
 * - a local pause image (test/e2e/cri/pause.c, static) imported into k8s.io, named in sandbox_image.
 * Each runtime handler is a runc v2 runtime whose options.BinaryName is given by the caller.
 * Stopping goes by the pid started here; shims are found by our socket in their command line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import TOML from '@iarna/toml';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { cmd, mountsUnder, pidsMentioning, REPO } from './daemons.js';
import { buildPauseRootfs, buildTestRootfs, writeImageArchive } from './image-archive.js';

export const CRI_NS = 'k8s.io';
export const PAUSE_IMAGE = 'docker.io/openclaw-test/pause:1';
export const CRI_TEST_IMAGE = 'docker.io/openclaw-test/busybox:cri';
const PROTO = join(REPO, 'test', 'e2e', 'cri', 'cri-v1.proto');
const CNI_PLUGIN = join(REPO, 'test', 'e2e', 'cri', 'cni-pod-veth');
const DEBIAN_CNI_DIR = '/usr/lib/cni';

/** Why the CRI suite cannot run here, or undefined. */
export function criPrerequisite(): string | undefined {
  if (process.getuid?.() !== 0) return 'the CRI e2e tests need root (they start a private containerd)';
  for (const bin of ['containerd', 'ctr', 'containerd-shim-runc-v2', 'runc', 'busybox', 'gcc', 'ip', 'nsenter']) {
    const path = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin']);
    if (!path.some((d) => d && existsSync(join(d, bin)))) return `the CRI e2e tests need ${bin} on PATH`;
  }
  if (!existsSync(join(DEBIAN_CNI_DIR, 'loopback'))) return `the CRI e2e tests need Debian's containernetworking-plugins (${DEBIAN_CNI_DIR}/loopback)`;
  if (!existsSync(join(REPO, 'dist', 'main.js'))) return 'the CRI e2e tests need the shim built (npm run build)';
  return undefined;
}

type Call<Req, Res> = (req: Req) => Promise<Res>;
export interface CriClient {
  version: Call<Record<string, never>, { runtime_name: string; runtime_version: string; runtime_api_version: string }>;
  runPodSandbox: Call<{ config: PodSandboxConfig; runtime_handler: string }, { pod_sandbox_id: string }>;
  stopPodSandbox: Call<{ pod_sandbox_id: string }, object>;
  removePodSandbox: Call<{ pod_sandbox_id: string }, object>;
  createContainer: Call<{ pod_sandbox_id: string; config: ContainerConfig; sandbox_config: PodSandboxConfig }, { container_id: string }>;
  startContainer: Call<{ container_id: string }, object>;
  stopContainer: Call<{ container_id: string; timeout: number }, object>;
  removeContainer: Call<{ container_id: string }, object>;
  containerStatus: Call<{ container_id: string; verbose?: boolean }, { status: { state: string; exit_code: number; reason: string; message: string }; info: Record<string, string> }>;
  execSync: Call<{ container_id: string; cmd: string[]; timeout: number }, { stdout: Buffer; stderr: Buffer; exit_code: number }>;
  close(): void;
}

/** The PodSandboxConfig fields the tests use (snake_case, as in the .proto). */
export interface PodSandboxConfig {
  metadata: { name: string; uid: string; namespace: string; attempt: number };
  hostname?: string;
  log_directory?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  linux?: {
    cgroup_parent?: string;
    security_context?: { namespace_options?: { network?: string; pid?: string; ipc?: string }; privileged?: boolean };
  };
}

export interface ContainerConfig {
  metadata: { name: string; attempt: number };
  image: { image: string };
  command?: string[];
  args?: string[];
  mounts?: Array<{ container_path: string; host_path: string; readonly?: boolean }>;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  log_path?: string;
  stdin?: boolean;
  linux?: {
    security_context?: {
      privileged?: boolean;
      namespace_options?: { network?: string; pid?: string; ipc?: string };
      readonly_rootfs?: boolean;
      no_new_privs?: boolean;
    };
  };
}

export function criClient(socket: string): CriClient {
  const def = protoLoader.loadSync(PROTO, { keepCase: true, longs: Number, enums: String, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as any;
  const stub = new pkg.runtime.v1.RuntimeService(`unix://${socket}`, grpc.credentials.createInsecure());
  const call = (name: string) => (req: unknown) =>
    new Promise<any>((resolve, reject) => {
      stub[name](req, { deadline: Date.now() + 120_000 }, (err: grpc.ServiceError | null, res: unknown) => (err ? reject(err) : resolve(res)));
    });
  return {
    version: call('Version'),
    runPodSandbox: call('RunPodSandbox'),
    stopPodSandbox: call('StopPodSandbox'),
    removePodSandbox: call('RemovePodSandbox'),
    createContainer: call('CreateContainer'),
    startContainer: call('StartContainer'),
    stopContainer: call('StopContainer'),
    removeContainer: call('RemoveContainer'),
    containerStatus: call('ContainerStatus'),
    execSync: call('ExecSync'),
    close: () => stub.close(),
  };
}

export interface CriContainerd {
  dir: string;
  socket: string;
  root: string;
  state: string;
  /** The kubelet root the tests emulate (per-pod files under <kubeletRoot>/pods/<uid>/). */
  kubeletRoot: string;
  log: string;
  pid: number;
  cri: CriClient;
  ctr(args: readonly string[], opts?: { timeout?: number }): ReturnType<typeof cmd>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** handlers: runtime handler name -> BinaryName (absolute path of a runc-compatible binary), or the runtime's whole table (as `install containerd` wrote it). */
export async function startCriContainerd(handlers: Record<string, string | Record<string, unknown>>, opts: { note?: (s: string) => void } = {}): Promise<CriContainerd> {
  const dir = mkdtempSync('/tmp/oc-cri-');
  // Traversable by the ids a user-namespaced container maps to.
  chmodSync(dir, 0o711);
  const root = join(dir, 'root');
  const state = join(dir, 'state');
  const socket = join(dir, 'containerd.sock');
  const kubeletRoot = join(dir, 'kubelet');
  const cniBin = join(dir, 'cni', 'bin');
  const cniConf = join(dir, 'cni', 'net.d');
  mkdirSync(cniBin, { recursive: true });
  mkdirSync(cniConf, { recursive: true });
  mkdirSync(join(kubeletRoot, 'pods'), { recursive: true });
  symlinkSync(join(DEBIAN_CNI_DIR, 'loopback'), join(cniBin, 'loopback'));
  copyFileSync(CNI_PLUGIN, join(cniBin, 'pod-veth'));
  chmodSync(join(cniBin, 'pod-veth'), 0o755);
  writeFileSync(join(cniConf, '10-pod-veth.conflist'), JSON.stringify({ cniVersion: '1.0.0', name: 'openclaw-e2e', plugins: [{ type: 'pod-veth' }] }));

  const runtimes: Record<string, unknown> = { runc: { runtime_type: 'io.containerd.runc.v2' } };
  for (const [name, h] of Object.entries(handlers)) {
    runtimes[name] = typeof h === 'string' ? { runtime_type: 'io.containerd.runc.v2', options: { BinaryName: h } } : h;
  }
  const config = join(dir, 'config.toml');
  const table = {
    version: 2,
    root,
    state,
    grpc: { address: socket },
    ttrpc: { address: `${socket}.ttrpc` },
    debug: { address: '' },
    metrics: { address: '' },
    plugins: {
      'io.containerd.grpc.v1.cri': {
        sandbox_image: PAUSE_IMAGE,
        disable_tcp_service: true,
        stream_server_address: '127.0.0.1',
        stream_server_port: '0',
        restrict_oom_score_adj: true,
        netns_mounts_under_state_dir: true,
        disable_apparmor: true,
        cni: { bin_dir: cniBin, conf_dir: cniConf },
        containerd: { snapshotter: 'overlayfs', default_runtime_name: 'runc', runtimes },
      },
    },
  };
  writeFileSync(config, TOML.stringify(table as TOML.JsonMap));
  const log = join(dir, 'containerd.log');
  const fd = openSync(log, 'a');
  const child: ChildProcess = spawn('containerd', ['--config', config], { stdio: ['ignore', fd, fd], env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` } });
  closeSync(fd);
  const emergency = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', emergency);
  const ctr = (args: readonly string[], o: { timeout?: number } = {}) => cmd('ctr', ['-a', socket, '-n', CRI_NS, ...args], { timeout: o.timeout ?? 60_000 });
  let cri: CriClient | undefined;

  const stop = async () => {
    process.off('exit', emergency);
    cri?.close();
    // Tasks and containers first, while containerd can still clean up after them (the runc v2
    // shim keeps runc state under /run/containerd/runc/<namespace>, outside our directory).
    const ids: string[] = [];
    if (child.exitCode === null && child.signalCode === null) {
      const tasks = (await ctr(['tasks', 'ls', '-q'], { timeout: 10_000 })).stdout.split('\n').filter(Boolean);
      for (const t of tasks) {
        await ctr(['tasks', 'kill', '-s', 'SIGKILL', t], { timeout: 10_000 });
        await ctr(['tasks', 'delete', '-f', t], { timeout: 20_000 });
      }
      ids.push(...(await ctr(['containers', 'ls', '-q'], { timeout: 10_000 })).stdout.split('\n').filter(Boolean));
      for (const c of ids) await ctr(['containers', 'delete', c], { timeout: 20_000 });
    }
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(t);
    }
    for (const pid of pidsMentioning(socket)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await sleep(200);
    for (const mp of mountsUnder(dir)) {
      const r = await cmd('umount', [mp], { timeout: 10_000 });
      if (r.exitCode !== 0) await cmd('umount', ['-l', mp], { timeout: 10_000 });
    }
    rmSync(dir, { recursive: true, force: true });
    // Our containers' runc state (never anything else there), then the namespace dir if empty.
    const runcRoot = join('/run/containerd/runc', CRI_NS);
    for (const id of ids) {
      if (existsSync(join(runcRoot, id))) await cmd('runc', ['--root', runcRoot, 'delete', '--force', id], { timeout: 10_000 });
    }
    try {
      rmdirSync(runcRoot);
    } catch {
      /* not empty (another containerd's) or gone */
    }
  };

  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`containerd exited during start:\n${tail(log)}`);
      if (existsSync(socket) && (await ctr(['version'], { timeout: 5_000 })).exitCode === 0) break;
      if (Date.now() > deadline) throw new Error(`containerd not ready:\n${tail(log)}`);
      await sleep(200);
    }
    opts.note?.(`containerd (CRI) pid ${child.pid} at ${socket}`);
    // Images: the pause image and the busybox test image, built here and imported into k8s.io.
    const work = join(dir, 'images');
    mkdirSync(work);
    const pause = await writeImageArchive(work, await buildPauseRootfs(work), PAUSE_IMAGE.replace(/^docker\.io\//, ''), { entrypoint: ['/pause'] });
    const busybox = await writeImageArchive(work, await buildTestRootfs(work), CRI_TEST_IMAGE.replace(/^docker\.io\//, ''), { cmd: ['/bin/sh'] });
    for (const archive of [pause, busybox]) {
      const r = await ctr(['images', 'import', archive], { timeout: 120_000 });
      if (r.exitCode !== 0) throw new Error(`ctr images import ${archive} failed: ${r.stderr}`);
    }
    rmSync(work, { recursive: true, force: true });
    cri = criClient(socket);
    await cri.version({});
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return { dir, socket, root, state, kubeletRoot, log, pid: child.pid ?? -1, cri, ctr, stop };
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}


/**
 * What the kubelet does for a pod: its per-pod files under <kubeletRoot>/pods/<uid>/ (etc-hosts,
 * one termination-log per container) and the PodSandboxConfig it sends.
 */
export function kubeletPod(kubeletRoot: string, name: string, uid: string, extra: Partial<PodSandboxConfig> = {}): { config: PodSandboxConfig; podDir: string } {
  const podDir = join(kubeletRoot, 'pods', uid);
  mkdirSync(join(podDir, 'containers'), { recursive: true });
  writeFileSync(join(podDir, 'etc-hosts'), `127.0.0.1\tlocalhost\n10.254.0.2\t${name}\n`);
  const logDir = join(kubeletRoot, 'logs', `default_${name}_${uid}`);
  mkdirSync(logDir, { recursive: true });
  return {
    podDir,
    config: {
      metadata: { name, uid, namespace: 'default', attempt: 0 },
      hostname: name,
      log_directory: logDir,
      labels: { 'io.kubernetes.pod.name': name, 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.uid': uid },
      annotations: {},
      // The kubelet's own parent with the cgroupfs driver (a BestEffort pod); openclaw's [cgroups] parents admit it.
      linux: { cgroup_parent: `/kubepods/besteffort/pod${uid}`, security_context: { namespace_options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
      ...extra,
    },
  };
}

/** The kubelet's mounts for one container: /etc/hosts and /dev/termination-log from the pod dir. */
export function kubeletContainerMounts(podDir: string, container: string): Array<{ container_path: string; host_path: string; readonly?: boolean }> {
  const dir = join(podDir, 'containers', container);
  mkdirSync(dir, { recursive: true });
  const termination = join(dir, Math.random().toString(16).slice(2, 10));
  writeFileSync(termination, '');
  return [
    { container_path: '/etc/hosts', host_path: join(podDir, 'etc-hosts') },
    { container_path: '/dev/termination-log', host_path: termination },
  ];
}
