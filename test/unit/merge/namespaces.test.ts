import { describe, expect, it } from 'vitest';
import { makeNamespacesModifier } from '../../../shim/merge/namespaces.js';
import type { Spec } from '../../../shim/spec/types.js';
import { mergeInputs } from '../../helpers/merge-inputs.js';

const RUNC_DEFAULT = ['pid', 'network', 'ipc', 'uts', 'mount'].map((type) => ({ type }));

function apply(profileNs: Record<string, string>, namespaces: Array<Record<string, string>> | undefined) {
  const spec: Spec = { linux: namespaces === undefined ? {} : { namespaces: structuredClone(namespaces) as never } };
  makeNamespacesModifier(mergeInputs({ isolation: { namespaces: profileNs } })).apply({ spec, hostActions: [] });
  return spec.linux!.namespaces!.map((n) => n.type + (n.path ? `=${n.path}` : ''));
}

describe('namespaces modifier', () => {
  const ok: Array<{ name: string; profile: Record<string, string>; input: Array<Record<string, string>>; expected: string[] }> = [
    { name: 'runc defaults already isolated stay as they are', profile: { network: 'isolated', pid: 'isolated' }, input: RUNC_DEFAULT, expected: ['pid', 'network', 'ipc', 'uts', 'mount'] },
    { name: 'cgroup and user namespaces are added', profile: { cgroup: 'isolated', user: 'isolated-with-uid-mapping' }, input: RUNC_DEFAULT, expected: ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup', 'user'] },
    { name: 'inherit keeps a joined namespace', profile: { network: 'inherit' }, input: [{ type: 'network', path: '/proc/1/ns/net' }], expected: ['network=/proc/1/ns/net'] },
    { name: 'unset keeps a missing namespace missing', profile: {}, input: [{ type: 'pid' }], expected: ['pid'] },
  ];
  it.each(ok)('$name', ({ profile, input, expected }) => {
    expect(apply(profile, input)).toEqual(expected);
  });

  const refused: Array<{ name: string; profile: Record<string, string>; input: Array<Record<string, string>>; message: RegExp; field: string }> = [
    { name: 'joining another network namespace', profile: { network: 'isolated' }, input: [...RUNC_DEFAULT.filter((n) => n.type !== 'network'), { type: 'network', path: '/proc/42/ns/net' }], message: /joins the existing network namespace \/proc\/42\/ns\/net/, field: 'linux.namespaces[4]' },
    { name: '--network host (no network namespace)', profile: { network: 'isolated' }, input: RUNC_DEFAULT.filter((n) => n.type !== 'network'), message: /share the host's \(--network host\)/, field: 'linux.namespaces' },
    { name: '--pid host', profile: { pid: 'isolated' }, input: RUNC_DEFAULT.filter((n) => n.type !== 'pid'), message: /--pid host/, field: 'linux.namespaces' },
    { name: 'joining a user namespace', profile: { user: 'isolated-with-uid-mapping' }, input: [...RUNC_DEFAULT, { type: 'user', path: '/proc/1/ns/user' }], message: /joins the existing user namespace/, field: 'linux.namespaces[5]' },
  ];
  it.each(refused)('refuses $name', ({ profile, input, message, field }) => {
    let err: any;
    try {
      apply(profile, input);
    } catch (e) {
      err = e;
    }
    expect(err?.message).toMatch(message);
    expect(err?.field).toBe(field);
    expect(err?.file).toBe('/bundle/config.json');
    expect(err?.fix).toBeTruthy();
  });
});
