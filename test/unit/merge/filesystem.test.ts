import { describe, expect, it } from 'vitest';
import { makeFilesystemModifier, DEFAULT_MASKED_PATHS } from '../../../shim/merge/filesystem.js';
import type { HostAction, PathFacts } from '../../../shim/merge/types.js';
import type { Spec, SpecMount } from '../../../shim/spec/types.js';
import { hostFacts, mergeInputs } from '../../helpers/merge-inputs.js';

const DOCKER_ID = 'a'.repeat(64);
const DOCKER_MOUNTS: SpecMount[] = [
  { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
  { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
  { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
  { destination: '/etc/resolv.conf', type: 'bind', source: `/var/lib/docker/containers/${DOCKER_ID}/resolv.conf`, options: ['rbind', 'rprivate'] },
  { destination: '/etc/hosts', type: 'bind', source: `/var/lib/docker/containers/${DOCKER_ID}/hosts`, options: ['rbind', 'rprivate'] },
];

const SMYTHOS_FS = {
  readonlyRootfs: true,
  allowedBindMounts: [
    { source: '/tmp/input', destination: '/input', readonly: true, create: true },
    { source: '/tmp/output', destination: '/output', readonly: false, create: true },
  ],
};

function run(fs: Record<string, unknown>, mounts: SpecMount[], paths: Record<string, PathFacts> = {}, annotations?: Record<string, string>, containerId = DOCKER_ID) {
  const spec: Spec = { root: { path: 'rootfs' }, mounts: structuredClone(mounts), linux: {}, ...(annotations ? { annotations } : {}) };
  const hostActions: HostAction[] = [];
  makeFilesystemModifier(mergeInputs({ filesystem: fs }, { containerId, host: hostFacts({ paths }) })).apply({ spec, hostActions });
  return { spec, hostActions };
}

const exists = (p: string, extra: Partial<PathFacts> = {}): PathFacts => ({ exists: true, realPath: p, isDirectory: true, uid: 0, gid: 0, ...extra });

describe('filesystem modifier', () => {
  it('keeps Docker kernel mounts and its per-container files, adds the profile binds hardened', () => {
    const { spec, hostActions } = run(SMYTHOS_FS, DOCKER_MOUNTS, { '/tmp/output': exists('/tmp/output') });
    expect(spec.root!.readonly).toBe(true);
    // Docker's own files for this container stay, hardened as data files.
    expect(spec.mounts!.slice(0, DOCKER_MOUNTS.length)).toEqual(DOCKER_MOUNTS.map((m) => (m.type === 'bind' ? { ...m, options: [...m.options!, 'nosuid', 'nodev', 'noexec'] } : m)));
    const input = spec.mounts!.find((m) => m.destination === '/input')!;
    const output = spec.mounts!.find((m) => m.destination === '/output')!;
    expect(input.options).toEqual(expect.arrayContaining(['ro', 'nosuid', 'nodev', 'noexec']));
    expect(output.options).toEqual(expect.arrayContaining(['rw', 'nosuid', 'nodev', 'noexec']));
    expect(output.options).not.toContain('ro');
    expect(hostActions).toEqual([{ kind: 'mkdir', path: '/tmp/input' }]);
  });

  it('an allowed caller bind is kept once and made read-only as the profile says', () => {
    const { spec } = run(SMYTHOS_FS, [{ destination: '/input', type: 'bind', source: '/tmp/input', options: ['rbind', 'rw'] }], {
      '/tmp/input': exists('/tmp/input'),
      '/tmp/output': exists('/tmp/output'),
    });
    const inputs = spec.mounts!.filter((m) => m.destination === '/input');
    expect(inputs).toHaveLength(1);
    expect(inputs[0]!.options).toContain('ro');
    expect(inputs[0]!.options).not.toContain('rw');
  });

  it.each([
    { name: 'a host directory not in the allow-list', mount: { destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind'] }, msg: /not in profile "test"'s allowedBindMounts/ },
    { name: '/etc', mount: { destination: '/host-etc', type: 'bind', source: '/etc', options: ['rbind'] }, msg: /under \/etc/ },
    { name: 'the docker socket', mount: { destination: '/var/run/docker.sock', type: 'bind', source: '/srv/docker.sock', options: ['rbind'] }, msg: /engine socket/ },
    { name: 'the host root', mount: { destination: '/host', type: 'bind', source: '/', options: ['rbind'] }, msg: /host root/ },
    { name: 'a symlink that resolves into /proc', mount: { destination: '/x', type: 'bind', source: '/tmp/link', options: ['bind'] }, paths: { '/tmp/link': exists('/proc/1') }, msg: /under \/proc/ },
    { name: 'an engine file name at the wrong destination', mount: { destination: '/etc/passwd', type: 'bind', source: `/var/lib/docker/containers/${DOCKER_ID}/hosts`, options: ['rbind'] }, msg: /under \/var\/lib\/docker/ },
    { name: 'a block device mount', mount: { destination: '/mnt', type: 'ext4', source: '/dev/sda1', options: [] }, msg: /not a kernel filesystem/ },
  ])('refuses $name, naming the mount', ({ mount, msg, paths }) => {
    const mounts = [...DOCKER_MOUNTS, mount as SpecMount];
    let err: any;
    try {
      run(SMYTHOS_FS, mounts, { '/tmp/input': exists('/tmp/input'), '/tmp/output': exists('/tmp/output'), ...(paths ?? {}) });
    } catch (e) {
      err = e;
    }
    expect(err?.message).toMatch(msg);
    expect(err?.field).toBe(`mounts[${DOCKER_MOUNTS.length}]`);
    expect(err?.fix).toBeTruthy();
  });

  const POD = '0123abcd-0123-4567-89ab-0123456789ab';
  const SANDBOX = 'b'.repeat(64);
  /** What containerd's CRI plugin writes into a pod container's config.json. */
  const CRI = { 'io.kubernetes.cri.container-type': 'container', 'io.kubernetes.cri.sandbox-id': SANDBOX, 'io.kubernetes.cri.sandbox-uid': POD, 'io.kubernetes.cri.container-name': 'app' };
  const DATA = ['rbind', 'rprivate', 'nosuid', 'nodev', 'noexec'];
  it.each([
    { destination: '/etc/hosts', source: `/var/lib/kubelet/pods/${POD}/etc-hosts`, options: DATA },
    { destination: '/dev/termination-log', source: `/var/lib/kubelet/pods/${POD}/containers/app/0a1b2c3d`, options: DATA },
    { destination: '/var/run/secrets/kubernetes.io/serviceaccount', source: `/var/lib/kubelet/pods/${POD}/volumes/kubernetes.io~projected/kube-api-access-x1`, options: ['rbind', 'rprivate', 'nosuid', 'nodev'] },
    { destination: '/scratch', source: `/var/lib/kubelet/pods/${POD}/volumes/kubernetes.io~empty-dir/scratch`, options: ['rbind', 'rprivate', 'nosuid', 'nodev'] },
    { destination: '/etc/resolv.conf', source: `/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/${SANDBOX}/resolv.conf`, options: DATA },
    { destination: '/dev/shm', source: `/run/containerd/io.containerd.grpc.v1.cri/sandboxes/${SANDBOX}/shm`, options: DATA },
  ])('accepts the pod file $source -> $destination (hardened as data)', ({ destination, source, options }) => {
    const { spec } = run({}, [{ destination, type: 'bind', source, options: ['rbind', 'rprivate'] }], {}, CRI, 'c'.repeat(64));
    expect(spec.mounts).toEqual([{ destination, type: 'bind', source, options }]);
  });

  it.each([
    { name: "another container's Docker hosts file", destination: '/etc/hosts', source: `/var/lib/docker/containers/${'e'.repeat(64)}/hosts`, annotations: undefined },
    { name: "another pod's kubelet etc-hosts", destination: '/etc/hosts', source: `/var/lib/kubelet/pods/ffffffff-0123-4567-89ab-0123456789ab/etc-hosts`, annotations: CRI },
    { name: "another sandbox's resolv.conf", destination: '/etc/resolv.conf', source: `/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/${'e'.repeat(64)}/resolv.conf`, annotations: CRI },
    { name: 'an etc-hosts under a kubelet root not in the config', destination: '/etc/hosts', source: `/srv/kubelet/pods/${POD}/etc-hosts`, annotations: CRI },
    { name: "another container's termination log", destination: '/dev/termination-log', source: `/var/lib/kubelet/pods/${POD}/containers/other/0a1b2c3d`, annotations: CRI },
    { name: 'a sandbox id that climbs out', destination: '/etc/hosts', source: '/var/lib/containerd/io.containerd.grpc.v1.cri/hosts', annotations: { ...CRI, 'io.kubernetes.cri.sandbox-id': '..' } },
    { name: "another Podman container's hosts", destination: '/etc/hosts', source: `/var/lib/containers/storage/overlay-containers/${'e'.repeat(64)}/userdata/hosts`, annotations: { 'io.container.manager': 'libpod' } },
  ])('refuses $name (a file name alone is not the engine\'s file for this container)', ({ destination, source, annotations }) => {
    expect(() => run({}, [{ destination, type: 'bind', source, options: ['rbind'] }], {}, annotations)).toThrow(/allowedBindMounts|never allows it/);
  });

  it('a pod\'s hostPath volume is refused with a fix in pod-spec terms', () => {
    let err: any;
    try {
      run({}, [{ destination: '/host-etc', type: 'bind', source: '/etc', options: ['rbind'] }], {}, CRI);
    } catch (e) {
      err = e;
    }
    expect(err?.message).toMatch(/under \/etc; profile "test" never allows it/);
    expect(err?.fix).toBe('remove the hostPath volume for /host-etc from the pod spec; use an emptyDir or a dedicated directory the profile allows');
  });

  it.each([
    { destination: '/run/.containerenv', file: '.containerenv', root: '/run/containers/storage' },
    { destination: '/etc/hosts', file: 'hosts', root: '/run/containers/storage' },
    { destination: '/etc/hostname', file: 'hostname', root: '/run/containers/storage' },
    { destination: '/dev/shm', file: 'shm', root: '/var/lib/containers/storage' },
  ])("accepts Podman's $file for its own container", ({ destination, file, root }) => {
    const source = `${root}/overlay-containers/${DOCKER_ID}/userdata/${file}`;
    const { spec } = run({}, [{ destination, type: 'bind', source, options: ['bind', 'rprivate'] }], {}, { 'io.container.manager': 'libpod' });
    expect(spec.mounts?.[0]?.options).toEqual(['bind', 'rprivate', 'nosuid', 'nodev', 'noexec']);
  });

  it('a profile without allowedBindMounts allows no host binds', () => {
    expect(() => run({}, [{ destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind'] }])).toThrow(/allowedBindMounts \(none\)/);
  });

  it('refuses a profile bind of a sensitive source', () => {
    expect(() => run({ allowedBindMounts: [{ source: '/etc/ssl', destination: '/ssl' }] }, [])).toThrow(/spec.filesystem.allowedBindMounts\[0\].source: bind source \/etc\/ssl is under \/etc/);
  });

  it('a missing source without create is an error naming the profile field', () => {
    expect(() => run({ allowedBindMounts: [{ source: '/srv/in', destination: '/in' }] }, [])).toThrow(/allowedBindMounts\[0\]\.source: bind source \/srv\/in does not exist/);
  });

  it('masked and read-only paths are at least Docker defaults, plus the profile and caller', () => {
    const spec: Spec = { linux: { maskedPaths: ['/proc/custom'] } };
    makeFilesystemModifier(mergeInputs({ filesystem: { maskedPaths: ['/proc/extra'] } })).apply({ spec, hostActions: [] });
    expect(spec.linux!.maskedPaths).toEqual(['/proc/custom', ...DEFAULT_MASKED_PATHS, '/proc/extra']);
    expect(spec.linux!.readonlyPaths).toContain('/proc/sysrq-trigger');
  });

  it('a caller read-only root stays read-only', () => {
    const spec: Spec = { root: { path: 'rootfs', readonly: true } };
    makeFilesystemModifier(mergeInputs({ filesystem: { readonlyRootfs: false } })).apply({ spec, hostActions: [] });
    expect(spec.root!.readonly).toBe(true);
  });
});
