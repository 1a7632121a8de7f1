import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../shim/config/load.js';

describe('runtime config', () => {
  it('empty file means defaults', async () => {
    const c = await parseConfigText('', '/c.toml');
    expect(c.runtime.candidates).toEqual(['runc', 'crun']);
    expect(c.profiles.default).toBe('default');
    expect(c.annotations.allow_profile_selection).toBe(false);
    expect(c.userns).toEqual({ host_id: 100000, size: 65536 });
  });
  it('reads every section', async () => {
    const c = await parseConfigText(
      '[runtime]\ncandidates = ["/usr/sbin/runc"]\n[profiles]\ndirectories = ["/srv/p"]\ndefault = "smythos-alternative"\n[annotations]\nallow_profile_selection = true\nallowed_profiles = ["model-backend"]\n[userns]\nhost_id = 200000\nsize = 1000\n[log]\nfile = "/var/log/o.log"\nlevel = "debug"\n',
      '/c.toml',
    );
    expect(c.runtime.candidates).toEqual(['/usr/sbin/runc']);
    expect(c.profiles).toEqual({ directories: ['/srv/p'], default: 'smythos-alternative' });
    expect(c.annotations.allowed_profiles).toEqual(['model-backend']);
    expect(c.userns.host_id).toBe(200000);
    expect(c.log.level).toBe('debug');
  });
  it('reads the spec policy sections: hooks, cgroups, process, lsm', async () => {
    const c = await parseConfigText(
      '[hooks]\nallowed = ["/usr/libexec/oci/hooks.d/audit"]\n[cgroups]\nparents = ["/docker", "kubepods*.slice"]\n[process]\noom_score_adj_floor = -500\n[lsm]\nselinux_types = ["container_t"]\n',
      '/c.toml',
    );
    expect(c.hooks.allowed).toEqual(['/usr/libexec/oci/hooks.d/audit']);
    expect(c.cgroups.parents).toEqual(['/docker', 'kubepods*.slice']);
    expect(c.process.oom_score_adj_floor).toBe(-500);
    expect(c.lsm.selinux_types).toEqual(['container_t']);
  });
  it('spec policy defaults: no extra hooks, the engines\' cgroup parents, floor 0, confined container types', async () => {
    const c = await parseConfigText('', '/c.toml');
    expect(c.hooks.allowed).toEqual([]);
    expect(c.cgroups.parents).toEqual(expect.arrayContaining(['/docker', '/kubepods/**', '/libpod_parent/**', '/*', 'system.slice', 'machine.slice', 'kubepods*.slice']));
    expect(c.cgroups.parents).not.toContain('/');
    expect(c.process.oom_score_adj_floor).toBe(0);
    expect(c.lsm.selinux_types).toContain('container_t');
    expect(c.lsm.selinux_types).not.toContain('spc_t');
  });
  it.each([
    { text: '[hooks]\nallowed = ["hook"]\n', field: 'hooks.allowed[0]', msg: /absolute/ },
    { text: '[cgroups]\nparents = ["/docker/../x"]\n', field: 'cgroups.parents[0]', msg: /\.\./ },
    { text: '[process]\noom_score_adj_floor = -1001\n', field: 'process.oom_score_adj_floor', msg: /-1000|too small/i },
    { text: '[lsm]\nselinux_types = ["system_u:system_r:spc_t"]\n', field: 'lsm.selinux_types[0]', msg: /SELinux type/ },
    { text: '[runtime]\ncandidate = ["runc"]\n', field: 'runtime.candidate', msg: /unknown key/ },
    { text: '[userns]\nhost_id = 0\n', field: 'userns.host_id', msg: />=1|too small/i },
    { text: '[profiles]\ndirectories = ["relative"]\n', field: 'profiles.directories[0]', msg: /absolute/ },
    { text: '[log\nlevel = 1', field: undefined, msg: /invalid TOML at line 1/ },
  ])('$text -> error at $field', async ({ text, field, msg }) => {
    let err: any;
    try {
      await parseConfigText(text, '/etc/openclaw/config.toml');
    } catch (e) {
      err = e;
    }
    expect(err.file).toBe('/etc/openclaw/config.toml');
    expect(err.field).toBe(field);
    expect(err.message).toMatch(msg);
    expect(err.fix).toBeTruthy();
  });
});

describe('built-in defaults', () => {
  it('DEFAULT_CONFIG (used without a config file) is exactly what the schema gives an empty file', async () => {
    const { DEFAULT_CONFIG } = await import('../../../shim/config/defaults.js');
    expect(await parseConfigText('', '/c.toml')).toEqual(DEFAULT_CONFIG);
  });
});
