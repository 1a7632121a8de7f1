/**
 * The runtime's own configuration: TOML at /etc/openclaw/config.toml (override with
 * --openclaw-config or OPENCLAW_CONFIG). Every key is optional; no file at all means the safe
 * built-in defaults below. Strict objects: a misspelt key is an error naming its path.
 *
 * NOTE when adding a key also update docs in README.md ("Configuration") and
 * examples/config.toml.
 */
import { z } from 'zod';

const absolutePath = z.string().refine((p) => p.startsWith('/'), 'must be an absolute path');

export const RuntimeConfigSchema = z
  .strictObject({
    runtime: z
      .strictObject({
        /** Low-level runtimes to try, in order: absolute paths or names looked up on PATH. */
        candidates: z.array(z.string().min(1)).min(1).default(['runc', 'crun']),
      })
      .prefault({}),
    profiles: z
      .strictObject({
        /** Directories searched for NAME.yaml / NAME.yml, in order; the package's profiles/ comes last. */
        directories: z.array(absolutePath).default(['/etc/openclaw/profiles']),
        /** Profile used when neither --profile nor an allowed annotation chooses one. */
        default: z.string().min(1).default('default'),
      })
      .prefault({}),
    annotations: z
      .strictObject({
        /** Whether the org.openclaw.profile annotation may choose the profile. */
        allow_profile_selection: z.boolean().default(false),
        /** Profiles the annotation may choose (a container's creator must not pick a weaker one). */
        allowed_profiles: z.array(z.string().min(1)).default([]),
      })
      .prefault({}),
    userns: z
      .strictObject({
        /** First host uid and gid that container id 0 maps to. */
        host_id: z.number().int().min(1).max(0xfffffffe).default(100000),
        /** How many ids are mapped. */
        size: z.number().int().min(1).max(0xffffffff).default(65536),
      })
      .prefault({}),
    log: z
      .strictObject({
        /** The shim's own log file (JSON lines); empty to log only to runc's --log file. */
        file: z.string().default(''),
        level: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
      })
      .prefault({}),
    state: z
      .strictObject({
        /** Where the shim keeps per-container host state (rootfs binds to undo at delete). */
        dir: absolutePath.default('/run/openclaw'),
      })
      .prefault({}),
    agent: z
      .strictObject({
        /**
         * The seccomp agent's unix socket. Its directory is made 0700 (root only), so it is
         * not the state directory, which the containers' mapped ids must traverse.
         */
        socket: absolutePath.default('/run/openclaw/agent/seccomp-agent.sock'),
        /** JSON lines, one per denied call. */
        denial_log: absolutePath.default('/var/log/openclaw/denials.log'),
      })
      .prefault({}),
  })
  .prefault({});

export type RuntimeConfig = z.output<typeof RuntimeConfigSchema>;

export const DEFAULT_CONFIG_PATH = '/etc/openclaw/config.toml';
