/**
 * The runtime's own configuration: TOML at /etc/openclaw/config.toml (override with
 * --openclaw-config or OPENCLAW_CONFIG). Every key is optional; no file at all means the safe
 * built-in defaults below. Strict objects: a misspelt key is an error naming its path.
 *
 * A new key needs its default in config/defaults.ts, in README.md ("Profile selection and
 * configuration") and in examples/openclaw/config.toml: test/unit/config/examples.test.ts
 * fails until all three say the same.
 */
import { z } from 'zod';
import { DEFAULT_CONFIG as D } from './defaults.js';

/** A duration: a whole number and a unit (s, m, h, d); "0" alone means none. */
export const DURATION_RE = /^(0|[0-9]+[smhd])$/;

/** Milliseconds of a duration that matches DURATION_RE. */
export function durationMs(text: string): number {
  const m = /^([0-9]+)([smhd]?)$/.exec(text);
  if (!m) throw new Error(`not a duration: ${text}`);
  const unit = { '': 0, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

const absolutePath = z.string().refine((p) => p.startsWith('/'), 'must be an absolute path');

/** An absolute path as written, compared as a string: no empty, "." or ".." component, no trailing "/". */
const plainAbsolutePath = z.string().refine((p) => /^(\/[^/\0]+)+$/.test(p) && p.split('/').slice(1).every((c) => c !== '.' && c !== '..'), 'must be an absolute path without ".", ".." , "//" or a trailing "/" (e.g. "/srv/openclaw/data")');

/** One [[binds.allowed]] entry. Access is stated, never defaulted: the admin says ro or rw. */
export const BindAllowSchema = z.strictObject({
  /** The host directory (or file). The root directory itself cannot be allowed. */
  source: plainAbsolutePath,
  /** Also any path below source (one directory per job under a platform's root). */
  subdirectories: z.boolean().default(false),
  /** true: mounted read-only whatever the caller asked; false: read-write as the caller asked. Required. */
  readonly: z.boolean({ error: (iss) => (iss.input === undefined ? 'required: say readonly = true (mounted read-only) or readonly = false (read-write)' : 'must be true or false') }),
  /** noexec on the mount (nosuid and nodev always). */
  noexec: z.boolean().default(true),
  /** Only at this container path; absent: wherever the caller mounts it. */
  destination: plainAbsolutePath.optional(),
  /** The profiles (metadata.name) under which this bind is allowed. */
  profiles: z.array(z.string().min(1)).min(1, 'name at least one profile, e.g. profiles = ["default"]'),
});
export type BindAllow = z.output<typeof BindAllowSchema>;

export const RuntimeConfigSchema = z
  .strictObject({
    runtime: z
      .strictObject({
        /** Low-level runtimes to try, in order: absolute paths or names looked up on PATH. */
        candidates: z.array(z.string().min(1)).min(1).default([...D.runtime.candidates]),
      })
      .prefault({}),
    profiles: z
      .strictObject({
        /** Directories searched for NAME.yaml / NAME.yml, in order; the package's profiles/ comes last. */
        directories: z.array(absolutePath).default([...D.profiles.directories]),
        /** Profile used when neither --profile nor an allowed annotation chooses one. */
        default: z.string().min(1).default(D.profiles.default),
      })
      .prefault({}),
    annotations: z
      .strictObject({
        /** Whether the org.openclaw.profile annotation may choose the profile. */
        allow_profile_selection: z.boolean().default(D.annotations.allow_profile_selection),
        /** Profiles the annotation may choose (a container's creator must not pick a weaker one). */
        allowed_profiles: z.array(z.string().min(1)).default([...D.annotations.allowed_profiles]),
      })
      .prefault({}),
    userns: z
      .strictObject({
        /** First host uid and gid that container id 0 maps to. */
        host_id: z.number().int().min(1).max(0xfffffffe).default(D.userns.host_id),
        /** How many ids are mapped. */
        size: z.number().int().min(1).max(0xffffffff).default(D.userns.size),
      })
      .prefault({}),
    log: z
      .strictObject({
        /** The shim's own log file (JSON lines); empty to log only to runc's --log file. */
        file: z.string().default(D.log.file),
        level: z.enum(['error', 'warn', 'info', 'debug']).default(D.log.level),
      })
      .prefault({}),
    state: z
      .strictObject({
        /** Where the shim keeps per-container host state (rootfs binds to undo at delete). */
        dir: absolutePath.default(D.state.dir),
      })
      .prefault({}),
    jobs: z
      .strictObject({
        /**
         * Per-container bind sources (a profile's `perContainer` binds): <dir>/<container id>/<name>.
         * Every directory on the way must be root's and writable by nobody else (host/safe-path.ts).
         */
        dir: absolutePath.default(D.jobs.dir),
        /**
         * How long a job's directory is kept after its container was deleted, before
         * `openclaw-runtime jobs prune` removes it: a number and s, m, h or d ("24h", "7d"; "0": at once).
         */
        retention: z.string().regex(DURATION_RE, 'must be a duration such as "30m", "24h" or "7d"').default(D.jobs.retention),
      })
      .prefault({}),
    agent: z
      .strictObject({
        /**
         * The seccomp agent's unix socket. Its directory is made 0700 (root only), so it is
         * not the state directory, which the containers' mapped ids must traverse.
         */
        socket: absolutePath.default(D.agent.socket),
        /** JSON lines, one per denied call. */
        denial_log: absolutePath.default(D.agent.denial_log),
        /**
         * Send the filter's own errno denials to the agent, to be logged, also under profiles
         * that need no agent (`default`): each such container then connects to the agent at
         * create (docs/seccomp-agent.md, "Which denials are logged", has the cost). Off: those
         * denials stay in the kernel, unlogged, and `denials` says how to turn this on.
         */
        log_filter_denials: z.boolean().default(D.agent.log_filter_denials),
      })
      .prefault({}),
    cdi: z
      .strictObject({
        /** CDI spec directories, lowest priority first (a later one wins for the same device). Must be root-only. */
        spec_dirs: z.array(absolutePath).default([...D.cdi.spec_dirs]),
        /**
         * CDI devices a container's `cdi.k8s.io/*` annotations may ask for (`vendor.com/class=name`,
         * or `vendor.com/class=*`). Empty: annotations cannot choose devices (the creator is not trusted).
         */
        annotation_devices: z.array(z.string().regex(/^[^=\s]+\/[^=\s]+=[^=\s]+$/, 'must be vendor.com/class=name or vendor.com/class=*')).default([...D.cdi.annotation_devices]),
      })
      .prefault({}),
    hooks: z
      .strictObject({
        /**
         * Hook executables (absolute paths, as config.json names them) a config.json may carry
         * besides the engines' own and ours (merge/hooks.ts). Each must be a root-owned file
         * nobody else can change; its arguments come from the container's creator.
         */
        allowed: z.array(absolutePath).default([...D.hooks.allowed]),
      })
      .prefault({}),
    binds: z
      .strictObject({
        /**
         * Host directories a container's creator may bind (docker -v / --mount, a Kubernetes
         * hostPath) under the named profiles, beyond their allowedBindMounts (merge/filesystem.ts).
         * The admin's word: the source must still be one only root can change (host/safe-path.ts).
         */
        allowed: z.array(BindAllowSchema).default([]),
      })
      .prefault({}),
    cgroups: z
      .strictObject({
        /**
         * Where a container's cgroup may be created (merge/cgroups-path.ts): cgroupfs parents
         * ("/docker"; `*` matches within one path component, a final `/**` any depth below)
         * and systemd slices ("system.slice", "kubepods*.slice").
         */
        parents: z.array(z.string().min(1).refine((p) => !p.split('/').includes('..'), 'must not contain ".."')).default([...D.cgroups.parents]),
      })
      .prefault({}),
    process: z
      .strictObject({
        /** The lowest process.oomScoreAdj a container keeps; lower values are raised to it. */
        oom_score_adj_floor: z.number().int().min(-1000).max(1000).default(D.process.oom_score_adj_floor),
      })
      .prefault({}),
    lsm: z
      .strictObject({
        /** SELinux types (the third field of process.selinuxLabel) a container may run as. */
        selinux_types: z.array(z.string().regex(/^[a-z0-9_]+$/, 'must be an SELinux type name such as container_t')).default([...D.lsm.selinux_types]),
      })
      .prefault({}),
    engines: z
      .strictObject({
        /**
         * Directories where engines pin network namespaces by path (containerd's CRI plugin:
         * /var/run/netns, or <state>/io.containerd.grpc.v1.cri/netns, which is always known).
         */
        netns_dirs: z.array(absolutePath).default([...D.engines.netns_dirs]),
        /** containerd root and state directories (the CRI plugin's per-sandbox files live below). */
        containerd_roots: z.array(absolutePath).default([...D.engines.containerd_roots]),
        /** kubelet --root-dir values (per-pod etc-hosts, termination-log, volumes). */
        kubelet_roots: z.array(absolutePath).default([...D.engines.kubelet_roots]),
        /** Podman storage roots: --root and --runroot (graphroot and runroot in storage.conf). */
        podman_roots: z.array(absolutePath).default([...D.engines.podman_roots]),
        /** dockerd --data-root values; empty: any (a Docker file is still tied to its container id). */
        docker_roots: z.array(absolutePath).default([...D.engines.docker_roots]),
      })
      .prefault({}),
  })
  .prefault({});

export type RuntimeConfig = z.output<typeof RuntimeConfigSchema>;

export { DEFAULT_CONFIG_PATH } from './defaults.js';
