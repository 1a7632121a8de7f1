/**
 * service/resolved.ts: the records the launcher reads stay what is in use. Past
 * RESOLVED_SWEEP_AT records, those whose config file is gone are removed; a live config's
 * record (and the one just written) stays.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RESOLVED_SWEEP_AT, writeResolved } from '../../../shim/service/resolved.js';
import { resolvedFile } from '../../../shim/service/paths.js';

const work = mkdtempSync(join(tmpdir(), 'oc-resolved-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function record(serviceDir: string, configPath: string): void {
  writeFileSync(configPath, '[runtime]\n');
  writeResolved(serviceDir, { configPath, stat: statSync(configPath, { bigint: true }), path: '/usr/bin:/bin', self: '/opt/openclaw/bin/openclaw-runtime', runtime: '/usr/sbin/runc', stateDir: '/run/openclaw' });
}

describe('resolved-runtime records', () => {
  it('below the threshold nothing is swept, even for configs that are gone', () => {
    const dir = join(work, 'few');
    for (let i = 0; i < 3; i++) {
      record(dir, join(work, `few-${i}.toml`));
      rmSync(join(work, `few-${i}.toml`));
    }
    expect(readdirSync(join(dir, 'resolved'))).toHaveLength(3);
  });

  it('past it, the records of configs that are gone are removed; a live config\'s stays', () => {
    const dir = join(work, 'many');
    const live = join(work, 'live.toml');
    record(dir, live);
    const self = '/opt/openclaw/bin/openclaw-runtime';
    const name = (config: string) => resolvedFile(dir, config, self).split('/').pop();
    // Each temporary config is removed after its record is written; the write that makes
    // RESOLVED_SWEEP_AT + 1 records sweeps (its own config still exists at that moment).
    for (let i = 0; i < RESOLVED_SWEEP_AT; i++) {
      const gone = join(work, `gone-${i}.toml`);
      record(dir, gone);
      rmSync(gone);
    }
    const lastGone = join(work, `gone-${RESOLVED_SWEEP_AT - 1}.toml`);
    expect(readdirSync(join(dir, 'resolved')).sort()).toEqual([name(live), name(lastGone)].sort());
  });

  it('a create that rewrites an existing record does not sweep; the next new record does', () => {
    const dir = join(work, 'rewrite');
    const configs = Array.from({ length: RESOLVED_SWEEP_AT + 1 }, (_, i) => join(work, `rw-${i}.toml`));
    for (const c of configs) record(dir, c); // all alive: the sweep at the last one removes nothing
    rmSync(configs[0]!);
    record(dir, configs[1]!); // a rewrite
    expect(readdirSync(join(dir, 'resolved'))).toHaveLength(RESOLVED_SWEEP_AT + 1);
    record(dir, join(work, 'rw-new.toml')); // a new record: configs[0]'s is swept
    expect(readdirSync(join(dir, 'resolved'))).toHaveLength(RESOLVED_SWEEP_AT + 1);
    expect(readdirSync(join(dir, 'resolved'))).not.toContain(resolvedFile(dir, configs[0]!, '/opt/openclaw/bin/openclaw-runtime').split('/').pop());
  });
});
