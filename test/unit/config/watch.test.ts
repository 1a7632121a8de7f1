/**
 * ConfigWatch (shim/config/watch.ts): a daemon re-reads its config exactly when the file's
 * identity changed (an edit of the same size in the same second included: ctime moves), logs
 * what changed, keeps the previous settings when the new file does not parse, and logs that
 * error once per version of the file.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, utimesSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../shim/config/load.js';
import { ConfigWatch, changedKeys, configIdentityNow } from '../../../shim/config/watch.js';
import type { RuntimeConfig } from '../../../shim/config/schema.js';

async function setup(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'openclaw-watch-'));
  const path = join(dir, 'config.toml');
  writeFileSync(path, text);
  const identity = configIdentityNow(path);
  const initial = await loadConfig(path, {});
  const logs: Array<{ level: string; msg: string; fields?: Record<string, unknown> }> = [];
  const applied: Array<{ next: RuntimeConfig; changed: string[] }> = [];
  const watch = new ConfigWatch({
    flag: path,
    env: {},
    initial,
    initialIdentity: identity,
    log: (level, msg, fields) => logs.push({ level, msg, fields }),
    apply: (next, _prev, changed) => applied.push({ next, changed }),
  });
  return { dir, path, watch, logs, applied };
}

describe('ConfigWatch', () => {
  it('an unchanged file is not re-read; SIGHUP says so', async () => {
    const t = await setup('[agent]\ndenial_log = "/var/log/a.log"\n');
    await t.watch.check('denial');
    expect(t.logs).toEqual([]);
    await t.watch.check('SIGHUP');
    expect(t.logs).toEqual([{ level: 'info', msg: `config reload (SIGHUP): ${t.path} unchanged`, fields: { config: t.path } }]);
    expect(t.applied).toEqual([]);
    rmSync(t.dir, { recursive: true });
  });

  it('an edit of the same size with the same mtime is still seen (ctime), applied and logged with the changed keys', async () => {
    const t = await setup('[agent]\ndenial_log = "/var/log/a.log"\n');
    const before = statSync(t.path);
    writeFileSync(t.path, '[agent]\ndenial_log = "/var/log/b.log"\n');
    utimesSync(t.path, before.atime, before.mtime); // same size, same mtime: only ctime moved
    await t.watch.check('denial');
    expect(t.applied.map((a) => [a.next.agent.denial_log, a.changed])).toEqual([['/var/log/b.log', ['agent.denial_log']]]);
    expect(t.logs).toEqual([{ level: 'info', msg: `config reloaded (denial): ${t.path}: changed agent.denial_log`, fields: { config: t.path, changed: ['agent.denial_log'] } }]);
    expect(t.watch.config.agent.denial_log).toBe('/var/log/b.log');
    expect(t.watch.reloads).toBe(1);
    await t.watch.check('denial'); // seen: not again
    expect(t.applied.length).toBe(1);
    rmSync(t.dir, { recursive: true });
  });

  it('a file that no longer parses keeps the previous settings and is logged once; the next good version applies', async () => {
    const t = await setup('[log]\nlevel = "info"\n');
    writeFileSync(t.path, '[log\nlevel = ');
    await t.watch.check('SIGHUP');
    await t.watch.check('denial');
    expect(t.applied).toEqual([]);
    expect(t.logs.length).toBe(1);
    expect(t.logs[0]?.level).toBe('error');
    expect(t.logs[0]?.msg).toMatch(/^config reload \(SIGHUP\): .*invalid TOML.*; keeping the previous settings$/);
    writeFileSync(t.path, '[log]\nlevel = "debug"\n');
    await t.watch.check('denial');
    expect(t.applied.map((a) => a.changed)).toEqual([['log.level']]);
    expect(t.watch.config.log.level).toBe('debug');
    rmSync(t.dir, { recursive: true });
  });

  it('an explicit config that is removed keeps the previous settings (error); concurrent checks share one read', async () => {
    const t = await setup('[log]\nlevel = "warn"\n');
    rmSync(t.path);
    await Promise.all([t.watch.check('a'), t.watch.check('b'), t.watch.check('c')]);
    expect(t.logs.map((l) => l.level)).toEqual(['error']);
    expect(t.logs[0]?.msg).toMatch(/the file is gone; keeping the previous settings$/);
    expect(t.watch.config.log.level).toBe('warn');
    rmSync(t.dir, { recursive: true });
  });
});

describe('changedKeys', () => {
  it('names table.key for each differing value, arrays compared whole', async () => {
    const a = (await loadConfig(undefined, {})).config;
    const dir = mkdtempSync(join(tmpdir(), 'openclaw-watch-'));
    writeFileSync(join(dir, 'c.toml'), '[runtime]\ncandidates = ["crun"]\n[jobs]\nretention = "1h"\n');
    const b = (await loadConfig(join(dir, 'c.toml'), {})).config;
    expect(changedKeys(a, b)).toEqual(['jobs.retention', 'runtime.candidates']);
    expect(changedKeys(b, b)).toEqual([]);
    rmSync(dir, { recursive: true });
  });
});
