import { describe, expect, it } from 'vitest';
import { makeNamespacesModifier } from '../../../shim/merge/namespaces.js';
import type { Spec } from '../../../shim/oci/types.js';
import { hostFacts, mergeInputs } from '../../helpers/merge-inputs.js';
import type { JoinedNamespaceFacts } from '../../../shim/host/types.js';

/** What host/namespace-facts.ts reports for a pod's namespaces and for ones that must not pass. */
const POD_NETNS = '/run/containerd/io.containerd.grpc.v1.cri/netns/cni-1';
const SANDBOX_NET = '/proc/4242/ns/net';
const FACTS: Record<string, JoinedNamespaceFacts> = {
  [POD_NETNS]: { exists: true, isNamespace: true, isHost: false, owner: { kind: 'engine-netns', dir: '/run/containerd/io.containerd.grpc.v1.cri/netns' } },
  [SANDBOX_NET]: { exists: true, isNamespace: true, isHost: false, owner: { kind: 'container', id: 'sandbox', pid: 4242 } },
  '/proc/4242/ns/ipc': { exists: true, isNamespace: true, isHost: false, owner: { kind: 'container', id: 'sandbox', pid: 4242 } },
  '/proc/4242/ns/user': { exists: true, isNamespace: true, isHost: false, owner: { kind: 'container', id: 'sandbox', pid: 4242 } },
  '/proc/1/ns/net': { exists: true, isNamespace: true, isHost: true, owner: undefined },
  '/proc/77/ns/net': { exists: true, isNamespace: true, isHost: false },
  '/run/netns/vpn': { exists: true, isNamespace: true, isHost: false },
  '/tmp/not-a-ns': { exists: true, isNamespace: false, isHost: false },
  '/proc/999/ns/net': { exists: false, isNamespace: false, isHost: false },
  // the host's own namespace, pinned in the engine's directory: still the host's
  '/run/containerd/io.containerd.grpc.v1.cri/netns/host': { exists: true, isNamespace: true, isHost: true, owner: { kind: 'engine-netns', dir: '/run/containerd/io.containerd.grpc.v1.cri/netns' } },
};
const CRI = { 'io.kubernetes.cri.container-type': 'container' };
const withNet = (path: string) => [...RUNC_DEFAULT.filter((n) => n.type !== 'network'), { type: 'network', path }];

const RUNC_DEFAULT = ['pid', 'network', 'ipc', 'uts', 'mount'].map((type) => ({ type }));

function apply(profileNs: Record<string, string>, namespaces: Array<Record<string, string>> | undefined, facts: Record<string, JoinedNamespaceFacts> = {}, annotations?: Record<string, string>) {
  const spec: Spec = { linux: namespaces === undefined ? {} : { namespaces: structuredClone(namespaces) as never }, ...(annotations ? { annotations } : {}) };
  makeNamespacesModifier(mergeInputs({ isolation: { namespaces: profileNs } }, { host: hostFacts({ namespaces: facts }) })).apply({ spec, hostActions: [] });
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

  it.each<{ name: string; input: Array<{ type: string; path?: string }> }>([
    { name: "the pod's CNI netns pinned by the engine (pause container)", input: withNet(POD_NETNS) },
    { name: "the sandbox container's namespaces (a pod's workload)", input: [{ type: 'pid' }, { type: 'mount' }, { type: 'uts' }, { type: 'network', path: SANDBOX_NET }, { type: 'ipc', path: '/proc/4242/ns/ipc' }] },
    { name: "the sandbox's user namespace (Kubernetes' own pod user namespaces: joined, never replaced)", input: [{ type: 'pid' }, { type: 'mount' }, { type: 'uts' }, { type: 'network', path: SANDBOX_NET }, { type: 'ipc', path: '/proc/4242/ns/ipc' }, { type: 'user', path: '/proc/4242/ns/user' }] },
  ])('keeps a joined namespace that is not the host\'s and belongs to the engine: $name', ({ input }) => {
    const kept = input.map((n) => n.type + (n.path ? `=${n.path}` : ''));
    // A profile with a user namespace adds its own where the spec has none.
    const expected = input.some((n) => n.type === 'user') ? kept : [...kept, 'user'];
    expect(apply({ network: 'isolated', ipc: 'isolated', uts: 'isolated', pid: 'isolated', mount: 'isolated', user: 'isolated-with-uid-mapping' }, input, FACTS, CRI)).toEqual(expected);
  });

  it.each([
    { path: '/proc/1/ns/net', reason: /it is the host's own namespace/ },
    { path: '/run/containerd/io.containerd.grpc.v1.cri/netns/host', reason: /it is the host's own namespace/ },
    { path: '/proc/77/ns/net', reason: /belongs neither to a container of this engine/ },
    { path: '/run/netns/vpn', reason: /belongs neither to a container of this engine/ },
    { path: '/tmp/not-a-ns', reason: /not a namespace file/ },
    { path: '/proc/999/ns/net', reason: /does not exist or cannot be read/ },
    { path: '/proc/5/ns/net', reason: /nothing is known about it/ },
  ])('refuses joining $path ($reason)', ({ path, reason }) => {
    expect(() => apply({ network: 'isolated' }, withNet(path), FACTS)).toThrow(reason);
  });

  it.each([
    { type: 'network', hostOption: 'hostNetwork: true' },
    { type: 'pid', hostOption: 'hostPID: true' },
    { type: 'ipc', hostOption: 'hostIPC: true' },
  ])('a pod without its own $type namespace is refused in pod-spec terms ($hostOption)', ({ type, hostOption }) => {
    let err: any;
    try {
      apply({ [type]: 'isolated' }, RUNC_DEFAULT.filter((n) => n.type !== type), {}, CRI);
    } catch (e) {
      err = e;
    }
    expect(err?.message).toContain(`(${hostOption} in the pod spec)`);
    expect(err?.fix).toContain(`remove ${hostOption} from the pod spec`);
    expect(err?.fix).toContain('RuntimeClass');
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
