/**
 * The admin's bind allow-list ([[binds.allowed]] in the runtime config): a caller's -v under a
 * profile that allows no host binds (`default`) passes only when an entry names its source for
 * that profile, hardened as the entry says, and only when nobody but root can swap it.
 */
import { describe, expect, it } from 'vitest';
import { makeFilesystemModifier, configBindFor } from '../../../shim/merge/filesystem.js';
import { RuntimeConfigSchema } from '../../../shim/config/schema.js';
import { parseConfigText } from '../../../shim/config/load.js';
import type { Spec, SpecMount } from '../../../shim/oci/types.js';
import { hostFacts, loadedProfile, mergeInputs } from '../../helpers/merge-inputs.js';
import type { HostAction, PathFacts } from '../../../shim/host/types.js';

const CONFIG_FILE = '/etc/openclaw/config.toml';
/** What `default` says about the filesystem: a section, no binds. */
const DEFAULT_FS = { readonlyRootfs: false, allowedBindMounts: [] };
const safe = (p: string): PathFacts => ({ exists: true, realPath: p, isDirectory: true, uid: 0, gid: 0, mode: 0o755 });

function run(binds: unknown[], mount: SpecMount, paths: Record<string, PathFacts>, opts: { profile?: string; fs?: Record<string, unknown> } = {}) {
  const config = RuntimeConfigSchema.parse({ binds: { allowed: binds } });
  const spec: Spec = { root: { path: 'rootfs' }, mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }, structuredClone(mount)] };
  const hostActions: HostAction[] = [];
  makeFilesystemModifier(mergeInputs({}, { profile: loadedProfile({ filesystem: opts.fs ?? DEFAULT_FS }, opts.profile ?? 'default'), config, configFile: CONFIG_FILE, host: hostFacts({ paths }) })).apply({ spec, hostActions });
  return { mount: spec.mounts![1]!, spec, hostActions };
}

function thrown(f: () => unknown): any {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a refusal');
}

const dockerV = (source: string, destination: string, extra: string[] = []): SpecMount => ({ destination, type: 'bind', source, options: ['rbind', 'rprivate', ...extra] });

describe('[[binds.allowed]]: the admin lets default take a host directory', () => {
  it('a listed read-only source is mounted ro, nosuid, nodev, noexec (the caller asked rw)', () => {
    const { mount } = run([{ source: '/srv/data', readonly: true, profiles: ['default'] }], dockerV('/srv/data', '/data', ['rw']), { '/srv/data': safe('/srv/data') });
    expect(mount.source).toBe('/srv/data');
    expect(mount.options).toEqual(['rbind', 'rprivate', 'nosuid', 'nodev', 'noexec', 'ro']);
  });

  it('a read-write entry keeps the mount writable; noexec = false leaves exec to the mount; a caller\'s ro stays', () => {
    const rw = run([{ source: '/srv/out', readonly: false, noexec: false, profiles: ['default'] }], dockerV('/srv/out', '/output'), { '/srv/out': safe('/srv/out') });
    expect(rw.mount.options).toEqual(['rbind', 'rprivate', 'nosuid', 'nodev']);
    const ro = run([{ source: '/srv/out', readonly: false, profiles: ['default'] }], dockerV('/srv/out', '/output', ['ro']), { '/srv/out': safe('/srv/out') });
    expect(ro.mount.options).toContain('ro');
    expect(ro.mount.options).toContain('noexec');
  });

  it('subdirectories = true allows any path below the source (one directory per job), not a sibling that shares its prefix', () => {
    const entry = { source: '/srv/jobs', subdirectories: true, readonly: true, profiles: ['default'] };
    expect(run([entry], dockerV('/srv/jobs/j1/input', '/input'), { '/srv/jobs/j1/input': safe('/srv/jobs/j1/input') }).mount.options).toContain('ro');
    expect(thrown(() => run([entry], dockerV('/srv/jobsX/in', '/input'), { '/srv/jobsX/in': safe('/srv/jobsX/in') })).message).toMatch(/not allowed under profile "default"/);
    expect(thrown(() => run([{ ...entry, subdirectories: false }], dockerV('/srv/jobs/j1', '/input'), { '/srv/jobs/j1': safe('/srv/jobs/j1') })).message).toMatch(/not allowed/);
  });

  it('an entry applies only to the profiles it names, and only at its destination when it has one', () => {
    expect(thrown(() => run([{ source: '/srv/data', readonly: true, profiles: ['model-backend'] }], dockerV('/srv/data', '/data'), { '/srv/data': safe('/srv/data') })).message).toMatch(/not allowed under profile "default"/);
    const at = { source: '/srv/data', readonly: true, destination: '/data', profiles: ['default'] };
    expect(run([at], dockerV('/srv/data', '/data'), { '/srv/data': safe('/srv/data') }).mount.options).toContain('ro');
    expect(thrown(() => run([at], dockerV('/srv/data', '/usr/bin'), { '/srv/data': safe('/srv/data') })).message).toMatch(/not allowed/);
  });

  it('a caller path with ".." is never matched against an entry (the sensitive floor or the allow-list refuses it)', () => {
    const entry = { source: '/srv/data', subdirectories: true, readonly: true, profiles: ['default'] };
    expect(thrown(() => run([entry], dockerV('/srv/data/../../srv/other', '/data'), { '/srv/data/../../srv/other': safe('/srv/other') })).message).toMatch(/not allowed/);
  });

  it('a listed source another user could swap is refused, naming the entry and the config file', () => {
    const entry = { source: '/srv/shared', subdirectories: true, readonly: false, profiles: ['default'] };
    const err = thrown(() => run([entry], dockerV('/srv/shared/job', '/data'), { '/srv/shared/job': { ...safe('/srv/shared/job'), unsafe: '/srv/shared is owned by uid 1000, not root' } }));
    expect(err.message).toMatch(/matches binds\.allowed\[0\]\.source in \/etc\/openclaw\/config\.toml but is not safe to mount: \/srv\/shared is owned by uid 1000/);
    expect(err.field).toBe('mounts[1]');
    expect(err.fix).toMatch(/owned by root and writable by nobody else/);
    // Facts missing (nothing examined it): refused, never assumed safe.
    expect(thrown(() => run([entry], dockerV('/srv/shared/job', '/data'), {})).message).toMatch(/not examined/);
    // A path that resolves elsewhere (a symlink on the way) is refused even if the walk missed it.
    expect(thrown(() => run([entry], dockerV('/srv/shared/job', '/data'), { '/srv/shared/job': safe('/srv/elsewhere') })).message).toMatch(/resolves to \/srv\/elsewhere/);
  });

  it('the sensitive floor holds: an entry cannot open /etc or an engine socket', () => {
    expect(thrown(() => run([{ source: '/etc', subdirectories: true, readonly: true, profiles: ['default'] }], dockerV('/etc/ssl', '/ssl'), { '/etc/ssl': safe('/etc/ssl') })).message).toMatch(/under \/etc/);
    expect(thrown(() => run([{ source: '/srv/docker.sock', readonly: true, profiles: ['default'] }], dockerV('/srv/docker.sock', '/s'), { '/srv/docker.sock': safe('/srv/docker.sock') })).message).toMatch(/engine socket/);
  });

  it('a bind on no list is refused naming -v / --mount, the config file and field, and the fix', () => {
    const err = thrown(() => run([], dockerV('/srv/data', '/data'), { '/srv/data': safe('/srv/data') }));
    expect(err.file).toBe('/bundle/config.json');
    expect(err.field).toBe('mounts[1]');
    expect(err.message).toMatch(/bind mount bind \/srv\/data -> \/data is not allowed under profile "default": neither the profile's spec\.filesystem\.allowedBindMounts \(none\) nor binds\.allowed in \/etc\/openclaw\/config\.toml lists \/srv\/data/);
    expect(err.fix).toMatch(/docker run -v \/srv\/data:\/data, or --mount type=bind,source=\/srv\/data,target=\/data/);
    expect(err.fix).toMatch(/\[\[binds\.allowed\]\] source = "\/srv\/data", readonly = true \(false for read-write\), profiles = \["default"\]/);
  });

  it('a profile\'s own bind at the same destination is still added (the admin entry does not displace it)', () => {
    const fs = { allowedBindMounts: [{ source: '/srv/own', destination: '/data', readonly: true }] };
    const { spec } = run([{ source: '/srv/data', readonly: false, profiles: ['default'] }], dockerV('/srv/data', '/data'), { '/srv/data': safe('/srv/data'), '/srv/own': safe('/srv/own') }, { fs });
    expect(spec.mounts!.filter((m) => m.destination === '/data').map((m) => m.source)).toEqual(['/srv/data', '/srv/own']);
  });
});

describe('[[binds.allowed]] in config.toml', () => {
  it('parses an entry with its defaults (subdirectories off, noexec on)', async () => {
    const c = await parseConfigText('[[binds.allowed]]\nsource = "/srv/data"\nreadonly = true\nprofiles = ["default"]\n', CONFIG_FILE);
    expect(c.binds.allowed).toEqual([{ source: '/srv/data', subdirectories: false, readonly: true, noexec: true, profiles: ['default'] }]);
    expect(configBindFor(c.binds.allowed, 'default', '/srv/data', '/x')?.index).toBe(0);
  });

  it.each([
    { name: 'readonly left out (access must be stated)', toml: 'source = "/srv/data"\nprofiles = ["default"]', field: 'binds.allowed[0].readonly', msg: /required: say readonly = true .* or readonly = false/ },
    { name: 'no profiles', toml: 'source = "/srv/data"\nreadonly = true\nprofiles = []', field: 'binds.allowed[0].profiles', msg: /name at least one profile/ },
    { name: 'a relative source', toml: 'source = "srv/data"\nreadonly = true\nprofiles = ["default"]', field: 'binds.allowed[0].source', msg: /absolute path/ },
    { name: 'a source with ".."', toml: 'source = "/srv/../etc"\nreadonly = true\nprofiles = ["default"]', field: 'binds.allowed[0].source', msg: /absolute path/ },
    { name: 'the host root', toml: 'source = "/"\nreadonly = true\nprofiles = ["default"]', field: 'binds.allowed[0].source', msg: /absolute path/ },
    { name: 'a misspelt key', toml: 'source = "/srv/data"\nreadonly = true\nprofiles = ["default"]\nreadOnly = true', field: 'binds.allowed[0].readOnly', msg: /unknown key/ },
  ])('refuses $name, naming the field', async ({ toml, field, msg }) => {
    const err = await parseConfigText(`[[binds.allowed]]\n${toml}\n`, CONFIG_FILE).then(() => undefined, (e) => e);
    expect(err?.file).toBe(CONFIG_FILE);
    expect(err?.field).toBe(field);
    expect(err?.message).toMatch(msg);
  });
});
