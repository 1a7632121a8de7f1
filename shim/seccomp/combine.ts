/**
 * Intersection of two seccomp filters: the caller's (e.g. Docker's default profile, already in
 * config.json) and the profile's. The result is never looser than either: per syscall, each cell
 * of argument space gets the stricter of the two actions (kernel precedence); architectures are
 * the common ones; the default is the stricter default. Ties between equally strict actions (two
 * errnos) go to the profile. The listener (seccomp agent) comes from the profile, else the caller.
 */
import { OpenclawError } from '../errors.js';
import type { SpecSeccomp } from '../oci/types.js';
import { constantPartition, guardComplexity, intersectPartitions, stricter, type Action, type FilterModel, type Partition } from './model.js';
import { decodeSeccomp, encodeSeccomp, type CompiledFilter } from './oci-codec.js';

export function intersectModels(caller: FilterModel, profile: FilterModel): FilterModel {
  const architectures = profile.architectures.filter((a) => caller.architectures.includes(a));
  if (architectures.length === 0) {
    // An empty list would mean "native only" to runc: refuse rather than guess.
    throw new OpenclawError('seccomp', `the caller's seccomp filter allows architectures ${caller.architectures.join(', ')} and the profile ${profile.architectures.join(', ')}: none in common`, {
      field: 'linux.seccomp.architectures',
      fix: "list the container's architecture in the profile's syscallFilter.architectures",
    });
  }
  const names = [...new Set([...caller.syscalls.keys(), ...profile.syscalls.keys()])].sort();
  const syscalls = new Map<string, Partition>();
  for (const name of names) {
    const p = profile.syscalls.get(name) ?? constantPartition(profile.defaultAction);
    const c = caller.syscalls.get(name) ?? constantPartition(caller.defaultAction);
    // Most names are unconditional on both sides: the stricter action, without the DNF work.
    const pa = wholeAction(p);
    const ca = pa && wholeAction(c);
    syscalls.set(name, pa && ca ? constantPartition(stricter(pa, ca)) : intersectPartitions(p, c));
  }
  const out: FilterModel = { defaultAction: stricter(profile.defaultAction, caller.defaultAction), architectures, syscalls };
  const listenerPath = profile.listenerPath ?? caller.listenerPath;
  if (listenerPath) {
    out.listenerPath = listenerPath;
    const meta = profile.listenerPath ? profile.listenerMetadata : caller.listenerMetadata;
    if (meta) out.listenerMetadata = meta;
  }
  return out;
}

/** The action of a partition that is one cell covering everything (what constantPartition builds). */
function wholeAction(p: Partition): Action | undefined {
  if (p.size !== 1) return undefined;
  const [cell] = p.values();
  return cell && cell.dnf.length === 1 && cell.dnf[0]!.length === 0 ? cell.action : undefined;
}

/**
 * linux.seccomp for a container whose caller asked for `caller` and whose profile compiled to
 * `profile` (decoded where it was compiled, so a create decodes only the caller's side).
 * Without a caller filter the profile's filter is returned in normal form.
 */
export function intersectSeccomp(caller: SpecSeccomp | undefined, profile: CompiledFilter): SpecSeccomp {
  return guardComplexity(undefined, 'linux.seccomp', () => {
    if (!caller) return encodeSeccomp(profile.model);
    return encodeSeccomp(intersectModels(decodeSeccomp(caller), profile.model));
  });
}
