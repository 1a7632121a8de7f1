/**
 * The process of an engine's exec (`docker exec`, `kubectl exec`, CRI ExecSync, `ctr tasks
 * exec`: all `runc exec`), clamped to the container it enters. runc takes that process from
 * the engine's own stored spec, not from the config.json create merged, so without this the
 * exec'd process gets the engine's defaults (capabilities, no_new_privs off) whatever the
 * profile said.
 *
 * Pure: (profile, the container's config.json as runc runs it, the requested process, the
 * container's id maps) -> the process runc gets, or a refusal. Policy:
 * - the profile's `process` section applies exactly as at create (merge/process.ts
 *   tightenProcess, the one implementation);
 * - and never more than the container's own process: each capability set is intersected with
 *   the container's, noNewPrivileges is on when the container's is, every rlimit the container
 *   has is a ceiling (runc replaces the whole list when the exec names any, so all of them are
 *   written), the container's AppArmor profile and SELinux label replace the requested ones;
 * - the user must be mapped in the container's user namespace, and may be root on the host
 *   (uid or any gid 0 outside) only when the container's own process is;
 * - `spec.process.engineExec: refuse` refuses every exec (checkEngineExecPolicy).
 * Fields this does not own (args, env, cwd, terminal, consoleSize, ...) are kept as asked.
 */
import { OpenclawError } from '../errors.js';
import type { LoadedProfile } from '../profile/load.js';
import type { ProfileProcess } from '../profile/schema.js';
import { deepClone } from '../util/json.js';
import type { Spec, SpecCapabilities, SpecProcess, SpecRlimit } from '../oci/types.js';
import type { ExecProcessFlags } from '../cli/argv.js';
import { CAPABILITY_SETS, lowerRlimit, tightenProcess } from './process.js';

/** What a profile that does not set spec.process.engineExec gets (documented in docs/profile-reference.md). */
export const DEFAULT_ENGINE_EXEC: NonNullable<ProfileProcess['engineExec']> = 'clamp';

/** One line of /proc/PID/uid_map (or an OCI idMapping): container id -> host id, `size` ids. */
export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

/** Without a user namespace every id is itself on the host. */
export const IDENTITY_MAP: readonly IdMapping[] = [{ containerID: 0, hostID: 0, size: 2 ** 32 }];

export interface ExecClampInputs {
  profile: LoadedProfile;
  /** The container's config.json as runc runs it (the bundle's, merged at create). */
  container: Spec;
  /** The process the engine asked for: its --process file, or runc's flag form (requestFromFlags). */
  requested: SpecProcess;
  /** Where the request came from, for errors ("the exec's --process file /tmp/x", "runc exec flags"). */
  requestedFrom: string;
  /** The container's uid and gid maps as the host sees them (containerIdMaps, or /proc/PID/uid_map). */
  uidMap: readonly IdMapping[];
  gidMap: readonly IdMapping[];
}

/** The profile's engineExec policy; `refuse` throws an error naming the profile and the field. */
export function checkEngineExecPolicy(profile: LoadedProfile, containerId: string): void {
  const policy = profile.profile.spec.process?.engineExec ?? DEFAULT_ENGINE_EXEC;
  if (policy !== 'refuse') return;
  throw new OpenclawError('merge', `exec into container ${containerId} is refused: profile "${profile.profile.metadata.name}" sets engineExec: refuse (docker exec, kubectl exec, CRI ExecSync and ctr tasks exec all run "runc exec")`, {
    file: profile.path,
    field: 'spec.process.engineExec',
    fix: 'run the command as its own container, or have the operator set engineExec: clamp in the profile (each exec then runs held to the container\'s limits)',
  });
}

/**
 * The container's id maps from its config.json: identity without a user namespace, the
 * spec's mappings for a new one; undefined for a user namespace joined by path (the caller
 * reads the container's /proc/PID/uid_map then).
 */
export function containerIdMaps(spec: Spec): { uid: readonly IdMapping[]; gid: readonly IdMapping[] } | undefined {
  const userns = spec.linux?.namespaces?.find((n) => n.type === 'user');
  if (!userns) return { uid: IDENTITY_MAP, gid: IDENTITY_MAP };
  const uid = spec.linux?.uidMappings as IdMapping[] | undefined;
  const gid = spec.linux?.gidMappings as IdMapping[] | undefined;
  if (userns.path || !uid?.length || !gid?.length) return undefined;
  return { uid, gid };
}

/** Parses /proc/PID/uid_map or gid_map text ("inside outside count" per line). */
export function parseIdMap(text: string): IdMapping[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((f) => f.length === 3 && f.every((n) => Number.isSafeInteger(n)))
    .map(([containerID, hostID, size]) => ({ containerID: containerID as number, hostID: hostID as number, size: size as number }));
}

export function hostIdOf(id: number, map: readonly IdMapping[]): number | undefined {
  for (const m of map) if (id >= m.containerID && id < m.containerID + m.size) return m.hostID + (id - m.containerID);
  return undefined;
}

/** Go's strconv.ParseInt(s, 0, 64) for the non-negative ids runc's flags take. */
function parseGoUint(s: string): number | undefined {
  let n: number;
  if (/^[0-9]+$/.test(s)) n = /^0[0-7]+$/.test(s) ? Number.parseInt(s, 8) : Number(s);
  else if (/^0[xX][0-9a-fA-F]+$/.test(s)) n = Number.parseInt(s.slice(2), 16);
  else if (/^0[oO][0-7]+$/.test(s)) n = Number.parseInt(s.slice(2), 8);
  else if (/^0[bB][01]+$/.test(s)) n = Number.parseInt(s.slice(2), 2);
  else return undefined;
  return Number.isSafeInteger(n) && n <= 0xffffffff ? n : undefined;
}

/**
 * The process runc 1.1.5 would build from its exec flags (exec.go getProcess): the
 * container's config.json process with the flags applied over it. `--cap` adds to the
 * bounding, effective, permitted and ambient sets there; the clamp takes that away again.
 */
export function requestFromFlags(containerProcess: SpecProcess | undefined, flags: ExecProcessFlags, command: readonly string[]): SpecProcess {
  const p: SpecProcess = deepClone(containerProcess ?? {});
  p.args = [...command];
  if (flags.cwd) p.cwd = flags.cwd;
  if (flags.apparmor) p.apparmorProfile = flags.apparmor;
  if (flags.processLabel) p.selinuxLabel = flags.processLabel;
  if (flags.caps.length > 0) {
    const caps = (p.capabilities ??= {});
    for (const set of ['bounding', 'effective', 'permitted', 'ambient'] as const) caps[set] = [...(caps[set] ?? []), ...flags.caps];
  }
  p.env = [...(p.env ?? []), ...flags.env];
  p.terminal = flags.tty ?? false;
  if (flags.noNewPrivs !== undefined) p.noNewPrivileges = flags.noNewPrivs;
  if (flags.user) {
    const [u, g] = flags.user.split(/:(.*)/s, 2) as [string, string | undefined];
    const uid = /^[0-9]+$/.test(u) ? Number(u) : undefined;
    const gid = g === undefined ? undefined : /^[0-9]+$/.test(g) ? Number(g) : Number.NaN;
    if (uid === undefined || uid > 0xffffffff || (gid !== undefined && !(gid <= 0xffffffff))) {
      throw new OpenclawError('cli', `runc exec --user ${flags.user} is not UID[:GID] in numbers`, { fix: 'pass numeric ids, e.g. --user 1000:1000' });
    }
    p.user = { ...(p.user ?? { uid: 0, gid: 0 }), uid, ...(gid === undefined ? {} : { gid }) };
  }
  for (const g of flags.additionalGids) {
    const gid = parseGoUint(g);
    if (gid === undefined) throw new OpenclawError('cli', `runc exec --additional-gids ${g} is not a non-negative number`, { fix: 'pass numeric gids, e.g. -g 100' });
    const user = (p.user ??= { uid: 0, gid: 0 });
    user.additionalGids = [...(user.additionalGids ?? []), gid];
  }
  return p;
}

const capList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((c): c is string => typeof c === 'string') : []);
const usable = (label: unknown): label is string => typeof label === 'string' && label !== '' && label !== 'unconfined';

export function clampExecProcess(i: ExecClampInputs): SpecProcess {
  const container = i.container.process ?? {};
  const p = deepClone(i.requested);
  tightenProcess(p, i.profile.profile.spec.process);

  if (container.noNewPrivileges === true) p.noNewPrivileges = true;

  if (p.capabilities !== undefined || container.capabilities !== undefined) {
    // runc falls back to the container's sets when the exec names none.
    const asked = p.capabilities ?? container.capabilities ?? {};
    const out: SpecCapabilities = { ...asked };
    for (const set of CAPABILITY_SETS) {
      const allowed = new Set(capList(container.capabilities?.[set]));
      out[set] = capList(asked[set]).filter((c) => allowed.has(c));
    }
    p.capabilities = out;
  }

  const rlimits: SpecRlimit[] = p.rlimits ?? [];
  for (const r of container.rlimits ?? []) lowerRlimit(rlimits, r);
  if (rlimits.length > 0) p.rlimits = rlimits;

  for (const key of ['apparmorProfile', 'selinuxLabel'] as const) {
    const label = container[key];
    if (usable(label)) p[key] = label;
  }

  checkUser(i, p);
  return p;
}

/** runc's zero value when a process names no user. */
const ROOT = { uid: 0, gid: 0 };

function checkUser(i: ExecClampInputs, p: SpecProcess): void {
  const want = p.user ?? ROOT;
  const have = i.container.process?.user ?? ROOT;
  const wantUid = hostIdOf(want.uid, i.uidMap);
  const field = (f: string) => ({ file: i.requestedFrom, field: `user.${f}` });
  const mapFix = 'exec as a user the container\'s user namespace maps (docker exec -u UID, ctr tasks exec --user UID)';
  if (wantUid === undefined) {
    throw new OpenclawError('merge', `exec as uid ${want.uid}: the container's user namespace does not map it`, { ...field('uid'), fix: mapFix });
  }
  const notRootFix = 'exec as the container\'s own user or another non-root uid (docker exec -u UID, ctr tasks exec --user UID), or give the container a user namespace in the profile (spec.isolation.namespaces.user: isolated-with-uid-mapping)';
  const haveUid = hostIdOf(have.uid, i.uidMap);
  if (wantUid === 0 && haveUid !== 0) {
    throw new OpenclawError('merge', `exec as uid ${want.uid} would be root on the host, while the container's own process runs as host uid ${haveUid ?? '(unmapped)'}`, { ...field('uid'), fix: notRootFix });
  }
  const hostGids = (u: { gid: number; additionalGids?: number[] }) =>
    [[u.gid, 'gid'] as const, ...(u.additionalGids ?? []).map((g) => [g, 'additionalGids'] as const)].map(([g, f]) => ({ gid: g, field: f, host: hostIdOf(g, i.gidMap) }));
  const containerHasHostRootGid = hostGids(have).some((g) => g.host === 0);
  for (const { gid, field: f, host } of hostGids(want)) {
    if (host === undefined) {
      throw new OpenclawError('merge', `exec with gid ${gid}: the container's user namespace does not map it`, { ...field(f), fix: mapFix });
    }
    if (host === 0 && !containerHasHostRootGid) {
      throw new OpenclawError('merge', `exec with gid ${gid} would be in the host's root group, while the container's own process is not`, { ...field(f), fix: notRootFix });
    }
  }
}
