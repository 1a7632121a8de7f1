/**
 * CDI devices. The host facts resolved which CDI devices this container gets (the profile's
 * `spec.devices.cdi`, `gpus` when an nvidia.com/gpu spec exists, and `cdi.k8s.io/*`
 * annotations the admin config allows) into ordered edit blocks, and read what the edits
 * need from the host (device node numbers, hook executables). This modifier applies them
 * the way the CDI reference library does. Merge policy, per edit:
 * - env: set, replacing a variable of the same name (the image's environment never chooses
 *   devices: NVIDIA_VISIBLE_DEVICES and the like are never read);
 * - deviceNodes: added to linux.devices, replacing the same container path, with type,
 *   major, minor and mode filled from the host node; an allow rule with the node's
 *   permissions (default rwm, `none`: no rule) in linux.resources.devices. In a user namespace
 *   runc cannot mknod; it bind-mounts the host node found at the *container* path. A node
 *   whose host path differs is therefore given as that bind mount itself (the source checked
 *   by the host facts to be a device node on a root-only path), with the same allow rule;
 * - mounts: added, replacing a mount at the same destination; mounts are then stably sorted
 *   by depth so a parent is mounted before what lies below it;
 * - hooks: appended to their hook list. Spec files come only from directories the host facts
 *   checked are root-owned and not writable by others, and each hook executable must be too;
 * - additionalGids: added to process.user.additionalGids (0 is ignored);
 * - netDevices and intelRdt: refused (a host interface or a host-wide resource class is
 *   never handed to a sandbox).
 */
import { OpenclawError } from '../errors.js';
import type { CdiDeviceNode } from '../cdi/schema.js';
import type { SpecDevice, SpecHook, SpecHooks, SpecMount } from '../oci/types.js';
import type { MergeInputs, Modifier } from './types.js';
import { wantsIsolation } from '../profile/namespaces.js';
import { originalRootfs } from '../host/rootfs.js';
import type { CdiNodeFact } from '../host/types.js';

const depth = (p: string): number => p.split('/').filter(Boolean).length;

function setEnv(env: string[], entry: string): void {
  const name = entry.slice(0, entry.indexOf('=') + 1);
  const at = env.findIndex((e) => e.startsWith(name));
  if (at === -1) env.push(entry);
  else env[at] = entry;
}

function deviceEntry(d: CdiDeviceNode, fact: CdiNodeFact | undefined, where: { file: string; field: string }): SpecDevice {
  const hostPath = d.hostPath ?? d.path;
  const declaredType = d.type === 'u' ? 'c' : d.type;
  // As the reference library: a node the spec fully describes need not exist on the host.
  const minimal = declaredType !== undefined && ((d.major ?? 0) !== 0 || declaredType === 'p');
  if (!fact?.ok) {
    if (!minimal) {
      throw new OpenclawError('host', `CDI device node ${hostPath} is not usable on this host (${fact?.reason ?? 'not read'})`, {
        file: where.file,
        field: `${where.field}.hostPath`,
        fix: 'load the device driver so the node exists (or regenerate the CDI spec for this host)',
      });
    }
    return { path: d.path, type: declaredType, major: d.major ?? 0, minor: d.minor ?? 0, ...(d.fileMode === undefined ? {} : { fileMode: d.fileMode }) };
  }
  if (declaredType !== undefined && declaredType !== fact.type) {
    throw new OpenclawError('host', `CDI device node ${hostPath} is a "${fact.type}" device on this host, the spec says "${declaredType}"`, {
      file: where.file,
      field: `${where.field}.type`,
      fix: 'regenerate the CDI spec on this host',
    });
  }
  const fromHost = !minimal && (d.major ?? 0) === 0;
  return {
    path: d.path,
    type: fact.type,
    major: fromHost ? fact.major : d.major!,
    minor: fromHost ? fact.minor : (d.minor ?? 0),
    fileMode: d.fileMode ?? fact.fileMode,
  };
}

export function makeCdiModifier(inputs: MergeInputs): Modifier {
  const facts = inputs.host.cdi;
  const userns = wantsIsolation(inputs.profile.profile.spec.isolation.namespaces?.user);
  return {
    name: 'cdi',
    apply({ spec, hostActions }) {
      if (facts === undefined || facts.blocks.length === 0) return;
      const rootfs = originalRootfs(spec, inputs.bundle, inputs.config.state.dir);
      if (rootfs !== undefined) for (const m of facts.missingMountpoints ?? []) hostActions.push({ kind: 'mountpoint', rootfs, path: m.path, file: m.file });
      let mountsAdded = false;
      for (const block of facts.blocks) {
        const { edits, file, field } = block;
        if (edits.netDevices?.length) {
          throw new OpenclawError('merge', 'a CDI spec moves host network interfaces into the container; a sandbox never gets a host interface', {
            file,
            field: `${field}.netDevices`,
            fix: 'request a CDI device without netDevices, or run this workload outside openclaw',
          });
        }
        if (edits.intelRdt !== undefined) {
          throw new OpenclawError('merge', 'a CDI spec sets an Intel RDT class (a host-wide resource); openclaw does not hand that to a sandbox', {
            file,
            field: `${field}.intelRdt`,
            fix: 'request a CDI device without intelRdt',
          });
        }
        const proc = spec.process;
        if (edits.env?.length) {
          const env = proc ? (proc.env ??= []) : [];
          for (const e of edits.env) setEnv(env, e);
        }
        (edits.deviceNodes ?? []).forEach((d, i) => {
          const where = { file, field: `${field}.deviceNodes[${i}]` };
          const hostPath = d.hostPath ?? d.path;
          const dev = deviceEntry(d, facts.nodes[hostPath], where);
          const bindInstead = userns && hostPath !== d.path;
          if (bindInstead && !facts.nodes[hostPath]?.ok) {
            throw new OpenclawError('host', `CDI device node ${d.path} must be bound from ${hostPath} in a user namespace, and that is not a device node on this host`, {
              file,
              field: `${where.field}.hostPath`,
              fix: 'load the device driver so the node exists, or use a profile without a user namespace',
            });
          }
          const user = proc?.user;
          const uid = d.uid ?? (user && user.uid > 0 ? user.uid : undefined);
          const gid = d.gid ?? (user && user.gid > 0 ? user.gid : undefined);
          if (uid !== undefined) dev.uid = uid;
          if (gid !== undefined) dev.gid = gid;
          const linux = (spec.linux ??= {});
          linux.devices = (linux.devices ?? []).filter((x) => x.path !== dev.path);
          if (bindInstead) {
            spec.mounts = (spec.mounts ?? []).filter((x) => x.destination !== d.path);
            spec.mounts.push({ destination: d.path, type: 'bind', source: hostPath, options: ['bind', 'nosuid', 'noexec'] });
            mountsAdded = true;
          } else {
            linux.devices.push(dev);
          }
          const access = d.permissions === undefined || d.permissions === '' ? 'rwm' : d.permissions === 'none' ? '' : d.permissions;
          if ((dev.type === 'c' || dev.type === 'b') && access !== '') {
            const rules = ((linux.resources ??= {}).devices ??= []);
            if (!rules.some((r) => r.allow && r.type === dev.type && r.major === dev.major && r.minor === dev.minor && r.access === access)) {
              rules.push({ allow: true, type: dev.type, major: dev.major, minor: dev.minor, access });
            }
          }
        });
        for (const m of edits.mounts ?? []) {
          const mount: SpecMount = { destination: m.containerPath, source: m.hostPath };
          if (m.type !== undefined) mount.type = m.type;
          if (m.options !== undefined) mount.options = [...m.options];
          spec.mounts = (spec.mounts ?? []).filter((x) => x.destination !== m.containerPath);
          spec.mounts.push(mount);
          mountsAdded = true;
        }
        (edits.hooks ?? []).forEach((h, i) => {
          const fact = facts.hooks[h.path];
          if (!fact?.ok) {
            throw new OpenclawError('host', `CDI hook ${h.path} cannot be trusted (${fact?.reason ?? 'not checked'})`, {
              file,
              field: `${field}.hooks[${i}].path`,
              fix: 'install the hook executable owned by root and writable only by root (e.g. nvidia-container-toolkit), or regenerate the spec',
            });
          }
          const hook: SpecHook = { path: h.path };
          if (h.args) hook.args = [...h.args];
          if (h.env) hook.env = [...h.env];
          if (h.timeout !== undefined) hook.timeout = h.timeout;
          const hooks: SpecHooks = (spec.hooks ??= {});
          (hooks[h.hookName] ??= []).push(hook);
        });
        for (const gid of edits.additionalGids ?? []) {
          if (gid === 0 || !proc?.user) continue;
          const gids = (proc.user.additionalGids ??= []);
          if (!gids.includes(gid)) gids.push(gid);
        }
      }
      // Stable: mounts of equal depth keep their order (the engine's order among its own).
      if (mountsAdded && spec.mounts) spec.mounts = spec.mounts.map((m, i) => ({ m, i })).sort((a, b) => depth(a.m.destination) - depth(b.m.destination) || a.i - b.i).map(({ m }) => m);
    },
  };
}
