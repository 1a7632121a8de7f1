/**
 * The per-container files an engine binds into its own containers (/etc/hosts, hostname,
 * resolv.conf, /dev/shm, kubelet's termination log, Podman's /run/.containerenv). They are not
 * the user's volumes, so the bind allow-list does not apply to them; but only the engine's own
 * files for THIS container pass, identified robustly:
 * - under the engine's storage location as the config says ([engines] in config.toml, real
 *   paths; containerd's state dir is also read off the bundle path containerd chose), and
 * - belonging to this container: its own id (Docker, Podman: the runc id is the engine's id), its
 *   pod's sandbox id (containerd CRI) or pod uid and container name (kubelet), exactly in the path.
 * A name alone never passes: /somewhere/containers/<other id>/hosts or another pod's etc-hosts
 * stay refused like any other host path. Pure: the roots' real paths come in from host facts.
 * NOTE when supporting a new engine also add its files here and a golden fixture for it.
 */
import type { RuntimeConfig } from '../config/schema.js';
import { CRI_SANDBOX_ID } from '../oci/caller.js';

export const CRI_SANDBOX_UID = 'io.kubernetes.cri.sandbox-uid';
export const CRI_CONTAINER_NAME = 'io.kubernetes.cri.container-name';

export interface EngineFileContext {
  containerId: string;
  annotations: Record<string, string>;
  /** containerd's state directory, when the bundle is a containerd task bundle. */
  containerdStateFromBundle?: string;
  engines: RuntimeConfig['engines'];
  /** Real path of each configured root (host facts); a root missing here is used as written. */
  realRoots: Record<string, string>;
}

export interface EngineFile {
  engine: 'docker' | 'containerd-cri' | 'kubelet' | 'podman';
  /** What the file is, for logs and tests. */
  what: string;
  /** A pod volume, whose programs may run (the others are data files, mounted noexec). */
  executable?: boolean;
}

/** One path segment an id may be, so that no id can climb out of its directory. */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const segment = (s: string | undefined): s is string => s !== undefined && SEGMENT.test(s) && !s.includes('..');

interface FileRule {
  /** Path below the per-container directory. */
  file: string | RegExp;
  /** Where the engine mounts it; undefined: wherever the pod spec says (kubelet volumes). */
  destination?: string;
  what: string;
}

const DOCKER: FileRule[] = [
  { file: 'hosts', destination: '/etc/hosts', what: 'Docker hosts file' },
  { file: 'resolv.conf', destination: '/etc/resolv.conf', what: 'Docker resolv.conf' },
  { file: 'hostname', destination: '/etc/hostname', what: 'Docker hostname file' },
  { file: 'mounts/shm', destination: '/dev/shm', what: 'Docker /dev/shm' },
];
const CRI_SANDBOX: FileRule[] = [
  { file: 'hosts', destination: '/etc/hosts', what: 'CRI sandbox hosts file' },
  { file: 'resolv.conf', destination: '/etc/resolv.conf', what: 'CRI sandbox resolv.conf' },
  { file: 'hostname', destination: '/etc/hostname', what: 'CRI sandbox hostname file' },
  { file: 'shm', destination: '/dev/shm', what: 'CRI sandbox /dev/shm' },
];
const PODMAN: FileRule[] = [
  { file: '.containerenv', destination: '/run/.containerenv', what: 'Podman .containerenv' },
  { file: 'hosts', destination: '/etc/hosts', what: 'Podman hosts file' },
  { file: 'hostname', destination: '/etc/hostname', what: 'Podman hostname file' },
  { file: 'resolv.conf', destination: '/etc/resolv.conf', what: 'Podman resolv.conf' },
  { file: 'shm', destination: '/dev/shm', what: 'Podman /dev/shm' },
];
const KUBELET_VOLUME = /^volumes\/kubernetes\.io~(empty-dir|projected)\/[A-Za-z0-9][A-Za-z0-9_.-]*$/;

function matchIn(dirs: string[], rules: FileRule[], destination: string, source: string): FileRule | undefined {
  for (const dir of dirs) {
    if (!source.startsWith(`${dir}/`)) continue;
    const rest = source.slice(dir.length + 1);
    const rule = rules.find((r) => (r.destination === undefined || r.destination === destination) && (typeof r.file === 'string' ? r.file === rest : r.file.test(rest)));
    if (rule) return rule;
  }
  return undefined;
}

const trimSlash = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);

/** The engine file that `source` (a real path) mounted at `destination` is, or undefined. */
export function engineFileOf(destination: string, source: string, ctx: EngineFileContext): EngineFile | undefined {
  const roots = (list: readonly string[]) => list.map((r) => trimSlash(ctx.realRoots[r] ?? r));
  const id = ctx.containerId;
  const a = ctx.annotations;

  if (segment(id)) {
    // Docker: <data-root>/containers/<id>/...; with no roots configured, any <x>/containers/<id>/.
    const dockerDirs = ctx.engines.docker_roots.length > 0
      ? roots(ctx.engines.docker_roots).map((r) => `${r}/containers/${id}`)
      : (() => {
          const i = source.indexOf(`/containers/${id}/`);
          return i > 0 ? [source.slice(0, i + `/containers/${id}`.length)] : [];
        })();
    const d = matchIn(dockerDirs, DOCKER, destination, source);
    if (d) return { engine: 'docker', what: d.what };
    const p = matchIn(roots(ctx.engines.podman_roots).map((r) => `${r}/overlay-containers/${id}/userdata`), PODMAN, destination, source);
    if (p) return { engine: 'podman', what: p.what };
  }

  const sandboxId = a[CRI_SANDBOX_ID];
  if (segment(sandboxId)) {
    const bases = roots(ctx.engines.containerd_roots);
    if (ctx.containerdStateFromBundle) bases.push(trimSlash(ctx.containerdStateFromBundle));
    const c = matchIn(bases.map((r) => `${r}/io.containerd.grpc.v1.cri/sandboxes/${sandboxId}`), CRI_SANDBOX, destination, source);
    if (c) return { engine: 'containerd-cri', what: c.what };
  }

  const podUid = a[CRI_SANDBOX_UID];
  const name = a[CRI_CONTAINER_NAME];
  if (segment(podUid)) {
    const rules: FileRule[] = [
      { file: 'etc-hosts', destination: '/etc/hosts', what: 'kubelet etc-hosts' },
      { file: KUBELET_VOLUME, what: 'kubelet pod volume (emptyDir, projected)' },
    ];
    // The termination message file: containers/<container name>/<random hex>, mounted where
    // the pod spec's terminationMessagePath says.
    if (segment(name)) rules.push({ file: new RegExp(`^containers/${name.replace(/[.]/g, '\\.')}/[0-9a-f]{1,32}$`), what: 'kubelet termination-log' });
    const k = matchIn(roots(ctx.engines.kubelet_roots).map((r) => `${r}/pods/${podUid}`), rules, destination, source);
    if (k) return { engine: 'kubelet', what: k.what, ...(k.file === KUBELET_VOLUME ? { executable: true } : {}) };
  }
  return undefined;
}
