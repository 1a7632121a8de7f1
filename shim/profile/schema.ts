/**
 * The SandboxProfile schema: the single source of the profile's types (z.infer below).
 * Objects are strict, so a misspelt key is an error naming its path.
 *
 * Shape (restored from the seed design note 004, whose YAML lost its indentation):
 *
 *   apiVersion: security.openclaw.org/v1alpha1
 *   kind: SandboxProfile
 *   metadata: { name, description? }
 *   spec:
 *     isolation:
 *       namespaces: { network, ipc, uts, mount, pid, user, cgroup }
 *       cgroups: { memory, memorySwap, pids: { max }, cpus }
 *       syscallFilter: { defaultAction, architectures, whitelist, blacklist, rules, ... }  (seccomp/schema.ts)
 *     filesystem: { readonlyRootfs, allowedBindMounts, maskedPaths, readonlyPaths }
 *     process: { noNewPrivileges, capabilities, rlimits, engineExec }
 *     devices: { gpus }
 *
 * The seed's text leaves open whether `cgroups` and `syscallFilter` sit under `isolation` or
 * directly under `spec`; both readings are accepted (never both at once), and normalise to
 * the `isolation` form.
 *
 * NOTE a new field needs the modifier that owns it (shim/merge/*.ts), its entry in
 * shim/profile/reference.ts (then `npm run build && npm run gen:profile-reference` regenerates
 * docs/profile-reference.md; test/unit/profile/reference.test.ts fails until both are done) and
 * a golden case (test/golden).
 */
import { z } from 'zod';
import { SyscallFilterSchema, u64Value, type SyscallFilter } from '../seccomp/schema.js';

export const PROFILE_API_VERSION = 'security.openclaw.org/v1alpha1';
export const PROFILE_KIND = 'SandboxProfile';

/** Kubernetes-style quantity: 512Mi, 1Gi, 100M, 1e6, or a plain byte count. */
const QUANTITY_RE = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|K|M|G|T|P|E)?$/;
const QUANTITY_FACTORS: Record<string, bigint> = {
  '': 1n,
  Ki: 1024n, Mi: 1024n ** 2n, Gi: 1024n ** 3n, Ti: 1024n ** 4n, Pi: 1024n ** 5n, Ei: 1024n ** 6n,
  k: 1000n, K: 1000n, M: 1000n ** 2n, G: 1000n ** 3n, T: 1000n ** 4n, P: 1000n ** 5n, E: 1000n ** 6n,
};

/** Parses a quantity to bytes; returns undefined when it is not one. */
export function parseQuantity(input: string | number): bigint | undefined {
  if (typeof input === 'number') {
    return Number.isSafeInteger(input) && input >= 0 ? BigInt(input) : undefined;
  }
  const m = QUANTITY_RE.exec(input.trim());
  if (!m) return undefined;
  const [, num, unit = ''] = m;
  const factor = QUANTITY_FACTORS[unit];
  if (factor === undefined || num === undefined) return undefined;
  const [intPart, fracPart = ''] = num.split('.');
  const scale = 10n ** BigInt(fracPart.length);
  const bytes = (BigInt(intPart + fracPart) * factor) / scale;
  return bytes;
}

const quantity = z
  .union([z.string(), z.number()])
  .superRefine((v, ctx) => {
    const bytes = parseQuantity(v);
    if (bytes === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a byte quantity (use e.g. 512Mi, 2Gi or a byte count)` });
    } else if (bytes <= 0n) {
      ctx.addIssue({ code: 'custom', message: 'must be greater than zero' });
    }
  })
  .transform((v) => parseQuantity(v) as bigint);

const absolutePath = z
  .string()
  .min(1)
  .refine((p) => p.startsWith('/'), { message: 'must be an absolute path' })
  .refine((p) => !p.split('/').includes('..'), { message: 'must not contain ".."' });

/** How strongly a namespace is isolated. `inherit` keeps whatever the caller's spec asked. */
const isolatedOrInherit = z.enum(['isolated', 'inherit']);

export const NamespacesSchema = z.strictObject({
  network: isolatedOrInherit.optional(),
  ipc: isolatedOrInherit.optional(),
  uts: isolatedOrInherit.optional(),
  pid: isolatedOrInherit.optional(),
  cgroup: isolatedOrInherit.optional(),
  /** `isolated-with-bind`: a private mount namespace whose host binds come only from allowedBindMounts. */
  mount: z.enum(['isolated', 'isolated-with-bind', 'inherit']).optional(),
  /** `isolated-with-uid-mapping`: container ids map to the unprivileged host range from the config. */
  user: z.enum(['isolated-with-uid-mapping', 'isolated', 'inherit']).optional(),
});

export const CgroupsSchema = z.strictObject({
  memory: quantity.optional(),
  memorySwap: quantity.optional(),
  pids: z.strictObject({ max: z.number().int().positive() }).optional(),
  /** CPU bandwidth in CPUs, e.g. 0.5 or "2". */
  cpus: z
    .union([z.number(), z.string().regex(/^[0-9]+(\.[0-9]+)?$/, 'must be a number of CPUs such as "1.5"')])
    .transform((v) => Number(v))
    .refine((v) => v > 0, 'must be greater than zero')
    .optional(),
});

/** A per-container bind's name: one plain path component under the job's directory. */
export const PER_CONTAINER_NAME_RE = /^[a-z0-9][a-z0-9_-]*$/;

export const BindMountSchema = z
  .strictObject({
    /** A fixed host directory (or file). Exactly one of source and perContainer. */
    source: absolutePath.optional(),
    /**
     * A directory of this container's own, `<jobs.dir>/<container id>/<name>` (config [jobs]),
     * created by the shim at create (0700 and owned by the container's root when writable;
     * 0750 root and the container's root group when read-only) and kept after the container is
     * deleted until `openclaw-runtime jobs prune`. Two containers never share one.
     */
    perContainer: z.string().regex(PER_CONTAINER_NAME_RE, 'must be a plain name such as "output" (lower-case letters, digits, - and _)').optional(),
    destination: absolutePath,
    readonly: z.boolean().default(true),
    /** Extra hardening options; nosuid and nodev are always added. */
    noexec: z.boolean().default(true),
    /** Create the source directory on the host if it is missing (perContainer sources always are). */
    create: z.boolean().default(false),
  })
  .superRefine((b, ctx) => {
    if ((b.source === undefined) === (b.perContainer === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [b.source === undefined ? 'source' : 'perContainer'],
        message: 'give exactly one of source (a fixed host path) and perContainer (a directory of each container\'s own)',
      });
    }
  });

export const FilesystemSchema = z.strictObject({
  readonlyRootfs: z.boolean().optional(),
  allowedBindMounts: z.array(BindMountSchema).optional(),
  maskedPaths: z.array(absolutePath).optional(),
  readonlyPaths: z.array(absolutePath).optional(),
  /** Paths (inside the container) a read-only-opens profile may still open for writing. */
  writablePaths: z.array(absolutePath).optional(),
});

/** The rlimits runc knows (runc libcontainer/configs rlimit table; setrlimit(2)). */
export const RLIMIT_TYPES = [
  'RLIMIT_AS', 'RLIMIT_CORE', 'RLIMIT_CPU', 'RLIMIT_DATA', 'RLIMIT_FSIZE', 'RLIMIT_LOCKS', 'RLIMIT_MEMLOCK',
  'RLIMIT_MSGQUEUE', 'RLIMIT_NICE', 'RLIMIT_NOFILE', 'RLIMIT_NPROC', 'RLIMIT_RSS', 'RLIMIT_RTPRIO',
  'RLIMIT_RTTIME', 'RLIMIT_SIGPENDING', 'RLIMIT_STACK',
] as const;

export const RlimitSchema = z.strictObject({
  type: z.enum(RLIMIT_TYPES, { error: (iss) => `"${String(iss.input)}" is not an rlimit runc knows (one of ${RLIMIT_TYPES.join(', ')})` }),
  hard: u64Value,
  soft: u64Value,
});

export const ProcessSchema = z.strictObject({
  /** Always true unless set false; false never removes a caller's true. */
  noNewPrivileges: z.boolean().optional(),
  /** Capabilities the container may keep (intersected with the caller's). Default: none. */
  capabilities: z.array(z.string().regex(/^CAP_[A-Z_]+$/, 'must be a CAP_* name')).optional(),
  rlimits: z.array(RlimitSchema).optional(),
  /**
   * What an engine's exec into the running container gets (`docker exec`, `kubectl exec`, CRI
   * ExecSync, `ctr tasks exec`: all `runc exec`). `clamp` (the default): the exec'd process is
   * held to the container's own process and this section (capabilities, noNewPrivileges,
   * rlimits, LSM labels, never host root unless the container's process is); under a filter
   * that allows one execve it gets its own one. `refuse`: every exec is refused before runc runs.
   * Absent: DEFAULT_ENGINE_EXEC in merge/exec-process.ts (kept there so exec never loads zod).
   */
  engineExec: z.enum(['clamp', 'refuse']).optional(),
});


export const DevicesSchema = z.strictObject({
  /** NVIDIA GPUs to expose: `all`, `none` or a list of indices. */
  gpus: z.union([z.enum(['all', 'none']), z.array(z.number().int().nonnegative()).min(1)]).optional(),
  /**
   * CDI devices to inject, by qualified name (`nvidia.com/gpu=0`, `vendor.com/class=name`),
   * from the spec files in the runtime config's [cdi] spec_dirs.
   */
  cdi: z.array(z.string().regex(/^[^=\s]+\/[^=\s]+=[^=\s]+$/, 'must be vendor.com/class=name')).optional(),
});

const IsolationSchema = z.strictObject({
  namespaces: NamespacesSchema.optional(),
  cgroups: CgroupsSchema.optional(),
  syscallFilter: SyscallFilterSchema.optional(),
});

const SpecSchemaRaw = z.strictObject({
  isolation: IsolationSchema.optional(),
  cgroups: CgroupsSchema.optional(),
  syscallFilter: SyscallFilterSchema.optional(),
  filesystem: FilesystemSchema.optional(),
  process: ProcessSchema.optional(),
  devices: DevicesSchema.optional(),
});

export const ProfileSchema = z
  .strictObject({
    apiVersion: z.literal(PROFILE_API_VERSION),
    kind: z.literal(PROFILE_KIND),
    metadata: z.strictObject({
      name: z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, 'must be a lower-case DNS-style name'),
      description: z.string().optional(),
      /**
       * `lint` warnings this profile accepts on purpose, each with the reason (shown by lint,
       * not counted in its exit status). A stale entry (no such warning) is itself reported.
       */
      acceptedWarnings: z.array(z.strictObject({ id: z.string().regex(/^OC[0-9]{3}$/, 'must be a lint id such as OC104'), reason: z.string().min(10, 'say why, in a sentence') })).optional(),
    }),
    spec: SpecSchemaRaw,
  })
  .superRefine((p, ctx) => {
    for (const key of ['cgroups', 'syscallFilter'] as const) {
      if (p.spec[key] !== undefined && p.spec.isolation?.[key] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['spec', key],
          message: `given both here and at spec.isolation.${key}; keep one`,
        });
      }
    }
  })
  .transform((p) => {
    const { cgroups, syscallFilter, isolation, ...rest } = p.spec;
    return {
      ...p,
      spec: {
        ...rest,
        isolation: {
          namespaces: isolation?.namespaces,
          cgroups: isolation?.cgroups ?? cgroups,
          syscallFilter: isolation?.syscallFilter ?? syscallFilter,
        },
      },
    };
  });

export type Profile = z.output<typeof ProfileSchema>;
export type ProfileNamespaces = z.output<typeof NamespacesSchema>;
export type ProfileCgroups = z.output<typeof CgroupsSchema>;
export type ProfileSyscallFilter = SyscallFilter;
export type ProfileFilesystem = z.output<typeof FilesystemSchema>;
export type ProfileBindMount = z.output<typeof BindMountSchema>;
export type ProfileProcess = z.output<typeof ProcessSchema>;
export type ProfileDevices = z.output<typeof DevicesSchema>;
