/**
 * Intersection of two seccomp filters: the caller's (e.g. Docker's default profile, already in
 * config.json) and the profile's. The result is never looser than either: per syscall, each cell
 * of argument space gets the stricter of the two actions (kernel precedence); architectures are
 * the common ones; the default is the stricter default. Ties between equally strict actions (two
 * errnos) go to the profile. The listener (seccomp agent) comes from the profile, else the caller.
 * A profile's NOTIFY that stands for one of its own errno denials (the compiler sent it to the
 * agent only to be logged: listener metadata `filterDenials`, which the agent answers with that
 * errno in every phase) counts as that errno here: against the caller's errno it is the tie the
 * profile wins, so the call stays the agent's and the denial is logged (it used to fall to the
 * caller's errno, unlogged: Docker's default filter denies most of what `default` denies).
 * Against kill or trap the caller's stricter action still wins. Not in audit mode (metadata
 * `audit`): there the agent allows what it logs, so the caller's errno wins as any stricter action.
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
  const denialErrno = profile.listenerPath ? filterDenialErrnos(profile.listenerMetadata) : undefined;
  for (const name of names) {
    const p = profile.syscalls.get(name) ?? constantPartition(profile.defaultAction);
    const c = caller.syscalls.get(name) ?? constantPartition(caller.defaultAction);
    const errno = denialErrno?.(name);
    const pick = errno === undefined ? stricter : (a: Action, b: Action) => (a.kind === 'notify' && b.kind === 'errno' ? a : stricter(a, b));
    // Most names are unconditional on both sides: the stricter action, without the DNF work.
    const pa = wholeAction(p);
    const ca = pa && wholeAction(c);
    syscalls.set(name, pa && ca ? constantPartition(pick(pa, ca)) : intersectPartitions(p, c, pick));
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

/**
 * For a profile filter's listener metadata: the errno the agent answers a call's notifications
 * with when they are all the filter's own denials (metadata.ts filterDenials: listed by name, or
 * the errno default for any call not in agentCalls), else undefined. Read without zod (this
 * runs on every create); the metadata is the compiler's, from the profile: anything unexpected
 * means "not a filter denial", which keeps the plain stricter-wins rule.
 */
function filterDenialErrnos(metadata: string | undefined): ((name: string) => number | undefined) | undefined {
  let fd: unknown;
  try {
    const meta = metadata ? (JSON.parse(metadata) as { filterDenials?: unknown; audit?: unknown }) : undefined;
    // Audit mode: the agent logs these calls and then lets them run, so its NOTIFY is no errno;
    // the caller's denial (Docker's) must stay in the kernel, or audit would loosen the caller.
    if (meta?.audit !== undefined) return undefined;
    fd = meta?.filterDenials;
  } catch {
    return undefined;
  }
  if (typeof fd !== 'object' || fd === null) return undefined;
  const { names, default: dflt, agentCalls } = fd as { names?: unknown; default?: unknown; agentCalls?: unknown };
  const errnoOf = (rule: unknown) => (Array.isArray(rule) && Number.isInteger(rule[0]) && (rule[0] as number) > 0 ? (rule[0] as number) : undefined);
  const agent = new Set(Array.isArray(agentCalls) ? agentCalls.filter((n): n is string => typeof n === 'string') : []);
  const listed = typeof names === 'object' && names !== null ? (names as Record<string, unknown>) : {};
  const defaultErrno = errnoOf(dflt);
  return (name) => {
    if (Object.hasOwn(listed, name)) return errnoOf(listed[name]);
    return agent.has(name) ? undefined : defaultErrno;
  };
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
