/**
 * Golden tests: each shipped profile merged into config.json exactly as Docker 20.10 and
 * containerd 1.6 hand it to their runtime (captured by capture-fixtures.sh), compared with
 * the expected file under expected/. Host facts are fixed so the result depends only on
 * the profile and the input. After a deliberate change, regenerate with
 *   UPDATE_GOLDEN=1 npx vitest run test/golden
 * and review the diff of expected/ like code.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { capturedContainerId, capturedEngineHost } from '../helpers/merge-inputs.js';
import { fileURLToPath } from 'node:url';
import { parseJsonLossless, stringifyJsonLossless, jsonEqual } from '../../shim/util/json.js';
import { parseProfileText, readProfileFile } from '../../shim/profile/load.js';
import { RuntimeConfigSchema } from '../../shim/config/schema.js';
import { compileProfileSeccomp } from '../../shim/profile/compile-profile.js';
import { compileInputsOf } from '../../shim/profile/compile-inputs.js';
import { mergeSpec } from '../../shim/merge/index.js';
import type { Spec } from '../../shim/oci/types.js';
import { concreteBinds } from '../../shim/profile/binds.js';
import type { HostFacts, JoinedNamespaceFacts, PathFacts } from '../../shim/host/types.js';
import { isCriSandbox } from '../../shim/oci/caller.js';
import { CRI_SANDBOX_PROFILE_PATH, sandboxProfile } from '../../shim/profile/pod-sandbox.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PROFILES = join(HERE, '..', '..', 'profiles');
const FIXTURES = join(HERE, 'fixtures');
const EXPECTED = join(HERE, 'expected');
const update = process.env.UPDATE_GOLDEN === '1';

const profiles = readdirSync(PROFILES).filter((f) => f.endsWith('.yaml')).sort();
const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();

/** Fixed host: no GPUs, every profile bind source exists and is root-owned, the rootfs is
 * reachable for runc-style bundles and not for Docker's overlay (its data root is 0710), the
 * process behind Docker's /proc/<pid>/exe hook is the root dockerd that captured the fixture
 * and its exec root is root's, and the container's cgroup does not exist yet. */
function hostFor(fixture: string, spec: Spec, profileBinds: string[]): HostFacts {
  const paths: Record<string, PathFacts> = {};
  for (const m of spec.mounts ?? []) if (m.source?.startsWith('/')) paths[m.source] = { exists: true, realPath: m.source, isDirectory: false, uid: 0, gid: 0 };
  for (const p of profileBinds) paths[p] = { exists: true, realPath: p, isDirectory: true, uid: 0, gid: 0 };
  // CRI pods join namespaces by path: the pause container's (/proc/<pid>/ns/*) and the CNI netns
  // containerd pinned; as host/namespace-facts.ts reports them on a node.
  const namespaces: Record<string, JoinedNamespaceFacts> = {};
  for (const ns of spec.linux?.namespaces ?? []) {
    if (!ns.path) continue;
    const pid = /^\/proc\/(\d+)\/ns\//.exec(ns.path)?.[1];
    namespaces[ns.path] = { exists: true, isNamespace: true, isHost: false, owner: pid ? { kind: 'container', id: 'sandbox', pid: Number(pid) } : { kind: 'engine-netns', dir: ns.path.slice(0, ns.path.lastIndexOf('/')) } };
  }
  return { nvidiaDevices: [], paths, rootfsTraversableByOthers: !fixture.startsWith('docker'), rootfsSelfTraversable: true, missingMountpoints: [], ...capturedEngineHost(spec), cgroup: { occupied: false, hasChildren: false }, namespaces };
}

describe('golden: shipped profile x engine config.json', () => {
  for (const profileFile of profiles) {
    for (const fixture of fixtures) {
      const name = `${profileFile.replace(/\.yaml$/, '')}.${fixture}`;
      it(name, () => {
        const input = parseJsonLossless(readFileSync(join(FIXTURES, fixture), 'utf8')) as Spec;
        const chosen = { ...readProfileFile(join(PROFILES, profileFile)), path: `profiles/${profileFile}` };
        const config = RuntimeConfigSchema.parse({});
        // As the pipeline does: a CRI pod sandbox gets the pause policy with the chosen profile's namespaces.
        const sandbox = isCriSandbox(input) ? { ...readProfileFile(CRI_SANDBOX_PROFILE_PATH), path: 'profiles/internal/cri-sandbox.yaml' } : undefined;
        const profile = sandbox ? sandboxProfile(sandbox, chosen) : chosen;
        const binds = concreteBinds(profile.profile.spec.filesystem?.allowedBindMounts ?? [], config.jobs.dir, capturedContainerId(input)).map((b) => b.source);
        const merged = mergeSpec(input, {
          profile,
          compiledFilter: compileProfileSeccomp(profile, compileInputsOf(config)),
          config,
          containerId: capturedContainerId(input),
          ...(sandbox ? { podProfile: chosen } : {}),
          host: hostFor(fixture, input, binds),
          bundle: '/bundle',
          cleanupHookPath: '/opt/openclaw/hooks/openclaw-poststop',
          specFile: 'config.json',
        }).spec;
        const text = stringifyJsonLossless(merged, 2) + '\n';
        const expectedPath = join(EXPECTED, name);
        if (update || !existsSync(expectedPath)) {
          mkdirSync(EXPECTED, { recursive: true });
          writeFileSync(expectedPath, text);
          if (!update) throw new Error(`${expectedPath} did not exist; written now, review and commit it`);
        }
        expect(text).toBe(readFileSync(expectedPath, 'utf8'));
      });
    }
  }

  it('no profile (an empty spec section) changes nothing but the applied-profile annotations', () => {
    for (const fixture of fixtures) {
      const input = parseJsonLossless(readFileSync(join(FIXTURES, fixture), 'utf8')) as Spec;
      const profileText = 'apiVersion: security.openclaw.org/v1alpha1\nkind: SandboxProfile\nmetadata: { name: empty }\nspec: {}\n';
      const profile = parseProfileText(Buffer.from(profileText), 'empty.yaml');
      const merged = mergeSpec(input, {
        profile,
        config: RuntimeConfigSchema.parse({}),
        containerId: capturedContainerId(input),
        host: hostFor(fixture, input, []),
        bundle: '/bundle',
        cleanupHookPath: '/opt/openclaw/hooks/openclaw-poststop',
        specFile: 'config.json',
      }).spec;
      const { annotations, ...rest } = merged;
      const { annotations: inAnn, ...inRest } = input;
      expect(jsonEqual(rest, inRest)).toBe(true);
      expect(Object.keys(annotations ?? {}).filter((k) => !(k in (inAnn ?? {})))).toEqual(['org.openclaw.profile.applied', 'org.openclaw.profile.sha256']);
    }
  });
});

describe('golden: CDI devices (nvidia-ctk shaped spec) under model-backend', () => {
  // A pod's sandbox gets the fixed pause policy, never devices.
  for (const fixture of fixtures.filter((f) => !f.includes('sandbox'))) {
    const name = `cdi-model-backend-gpu-all.${fixture}`;
    it(name, async () => {
      const { parse } = await import('yaml');
      const { CdiSpecSchema } = await import('../../shim/cdi/schema.js');
      const { resolveCdiDevices } = await import('../../shim/cdi/resolve.js');
      const input = parseJsonLossless(readFileSync(join(FIXTURES, fixture), 'utf8')) as Spec;
      const base = readFileSync(join(PROFILES, 'model-backend.yaml'), 'utf8');
      const profile = parseProfileText(Buffer.from(base.replace(/^    gpus: none$/m, '    cdi: [nvidia.com/gpu=all]')), 'profiles/model-backend-gpu.yaml');
      const config = RuntimeConfigSchema.parse({});
      const cdiSpec = CdiSpecSchema.parse(parse(readFileSync(join(HERE, '..', 'fixtures', 'cdi', 'nvidia.yaml'), 'utf8')));
      const blocks = resolveCdiDevices([{ name: 'nvidia.com/gpu=all', file: 'profiles/model-backend-gpu.yaml', field: 'spec.devices.cdi[0]', fix: '' }], [{ file: '/etc/cdi/nvidia.yaml', priority: 0, spec: cdiSpec }]);
      const node = (major: number, minor: number) => ({ ok: true as const, type: 'c' as const, major, minor, fileMode: 0o666 });
      const merged = mergeSpec(input, {
        profile,
        compiledFilter: compileProfileSeccomp(profile, compileInputsOf(config)),
        config,
        containerId: capturedContainerId(input),
        host: {
          ...hostFor(fixture, input, []),
          cdi: {
            blocks,
            nodes: { '/dev/nvidia0': node(195, 0), '/dev/nvidia1': node(195, 1), '/dev/nvidiactl': node(195, 255), '/dev/nvidia-uvm': node(508, 0) },
            hooks: { '/usr/bin/nvidia-cdi-hook': { ok: true } },
            gpusViaCdi: false,
          },
        },
        bundle: '/bundle',
        cleanupHookPath: '/opt/openclaw/hooks/openclaw-poststop',
        specFile: 'config.json',
      }).spec;
      const text = stringifyJsonLossless(merged, 2) + '\n';
      const expectedPath = join(EXPECTED, name);
      if (update || !existsSync(expectedPath)) {
        writeFileSync(expectedPath, text);
        if (!update) throw new Error(`${expectedPath} did not exist; written now, review and commit it`);
      }
      expect(text).toBe(readFileSync(expectedPath, 'utf8'));
    });
  }
});

describe('golden: audit mode (smythos-alternative with syscallFilter.audit) under Docker\'s default filter', () => {
  const fixture = 'docker-20.10-busybox.config.json';
  const name = `audit-smythos-alternative.${fixture}`;
  it(name, () => {
    const input = parseJsonLossless(readFileSync(join(FIXTURES, fixture), 'utf8')) as Spec;
    const base = readFileSync(join(PROFILES, 'smythos-alternative.yaml'), 'utf8');
    const audited = base.replace(/^( {4}syscallFilter:\n)/m, '$1      audit: true\n');
    expect(audited).not.toBe(base);
    const profile = parseProfileText(Buffer.from(audited), 'profiles/smythos-alternative-audit.yaml');
    const config = RuntimeConfigSchema.parse({});
    const binds = concreteBinds(profile.profile.spec.filesystem?.allowedBindMounts ?? [], config.jobs.dir, capturedContainerId(input)).map((b) => b.source);
    const merged = mergeSpec(input, {
      profile,
      compiledFilter: compileProfileSeccomp(profile, compileInputsOf(config)),
      config,
      containerId: capturedContainerId(input),
      host: hostFor(fixture, input, binds),
      bundle: '/bundle',
      cleanupHookPath: '/opt/openclaw/hooks/openclaw-poststop',
      specFile: 'config.json',
    }).spec;
    expect(merged.annotations?.['org.openclaw.profile.applied']).toBe('smythos-alternative (audit)');
    // the ioctl allow-list's complement is too costly as NOTIFY rules: ioctl goes to the agent whole, with the denied requests
    expect(JSON.parse(merged.linux?.seccomp?.listenerMetadata ?? '{}').audit).toMatchObject({ enforced: [], conditional: { ioctl: { rule: [1, 'defaultAction'] } } });
    // Docker's own denials stay in the kernel: audit loosens only the profile's. mount, unshare,
    // keyctl are in neither allow-list: errno (Docker's default); ptrace Docker allows and the
    // profile denies: the agent's (logged, allowed in audit mode).
    const rules = merged.linux?.seccomp?.syscalls ?? [];
    const actionsOf = (n: string) => rules.filter((r) => r.names.includes(n)).map((r) => r.action);
    for (const n of ['mount', 'unshare', 'keyctl']) expect(actionsOf(n)).toEqual([]);
    expect(merged.linux?.seccomp?.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(actionsOf('ptrace')).toEqual(['SCMP_ACT_NOTIFY']);
    const text = stringifyJsonLossless(merged, 2) + '\n';
    const expectedPath = join(EXPECTED, name);
    if (update || !existsSync(expectedPath)) {
      writeFileSync(expectedPath, text);
      if (!update) throw new Error(`${expectedPath} did not exist; written now, review and commit it`);
    }
    expect(text).toBe(readFileSync(expectedPath, 'utf8'));
  });
});
