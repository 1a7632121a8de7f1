/**
 * CDI device resolution, pure: qualified names (`vendor.com/class=name`) against the specs the
 * host facts loaded, into the ordered list of container edits to apply. The rules follow the
 * reference library (pkg/cdi cache + container-edits):
 *  - a spec dir later in the list has priority over an earlier one; the same device in two
 *    specs of the same priority is a conflict, an error only when that device is requested;
 *  - the spec-level containerEdits are applied once, before the first requested device of
 *    that spec; then each device's own edits, in request order;
 *  - a requested name that no spec defines is an error naming where it was requested.
 */
import { OpenclawError } from '../errors.js';
import { DEVICE_NAME_RE, KIND_RE, type CdiContainerEdits, type CdiSpec } from './schema.js';

/** A spec file as the host facts loaded it. */
export interface LoadedCdiSpec {
  /** Absolute path of the spec file (for errors). */
  file: string;
  /** Index of its directory in the configured spec dirs: higher wins. */
  priority: number;
  spec: CdiSpec;
}

/** Where a device was asked for: a profile field, an annotation, a config key. */
export interface CdiRequest {
  name: string;
  file: string;
  field: string;
  /** The requester's words for the fix (e.g. "list it in the profile's spec.devices.cdi"). */
  fix: string;
}

/** One block of edits to apply, with the spec file and field it came from. */
export interface CdiEditBlock {
  file: string;
  /** `containerEdits` or `devices[N].containerEdits`. */
  field: string;
  edits: CdiContainerEdits;
}

export function parseQualifiedName(name: string): { kind: string; device: string } | undefined {
  const eq = name.indexOf('=');
  if (eq <= 0) return undefined;
  const kind = name.slice(0, eq);
  const device = name.slice(eq + 1);
  if (!KIND_RE.test(kind) || !DEVICE_NAME_RE.test(device)) return undefined;
  return { kind, device };
}

interface Entry {
  spec: LoadedCdiSpec;
  index: number;
  conflictWith?: string;
}

function indexDevices(specs: readonly LoadedCdiSpec[]): Map<string, Entry> {
  const byName = new Map<string, Entry>();
  for (const s of specs) {
    s.spec.devices.forEach((d, index) => {
      const qualified = `${s.spec.kind}=${d.name}`;
      const old = byName.get(qualified);
      if (old === undefined || s.priority > old.spec.priority) {
        byName.set(qualified, { spec: s, index });
      } else if (s.priority === old.spec.priority) {
        byName.set(qualified, { ...old, conflictWith: s.file });
      }
    });
  }
  return byName;
}

/** The edit blocks for `requests`, in application order. Throws naming the request on any error. */
export function resolveCdiDevices(requests: readonly CdiRequest[], specs: readonly LoadedCdiSpec[]): CdiEditBlock[] {
  if (requests.length === 0) return [];
  const byName = indexDevices(specs);
  const blocks: CdiEditBlock[] = [];
  const specsApplied = new Set<LoadedCdiSpec>();
  const devicesApplied = new Set<string>();
  for (const r of requests) {
    const parsed = parseQualifiedName(r.name);
    if (parsed === undefined) {
      throw new OpenclawError('merge', `"${r.name}" is not a CDI device name`, {
        file: r.file,
        field: r.field,
        fix: 'write it as vendor.com/class=name, e.g. nvidia.com/gpu=0 or nvidia.com/gpu=all',
      });
    }
    const entry = byName.get(r.name);
    if (entry === undefined) {
      const known = [...byName.keys()].filter((k) => k.startsWith(`${parsed.kind}=`));
      const dirs = [...new Set(specs.map((s) => s.file.replace(/\/[^/]*$/, '')))];
      throw new OpenclawError('merge', `CDI device ${r.name} is not defined by any spec${dirs.length ? ` in ${dirs.join(', ')}` : ' (no CDI spec files found)'}`, {
        file: r.file,
        field: r.field,
        fix: known.length
          ? `use one of ${known.join(', ')}`
          : `generate a spec for kind ${parsed.kind} (for NVIDIA: nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml), or ${r.fix}`,
      });
    }
    if (entry.conflictWith !== undefined) {
      throw new OpenclawError('merge', `CDI device ${r.name} is defined twice with the same priority (${entry.spec.file} and ${entry.conflictWith})`, {
        file: entry.spec.file,
        field: `devices[${entry.index}]`,
        fix: 'remove one of the two spec files, or move the one that should win to a later spec directory',
      });
    }
    if (devicesApplied.has(r.name)) continue;
    devicesApplied.add(r.name);
    const { spec } = entry;
    if (!specsApplied.has(spec)) {
      specsApplied.add(spec);
      if (spec.spec.containerEdits) blocks.push({ file: spec.file, field: 'containerEdits', edits: spec.spec.containerEdits });
    }
    blocks.push({ file: spec.file, field: `devices[${entry.index}].containerEdits`, edits: spec.spec.devices[entry.index]!.containerEdits });
  }
  return blocks;
}
