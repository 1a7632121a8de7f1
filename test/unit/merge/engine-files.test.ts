/** merge/engine-files.ts: an engine's per-container file is recognised by root AND ownership, never by name alone. */
import { describe, expect, it } from 'vitest';
import { engineFileOf, type EngineFileContext } from '../../../shim/merge/engine-files.js';
import { RuntimeConfigSchema } from '../../../shim/config/schema.js';
import { containerdStateOfBundle } from '../../../shim/oci/bundle.js';

const ID = 'a'.repeat(64);
const SANDBOX = 'b'.repeat(64);
const POD = '0123abcd-0123-4567-89ab-0123456789ab';
const CRI = { 'io.kubernetes.cri.sandbox-id': SANDBOX, 'io.kubernetes.cri.sandbox-uid': POD, 'io.kubernetes.cri.container-name': 'app' };

function ctx(over: Partial<EngineFileContext> = {}, engines: Record<string, unknown> = {}): EngineFileContext {
  return { containerId: ID, annotations: CRI, engines: RuntimeConfigSchema.parse({ engines }).engines, realRoots: {}, ...over };
}

describe('engineFileOf', () => {
  it.each([
    { name: 'kubelet etc-hosts under a configured --root-dir', dest: '/etc/hosts', src: `/srv/kubelet/pods/${POD}/etc-hosts`, engines: { kubelet_roots: ['/srv/kubelet'] }, engine: 'kubelet' },
    { name: 'a root configured through a symlink (real path from host facts)', dest: '/etc/hosts', src: `/data/kubelet/pods/${POD}/etc-hosts`, engines: { kubelet_roots: ['/var/lib/kubelet'] }, realRoots: { '/var/lib/kubelet': '/data/kubelet' }, engine: 'kubelet' },
    { name: 'CRI sandbox file under the state dir read off the bundle', dest: '/dev/shm', src: `/srv/ctd-state/io.containerd.grpc.v1.cri/sandboxes/${SANDBOX}/shm`, engines: { containerd_roots: [] }, bundle: '/srv/ctd-state/io.containerd.runtime.v2.task/k8s.io/x', engine: 'containerd-cri' },
    { name: 'Docker file under a configured data root', dest: '/etc/hosts', src: `/srv/docker/containers/${ID}/hosts`, engines: { docker_roots: ['/srv/docker'] }, engine: 'docker' },
  ])('accepts $name', ({ dest, src, engines, realRoots, bundle, engine }) => {
    const c = ctx({ realRoots: realRoots ?? {}, ...(bundle ? { containerdStateFromBundle: containerdStateOfBundle(bundle) } : {}) }, engines);
    expect(engineFileOf(dest, src, c)?.engine).toBe(engine);
  });

  it.each([
    { name: 'kubelet etc-hosts under the default root once the root is configured elsewhere', dest: '/etc/hosts', src: `/var/lib/kubelet/pods/${POD}/etc-hosts`, engines: { kubelet_roots: ['/srv/kubelet'] } },
    { name: 'Docker file outside the configured data root', dest: '/etc/hosts', src: `/tmp/x/containers/${ID}/hosts`, engines: { docker_roots: ['/var/lib/docker'] } },
    { name: 'a file deeper below the per-container directory', dest: '/etc/hosts', src: `/var/lib/kubelet/pods/${POD}/x/etc-hosts`, engines: {} },
    { name: 'a Docker file at another destination', dest: '/etc/shadow', src: `/var/lib/docker/containers/${ID}/hosts`, engines: {} },
    { name: 'a CRI file without the CRI annotations', dest: '/etc/hosts', src: `/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/${SANDBOX}/hosts`, engines: {}, annotations: {} },
  ])('refuses $name', ({ dest, src, engines, annotations }) => {
    expect(engineFileOf(dest, src, ctx(annotations ? { annotations } : {}, engines))).toBeUndefined();
  });

  it('reads containerd\'s state dir off a task bundle only', () => {
    expect(containerdStateOfBundle('/run/containerd/io.containerd.runtime.v2.task/k8s.io/abc')).toBe('/run/containerd');
    expect(containerdStateOfBundle('/run/containerd/io.containerd.runtime.v2.task/k8s.io/abc/extra')).toBeUndefined();
    expect(containerdStateOfBundle('/var/lib/docker/containers/abc')).toBeUndefined();
  });
});
