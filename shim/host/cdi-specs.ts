/**
 * The factory side of CDI (merge/cdi.ts applies the edits): which CDI devices the container
 * asks for, the spec files that define them, and what the edits need from the host.
 *
 * Trust: a CDI spec adds device nodes, host mounts and hooks that run as root on the host,
 * so a spec is only read from a directory chain that only root can change (every directory
 * from / down, and the file, owned by root and not writable by group or others; a symlink on
 * the way is followed only when root owns it). A spec somewhere a local user could write,
 * or swap, is refused by name, never read. Hook executables are held to the same rule.
 * Nothing is read at all when the container asks for no CDI device (the common case costs
 * no I/O and loads neither YAML nor zod).
 */
import { lstatSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OpenclawError, fieldPath } from '../errors.js';
import type { RuntimeConfig } from '../config/schema.js';
import type { Profile } from '../profile/schema.js';
import type { Spec } from '../oci/types.js';
import { collectCdiRequests, NVIDIA_GPU_KIND, CDI_ANNOTATION_PREFIX } from '../cdi/requests.js';
import { resolveCdiDevices, type LoadedCdiSpec } from '../cdi/resolve.js';
import { devMajorMinor, lexists } from './facts.js';
import { whyNotRootOnly } from './safe-path.js';
import type { CdiFacts, CdiHookFact, CdiNodeFact } from './types.js';

const SPEC_FILE_RE = /\.(json|ya?ml)$/;


function specError(file: string, problem: string, field?: string): OpenclawError {
  return new OpenclawError('host', problem, {
    file,
    field,
    fix: 'fix or regenerate the CDI spec (for NVIDIA: nvidia-ctk cdi generate), or remove it from the spec directory',
  });
}

/** Every spec file in the configured directories, in priority order (later directory wins). */
export async function loadCdiSpecs(dirs: readonly string[], configFile: string): Promise<LoadedCdiSpec[]> {
  const [{ parse }, { CdiSpecSchema }] = await Promise.all([import('yaml'), import('../cdi/schema.js')]);
  const out: LoadedCdiSpec[] = [];
  for (const [priority, dir] of dirs.entries()) {
    let names: string[];
    try {
      names = readdirSync(dir).filter((n) => SPEC_FILE_RE.test(n)).sort();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new OpenclawError('host', `cannot read the CDI spec directory ${dir} (${(e as NodeJS.ErrnoException).code})`, {
        file: configFile,
        field: 'cdi.spec_dirs',
        fix: 'make the directory readable by root, or remove it from [cdi] spec_dirs',
      });
    }
    const why = whyNotRootOnly(dir);
    if (why !== undefined) {
      throw new OpenclawError('host', `the CDI spec directory ${dir} is not root-only: ${why}`, {
        file: configFile,
        field: 'cdi.spec_dirs',
        fix: `chown root: and chmod go-w ${dir} (and its parents), or remove it from [cdi] spec_dirs`,
      });
    }
    for (const name of names) {
      const file = join(dir, name);
      const st = lstatSync(file);
      if (!st.isFile()) throw specError(file, 'a CDI spec must be a regular file (symlinks are not followed)');
      const notOk = whyNotRootOnly(file);
      if (notOk !== undefined) throw specError(file, `the CDI spec is not root-only: ${notOk}`);
      let raw: unknown;
      try {
        raw = parse(readFileSync(file, 'utf8'));
      } catch (e) {
        throw specError(file, `the CDI spec is not valid YAML/JSON: ${(e as Error).message.split('\n')[0]}`);
      }
      const r = CdiSpecSchema.safeParse(raw);
      if (!r.success) {
        const issue = r.error.issues[0]!;
        throw specError(file, issue.message, fieldPath(issue.path));
      }
      out.push({ file, priority, spec: r.data });
    }
  }
  return out;
}

export function readCdiNode(hostPath: string): CdiNodeFact {
  try {
    const st = lstatSync(hostPath, { bigint: true });
    const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : st.isFIFO() ? 'p' : undefined;
    if (type === undefined) return { ok: false, reason: st.isSymbolicLink() ? 'a symlink, not a device node' : 'not a device node' };
    // Under a user namespace the node is bind-mounted from this path when runc starts: only
    // a path no one but root can swap in the meantime will do.
    const why = whyNotRootOnly(dirname(hostPath));
    if (why !== undefined) return { ok: false, reason: `its directory is not root-only: ${why}` };
    const { major, minor } = devMajorMinor(st.rdev);
    return { ok: true, type, major, minor, fileMode: Number(st.mode & 0o7777n) };
  } catch (e) {
    return { ok: false, reason: (e as NodeJS.ErrnoException).code ?? String(e) };
  }
}

export function checkHookExecutable(path: string): CdiHookFact {
  try {
    const st = lstatSync(realpathSync(path));
    if (!st.isFile()) return { ok: false, reason: 'not a regular file' };
    if ((st.mode & 0o111) === 0) return { ok: false, reason: 'not executable' };
  } catch (e) {
    return { ok: false, reason: (e as NodeJS.ErrnoException).code ?? String(e) };
  }
  const why = whyNotRootOnly(path);
  return why === undefined ? { ok: true } : { ok: false, reason: why };
}

function mayAskForCdi(spec: Spec, profile: Profile): boolean {
  const d = profile.spec.devices;
  if ((d?.cdi?.length ?? 0) > 0) return true;
  if (d?.gpus !== undefined && d.gpus !== 'none') return true;
  return Object.keys(spec.annotations ?? {}).some((k) => k.startsWith(CDI_ANNOTATION_PREFIX));
}

export interface CdiFactInputs {
  /** The rootfs, when a user namespace will keep runc's init from creating mount points there. */
  userNsRootfs?: string;
  spec: Spec;
  specFile: string;
  profile: Profile;
  profileFile: string;
  config: RuntimeConfig;
  configFile: string;
}

/** undefined when the container asks for no CDI device (nothing is read). */
export async function resolveCdiFacts(i: CdiFactInputs): Promise<CdiFacts | undefined> {
  if (!mayAskForCdi(i.spec, i.profile)) return undefined;
  const specs = await loadCdiSpecs(i.config.cdi.spec_dirs, i.configFile);
  const requests = collectCdiRequests({
    profile: i.profile,
    profileFile: i.profileFile,
    annotations: i.spec.annotations,
    specFile: i.specFile,
    annotationDevices: i.config.cdi.annotation_devices,
    configFile: i.configFile,
    nvidiaKindInstalled: specs.some((s) => s.spec.kind === NVIDIA_GPU_KIND),
  });
  const blocks = resolveCdiDevices(requests, specs);
  const nodes: Record<string, CdiNodeFact> = {};
  const hooks: Record<string, CdiHookFact> = {};
  for (const b of blocks) {
    for (const d of b.edits.deviceNodes ?? []) nodes[d.hostPath ?? d.path] ??= readCdiNode(d.hostPath ?? d.path);
    for (const h of b.edits.hooks ?? []) hooks[h.path] ??= checkHookExecutable(h.path);
  }
  // Under a user namespace runc's init (the mapped root) cannot create mount points in the
  // image's root-owned directories: the library mounts' ones are made by the shim (host
  // actions, as for the profile's binds). /dev is runc's own tmpfs.
  const missingMountpoints: Array<{ path: string; file: boolean }> = [];
  if (i.userNsRootfs !== undefined) {
    for (const b of blocks) {
      for (const m of b.edits.mounts ?? []) {
        if (m.containerPath === '/dev' || m.containerPath.startsWith('/dev/')) continue;
        if (lexists(join(i.userNsRootfs, m.containerPath))) continue;
        let dir = false;
        try {
          dir = statSync(m.hostPath).isDirectory();
        } catch {
          /* runc reports a missing source itself */
        }
        missingMountpoints.push({ path: m.containerPath, file: !dir });
      }
    }
  }
  return { blocks, nodes, hooks, gpusViaCdi: requests.some((r) => r.field === 'spec.devices.gpus'), missingMountpoints };
}
