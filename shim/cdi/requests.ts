/**
 * Which CDI devices a container asks for, and who asked, pure. Sources, in this order:
 *  1. the profile's `spec.devices.cdi` (trusted: the admin wrote the profile);
 *  2. the profile's `gpus`, mapped to the nvidia.com/gpu kind when a spec for that kind is
 *     installed (`all` -> nvidia.com/gpu=all, [0, 2] -> nvidia.com/gpu=0, nvidia.com/gpu=2);
 *     without such a spec, `gpus` keeps adding the bare /dev/nvidia* nodes (merge/devices.ts);
 *  3. `cdi.k8s.io/<key>` annotations (comma-separated names, the form containerd and CRI-O
 *     read), only names the admin config's `[cdi] annotation_devices` allows: annotations come
 *     from the container's creator, who is not trusted to pick host devices.
 * The image's environment (NVIDIA_VISIBLE_DEVICES, ...) is never a source.
 */
import { OpenclawError } from '../errors.js';
import type { Profile } from '../profile/schema.js';
import type { CdiRequest } from './resolve.js';

export const NVIDIA_GPU_KIND = 'nvidia.com/gpu';
export const CDI_ANNOTATION_PREFIX = 'cdi.k8s.io/';

/** `kind=*` allows every device of a kind; otherwise the exact name. */
export function annotationDeviceAllowed(name: string, allowed: readonly string[]): boolean {
  return allowed.some((a) => a === name || (a.endsWith('=*') && name.startsWith(a.slice(0, -1))));
}

export interface CdiRequestSources {
  profile: Profile;
  profileFile: string;
  annotations: Record<string, string> | undefined;
  specFile: string;
  /** [cdi] annotation_devices of the runtime config. */
  annotationDevices: readonly string[];
  configFile: string;
  /** Whether an installed spec defines the nvidia.com/gpu kind. */
  nvidiaKindInstalled: boolean;
}

export function gpusUseCdi(profile: Profile, nvidiaKindInstalled: boolean): boolean {
  const gpus = profile.spec.devices?.gpus;
  return nvidiaKindInstalled && gpus !== undefined && gpus !== 'none';
}

export function collectCdiRequests(s: CdiRequestSources): CdiRequest[] {
  const out: CdiRequest[] = [];
  const profileFix = `list it in ${s.profileFile} spec.devices.cdi`;
  (s.profile.spec.devices?.cdi ?? []).forEach((name, i) => out.push({ name, file: s.profileFile, field: `spec.devices.cdi[${i}]`, fix: profileFix }));
  const gpus = s.profile.spec.devices?.gpus;
  if (gpusUseCdi(s.profile, s.nvidiaKindInstalled) && gpus !== undefined && gpus !== 'none') {
    const names = gpus === 'all' ? ['all'] : gpus.map(String);
    for (const n of names) out.push({ name: `${NVIDIA_GPU_KIND}=${n}`, file: s.profileFile, field: 'spec.devices.gpus', fix: 'set gpus to indices this host has' });
  }
  for (const [key, value] of Object.entries(s.annotations ?? {})) {
    if (!key.startsWith(CDI_ANNOTATION_PREFIX)) continue;
    for (const raw of value.split(',')) {
      const name = raw.trim();
      if (name === '') continue;
      const field = `annotations["${key}"]`;
      if (!annotationDeviceAllowed(name, s.annotationDevices)) {
        throw new OpenclawError('merge', `the container asks for CDI device ${name} by annotation, and the runtime config does not let annotations choose that device`, {
          file: s.specFile,
          field,
          fix: `remove the annotation (pod: metadata.annotations, docker: --annotation), or let an admin add "${name}" to [cdi] annotation_devices in ${s.configFile}`,
        });
      }
      out.push({ name, file: s.specFile, field, fix: 'request a device an installed CDI spec defines' });
    }
  }
  return out;
}
