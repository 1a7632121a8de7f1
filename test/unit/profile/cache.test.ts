import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_CACHE_BYTES, MAX_ENTRIES, cacheDir, cacheKey, codeIdentity, decodeEntry, encodeEntry, evictEntries, loadCompiledProfile, type CompiledProfile } from '../../../shim/profile/cache.js';
import { compileInputsOf } from '../../../shim/profile/compile-inputs.js';
import type { LoadedProfile } from '../../../shim/profile/load.js';
import type { SpecSeccomp } from '../../../shim/oci/types.js';
import { decodeSeccomp } from '../../../shim/seccomp/oci-codec.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

let dir: string;
let stateDir: string;
let profilePath: string;
let importPath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'oc-cache-'));
  stateDir = join(dir, 'state');
  profilePath = join(dir, 'p.yaml');
  importPath = join(dir, 'seccomp.json');
  writeFileSync(profilePath, 'profile v1\n');
  writeFileSync(importPath, '{"defaultAction":"SCMP_ACT_ALLOW"}\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** What the loader computes: sha256 over the profile's bytes, then the imported JSON's. */
async function sha256Of(...files: string[]): Promise<string> {
  const { createHash } = await import('node:crypto');
  const h = createHash('sha256');
  for (const f of files) h.update(readFileSync(f));
  return h.digest('hex');
}

/** A value with what must survive exactly: bigint (small and 64-bit), undefined members, key order. */
async function sample(withImport: boolean, tag = 'a'): Promise<CompiledProfile> {
  const profile = {
    profile: { metadata: { name: tag }, spec: { isolation: { cgroups: { memory: 512n } }, process: { noNewPrivileges: true, capabilities: [] } } },
    path: profilePath,
    sha256: withImport ? await sha256Of(profilePath, importPath) : await sha256Of(profilePath),
    importedSeccomp: withImport ? { defaultAction: 'SCMP_ACT_ALLOW' } : undefined,
    importedSeccompPath: withImport ? importPath : undefined,
  } as unknown as LoadedProfile;
  const spec: SpecSeccomp = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['socket'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 0xfffffffffffffffcn, valueTwo: 12, op: 'SCMP_CMP_MASKED_EQ' }] }] };
  return { profile, compiledFilter: { spec, model: decodeSeccomp(spec) } };
}

/** loadCompiledProfile with a build that counts its calls. */
function counted(make: () => Promise<CompiledProfile>, inputs: Record<string, string> = { agentSocket: '/run/agent.sock' }) {
  const calls = { n: 0 };
  const load = () =>
    loadCompiledProfile(profilePath, { stateDir, compileInputs: inputs }, async () => {
      calls.n++;
      return make();
    });
  return { calls, load };
}

const entries = () => readdirSync(cacheDir(stateDir));

describe('compiled-profile cache: hits and misses', () => {
  it('a second load is a hit: no build, the same value exactly (bigint, undefined members)', async () => {
    const value = await sample(false);
    const { calls, load } = counted(async () => value);
    expect(await load()).toStrictEqual(value);
    const again = await load();
    expect(calls.n).toBe(1);
    expect(again).toStrictEqual(value);
    expect(again.profile).not.toBe(value.profile); // a copy read back from disk, not the same object
    expect(typeof (again.compiledFilter!.spec.syscalls![0]!.args![0]!.valueTwo)).toBe('number');
    expect(Object.keys(again.profile)).toEqual(['profile', 'path', 'sha256', 'importedSeccomp', 'importedSeccompPath']);
  });

  const changes: Array<{ name: string; withImport: boolean; change: () => void; inputs?: Record<string, string> }> = [
    { name: 'the profile file changes', withImport: false, change: () => writeFileSync(profilePath, 'profile v2\n') },
    { name: 'one byte of the profile changes, same size', withImport: false, change: () => writeFileSync(profilePath, 'profile v3\n') },
    { name: 'the imported JSON changes', withImport: true, change: () => writeFileSync(importPath, '{"defaultAction":"SCMP_ACT_ERRNO"}\n') },
    { name: 'the imported JSON disappears', withImport: true, change: () => rmSync(importPath) },
    { name: 'a compile input (agent socket) changes', withImport: false, change: () => undefined, inputs: { agentSocket: '/other/agent.sock' } },
  ];
  it.each(changes)('miss when $name', async ({ withImport, change, inputs }) => {
    const first = counted(async () => sample(withImport, 'old'));
    await first.load();
    await first.load();
    expect(first.calls.n).toBe(1);
    change();
    const fresh = await sample(withImport, 'new').catch(() => sample(false, 'new'));
    const second = counted(async () => fresh, inputs);
    expect((await second.load()).profile.profile.metadata.name).toBe('new');
    expect(second.calls.n).toBe(1);
  });

  it('a build that fails is not cached and its error reaches the caller', async () => {
    const { calls, load } = counted(async () => {
      throw new Error('invalid profile');
    });
    await expect(load()).rejects.toThrow('invalid profile');
    await expect(load()).rejects.toThrow('invalid profile');
    expect(calls.n).toBe(2);
  });

  it('an unreadable profile goes to the build (which reports it)', async () => {
    rmSync(profilePath);
    const { calls, load } = counted(async () => {
      throw new Error('cannot read the profile (ENOENT)');
    });
    await expect(load()).rejects.toThrow('ENOENT');
    expect(calls.n).toBe(1);
  });

  it('a state dir that cannot be written only costs the build', async () => {
    writeFileSync(stateDir, 'a file where the state dir should be');
    const value = await sample(false);
    const { calls, load } = counted(async () => value);
    expect(await load()).toStrictEqual(value);
    expect(await load()).toStrictEqual(value);
    expect(calls.n).toBe(2);
  });

  it('the cache directory is root-only (0700)', async () => {
    await counted(async () => sample(false)).load();
    const { statSync } = await import('node:fs');
    expect(statSync(cacheDir(stateDir)).mode & 0o777).toBe(0o700);
  });
});

describe('compiled-profile cache: bad entries are misses, never errors', () => {
  const corruptions: Array<{ name: string; corrupt: (file: string, text: string) => void }> = [
    { name: 'garbage', corrupt: (f) => writeFileSync(f, 'not base64 at all \u0000\u0001') },
    { name: 'empty file', corrupt: (f) => writeFileSync(f, '') },
    { name: 'truncated', corrupt: (f, t) => writeFileSync(f, t.slice(0, Math.floor(t.length / 2))) },
    { name: 'an entry for another key', corrupt: (f, t) => writeFileSync(f, encodeEntry('0'.repeat(64), decodeEntry(t, f.split('/').pop()!)!)) },
    { name: 'a well-formed entry of the wrong shape', corrupt: (f) => writeFileSync(f, encodeEntry(f.split('/').pop()!, { profile: { path: 1 } } as never)) },
    { name: 'a directory instead of a file', corrupt: (f) => (rmSync(f), mkdirSync(f)) },
    { name: 'writable by others', corrupt: (f) => chmodSync(f, 0o666) },
  ];
  it.each(corruptions)('$name', async ({ corrupt }) => {
    const value = await sample(false);
    const { calls, load } = counted(async () => value);
    await load();
    const [name] = entries();
    const file = join(cacheDir(stateDir), name!);
    corrupt(file, readFileSync(file, 'latin1'));
    expect(await load()).toStrictEqual(value);
    expect(calls.n).toBe(2);
  });

  it('a cache directory writable by others is not trusted', async () => {
    const value = await sample(false);
    const { calls, load } = counted(async () => value);
    await load();
    chmodSync(cacheDir(stateDir), 0o777);
    await load();
    expect(calls.n).toBe(2);
  });

  it('a stale entry whose recorded sha256 no longer matches is a miss (entry written, then the file changed under the same key)', async () => {
    // Same key as the current bytes, but the value records another content hash: what a build
    // that raced with an edit of the profile would have stored.
    const value = await sample(false);
    const key = cacheKey({ code: codeIdentity(), path: profilePath, fileSha256: await sha256Of(profilePath), compileInputs: { agentSocket: '/run/agent.sock' } });
    mkdirSync(cacheDir(stateDir), { recursive: true, mode: 0o700 });
    writeFileSync(join(cacheDir(stateDir), key), encodeEntry(key, { ...value, profile: { ...value.profile, sha256: 'f'.repeat(64) } }));
    const { calls, load } = counted(async () => value);
    expect(await load()).toStrictEqual(value);
    expect(calls.n).toBe(1);
  });
});

describe('compiled-profile cache: bounded, least recently used out first', () => {
  /** `n` entry-named files in the cache dir, the i-th last used `ageS - i` seconds ago. */
  function fill(n: number, ageS: number, size = 10): string[] {
    mkdirSync(cacheDir(stateDir), { recursive: true, mode: 0o700 });
    const names: string[] = [];
    for (let i = 0; i < n; i++) {
      const name = (i.toString(16).padStart(8, '0') + 'a'.repeat(56)).slice(0, 64);
      const f = join(cacheDir(stateDir), name);
      writeFileSync(f, '');
      truncateSync(f, size);
      const t = new Date(Date.now() - (ageS - i) * 1000);
      utimesSync(f, t, t);
      names.push(name);
    }
    return names;
  }

  it(`a store beyond ${MAX_ENTRIES} entries removes the oldest, never the new one nor a writer's temp file`, async () => {
    const old = fill(MAX_ENTRIES, 1000);
    const temp = join(cacheDir(stateDir), '.deadbeef.openclaw-1-00000000');
    writeFileSync(temp, 'a concurrent writer');
    await counted(async () => sample(false)).load();
    const left = entries().filter((n) => !n.startsWith('.'));
    expect(left).toHaveLength(MAX_ENTRIES);
    expect(left).not.toContain(old[0]);
    expect(left).toContain(old[1]);
    expect(existsSync(temp)).toBe(true);
    expect(left.filter((n) => !old.includes(n))).toHaveLength(1); // the new entry
  });

  it('a hit makes its entry the most recently used', async () => {
    const value = await sample(false);
    const { calls, load } = counted(async () => value);
    await load();
    const [mine] = entries();
    const past = new Date(Date.now() - 5000_000);
    utimesSync(join(cacheDir(stateDir), mine!), past, past); // older than everything fill() makes
    fill(MAX_ENTRIES - 1, 1000);
    await load(); // a hit: touched
    expect(calls.n).toBe(1);
    expect(statSync(join(cacheDir(stateDir), mine!)).mtimeMs).toBeGreaterThan(Date.now() - 60_000);
    writeFileSync(profilePath, 'another profile\n');
    await counted(async () => sample(false, 'b')).load(); // a store past the bound
    expect(entries()).toContain(mine);
    expect(entries()).toHaveLength(MAX_ENTRIES);
  });

  it(`entries taking more than ${MAX_CACHE_BYTES} bytes together are evicted down to the bound`, () => {
    const big = Math.floor(MAX_CACHE_BYTES / 3);
    const names = fill(4, 1000, big); // sparse files: only their size counts
    evictEntries(cacheDir(stateDir), names[0]!);
    expect(entries().sort()).toEqual([names[0], names[2], names[3]].sort()); // the oldest but the kept one
  });
});

describe('compile inputs: the config values the compile reads are the key', () => {
  it('every compile input is part of the key', async () => {
    const { DEFAULT_CONFIG } = await import('../../../shim/config/defaults.js');
    const inputs = { ...compileInputsOf(DEFAULT_CONFIG as never) } as Record<string, string>;
    expect(Object.keys(inputs).length).toBeGreaterThan(0);
    const key = (i: Record<string, string>) => cacheKey({ code: codeIdentity(), path: profilePath, fileSha256: '0'.repeat(64), compileInputs: i });
    for (const k of Object.keys(inputs)) expect(key({ ...inputs, [k]: `${inputs[k]}-changed` })).not.toBe(key(inputs));
  });

  it('a profile loaded again under another agent socket is compiled again (its listenerPath is the new one)', async () => {
    const { loadProfileForConfig } = await import('../../../shim/profile/load-for-config.js');
    const { DEFAULT_CONFIG } = await import('../../../shim/config/defaults.js');
    const path = join(REPO, 'profiles', 'model-backend.yaml');
    const config = (socket: string) => ({ ...DEFAULT_CONFIG, state: { dir: stateDir }, agent: { ...DEFAULT_CONFIG.agent, socket } }) as never;
    expect((await loadProfileForConfig(path, config('/run/a.sock'))).compiledFilter!.spec.listenerPath).toBe('/run/a.sock');
    expect((await loadProfileForConfig(path, config('/run/b.sock'))).compiledFilter!.spec.listenerPath).toBe('/run/b.sock');
    expect((await loadProfileForConfig(path, config('/run/a.sock'))).compiledFilter!.spec.listenerPath).toBe('/run/a.sock');
    expect(entries()).toHaveLength(2);
  });
});

describe('compiled-profile cache: concurrent writers', () => {
  /**
   * Four processes each delete the entry, load (miss: build and store, or hit), and read the
   * entry file directly, 40 times. A reader must never see a partial entry: stores are atomic.
   */
  it('processes storing the same entry at once never expose a partial one', async () => {
    const out = join(dir, 'mod');
    // Node 20 cannot import TypeScript: transpile the module and what it imports (types stripped).
    for (const rel of ['shim/profile/cache.ts', 'shim/host/safe-path.ts', 'shim/util/atomic-file.ts', 'shim/util/json.ts', 'shim/errors.ts', 'shim/build-stamp.ts', 'shim/package.ts']) {
      const js = ts.transpileModule(readFileSync(join(REPO, rel), 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
      mkdirSync(dirname(join(out, rel)), { recursive: true });
      writeFileSync(join(out, rel.replace(/\.ts$/, '.js')), js);
    }
    writeFileSync(join(out, 'package.json'), '{"type":"module"}');
    symlinkSync(join(REPO, 'node_modules'), join(out, 'node_modules'));
    const value = await sample(false);
    const valueFile = join(dir, 'value.bin');
    const { serialize } = await import('node:v8');
    writeFileSync(valueFile, serialize(value));
    const script = `
      import { readFileSync, readdirSync, rmSync } from 'node:fs';
      import { isDeepStrictEqual } from 'node:util';
      import * as v8 from 'node:v8';
      const { loadCompiledProfile, cacheDir, decodeEntry } = await import(${JSON.stringify(pathToFileURL(join(out, 'shim/profile/cache.js')).href)});
      const [stateDir, profilePath, valueFile] = process.argv.slice(1);
      const value = v8.deserialize(readFileSync(valueFile));
      let partial = 0, wrong = 0;
      for (let i = 0; i < 40; i++) {
        try { for (const f of readdirSync(cacheDir(stateDir))) if (!f.startsWith('.')) rmSync(cacheDir(stateDir) + '/' + f, { force: true }); } catch {}
        const got = await loadCompiledProfile(profilePath, { stateDir, compileInputs: {} }, async () => (await new Promise((r) => setTimeout(r, Math.random() * 3)), v8.deserialize(readFileSync(valueFile))));
        if (!isDeepStrictEqual(got, value)) wrong++;
        let names = [];
        try { names = readdirSync(cacheDir(stateDir)).filter((f) => !f.startsWith('.')); } catch {}
        for (const f of names) {
          let text;
          try { text = readFileSync(cacheDir(stateDir) + '/' + f, 'latin1'); } catch { continue; }
          if (!isDeepStrictEqual(decodeEntry(text, f), value)) partial++;
        }
      }
      process.stdout.write(JSON.stringify({ partial, wrong }));
    `;
    const run = () =>
      new Promise<{ partial: number; wrong: number }>((ok, fail) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script, stateDir, profilePath, valueFile], { cwd: out });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => (code === 0 ? ok(JSON.parse(stdout)) : fail(new Error(`child exited ${code}: ${stderr}`))));
      });
    const results = await Promise.all([run(), run(), run(), run()]);
    expect(results).toEqual(Array(4).fill({ partial: 0, wrong: 0 }));
    // Whatever the interleaving, what is left is one whole entry (and no temporary files).
    expect(entries()).toHaveLength(1);
    expect(decodeEntry(readFileSync(join(cacheDir(stateDir), entries()[0]!), 'latin1'), entries()[0]!)).toStrictEqual(value);
  }, 60_000);
});

describe('loadProfileForConfig through the cache: a hit merges exactly like a fresh compile', () => {
  it.each(['default', 'model-backend', 'smythos-alternative'])('%s x Docker 20.10 default filter', async (name) => {
    const { loadProfileForConfig } = await import('../../../shim/profile/load-for-config.js');
    const { compileProfileSeccomp } = await import('../../../shim/profile/compile-profile.js');
    const { compileInputsOf } = await import('../../../shim/profile/compile-inputs.js');
    const { readProfileFile } = await import('../../../shim/profile/load.js');
    const { intersectSeccomp } = await import('../../../shim/seccomp/combine.js');
    const { decodeSeccomp } = await import('../../../shim/seccomp/oci-codec.js');
    const { DEFAULT_CONFIG } = await import('../../../shim/config/defaults.js');
    const { parseJsonLossless } = await import('../../../shim/util/json.js');
    const caller = (parseJsonLossless(readFileSync(join(REPO, 'test/golden/fixtures/docker-20.10-busybox.config.json'), 'utf8')) as { linux: { seccomp: never } }).linux.seccomp;
    const config = { ...DEFAULT_CONFIG, state: { dir: stateDir } } as never;
    const path = join(REPO, 'profiles', `${name}.yaml`);
    const fresh = readProfileFile(path);
    const freshFilter = compileProfileSeccomp(fresh, compileInputsOf(config))!;
    const miss = await loadProfileForConfig(path, config);
    const hit = await loadProfileForConfig(path, config);
    expect(entries()).toHaveLength(1);
    expect(hit.profile).toStrictEqual(fresh);
    expect(hit.compiledFilter!.spec).toStrictEqual(freshFilter.spec);
    expect(hit.compiledFilter!.model).toStrictEqual(decodeSeccomp(freshFilter.spec));
    const expected = intersectSeccomp(caller, { spec: structuredClone(freshFilter.spec), model: decodeSeccomp(structuredClone(freshFilter.spec)) });
    expect(intersectSeccomp(caller, miss.compiledFilter!)).toStrictEqual(expected);
    expect(intersectSeccomp(caller, hit.compiledFilter!)).toStrictEqual(expected);
  });
});
