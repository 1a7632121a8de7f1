import { describe, expect, it } from 'vitest';
import { addDockerRuntime, removeDockerRuntime, dockerRuntimeEntry } from '../../../shim/install/docker-config.js';
import { OpenclawError } from '../../../shim/errors.js';

const BIN = '/opt/openclaw/bin/openclaw-runtime';

describe('addDockerRuntime', () => {
  const cases: Array<{ name: string; input: Record<string, unknown>; opts: Parameters<typeof addDockerRuntime>[1]; expected: Record<string, unknown>; changed: boolean }> = [
    {
      name: 'empty config gets the runtime',
      input: {},
      opts: { name: 'openclaw', binary: BIN },
      expected: { runtimes: { openclaw: { path: BIN } } },
      changed: true,
    },
    {
      name: 'profile travels as runtimeArgs',
      input: {},
      opts: { name: 'openclaw', binary: BIN, profile: 'default' },
      expected: { runtimes: { openclaw: { path: BIN, runtimeArgs: ['--profile', 'default'] } } },
      changed: true,
    },
    {
      name: 'other keys and runtimes are kept, in order',
      input: { 'log-level': 'warn', runtimes: { nvidia: { path: '/usr/bin/nvidia-container-runtime' } }, 'storage-driver': 'overlay2' },
      opts: { name: 'openclaw', binary: BIN },
      expected: { 'log-level': 'warn', runtimes: { nvidia: { path: '/usr/bin/nvidia-container-runtime' }, openclaw: { path: BIN } }, 'storage-driver': 'overlay2' },
      changed: true,
    },
    {
      name: 'second profile is a second runtime',
      input: { runtimes: { openclaw: { path: BIN, runtimeArgs: ['--profile', 'default'] } } },
      opts: { name: 'openclaw-backend', binary: BIN, profile: 'model-backend' },
      expected: { runtimes: { openclaw: { path: BIN, runtimeArgs: ['--profile', 'default'] }, 'openclaw-backend': { path: BIN, runtimeArgs: ['--profile', 'model-backend'] } } },
      changed: true,
    },
    {
      name: 'idempotent: same entry, no change',
      input: { runtimes: { openclaw: { path: BIN, runtimeArgs: ['--profile', 'default'] } } },
      opts: { name: 'openclaw', binary: BIN, profile: 'default' },
      expected: { runtimes: { openclaw: { path: BIN, runtimeArgs: ['--profile', 'default'] } } },
      changed: false,
    },
    {
      name: 'set-default',
      input: { 'default-runtime': 'runc' },
      opts: { name: 'openclaw', binary: BIN, setDefault: true },
      expected: { 'default-runtime': 'openclaw', runtimes: { openclaw: { path: BIN } } },
      changed: true,
    },
    {
      name: 'openclaw config goes before the profile',
      input: {},
      opts: { name: 'openclaw', binary: BIN, profile: 'p', openclawConfig: '/etc/openclaw/x.toml' },
      expected: { runtimes: { openclaw: { path: BIN, runtimeArgs: ['--openclaw-config', '/etc/openclaw/x.toml', '--profile', 'p'] } } },
      changed: true,
    },
  ];
  it.each(cases)('$name', ({ input, opts, expected, changed }) => {
    const snapshot = structuredClone(input);
    const r = addDockerRuntime(input, opts);
    expect(r.config).toEqual(expected);
    expect(Object.keys(r.config)).toEqual(Object.keys(expected));
    expect(r.changed).toBe(changed);
    expect(input).toEqual(snapshot); // pure: the input is not modified
  });

  it.each([
    { name: 'runtimes not an object', input: { runtimes: [] }, field: 'runtimes' },
    { name: 'reserved name', input: {}, runtimeName: 'runc' },
    { name: 'relative binary', input: {}, binary: 'bin/openclaw-runtime' },
  ])('refuses: $name', ({ input, field, runtimeName, binary }) => {
    let err: unknown;
    try {
      addDockerRuntime(input, { name: runtimeName ?? 'openclaw', binary: binary ?? BIN }, '/etc/docker/daemon.json');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OpenclawError);
    if (field) expect((err as OpenclawError).field).toBe(field);
  });
});

describe('removeDockerRuntime', () => {
  it.each([
    { name: 'removes only ours', input: { runtimes: { openclaw: { path: BIN }, nvidia: { path: '/n' } } }, expected: { runtimes: { nvidia: { path: '/n' } } }, changed: true },
    { name: 'drops a runtimes map it emptied', input: { debug: true, runtimes: { openclaw: { path: BIN } } }, expected: { debug: true }, changed: true },
    { name: 'keeps an empty runtimes map it did not empty', input: { runtimes: {} }, expected: { runtimes: {} }, changed: false },
    { name: 'resets a default naming it', input: { 'default-runtime': 'openclaw', runtimes: { openclaw: { path: BIN } } }, expected: {}, changed: true },
    { name: 'keeps another default', input: { 'default-runtime': 'nvidia', runtimes: { nvidia: { path: '/n' } } }, expected: { 'default-runtime': 'nvidia', runtimes: { nvidia: { path: '/n' } } }, changed: false },
  ])('$name', ({ input, expected, changed }) => {
    const r = removeDockerRuntime(input, 'openclaw');
    expect(r.config).toEqual(expected);
    expect(r.changed).toBe(changed);
  });

  it('add then remove gives back the original', () => {
    const original = { 'log-driver': 'json-file', runtimes: { nvidia: { path: '/n' } } };
    const added = addDockerRuntime(original, { name: 'openclaw', binary: BIN, profile: 'default' }).config;
    expect(removeDockerRuntime(added, 'openclaw').config).toEqual(original);
  });
});

describe('dockerRuntimeEntry', () => {
  it('has no runtimeArgs without profile or config', () => {
    expect(dockerRuntimeEntry({ name: 'x', binary: BIN })).toEqual({ path: BIN });
  });
});
