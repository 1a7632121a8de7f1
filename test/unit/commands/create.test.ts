/**
 * The order of create's effects, as a table (in the style of nvidia-container-toolkit's
 * internal/oci/runtime_modifier_test.go): each row fakes the effects (CreateEffects), lets one
 * of them fail or not, and names every effect that must have run, in order. What is not
 * listed must not have run.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgv } from '../../../shim/cli/argv.js';
import { RuntimeConfigSchema } from '../../../shim/config/schema.js';
import { OpenclawError } from '../../../shim/errors.js';
import { createAndRun, prepareCreate, type CreateEffects } from '../../../shim/commands/create.js';
import { mergeCommandWith } from '../../../shim/commands/merge.js';
import type { PipelineInput, PipelineResult } from '../../../shim/pipeline.js';
import type { Spec } from '../../../shim/oci/types.js';
import type { RunResult } from '../../../shim/util/child-process.js';
import { loadedProfile } from '../../helpers/merge-inputs.js';
import type { HostAction } from '../../../shim/host/types.js';

const stateDir = mkdtempSync(join(tmpdir(), 'openclaw-create-'));
afterEach(() => vi.restoreAllMocks());
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

const ORIGINAL: Spec = { ociVersion: '1.0.2', process: { args: ['sh'] }, root: { path: 'rootfs' } } as Spec;
const MERGED: Spec = { ...ORIGINAL, process: { args: ['sh'], noNewPrivileges: true } } as Spec;
const ACTIONS: HostAction[] = [{ kind: 'job', jobsDir: '/var/lib/openclaw/jobs', id: 'c1' }];

interface Row {
  name: string;
  /** The shim's command line (after the shim's own flags). */
  argv: string[];
  /** What the faked effects do. */
  pipeline?: 'refuses';
  merged?: Spec;
  listener?: boolean;
  perform?: 'fails';
  write?: 'fails';
  runtime?: RunResult | 'cannot start';
  /** The runtime's state root (--root) holds c1: before the create, or once the runtime returned. */
  live?: 'before' | 'after';
  /** Every effect that ran, in order. */
  want: string[];
  /** The create's outcome: the runtime's exit, or the error it failed with. */
  outcome: { exitCode: number } | { error: RegExp };
}

function fakeEffects(row: Row, calls: string[]): CreateEffects {
  const config = RuntimeConfigSchema.parse({ runtime: { candidates: ['/bin/true'] }, state: { dir: stateDir } });
  const result = (input: PipelineInput): PipelineResult => ({
    config,
    spec: { spec: ORIGINAL, path: join(input.bundle, 'config.json'), bytes: Buffer.alloc(0) },
    choice: { path: '/profiles/test.yaml', source: 'flag', requested: 'test' },
    profile: loadedProfile({}),
    ...(row.listener ? { compiledFilter: { spec: { defaultAction: 'SCMP_ACT_ALLOW', listenerPath: config.agent.socket }, model: { defaultAction: { kind: 'allow' }, architectures: ['SCMP_ARCH_X86_64'], syscalls: new Map(), listenerPath: config.agent.socket } } } : {}),
    merged: { spec: row.merged ?? MERGED, hostActions: ACTIONS } as PipelineResult['merged'],
  });
  return {
    async runPipeline(input) {
      calls.push(`runPipeline ${input.containerId}`);
      if (row.pipeline === 'refuses') throw new OpenclawError('merge', 'the profile refuses this config.json', { file: '/profiles/test.yaml' });
      return result(input);
    },
    async ensureAgent() {
      calls.push('ensureAgent');
    },
    hostActions: {
      async sweep() {
        calls.push('sweep');
      },
      async perform(_dir, id, _root, actions) {
        calls.push(`perform ${id} ${actions.length}`);
        if (row.perform === 'fails') throw new OpenclawError('host', 'mount failed');
      },
      async undo(_dir, id) {
        calls.push(`undo ${id}`);
      },
    },
    writeSpec(path) {
      calls.push(`writeSpec ${path}`);
      if (row.write === 'fails') throw new OpenclawError('spec', 'cannot write the merged file (ENOSPC); the original is unchanged', { file: path });
    },
    async runRuntime(runtime, argv) {
      calls.push(`runRuntime ${runtime} ${argv.join(' ')}`);
      if (row.live === 'after') mkdirSync(join(liveRoot, 'c1'), { recursive: true });
      if (row.runtime === 'cannot start') throw Object.assign(new Error(`spawn ${runtime} ENOENT`), { code: 'ENOENT' });
      return row.runtime ?? { exitCode: 0, signal: null };
    },
  };
}

const CREATE = ['create', '--bundle', '/b', 'c1'];
const RUN = ['run', '--bundle', '/b', 'c1'];
const RUN_DETACHED = ['run', '-d', '--bundle', '/b', 'c1'];
const ok = { exitCode: 0, signal: null };
/** A runtime state root (--root) for the rows where the runtime knows c1. */
const liveRoot = join(stateDir, 'runtime-root');
const LIVE_RUN = ['--root', liveRoot, ...RUN];

const rows: Row[] = [
  {
    name: 'create: merge, host actions, write, runc; nothing undone',
    argv: CREATE,
    want: ['runPipeline c1', 'sweep', 'perform c1 1', 'writeSpec /b/config.json', `runRuntime /bin/true ${CREATE.join(' ')}`],
    outcome: { exitCode: 0 },
  },
  {
    name: 'merge refusal: no host action, no write, no runc',
    argv: CREATE,
    pipeline: 'refuses',
    want: ['runPipeline c1'],
    outcome: { error: /the profile refuses/ },
  },
  {
    name: 'a filter with a listener: the agent answers before any host action',
    argv: CREATE,
    listener: true,
    want: ['runPipeline c1', 'ensureAgent', 'sweep', 'perform c1 1', 'writeSpec /b/config.json', `runRuntime /bin/true ${CREATE.join(' ')}`],
    outcome: { exitCode: 0 },
  },
  {
    // performHostActions undoes its own partial work; create adds nothing after it.
    name: 'host action fails: no write, no runc',
    argv: CREATE,
    perform: 'fails',
    want: ['runPipeline c1', 'sweep', 'perform c1 1'],
    outcome: { error: /mount failed/ },
  },
  {
    name: 'write fails: host actions undone, no runc',
    argv: CREATE,
    write: 'fails',
    want: ['runPipeline c1', 'sweep', 'perform c1 1', 'writeSpec /b/config.json', 'undo c1'],
    outcome: { error: /cannot write the merged file/ },
  },
  {
    name: 'config.json already as merged: not rewritten, runc runs',
    argv: CREATE,
    merged: ORIGINAL,
    want: ['runPipeline c1', 'sweep', 'perform c1 1', `runRuntime /bin/true ${CREATE.join(' ')}`],
    outcome: { exitCode: 0 },
  },
  {
    name: 'runc fails: undone',
    argv: CREATE,
    runtime: { exitCode: 1, signal: null },
    want: ['runPipeline c1', 'sweep', 'perform c1 1', 'writeSpec /b/config.json', `runRuntime /bin/true ${CREATE.join(' ')}`, 'undo c1'],
    outcome: { exitCode: 1 },
  },
  {
    name: 'run without --detach: undone after exit',
    argv: RUN,
    runtime: ok,
    want: ['runPipeline c1', 'sweep', 'perform c1 1', 'writeSpec /b/config.json', `runRuntime /bin/true ${RUN.join(' ')}`, 'undo c1'],
    outcome: { exitCode: 0 },
  },
  {
    name: 'run --detach: the container lives on, nothing undone',
    argv: RUN_DETACHED,
    want: ['runPipeline c1', 'sweep', 'perform c1 1', 'writeSpec /b/config.json', `runRuntime /bin/true ${RUN_DETACHED.join(' ')}`],
    outcome: { exitCode: 0 },
  },
  {
    name: 'runc cannot be started: the error, host actions undone (no container, so no delete will come)',
    argv: CREATE,
    runtime: 'cannot start',
    want: ['runPipeline c1', 'sweep', 'perform c1 1', 'writeSpec /b/config.json', `runRuntime /bin/true ${CREATE.join(' ')}`, 'undo c1'],
    outcome: { error: /ENOENT/ },
  },
  {
    // The record, job and rootfs bind of this id are the live container's: recording over
    // them and undoing when the runtime refuses would pull them from under it.
    name: 'the runtime already knows the id (a live container): refused before any host action',
    argv: LIVE_RUN,
    live: 'before',
    want: ['runPipeline c1'],
    outcome: { error: /container c1 already exists/ },
  },
  {
    name: 'run without --detach, but the runtime knows the id again when it returns (a new container): not undone',
    argv: LIVE_RUN,
    live: 'after',
    runtime: ok,
    want: ['runPipeline c1', 'sweep', 'perform c1 1', 'writeSpec /b/config.json', `runRuntime /bin/true ${LIVE_RUN.join(' ')}`],
    outcome: { exitCode: 0 },
  },
];

describe('create: the order of its effects', () => {
  it.each(rows)('$name', async (row) => {
    rmSync(liveRoot, { recursive: true, force: true });
    if (row.live === 'before') mkdirSync(join(liveRoot, 'c1'), { recursive: true });
    const calls: string[] = [];
    const ctx = { argv: parseArgv(row.argv), cwd: '/', env: { PATH: '/usr/bin:/bin' }, log: {} };
    const run = createAndRun(ctx, fakeEffects(row, calls));
    if ('error' in row.outcome) await expect(run).rejects.toThrow(row.outcome.error);
    else expect((await run).exitCode).toBe(row.outcome.exitCode);
    expect(calls).toEqual(row.want);
  });

  it('a create without a container id runs nothing', async () => {
    const calls: string[] = [];
    const ctx = { argv: parseArgv(['create', '--bundle', '/b']), cwd: '/', env: {}, log: {} };
    await expect(createAndRun(ctx, fakeEffects({ name: '', argv: [], want: [], outcome: { exitCode: 0 } }, calls))).rejects.toThrow(/needs a container id/);
    expect(calls).toEqual([]);
  });
});

describe('the service\'s create: the stale sweep after the answer, unless this id has a record', () => {
  const row: Row = { name: '', argv: CREATE, want: [], outcome: { exitCode: 0 } };
  it('no record for the id: the sweep is handed over, not run, and runs when called', async () => {
    const calls: string[] = [];
    let deferred: (() => Promise<void>) | undefined;
    const ctx = { argv: parseArgv(CREATE), cwd: '/', env: { PATH: '/usr/bin:/bin' }, log: {} };
    await prepareCreate(ctx, { deferSweep: (sweep) => (deferred = sweep) }, fakeEffects(row, calls));
    expect(calls).toEqual(['runPipeline c1', 'perform c1 1', 'writeSpec /b/config.json']);
    await deferred!();
    expect(calls.at(-1)).toBe('sweep');
  });
  it('a record already there for the id (a reused id): swept before this create replaces it', async () => {
    const records = join(stateDir, 'containers');
    mkdirSync(records, { recursive: true, mode: 0o700 });
    writeFileSync(join(records, 'c1.json'), JSON.stringify({ id: 'c1', runcRoot: '/r', createdAt: new Date(0).toISOString(), actions: [] }), { mode: 0o600 });
    try {
      const calls: string[] = [];
      let deferred = false;
      const ctx = { argv: parseArgv(CREATE), cwd: '/', env: { PATH: '/usr/bin:/bin' }, log: {} };
      await prepareCreate(ctx, { deferSweep: () => (deferred = true) }, fakeEffects(row, calls));
      expect(deferred).toBe(false);
      expect(calls).toEqual(['runPipeline c1', 'sweep', 'perform c1 1', 'writeSpec /b/config.json']);
    } finally {
      rmSync(records, { recursive: true, force: true });
    }
  });
});

describe('merge: the pipeline and nothing else', () => {
  it.each([
    { argv: ['merge', '--bundle', '/b', 'c1'], want: ['runPipeline c1'] },
    { argv: ['merge', '--diff', '--bundle', '/b'], want: ['runPipeline dry-run'] },
  ])('$argv: nothing written, no host action, no runc', async ({ argv, want }) => {
    const calls: string[] = [];
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await mergeCommandWith(fakeEffects({ name: '', argv, want, outcome: { exitCode: 0 } }, calls))({ argv: parseArgv(argv), cwd: '/', env: {}, log: {} });
    expect(code).toBe(0);
    expect(calls).toEqual(want);
    expect(out).toHaveBeenCalled();
  });
});
