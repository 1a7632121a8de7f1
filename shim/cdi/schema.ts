/**
 * The Container Device Interface spec format (cncf-tags/container-device-interface SPEC.md),
 * as strict zod objects: the versions `nvidia-ctk cdi generate` writes (0.3.0 to 1.1.x).
 * Like the reference library, an unknown field is an error, not something to ignore: a
 * device spec is host configuration, and a field we do not understand may be one that
 * matters (a hook, a mount).
 *
 * Two edits are refused by design, whatever the spec says: `netDevices` (moving a host
 * interface into a sandbox) and `intelRdt` (a host-wide resource class). They parse, so the
 * error can name the spec file and field; the resolver refuses them.
 */
import { z } from 'zod';

/** cdiVersion values this reader understands; a newer minor may add fields we would refuse. */
export const CDI_VERSIONS = ['0.3.0', '0.4.0', '0.5.0', '0.6.0', '0.7.0', '0.8.0', '1.0.0', '1.0.1', '1.1.0', '1.1.1'] as const;

/** `vendor.com/class`: a DNS-subdomain prefix, then a name of [A-Za-z0-9_.-] starting and ending alphanumeric. */
export const KIND_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/;
/** A device name: alphanumeric at both ends, [A-Za-z0-9_.:-] between (':' since 0.6 for MIG names). */
export const DEVICE_NAME_RE = /^[A-Za-z0-9]([A-Za-z0-9_.:-]*[A-Za-z0-9])?$/;

const absolutePath = z.string().refine((p) => p.startsWith('/'), 'must be an absolute path');
const envEntry = z.string().regex(/^[^=\s]+=/, 'must be NAME=VALUE');
const annotations = z.record(z.string(), z.string());

export const CdiDeviceNodeSchema = z.strictObject({
  /** Path inside the container. */
  path: absolutePath,
  /** Path of the node on the host (default: `path`). */
  hostPath: absolutePath.optional(),
  type: z.enum(['c', 'b', 'u', 'p']).optional(),
  major: z.number().int().nonnegative().optional(),
  minor: z.number().int().nonnegative().optional(),
  fileMode: z.number().int().nonnegative().max(0o7777).optional(),
  /** Device-cgroup access: some of r, w, m; omitted or empty means rwm, `none` means none. */
  permissions: z.string().regex(/^(none|[rwm]{0,3})$/, 'must be some of r, w, m, or none').optional(),
  uid: z.number().int().nonnegative().optional(),
  gid: z.number().int().nonnegative().optional(),
});

export const CdiMountSchema = z.strictObject({
  hostPath: absolutePath,
  containerPath: absolutePath,
  type: z.string().optional(),
  options: z.array(z.string()).optional(),
});

export const CDI_HOOK_NAMES = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'] as const;

export const CdiHookSchema = z.strictObject({
  hookName: z.enum(CDI_HOOK_NAMES),
  path: absolutePath,
  args: z.array(z.string()).optional(),
  env: z.array(envEntry).optional(),
  timeout: z.number().int().positive().optional(),
});

export const CdiContainerEditsSchema = z.strictObject({
  env: z.array(envEntry).optional(),
  deviceNodes: z.array(CdiDeviceNodeSchema).optional(),
  mounts: z.array(CdiMountSchema).optional(),
  hooks: z.array(CdiHookSchema).optional(),
  additionalGids: z.array(z.number().int().nonnegative()).optional(),
  /** Refused by the resolver (see the header); parsed so the error can name it. */
  intelRdt: z.record(z.string(), z.unknown()).optional(),
  /** Refused by the resolver (see the header); parsed so the error can name it. */
  netDevices: z.array(z.record(z.string(), z.unknown())).optional(),
});

export const CdiDeviceSchema = z.strictObject({
  name: z.string().regex(DEVICE_NAME_RE, 'must start and end with a letter or digit and contain only letters, digits, _ . : -'),
  annotations: annotations.optional(),
  containerEdits: CdiContainerEditsSchema,
});

export const CdiSpecSchema = z.strictObject({
  cdiVersion: z.enum(CDI_VERSIONS),
  kind: z.string().regex(KIND_RE, 'must be vendor.com/class'),
  annotations: annotations.optional(),
  devices: z.array(CdiDeviceSchema).min(1),
  containerEdits: CdiContainerEditsSchema.optional(),
});

export type CdiSpec = z.output<typeof CdiSpecSchema>;
export type CdiDevice = z.output<typeof CdiDeviceSchema>;
export type CdiContainerEdits = z.output<typeof CdiContainerEditsSchema>;
export type CdiDeviceNode = z.output<typeof CdiDeviceNodeSchema>;
export type CdiMount = z.output<typeof CdiMountSchema>;
export type CdiHook = z.output<typeof CdiHookSchema>;
