import { describe, expect, it } from 'vitest';
import {
  addContainerdRuntime,
  removeContainerdRuntime,
  configVersion,
  chooseTarget,
  dropInPathFor,
  definesCriPlugin,
  isEmptyDropIn,
  type TargetFacts,
} from '../../../shim/install/containerd-config.js';
import { OpenclawError } from '../../../shim/errors.js';

const BIN = '/opt/openclaw/bin/openclaw-runtime';
const OURS = { runtime_type: 'io.containerd.runc.v2', pod_annotations: ['org.openclaw.*'], options: { BinaryName: BIN } };

describe('configVersion', () => {
  it.each([
    { input: {}, expected: 2 },
    { input: { version: 2 }, expected: 2 },
    { input: { version: 3 }, expected: 3 },
    { input: { root: '/var/lib/containerd' }, expected: 1 }, // containerd's rule: no version = 1
  ])('$input -> $expected', ({ input, expected }) => {
    expect(configVersion(input, 'c.toml')).toBe(expected);
  });
  it('refuses an unknown version, naming the field', () => {
    expect(() => configVersion({ version: 9 }, 'c.toml')).toThrow(OpenclawError);
    try {
      configVersion({ version: 9 }, 'c.toml');
    } catch (e) {
      expect((e as OpenclawError).field).toBe('version');
      expect((e as OpenclawError).file).toBe('c.toml');
    }
  });
});

describe('addContainerdRuntime', () => {
  const cases = [
    {
      name: 'empty config: version 2 and the CRI runtime',
      input: {},
      expected: { version: 2, plugins: { 'io.containerd.grpc.v1.cri': { containerd: { runtimes: { openclaw: OURS } } } } },
    },
    {
      name: 'version 3 uses the 2.0 plugin name',
      input: { version: 3 },
      expected: { version: 3, plugins: { 'io.containerd.cri.v1.runtime': { containerd: { runtimes: { openclaw: OURS } } } } },
    },
    {
      name: 'version 1 uses plugins.cri',
      input: { root: '/r' },
      expected: { root: '/r', plugins: { cri: { containerd: { runtimes: { openclaw: OURS } } } } },
    },
    {
      name: 'keeps other plugin settings and follows runc\'s SystemdCgroup',
      input: {
        version: 2,
        plugins: { 'io.containerd.grpc.v1.cri': { sandbox_image: 'p:1', containerd: { runtimes: { runc: { runtime_type: 'io.containerd.runc.v2', options: { SystemdCgroup: true } } } } } },
      },
      expected: {
        version: 2,
        plugins: {
          'io.containerd.grpc.v1.cri': {
            sandbox_image: 'p:1',
            containerd: {
              runtimes: {
                runc: { runtime_type: 'io.containerd.runc.v2', options: { SystemdCgroup: true } },
                openclaw: { ...OURS, options: { BinaryName: BIN, SystemdCgroup: true } },
              },
            },
          },
        },
      },
    },
    {
      name: 'updates an existing entry, keeping the operator\'s extra keys',
      input: { version: 2, plugins: { 'io.containerd.grpc.v1.cri': { containerd: { runtimes: { openclaw: { runtime_type: 'x', pod_annotations: ['a.*'], options: { BinaryName: '/old', Root: '/r' } } } } } } },
      expected: { version: 2, plugins: { 'io.containerd.grpc.v1.cri': { containerd: { runtimes: { openclaw: { runtime_type: 'io.containerd.runc.v2', pod_annotations: ['a.*', 'org.openclaw.*'], options: { BinaryName: BIN, Root: '/r' } } } } } } },
    },
  ];
  it.each(cases)('$name', ({ input, expected }) => {
    const snapshot = structuredClone(input);
    const r = addContainerdRuntime(input, { name: 'openclaw', binary: BIN });
    expect(r.config).toEqual(expected);
    expect(r.changed).toBe(true);
    expect(input).toEqual(snapshot);
    // idempotent
    const again = addContainerdRuntime(r.config, { name: 'openclaw', binary: BIN });
    expect(again.changed).toBe(false);
    expect(again.config).toEqual(r.config);
  });

  it('refuses a runtimes key that is not a table, naming its dotted path', () => {
    try {
      addContainerdRuntime({ version: 2, plugins: { 'io.containerd.grpc.v1.cri': { containerd: { runtimes: 'x' } } } }, { name: 'openclaw', binary: BIN }, 'c.toml');
      expect.unreachable();
    } catch (e) {
      expect((e as OpenclawError).field).toBe('plugins."io.containerd.grpc.v1.cri".containerd.runtimes');
    }
  });
});

describe('removeContainerdRuntime', () => {
  it('add then remove gives back the original', () => {
    const original = { version: 2, plugins: { 'io.containerd.grpc.v1.cri': { sandbox_image: 'p:1' } } };
    const added = addContainerdRuntime(original, { name: 'openclaw', binary: BIN }).config;
    const removed = removeContainerdRuntime(added, 'openclaw');
    expect(removed.changed).toBe(true);
    expect(removed.config).toEqual(original);
  });
  it('a drop-in holding only our runtime becomes empty', () => {
    const added = addContainerdRuntime({ version: 2 }, { name: 'openclaw', binary: BIN }).config;
    const removed = removeContainerdRuntime(added, 'openclaw').config;
    expect(isEmptyDropIn(removed)).toBe(true);
    expect(isEmptyDropIn(added)).toBe(false);
  });
  it('absent runtime: no change', () => {
    expect(removeContainerdRuntime({ version: 2 }, 'openclaw').changed).toBe(false);
  });
});

describe('chooseTarget (containerd < 2.0 replaces a plugin table whole on import)', () => {
  const DROP = '/etc/containerd/conf.d/openclaw.toml';
  const cases: Array<{ name: string; facts: TargetFacts; expected: ReturnType<typeof chooseTarget> }> = [
    { name: 'no imports: main', facts: { version: 2, mainDefinesCri: false, imported: [] }, expected: { kind: 'main' } },
    { name: 'glob import, nobody owns CRI: drop-in', facts: { version: 2, mainDefinesCri: false, imported: [], dropInPath: DROP }, expected: { kind: 'drop-in', path: DROP } },
    { name: 'glob import, main owns CRI: main', facts: { version: 2, mainDefinesCri: true, imported: [], dropInPath: DROP }, expected: { kind: 'main' } },
    {
      name: 'an imported file owns CRI: that file (the last one wins)',
      facts: { version: 2, mainDefinesCri: true, imported: [{ path: '/a.toml', definesCri: true }, { path: '/b.toml', definesCri: true }, { path: '/c.toml', definesCri: false }], dropInPath: DROP },
      expected: { kind: 'imported', path: '/b.toml' },
    },
    { name: 'our own drop-in already owns CRI: drop-in', facts: { version: 2, mainDefinesCri: false, imported: [{ path: DROP, definesCri: true }], dropInPath: DROP }, expected: { kind: 'drop-in', path: DROP } },
    { name: 'version 3 merges deeply: drop-in even if main owns CRI', facts: { version: 3, mainDefinesCri: true, imported: [{ path: '/a.toml', definesCri: true }], dropInPath: DROP }, expected: { kind: 'drop-in', path: DROP } },
    { name: 'version 3 without a glob: main', facts: { version: 3, mainDefinesCri: true, imported: [] }, expected: { kind: 'main' } },
  ];
  it.each(cases)('$name', ({ facts, expected }) => {
    expect(chooseTarget(facts)).toEqual(expected);
  });
});

describe('dropInPathFor', () => {
  it.each([
    { pattern: '/etc/containerd/conf.d/*.toml', name: 'openclaw', expected: '/etc/containerd/conf.d/openclaw.toml' },
    { pattern: '/etc/containerd/conf.d/*.toml', name: 'backend', expected: '/etc/containerd/conf.d/openclaw-backend.toml' },
    { pattern: '/etc/containerd/conf.d/*', name: 'openclaw', expected: '/etc/containerd/conf.d/openclaw' },
    { pattern: '/etc/containerd/*/x.toml', name: 'openclaw', expected: undefined },
    { pattern: '/etc/containerd/conf.d/[a-z].toml', name: 'openclaw', expected: undefined },
    { pattern: '/etc/containerd/extra.toml', name: 'openclaw', expected: undefined },
  ])('$pattern', ({ pattern, name, expected }) => {
    expect(dropInPathFor(pattern, name)).toBe(expected);
  });
});

describe('definesCriPlugin', () => {
  it.each([
    { config: { version: 2 }, version: 2, expected: false },
    { config: { plugins: { 'io.containerd.grpc.v1.cri': {} } }, version: 2, expected: true },
    { config: { plugins: { 'io.containerd.grpc.v1.cri': {} } }, version: 3, expected: false },
    { config: { plugins: { 'io.containerd.runtime.v1.linux': {} } }, version: 2, expected: false },
  ])('%#', ({ config, version, expected }) => {
    expect(definesCriPlugin(config, version)).toBe(expected);
  });
});
