import { describe, expect, it } from 'vitest';
import { makeFilesystemModifier, DEFAULT_MASKED_PATHS } from '../../../shim/merge/filesystem.js';
import type { Spec, SpecMount } from '../../../shim/oci/types.js';
import { hostFacts, mergeInputs } from '../../helpers/merge-inputs.js';
import type { HostAction, PathFacts } from '../../../shim/host/types.js';

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

function run(fs: Record<string, unknown>, mounts: SpecMount[], paths: Record<string, PathFacts> = {}, opts: { userns?: boolean; containerId?: string; annotations?: Record<string, string> } = {}) {
  const linux: Spec['linux'] = opts.userns
    ? { namespaces: [{ type: 'user' }], uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }], gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }] }
    : {};
  const spec: Spec = { root: { path: 'rootfs' }, mounts: structuredClone(mounts), linux, ...(opts.annotations ? { annotations: opts.annotations } : {}) };
  const hostActions: HostAction[] = [];
  makeFilesystemModifier(mergeInputs({ filesystem: fs }, { host: hostFacts({ paths }), containerId: opts.containerId ?? DOCKER_ID })).apply({ spec, hostActions });
  return { spec, hostActions };
}

function thrown(f: () => unknown): any {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
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
    // /tmp/input is missing: created root's (read-only); /tmp/output exists: left as it is.
    expect(hostActions).toEqual([{ kind: 'mkdir', path: '/tmp/input', mode: 0o755, uid: 0, gid: 0, parentMode: 0o755, reuse: 'any' }]);
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
    { name: 'a host directory not in the allow-list', mount: { destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind'] }, msg: /not allowed under profile "test": neither the profile's spec.filesystem.allowedBindMounts/ },
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
    const { spec } = run({}, [{ destination, type: 'bind', source, options: ['rbind', 'rprivate'] }], {}, { annotations: CRI, containerId: 'c'.repeat(64) });
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
    expect(() => run({}, [{ destination, type: 'bind', source, options: ['rbind'] }], {}, { annotations })).toThrow(/allowedBindMounts|never allows it/);
  });

  it('a pod\'s hostPath volume is refused with a fix in pod-spec terms', () => {
    let err: any;
    try {
      run({}, [{ destination: '/host-etc', type: 'bind', source: '/etc', options: ['rbind'] }], {}, { annotations: CRI });
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
    const { spec } = run({}, [{ destination, type: 'bind', source, options: ['bind', 'rprivate'] }], {}, { annotations: { 'io.container.manager': 'libpod' } });
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

describe('filesystem modifier: host paths nobody else can swap', () => {
  const PER_CONTAINER = {
    allowedBindMounts: [
      { perContainer: 'input', destination: '/input', readonly: true },
      { perContainer: 'output', destination: '/output', readonly: false },
    ],
  };

  it.each([
    { name: 'a symlink', unsafe: '/tmp/output is a symlink' },
    { name: 'under a directory a user owns', unsafe: '/tmp/u is owned by uid 1000, not root' },
    { name: 'under a world-writable directory, owned by a user', unsafe: '/tmp is writable by all users (mode 1777), and /tmp/output is owned by uid 1000' },
  ])('refuses a profile bind source that is $name, naming the field', ({ unsafe }) => {
    const err = thrown(() => run(SMYTHOS_FS, [], { '/tmp/input': exists('/tmp/input'), '/tmp/output': exists('/tmp/output', { unsafe }) }));
    expect(err?.field).toBe('spec.filesystem.allowedBindMounts[1].source');
    expect(err?.message).toContain(`bind source /tmp/output is not safe to mount: ${unsafe}`);
    expect(err?.fix).toMatch(/owned by root and writable by nobody else/);
  });

  it('refuses a caller bind that matches an allowed source through a path another user could swap', () => {
    const err = thrown(() => run(SMYTHOS_FS, [{ destination: '/output', type: 'bind', source: '/tmp/link', options: ['rbind'] }], {
      '/tmp/input': exists('/tmp/input'),
      '/tmp/output': exists('/tmp/output'),
      '/tmp/link': exists('/tmp/output', { unsafe: '/tmp/link is a symlink' }),
    }));
    expect(err?.field).toBe('mounts[0]');
    expect(err?.message).toMatch(/not safe to mount: \/tmp\/link is a symlink/);
  });

  it('never chowns an existing writable source; creates a missing one for the mapped root', () => {
    const fs = { allowedBindMounts: [
      { source: '/srv/out', destination: '/out', readonly: false },
      { source: '/srv/new', destination: '/new', readonly: false, create: true },
      { source: '/srv/in', destination: '/in', readonly: true, create: true },
    ] };
    const { hostActions } = run(fs, [], { '/srv/out': exists('/srv/out'), '/srv/new': { exists: false }, '/srv/in': { exists: false } }, { userns: true });
    expect(hostActions).toEqual([
      { kind: 'mkdir', path: '/srv/new', mode: 0o755, uid: 100000, gid: 100000, parentMode: 0o755, reuse: 'any' },
      { kind: 'mkdir', path: '/srv/in', mode: 0o755, uid: 0, gid: 0, parentMode: 0o755, reuse: 'any' },
    ]);
  });

  it('refuses to create a writable source for the mapped root inside a directory other users may write', () => {
    const fs = { allowedBindMounts: [{ source: '/tmp/output', destination: '/output', readonly: false, create: true }] };
    const err = thrown(() => run(fs, [], { '/tmp/output': { exists: false, missingUnderSharedDir: '/tmp' } }, { userns: true }));
    expect(err?.field).toBe('spec.filesystem.allowedBindMounts[0].source');
    expect(err?.message).toMatch(/would be created for the container's root \(host uid 100000\) inside \/tmp/);
    expect(err?.fix).toMatch(/perContainer/);
  });

  it('perContainer: each container its own directories under jobs.dir, output 0700 for the mapped root, input 0750 root', () => {
    const a = run(PER_CONTAINER, [], {}, { userns: true, containerId: 'job-a' });
    const b = run(PER_CONTAINER, [], {}, { userns: true, containerId: 'job-b' });
    const sources = (r: typeof a) => r.spec.mounts!.filter((m) => m.type === 'bind').map((m) => `${m.destination}=${m.source}`);
    expect(sources(a)).toEqual(['/input=/var/lib/openclaw/jobs/job-a/input', '/output=/var/lib/openclaw/jobs/job-a/output']);
    expect(sources(b)).toEqual(['/input=/var/lib/openclaw/jobs/job-b/input', '/output=/var/lib/openclaw/jobs/job-b/output']);
    expect(a.hostActions).toEqual([
      { kind: 'job', jobsDir: '/var/lib/openclaw/jobs', id: 'job-a' },
      { kind: 'mkdir', path: '/var/lib/openclaw/jobs/job-a/input', mode: 0o750, uid: 0, gid: 100000, parentMode: 0o711, reuse: 'root-owned' },
      { kind: 'mkdir', path: '/var/lib/openclaw/jobs/job-a/output', mode: 0o700, uid: 100000, gid: 100000, parentMode: 0o711, reuse: 'same-owner' },
    ]);
    const out = a.spec.mounts!.find((m) => m.destination === '/output')!;
    expect(out.options).toEqual(expect.arrayContaining(['rw', 'nosuid', 'nodev', 'noexec']));
  });

  it('perContainer: a bundle merged before for another id gets this container\'s directories, not the other job\'s', () => {
    const first = run(PER_CONTAINER, [], {}, { userns: true, containerId: 'job-a' });
    const again = run(PER_CONTAINER, first.spec.mounts!, {}, { userns: true, containerId: 'job-b' });
    const binds = again.spec.mounts!.filter((m) => m.type === 'bind').map((m) => m.source);
    expect(binds).toEqual(['/var/lib/openclaw/jobs/job-b/input', '/var/lib/openclaw/jobs/job-b/output']);
    // The same id again: unchanged (merging twice equals once).
    const same = run(PER_CONTAINER, first.spec.mounts!, {}, { userns: true, containerId: 'job-a' });
    expect(same.spec.mounts).toEqual(first.spec.mounts);
  });

  it('perContainer without a user namespace: owned by host root', () => {
    const { hostActions } = run(PER_CONTAINER, [], {}, { containerId: 'j1' });
    expect(hostActions.filter((h) => h.kind === 'mkdir').map((h) => h.kind === 'mkdir' && [h.uid, h.gid, h.mode])).toEqual([[0, 0, 0o750], [0, 0, 0o700]]);
  });

  it.each(['..', '.', 'a/b', ''])('perContainer refuses the container id %j (it must be one path component)', (id) => {
    const err = thrown(() => run(PER_CONTAINER, [], {}, { userns: true, containerId: id || ' ' }));
    expect(err?.field).toBe('spec.filesystem.allowedBindMounts[0].perContainer');
    expect(err?.message).toMatch(/cannot name a directory of its own/);
  });

  it('perContainer refuses a jobs directory another user could swap', () => {
    const err = thrown(() => run(PER_CONTAINER, [], { '/var/lib/openclaw/jobs/c1/input': { exists: false, unsafe: '/var/lib/openclaw is owned by uid 1000, not root' } }, { userns: true, containerId: 'c1' }));
    expect(err?.field).toBe('spec.filesystem.allowedBindMounts[0].perContainer');
    expect(err?.message).toMatch(/jobs\.dir .*owned by uid 1000/);
    expect(err?.fix).toMatch(/\[jobs\] dir/);
  });
});
