import { describe, expect, it } from 'vitest';
import { makeHooksModifier } from '../../../shim/merge/hooks.js';
import type { MergeInputs } from '../../../shim/merge/types.js';
import type { Spec, SpecHooks } from '../../../shim/oci/types.js';
import { RuntimeConfigSchema } from '../../../shim/config/schema.js';
import { hostFacts, loadedProfile, mergeInputs } from '../../helpers/merge-inputs.js';
import type { ExecutableFacts } from '../../../shim/host/types.js';

const ID = '70398ff057438f8e505835b94fbd62d99e0126e1ac48a62037940296f519113c';
const EXEC_ROOT = '/var/run/docker';
const DOCKERD: ExecutableFacts = { realPath: '/usr/sbin/dockerd', rootOnly: true, processIsRoot: true };
const setkey = (over: Record<string, unknown> = {}) => ({ path: '/proc/2358/exe', args: ['libnetwork-setkey', `-exec-root=${EXEC_ROOT}`, ID, '82744790217a'], ...over });
const NVIDIA = '/usr/bin/nvidia-container-runtime-hook';
const CLEANUP = '/opt/openclaw/hooks/openclaw-poststop';
const ours = { path: CLEANUP, args: ['openclaw-poststop', '--state-dir', '/run/openclaw'] };
const MARKER = { path: '/bin/sh', args: ['sh', '-c', 'touch /marker'] };

interface Row {
  name: string;
  hooks: SpecHooks;
  /** Facts about the executables, keyed by path (default: dockerd for /proc/2358/exe, a root-only file otherwise). */
  exes?: Record<string, ExecutableFacts>;
  execRootOk?: boolean;
  gpus?: boolean;
  allowed?: string[];
  /** undefined: accepted unchanged; otherwise the field and the problem of the refusal. */
  refused?: { field: string; problem: RegExp };
}

const ROWS: Row[] = [
  // accepted: the engines' own and ours
  { name: "Docker 20.10's libnetwork-setkey prestart hook", hooks: { prestart: [setkey()] } },
  { name: 'libnetwork-setkey as a createRuntime hook (newer Docker)', hooks: { createRuntime: [setkey()] } },
  { name: 'our own cleanup hook (a bundle created before)', hooks: { poststop: [ours] } },
  { name: 'NVIDIA prestart hook with gpus', hooks: { prestart: [{ path: NVIDIA, args: ['nvidia-container-runtime-hook', 'prestart'] }] }, gpus: true },
  { name: 'NVIDIA CDI hook with gpus', hooks: { createContainer: [{ path: '/usr/bin/nvidia-ctk', args: ['nvidia-ctk', 'hook', 'update-ldcache'] }] }, gpus: true },
  { name: 'an admin-allowed hook (podman hooks.d)', hooks: { prestart: [{ path: '/usr/libexec/oci/hooks.d/audit', args: ['audit'] }] }, allowed: ['/usr/libexec/oci/hooks.d/audit'] },
  { name: 'empty stages', hooks: { prestart: [], poststop: [] } },
  // refused: the creator's own hooks
  { name: 'a prestart hook writing on the host', hooks: { prestart: [MARKER] }, refused: { field: 'hooks.prestart[0]', problem: /\/bin\/sh would run on the host.*neither the engine/ } },
  { name: 'a createRuntime hook', hooks: { createRuntime: [MARKER] }, refused: { field: 'hooks.createRuntime[0]', problem: /runtime namespace/ } },
  { name: 'a createContainer hook', hooks: { createContainer: [MARKER] }, refused: { field: 'hooks.createContainer[0]', problem: /container namespace, as host root/ } },
  { name: 'a startContainer hook', hooks: { startContainer: [MARKER] }, refused: { field: 'hooks.startContainer[0]', problem: /in the container/ } },
  { name: 'a poststart hook', hooks: { poststart: [MARKER] }, refused: { field: 'hooks.poststart[0]', problem: /neither the engine/ } },
  { name: 'a poststop hook after ours', hooks: { poststop: [ours, MARKER] }, refused: { field: 'hooks.poststop[1]', problem: /\/bin\/sh/ } },
  { name: 'a stage named like an Object property', hooks: { toString: [{ path: '/opt/hook' }] } as unknown as SpecHooks, allowed: ['/opt/hook'], refused: { field: 'hooks.toString', problem: /unknown stage "toString"/ } },
  { name: 'an unknown hook stage', hooks: { prerun: [MARKER] } as SpecHooks, refused: { field: 'hooks.prerun', problem: /unknown stage "prerun"/ } },
  // refused: look-alikes of the engines' hooks
  { name: 'setkey whose pid is not dockerd', hooks: { prestart: [setkey()] }, exes: { '/proc/2358/exe': { realPath: '/usr/bin/python3', rootOnly: true, processIsRoot: true } }, refused: { field: 'hooks.prestart[0]', problem: /not a dockerd process/ } },
  { name: 'setkey whose dockerd runs as a user', hooks: { prestart: [setkey()] }, exes: { '/proc/2358/exe': { ...DOCKERD, processIsRoot: false } }, refused: { field: 'hooks.prestart[0]', problem: /does not run as root/ } },
  { name: 'setkey whose dockerd binary others can write', hooks: { prestart: [setkey()] }, exes: { '/proc/2358/exe': { ...DOCKERD, rootOnly: false } }, refused: { field: 'hooks.prestart[0]', problem: /users other than root/ } },
  { name: 'setkey for another container', hooks: { prestart: [setkey({ args: ['libnetwork-setkey', `-exec-root=${EXEC_ROOT}`, 'f'.repeat(64), '82744790217a'] })] }, refused: { field: 'hooks.prestart[0]', problem: /not this container/ } },
  { name: 'setkey with an exec root others can change', hooks: { prestart: [setkey()] }, execRootOk: false, refused: { field: 'hooks.prestart[0]', problem: /exec root \/var\/run\/docker/ } },
  { name: 'setkey with an exec root with ..', hooks: { prestart: [setkey({ args: ['libnetwork-setkey', '-exec-root=/var/../tmp', ID, '82744790217a'] })] }, refused: { field: 'hooks.prestart[0]', problem: /-exec-root=<absolute path>/ } },
  { name: 'setkey with an extra argument', hooks: { prestart: [setkey({ args: ['libnetwork-setkey', `-exec-root=${EXEC_ROOT}`, ID, '82744790217a', '--x'] })] }, refused: { field: 'hooks.prestart[0]', problem: /exactly 3 arguments/ } },
  { name: 'setkey as a poststop hook', hooks: { poststop: [setkey()] }, refused: { field: 'hooks.poststop[0]', problem: /not poststop/ } },
  { name: 'setkey with LD_PRELOAD', hooks: { prestart: [setkey({ env: ['LD_PRELOAD=/tmp/x.so'] })] }, refused: { field: 'hooks.prestart[0].env', problem: /LD_PRELOAD/ } },
  { name: 'our hook with another state dir', hooks: { poststop: [{ ...ours, args: ['openclaw-poststop', '--state-dir', '/tmp/evil'] }] }, refused: { field: 'hooks.poststop[0]', problem: /openclaw-poststop would run/ } },
  { name: 'our hook as prestart', hooks: { prestart: [ours] }, refused: { field: 'hooks.prestart[0]', problem: /openclaw-poststop would run/ } },
  { name: 'NVIDIA hook without gpus in the profile', hooks: { prestart: [{ path: NVIDIA, args: ['nvidia-container-runtime-hook', 'prestart'] }] }, refused: { field: 'hooks.prestart[0]', problem: /asks for no GPUs/ } },
  { name: 'NVIDIA hook with other arguments', hooks: { prestart: [{ path: NVIDIA, args: ['nvidia-container-runtime-hook', 'poststart'] }] }, gpus: true, refused: { field: 'hooks.prestart[0]', problem: /exactly the argument "prestart"/ } },
  { name: 'NVIDIA hook others can write', hooks: { prestart: [{ path: NVIDIA, args: ['nvidia-container-runtime-hook', 'prestart'] }] }, exes: { [NVIDIA]: { realPath: NVIDIA, rootOnly: false } }, gpus: true, refused: { field: 'hooks.prestart[0]', problem: /users other than root/ } },
  { name: 'a /tmp binary named like NVIDIA', hooks: { prestart: [{ path: '/tmp/nvidia-container-runtime-hook', args: ['nvidia-container-runtime-hook', 'prestart'] }] }, exes: { '/tmp/nvidia-container-runtime-hook': { realPath: '/tmp/nvidia-container-runtime-hook', rootOnly: false } }, gpus: true, refused: { field: 'hooks.prestart[0]', problem: /users other than root/ } },
  { name: 'an admin-allowed hook that others can replace', hooks: { prestart: [{ path: '/opt/hook', args: [] }] }, exes: { '/opt/hook': { realPath: '/opt/hook', rootOnly: false } }, allowed: ['/opt/hook'], refused: { field: 'hooks.prestart[0].path', problem: /allowed by the openclaw config, but/ } },
  { name: 'an admin-allowed hook with env', hooks: { prestart: [{ path: '/opt/hook', env: ['BASH_ENV=/tmp/x'] }] }, allowed: ['/opt/hook'], refused: { field: 'hooks.prestart[0].env', problem: /environment/ } },
];

function inputsFor(row: Row): MergeInputs {
  const exes: Record<string, ExecutableFacts> = {};
  for (const list of Object.values(row.hooks)) {
    for (const h of (list as Array<{ path: string }>) ?? []) exes[h.path] = h.path.startsWith('/proc/') ? DOCKERD : { realPath: h.path, rootOnly: true };
  }
  Object.assign(exes, row.exes ?? {});
  const config = RuntimeConfigSchema.parse({ hooks: { allowed: row.allowed ?? [] } });
  return mergeInputs({}, {
    profile: loadedProfile(row.gpus ? { devices: { gpus: 'all' } } : {}),
    config,
    containerId: ID,
    cleanupHookPath: CLEANUP,
    host: hostFacts({ hookExecutables: exes, rootOnlyDirs: { [EXEC_ROOT]: row.execRootOk ?? true } }),
  });
}

describe('hooks modifier', () => {
  it.each(ROWS)('$name', (row) => {
    const spec: Spec = { hooks: structuredClone(row.hooks) };
    const run = () => makeHooksModifier(inputsFor(row)).apply({ spec, hostActions: [] });
    if (!row.refused) {
      run();
      expect(spec.hooks).toEqual(row.hooks);
      return;
    }
    let err: any;
    try {
      run();
    } catch (e) {
      err = e;
    }
    expect(err, 'expected a refusal').toBeDefined();
    expect(err.name).toBe('OpenclawError');
    expect(err.file).toBe('/bundle/config.json');
    expect(err.field).toBe(row.refused.field);
    expect(err.fix).toBeTruthy();
    expect(err.problem).toMatch(row.refused.problem);
  });

  it('a spec without hooks is left alone', () => {
    const spec: Spec = {};
    makeHooksModifier(mergeInputs({})).apply({ spec, hostActions: [] });
    expect(spec).toEqual({});
  });
});
