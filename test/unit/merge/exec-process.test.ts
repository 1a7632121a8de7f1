import { describe, expect, it } from 'vitest';
import {
  checkEngineExecPolicy,
  clampExecProcess,
  containerIdMaps,
  IDENTITY_MAP,
  parseIdMap,
  requestFromFlags,
  type ExecClampInputs,
} from '../../../shim/merge/exec-process.js';
import type { Spec, SpecProcess } from '../../../shim/oci/types.js';
import { loadedProfile } from '../../helpers/merge-inputs.js';

const DOCKER_CAPS = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE'];
const dockerCaps = () => ({ bounding: [...DOCKER_CAPS], effective: [...DOCKER_CAPS], permitted: [...DOCKER_CAPS] });
const USERNS = [{ containerID: 0, hostID: 100000, size: 65536 }];

function clamp(over: { profile?: Record<string, unknown>; container?: SpecProcess; requested: SpecProcess; userns?: boolean }): SpecProcess {
  const map = over.userns ? USERNS : IDENTITY_MAP;
  const inputs: ExecClampInputs = {
    profile: loadedProfile(over.profile ?? { process: { capabilities: [] } }),
    container: { process: over.container ?? { user: { uid: 0, gid: 0 }, noNewPrivileges: true, capabilities: { bounding: [], effective: [], permitted: [] } } },
    requested: over.requested,
    requestedFrom: 'the exec\'s process file /tmp/p.json',
    uidMap: map,
    gidMap: map,
  };
  return clampExecProcess(inputs);
}

describe('clampExecProcess: capabilities', () => {
  it.each([
    { name: 'Docker\'s defaults into a container with none', container: [], profile: [], expected: [] },
    { name: 'the profile allows one the container has', container: ['CAP_NET_BIND_SERVICE'], profile: ['CAP_NET_BIND_SERVICE'], expected: ['CAP_NET_BIND_SERVICE'] },
    { name: 'the profile allows one the container does not have', container: [], profile: ['CAP_NET_BIND_SERVICE'], expected: [] },
    { name: 'the container has one the profile does not allow (created before the profile changed)', container: ['CAP_KILL'], profile: [], expected: [] },
  ])('$name', ({ container, profile, expected }) => {
    const sets = { bounding: container, effective: container, permitted: container };
    const p = clamp({ profile: { process: { capabilities: profile } }, container: { user: { uid: 0, gid: 0 }, capabilities: sets }, requested: { args: ['sh'], capabilities: dockerCaps() } });
    for (const set of ['bounding', 'effective', 'permitted', 'inheritable', 'ambient'] as const) expect(p.capabilities?.[set], set).toEqual(set === 'inheritable' || set === 'ambient' ? [] : expected);
  });

  it('an exec naming no capabilities gets the container\'s (runc\'s fallback), still intersected', () => {
    const p = clamp({ profile: { process: { capabilities: ['CAP_KILL'] } }, container: { capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'] } }, requested: { args: ['sh'] } });
    expect(p.capabilities).toEqual({ bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: [], inheritable: [], ambient: [] });
  });

  it('a profile without a process section: the container\'s process is still the ceiling', () => {
    const p = clamp({ profile: {}, container: { capabilities: { bounding: ['CAP_KILL'] } }, requested: { args: ['sh'], capabilities: dockerCaps() } });
    expect(p.capabilities?.bounding).toEqual(['CAP_KILL']);
    expect(p.capabilities?.effective).toEqual([]);
  });
});

describe('clampExecProcess: noNewPrivileges, rlimits, labels, the rest', () => {
  it.each([
    { name: 'profile default forces it', profile: { process: {} }, container: false, requested: false, expected: true },
    { name: 'profile false, the container\'s true wins', profile: { process: { noNewPrivileges: false } }, container: true, requested: false, expected: true },
    { name: 'profile false, container false: the request stands', profile: { process: { noNewPrivileges: false } }, container: false, requested: false, expected: false },
    { name: 'no process section, the container\'s true wins', profile: {}, container: true, requested: false, expected: true },
  ])('noNewPrivileges: $name', ({ profile, container, requested, expected }) => {
    expect(clamp({ profile, container: { noNewPrivileges: container }, requested: { args: ['sh'], noNewPrivileges: requested } }).noNewPrivileges).toBe(expected);
  });

  it('rlimits: every container limit is a ceiling, missing ones are added, the profile\'s apply', () => {
    const p = clamp({
      profile: { process: { rlimits: [{ type: 'RLIMIT_CORE', hard: 0, soft: 0 }] } },
      container: { rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 512 }, { type: 'RLIMIT_NPROC', hard: 64, soft: 64 }] },
      requested: { args: ['sh'], rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1048576 }] },
    });
    expect(p.rlimits).toEqual([
      { type: 'RLIMIT_NOFILE', hard: 1024, soft: 512 },
      { type: 'RLIMIT_CORE', hard: 0, soft: 0 },
      { type: 'RLIMIT_NPROC', hard: 64, soft: 64 },
    ]);
  });

  it.each([
    { container: 'docker-default', requested: 'unconfined', expected: 'docker-default' },
    { container: undefined, requested: 'my-profile', expected: 'my-profile' },
    { container: 'unconfined', requested: 'my-profile', expected: 'my-profile' },
  ])('apparmorProfile container=$container requested=$requested -> $expected', ({ container, requested, expected }) => {
    expect(clamp({ container: { apparmorProfile: container }, requested: { args: ['sh'], apparmorProfile: requested } }).apparmorProfile).toBe(expected);
  });

  it('the container\'s SELinux label replaces the requested one', () => {
    expect(clamp({ container: { selinuxLabel: 'system_u:system_r:container_t:s0:c1,c2' }, requested: { args: ['sh'], selinuxLabel: 'system_u:system_r:spc_t:s0' } }).selinuxLabel).toBe('system_u:system_r:container_t:s0:c1,c2');
  });

  it('fields it does not own are kept, the request is not changed', () => {
    const requested: SpecProcess = { args: ['sh', '-c', 'x'], env: ['A=1'], cwd: '/w', terminal: true, consoleSize: { height: 1, width: 2 }, capabilities: dockerCaps() };
    const copy = structuredClone(requested);
    const p = clamp({ requested });
    expect(requested).toEqual(copy);
    expect(p).toMatchObject({ args: ['sh', '-c', 'x'], env: ['A=1'], cwd: '/w', terminal: true, consoleSize: { height: 1, width: 2 } });
  });
});

describe('clampExecProcess: the user', () => {
  it.each([
    { name: 'root into a root container, no userns (the profile let the container be host root)', container: { uid: 0, gid: 0 }, requested: { uid: 0, gid: 0 }, userns: false, err: undefined },
    { name: 'root into a uid-1000 container, no userns', container: { uid: 1000, gid: 1000 }, requested: { uid: 0, gid: 0 }, userns: false, err: /user\.uid: exec as uid 0 would be root on the host, while the container's own process runs as host uid 1000/ },
    { name: 'no user at all means root (runc\'s zero value)', container: { uid: 1000, gid: 1000 }, requested: undefined, userns: false, err: /user\.uid: exec as uid 0 would be root/ },
    { name: 'another non-root uid, no userns', container: { uid: 1000, gid: 1000 }, requested: { uid: 2000, gid: 2000 }, userns: false, err: undefined },
    { name: 'root group by the back door', container: { uid: 1000, gid: 1000 }, requested: { uid: 1000, gid: 1000, additionalGids: [0] }, userns: false, err: /user\.additionalGids: exec with gid 0 would be in the host's root group/ },
    { name: 'root gid, non-root uid', container: { uid: 1000, gid: 1000 }, requested: { uid: 1000, gid: 0 }, userns: false, err: /user\.gid: exec with gid 0/ },
    { name: 'root in a user namespace is host 100000', container: { uid: 1000, gid: 1000 }, requested: { uid: 0, gid: 0 }, userns: true, err: undefined },
    { name: 'a uid the user namespace does not map', container: { uid: 0, gid: 0 }, requested: { uid: 70000, gid: 0 }, userns: true, err: /user\.uid: exec as uid 70000: the container's user namespace does not map it/ },
    { name: 'a gid the user namespace does not map', container: { uid: 0, gid: 0 }, requested: { uid: 0, gid: 0, additionalGids: [70000] }, userns: true, err: /user\.additionalGids: exec with gid 70000: .*does not map it/ },
  ])('$name', ({ container, requested, userns, err }) => {
    const run = () => clamp({ container: { user: container }, requested: { args: ['id'], ...(requested ? { user: requested } : {}) }, userns });
    if (err) expect(run).toThrow(err);
    else expect(run().user).toEqual(requested);
  });

  it('the refusal names the request and says what to do', () => {
    expect(() => clamp({ container: { user: { uid: 1000, gid: 1000 } }, requested: { args: ['id'], user: { uid: 0, gid: 0 } } })).toThrow(
      /^the exec's process file \/tmp\/p\.json: user\.uid: .*docker exec -u UID/,
    );
  });
});

describe('checkEngineExecPolicy', () => {
  it.each([
    { process: undefined, refused: false },
    { process: {}, refused: false },
    { process: { engineExec: 'clamp' }, refused: false },
    { process: { engineExec: 'refuse' }, refused: true },
  ])('process=$process', ({ process, refused }) => {
    const profile = loadedProfile(process === undefined ? {} : { process }, 'p1');
    const run = () => checkEngineExecPolicy(profile, 'c1');
    if (refused) expect(run).toThrow(/^\/profiles\/p1\.yaml: spec\.process\.engineExec: exec into container c1 is refused: profile "p1" sets engineExec: refuse/);
    else expect(run).not.toThrow();
  });

  it('the schema refuses other values', () => {
    expect(() => loadedProfile({ process: { engineExec: 'once' } })).toThrow();
  });
});

describe('requestFromFlags (runc 1.1.5 exec.go getProcess)', () => {
  const base: SpecProcess = { args: ['init'], env: ['PATH=/bin'], cwd: '/', user: { uid: 5, gid: 6 }, terminal: true, capabilities: { bounding: ['CAP_KILL'] }, noNewPrivileges: true };
  const flags = (over: Record<string, unknown> = {}) => ({ env: [], additionalGids: [], caps: [], ...over });

  it('starts from the container\'s process: the command replaces args, env appends, terminal off unless --tty', () => {
    expect(requestFromFlags(base, flags({ env: ['X=1'] }), ['sh'])).toEqual({ ...base, args: ['sh'], env: ['PATH=/bin', 'X=1'], terminal: false });
  });

  it('--cap adds to bounding, effective, permitted and ambient; --no-new-privs=false; --user; -g; --cwd; labels', () => {
    const p = requestFromFlags(base, flags({ caps: ['CAP_SYS_ADMIN'], noNewPrivs: false, user: '0:0', additionalGids: ['0x10', '010', '7'], cwd: '/w', apparmor: 'a', processLabel: 'l', tty: true }), ['sh']);
    expect(p.capabilities).toEqual({ bounding: ['CAP_KILL', 'CAP_SYS_ADMIN'], effective: ['CAP_SYS_ADMIN'], permitted: ['CAP_SYS_ADMIN'], ambient: ['CAP_SYS_ADMIN'] });
    expect(p).toMatchObject({ noNewPrivileges: false, user: { uid: 0, gid: 0, additionalGids: [16, 8, 7] }, cwd: '/w', apparmorProfile: 'a', selinuxLabel: 'l', terminal: true });
  });

  it('--user UID keeps the container\'s gid', () => {
    expect(requestFromFlags(base, flags({ user: '7' }), ['sh']).user).toEqual({ uid: 7, gid: 6 });
  });

  it.each(['root', '-1', '1:x', '1:2:3', '4294967296'])('--user %s is refused', (user) => {
    expect(() => requestFromFlags(base, flags({ user }), ['sh'])).toThrow(/not UID\[:GID\] in numbers/);
  });

  it('the container\'s process is not changed', () => {
    const copy = structuredClone(base);
    requestFromFlags(base, flags({ caps: ['CAP_SYS_ADMIN'], env: ['X=1'] }), ['sh']);
    expect(base).toEqual(copy);
  });
});

describe('the container\'s id maps', () => {
  const userns = (extra: Record<string, unknown>): Spec => ({ linux: { namespaces: [{ type: 'user', ...extra }], uidMappings: USERNS, gidMappings: USERNS } as never });
  it.each([
    { name: 'no user namespace: identity', spec: { linux: { namespaces: [{ type: 'pid' }] } } as Spec, expected: { uid: IDENTITY_MAP, gid: IDENTITY_MAP } },
    { name: 'a new user namespace: the spec\'s maps', spec: userns({}), expected: { uid: USERNS, gid: USERNS } },
    { name: 'a user namespace joined by path: the kernel\'s (undefined here)', spec: userns({ path: '/proc/1/ns/user' }), expected: undefined },
  ])('$name', ({ spec, expected }) => {
    expect(containerIdMaps(spec)).toEqual(expected);
  });

  it('parses /proc/PID/uid_map', () => {
    expect(parseIdMap('         0     100000      65536\n')).toEqual(USERNS);
    expect(parseIdMap('         0          0 4294967295\n')).toEqual([{ containerID: 0, hostID: 0, size: 4294967295 }]);
  });
});
