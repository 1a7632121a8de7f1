/**
 * The containment battery under real runc: every row of ROWS runs every probe in a real container
 * and is checked against expectations/<row>.json; a mismatch fails with the probe's name. The
 * results table goes to results/baseline.md. Needs root and runc (skipped with a printed reason
 * otherwise) and gcc + static glibc for the probe (scripts/build-probe.sh says what is missing).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLASSES, compare, isValidExpect, loadExpectations, matches } from './expectations.js';
import { parseProbeOutput, parseToken, synthesize } from './probe-output.js';
import { renderReport, type RowRun } from './report.js';
import { BASELINE_ROWS, shippedProfileRow, type Row } from './rows.js';
import { stopAgent } from '../helpers/agent.js';
import { listProbes, runBattery, type ProbeInfo } from './runner.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..');
const REPORT = join(HERE, 'results', 'containment.md');

/** The shim's own state and agent for this run (parents searchable: user-namespaced profiles bind the rootfs below). */
const WORK = mkdtempSync(join(tmpdir(), 'openclaw-battery-'));
chmodSync(WORK, 0o711);
const OPENCLAW_CONFIG = join(WORK, 'config.toml');
const AGENT_SOCKET = join(WORK, 'agent', 'agent.sock');
writeFileSync(OPENCLAW_CONFIG, `[state]\ndir = "${join(WORK, 'state')}"\n[jobs]\ndir = "${join(WORK, 'jobs')}"\n[agent]\nsocket = "${AGENT_SOCKET}"\ndenial_log = "${join(WORK, 'denials.log')}"\n`);
const SHIM = join(REPO, 'bin', 'openclaw-runtime');

/** One entry per column: the baselines, then every shipped profile through the shim. */
const ROWS: Row[] = [...BASELINE_ROWS, ...['default', 'smythos-alternative', 'model-backend'].map((p) => shippedProfileRow(p, SHIM, OPENCLAW_CONFIG))];

/** Probe names and groups straight from probe.c's table, so these checks need no compiler. */
function probesFromSource(): ProbeInfo[] {
  const src = readFileSync(join(HERE, 'probe.c'), 'utf8');
  return [...src.matchAll(/^\s*\{"([a-z0-9_]+)", "([a-z-]+)", p_\w+,/gm)].map((m) => ({ name: m[1]!, group: m[2]! }));
}

describe('probe output and expectations (no containers)', () => {
  test.each([
    ['PROBE fork ok', 'fork', 'ok', undefined, {}],
    ['PROBE reboot reached=EINVAL', 'reboot', 'reached', 'EINVAL', {}],
    ['PROBE fork_bomb errno=EAGAIN n=31', 'fork_bomb', 'errno', 'EAGAIN', { n: '31' }],
    ['PROBE i386_getpid killed=SIGSYS', 'i386_getpid', 'killed', 'SIGSYS', {}],
    ['PROBE memory_bomb ok mb=1024 cap', 'memory_bomb', 'ok', undefined, { mb: '1024', cap: '' }],
  ])('parses %j', (line, name, kind, value, detail) => {
    const r = parseProbeOutput(`noise\n${line}\n`).results.get(name);
    expect(r).toMatchObject({ name, kind, detail });
    expect(r?.value).toBe(value);
  });

  test('a probe that died silently is read from runc exit status, with its last progress', () => {
    const parsed = parseProbeOutput('PROBE-PROGRESS memory_bomb mb=240\n');
    expect(synthesize('memory_bomb', { code: 137, timedOut: false }, parsed.progress.get('memory_bomb'))).toMatchObject({
      kind: 'killed',
      value: 'SIGKILL',
      detail: { mb: '240' },
    });
    expect(synthesize('x', { code: 128 + 31, timedOut: false }).token).toBe('killed=SIGSYS');
    expect(synthesize('x', { code: 1, timedOut: false }).kind).toBe('missing');
    expect(synthesize('x', { code: null, timedOut: true }).kind).toBe('timeout');
  });

  test.each([
    ['allowed', 'reached=EINVAL', true],
    ['allowed', 'errno=EPERM', false],
    ['blocked', 'errno=EPERM', true],
    ['blocked', 'killed=SIGSYS', false],
    ['stopped', 'killed=SIGSYS', true],
    ['enosys', 'errno=EPERM', false],
    ['reached=ENETUNREACH', 'reached=ENETUNREACH', true],
    ['reached=ENETUNREACH', 'errno=EPERM', false],
  ])('expectation %s vs %s -> %s', (expectation, token, ok) => {
    expect(matches(expectation, parseToken('p', token))).toBe(ok);
  });

  const probes = probesFromSource();
  test('probe.c has at least 60 probes and a liveness group', () => {
    expect(probes.length).toBeGreaterThanOrEqual(60);
    expect(probes.filter((p) => p.group === 'liveness').length).toBeGreaterThan(5);
  });

  test.each(['runc-unconfined', 'docker-default', 'default', 'smythos-alternative', 'model-backend'])(
    'expectations/%s.json covers exactly the probes in probe.c, with valid outcomes',
    (row) => {
      const exp = loadExpectations(row);
      expect(exp.row).toBe(row);
      const names = probes.map((p) => p.name);
      expect(Object.keys(exp.probes).filter((n) => !names.includes(n)), 'unknown probes').toEqual([]);
      expect(names.filter((n) => !(n in exp.probes)), 'probes without expectation').toEqual([]);
      const invalid = Object.entries(exp.probes).filter(([, e]) => !isValidExpect(e.expect));
      expect(invalid.map(([n, e]) => `${n}: ${e.expect}`), 'invalid outcomes').toEqual([]);
      // Shipped profiles: a legitimate job loses nothing.
      if (exp.status === 'draft') {
        const live = probes.filter((p) => p.group === 'liveness').map((p) => p.name);
        expect(live.filter((n) => exp.probes[n]!.expect !== 'allowed'), 'liveness not allowed').toEqual([]);
      }
    },
  );

  test('every class is a predicate over results', () => {
    expect(Object.keys(CLASSES).sort()).toEqual(['allowed', 'any', 'blocked', 'enosys', 'killed', 'stopped']);
  });
});

function skipReason(): string | null {
  if (process.getuid?.() !== 0) return 'not root (runc needs root to create containers)';
  if (execaSync('sh', ['-c', 'command -v runc'], { reject: false }).exitCode !== 0) return 'runc is not installed';
  return null;
}
const SKIP = skipReason();
if (SKIP) console.log(`attack battery under runc skipped: ${SKIP}`);

describe.skipIf(SKIP !== null)('containment battery under real runc', () => {
  let probeBinary = '';
  let probes: ProbeInfo[] = [];
  const runs: RowRun[] = [];

  beforeAll(async () => {
    // Fails with the build script's message (gcc or libc.a missing) rather than skipping:
    // a CI machine that is root with runc must also be able to build the probe.
    probeBinary = (await execa(join(REPO, 'scripts', 'build-probe.sh'))).stdout.trim().split('\n').pop()!;
    probes = await listProbes(probeBinary);
  }, 120_000);

  test.each(ROWS.map((r) => [r.id, r] as const))('%s: every probe as expected', async (_id, row) => {
    const expectations = loadExpectations(row.id);
    const t0 = Date.now();
    const results = await runBattery({
      probeBinary,
      ...(row.transform ? { transform: row.transform } : {}),
      ...(row.runtime ? { runtime: row.runtime, runtimeArgs: row.runtimeArgs ?? [] } : {}),
      mode: row.mode ?? 'one',
    });
    runs.push({ row, expectations, results, seconds: (Date.now() - t0) / 1000 });
    // The raw outcome per probe, for reviewing a row's expectations against what happened.
    mkdirSync(join(HERE, 'results'), { recursive: true });
    writeFileSync(join(HERE, 'results', `${row.id}.observed.json`), JSON.stringify(Object.fromEntries([...results].map(([k, v]) => [k, v.token])), null, 1) + '\n');
    expect(compare(expectations, results), `row ${row.id}: probe, expected, got`).toEqual([]);
  }, 180_000);

  afterAll(async () => {
    stopAgent(AGENT_SOCKET);
    rmSync(WORK, { recursive: true, force: true });
    if (runs.length !== ROWS.length) return; // a partial table would mislead
    const runc = (await execa('runc', ['--version'], { reject: false })).stdout.split('\n')[0] ?? 'runc';
    const ordered = ROWS.map((r) => runs.find((x) => x.row.id === r.id)!);
    mkdirSync(dirname(REPORT), { recursive: true });
    writeFileSync(REPORT, renderReport(ordered, probes, { kernel: release(), runc, date: new Date().toISOString().slice(0, 10) }));
  });
});
