/**
 * The workload matrix as data: which Python jobs run in the real image (test/helpers/python-image.ts),
 * and what each shipped profile's stated intent (profiles/*.yaml comments, README's table) says
 * should happen to each. test/e2e/workloads.test.ts runs every cell through Docker on runc and
 * on crun; docs/workloads.md is rendered from this file (renderWorkloadDoc) and a test fails
 * when it is stale (`bash scripts/gen-workload-doc.sh` rewrites it).
 *
 * NOTE when a profile's intent changes (profiles/*.yaml), change its column here, then run
 * scripts/gen-workload-doc.sh.
 */

export interface Job {
  name: string;
  /** What it shows, for the doc. */
  what: string;
  argv: readonly string[];
  stdin?: string;
  /** stdout when it works. */
  ok: RegExp;
}

const py = (module: string, ...args: string[]) => ['python3', '-m', `jobs.${module}`, ...args];

/** Every job runs with `-w /opt` (so `-m jobs.X` finds the package) and `--network none`. */
export const JOBS: readonly Job[] = [
  { name: 'script', what: '`python3 FILE`', argv: ['python3', '/opt/jobs/script.py'], ok: /^OK script python3\.\d+$/m },
  { name: 'inline', what: '`python3 -c`', argv: ['python3', '-c', 'print("OK inline")'], ok: /^OK inline$/m },
  { name: 'module', what: '`python3 -m`', argv: py('module'), ok: /^OK module __main__ python3$/m },
  { name: 'stdin', what: 'program on stdin (`python3 -`)', argv: ['python3', '-'], stdin: 'print("OK stdin")\n', ok: /^OK stdin$/m },
  { name: 'data', what: 'reads /input/data.csv, writes /output/result.json', argv: py('data'), ok: /^OK data \{"rows": 3, "total": 42\}$/m },
  { name: 'numpy_matmul', what: 'numpy matmul (256x256)', argv: py('numpy_matmul'), ok: /^OK numpy_matmul 393206 numpy\d/m },
  { name: 'threads', what: '4 threads', argv: py('threads'), ok: /^OK threads 79999800000$/m },
  { name: 'multiproc', what: 'multiprocessing.Pool(2)', argv: py('multiproc'), ok: /^OK multiproc 285$/m },
  { name: 'subproc', what: 'subprocess.run(python3 -c)', argv: py('subproc'), ok: /^OK subproc 42$/m },
  { name: 'tmp_write', what: 'write+read 1 MiB in /tmp', argv: py('tmp_write', 'tmp_write', '/tmp'), ok: /^OK tmp_write \/tmp 1048576 True$/m },
  { name: 'shm_write', what: 'write+read 1 MiB in /dev/shm', argv: py('tmp_write', 'shm_write', '/dev/shm'), ok: /^OK shm_write \/dev\/shm 1048576 True$/m },
  { name: 'inet_socket', what: 'AF_INET echo over 127.0.0.1', argv: py('inet_socket'), ok: /^OK inet_socket ping$/m },
  { name: 'unix_socket', what: 'AF_UNIX socketpair and abstract socket', argv: py('unix_socket'), ok: /^OK unix_socket pair abstract$/m },
  { name: 'big_read', what: 'read a 256 MiB file', argv: py('big_read'), ok: /^OK big_read 268435456$/m },
  { name: 'stdlib', what: 'import json, sqlite3, ssl (in-memory db, default TLS context)', argv: py('stdlib'), ok: /^OK stdlib \{"sqlite": 45, "ca_certs": true, /m },
  { name: 'pip', what: '`pip --version` (python3-pip is in the image)', argv: ['pip', '--version'], ok: /^pip \d+\.\d+(\.\d+)? from /m },
];

export type Outcome = { kind: 'works' } | { kind: 'denied'; errno: string };

export interface Cell {
  outcome: Outcome;
  /** The profile's words this follows. */
  why: string;
  /**
   * Fails today only because of a bug another change fixes: the test is `it.fails` (it fails
   * loudly once the bug is fixed, so the marker is removed then).
   */
  knownBug?: string;
}

const works = (why: string, knownBug?: string): Cell => ({ outcome: { kind: 'works' }, why, knownBug });
const denied = (errno: string, why: string): Cell => ({ outcome: { kind: 'denied', errno }, why });

export interface ProfileColumn {
  profile: string;
  cells: Readonly<Record<string, Cell>>;
}

export const SHIPPED: readonly ProfileColumn[] = [
  {
    profile: 'default',
    cells: {
      script: works('ordinary workloads (python3)'),
      inline: works('ordinary workloads (python3)'),
      module: works('ordinary workloads (python3)'),
      stdin: works('ordinary workloads (python3)'),
      data: denied('ENOENT', 'no host binds: /input does not exist; widen the profile (default-io below)'),
      numpy_matmul: works('ordinary workloads'),
      threads: works('Docker-like allow-list: clone without CLONE_NEW*'),
      multiproc: works('Docker-like allow-list: processes allowed (512 pids)'),
      subproc: works('Docker-like allow-list: fork/vfork/execve allowed'),
      tmp_write: works('read-only root: false'),
      shm_write: works('Docker\'s /dev/shm tmpfs'),
      inet_socket: works('AF_INET allowed, network namespace isolated (loopback only)'),
      unix_socket: works('AF_UNIX allowed'),
      big_read: works('1 GiB memory'),
      stdlib: works('ordinary workloads'),
      pip: works('ordinary workloads'),
    },
  },
  {
    profile: 'smythos-alternative',
    cells: {
      script: works('one process per job runs a user program'),
      inline: works('one process per job runs a user program'),
      module: works('one process per job runs a user program'),
      stdin: works('one process per job runs a user program'),
      data: works('its own /input (read-only) and /output (kept after the job) per container'),
      numpy_matmul: works('ordinary computation; threads yes'),
      threads: works('clone blacklisted for processes, threads yes'),
      multiproc: denied('EPERM', 'processes no (clone/fork blacklisted)'),
      subproc: denied('EPERM', 'processes no, no exec after start'),
      tmp_write: denied('EPERM', 'read-only root, writes only to writablePaths (/dev/null)'),
      shm_write: denied('EPERM', 'writes only to writablePaths (/dev/null)'),
      inet_socket: denied('EPERM', 'no socket at all (the seed whitelist has none)'),
      unix_socket: denied('EPERM', 'no socket at all (the seed whitelist has none)'),
      big_read: works('read-only opens are allowed; 512 MiB memory'),
      stdlib: works('ordinary computation'),
      pip: works('a python program (pip is a script: see `python3 FILE`)'),
    },
  },
  {
    profile: 'model-backend',
    cells: {
      script: works('inference backends run python'),
      inline: works('inference backends run python'),
      module: works('inference backends run python'),
      stdin: works('inference backends run python'),
      data: denied('ENOENT', 'no host binds: /input does not exist; widen the profile (model-backend-io below)'),
      numpy_matmul: works('deny-list on allow (numeric stacks); threads ok'),
      threads: works('no process creation (threads are fine)'),
      multiproc: denied('EPERM', 'no process creation'),
      subproc: denied('EPERM', 'no process creation, no exec after start'),
      tmp_write: denied('EPERM', 'read-only root, read-only opens (writablePaths: /dev/null)'),
      shm_write: denied('EPERM', 'read-only opens (writablePaths: /dev/null)'),
      inet_socket: denied('EAFNOSUPPORT', 'no sockets but AF_UNIX'),
      unix_socket: works('AF_UNIX for IPC with the orchestrator'),
      big_read: works('read-only opens are allowed'),
      stdlib: works('ordinary computation'),
      pip: works('inference backends run python'),
    },
  },
];

/**
 * Profiles a user widens properly: a copy of a shipped profile with one field changed, under a
 * new name (a profile only tightens what the caller asks; widening is the operator's edit).
 * The test writes these next to its openclaw config with the sources filled in.
 */
export interface WidenedProfile {
  name: string;
  base: string;
  /** What changes, for the doc. */
  change: string;
  cells: Readonly<Record<string, Cell>>;
}

export const WIDENED: readonly WidenedProfile[] = [
  {
    name: 'default-io',
    base: 'default',
    change: 'filesystem.allowedBindMounts: an input directory at /input (readonly: true) and an output directory at /output (readonly: false)',
    cells: { data: works('the binds it now allows') },
  },
  {
    name: 'model-backend-io',
    base: 'model-backend',
    change: 'filesystem.allowedBindMounts as default-io; a writable bind is writable for the agent too (no writablePaths entry needed)',
    cells: { data: works('the binds it now allows; /output is a writable bind') },
  },
];

/**
 * The other way a job gets host directories, without a profile of one's own: the host's admin
 * lists bind sources in the runtime config ([[binds.allowed]] in config.toml) for a profile, and
 * the container's creator names them with `docker run -v`. The test writes these entries into
 * its openclaw configs with the sources filled in.
 */
export interface AdminBinds {
  profile: string;
  /** The config entries, for the doc. */
  entries: string;
  /** The docker run volumes, for the doc. */
  volumes: string;
  cells: Readonly<Record<string, Cell>>;
}

export const ADMIN_BINDS: readonly AdminBinds[] = [
  {
    profile: 'default',
    entries: 'an input directory (`readonly = true`) and an output root (`subdirectories = true`, `readonly = false`), both `profiles = ["default"]`',
    volumes: '`-v INPUT:/input -v OUTPUT/JOB:/output`',
    cells: { data: works('the sources the admin listed; /input is mounted read-only whatever -v says') },
  },
];

export const RUNTIMES = ['runc', 'crun'] as const;

function outcomeText(c: Cell): string {
  const o = c.outcome.kind === 'works' ? 'works' : `denied: ${c.outcome.errno}`;
  return c.knownBug ? `${o} (*)` : o;
}

/** docs/workloads.md. */
export function renderWorkloadDoc(): string {
  const lines: string[] = [];
  lines.push('# Real workloads: what each profile lets a Python job do');
  lines.push('');
  lines.push('<!-- Generated from test/e2e/workloads/matrix.ts by scripts/gen-workload-doc.sh; test/e2e/workloads-doc.test.ts fails when this file is stale. -->');
  lines.push('');
  lines.push('Every cell is a test in `test/e2e/workloads.test.ts`: one `docker run --rm --network none');
  lines.push('--runtime openclaw-<profile>-<runc|crun>` of a Debian bookworm image with python3, numpy and pip');
  lines.push('(`scripts/build-python-image.sh`, mmdebstrap, cached), through a private dockerd, on runc and on crun.');
  lines.push('"works": the job exits 0 with its result. "denied: E": the job gets that errno from the sandbox and');
  lines.push('prints it (`DENIED <job> <exception> errno=E`). Expectations follow each profile\'s stated intent');
  lines.push('(profiles/*.yaml, README), not what the code does today.');
  lines.push('');
  const head = ['job', 'what it does', ...SHIPPED.map((p) => `\`${p.profile}\``)];
  lines.push(`| ${head.join(' | ')} |`);
  lines.push(`| ${head.map(() => '---').join(' | ')} |`);
  for (const j of JOBS) {
    lines.push(`| \`${j.name}\` | ${j.what} | ${SHIPPED.map((p) => outcomeText(cellOf(p.cells, p.profile, j.name))).join(' | ')} |`);
  }
  lines.push('');
  const bugs = SHIPPED.flatMap((p) => JOBS.filter((j) => p.cells[j.name]?.knownBug).map((j) => ({ p: p.profile, j: j.name, bug: p.cells[j.name]!.knownBug! })));
  if (bugs.length > 0) {
    lines.push('(*) Fails today because of a known bug; the test is marked `it.fails` until the fix lands:');
    lines.push('');
    for (const b of bugs) lines.push(`- \`${b.p}\` / \`${b.j}\`: ${b.bug}`);
    lines.push('');
  }
  lines.push('## Why, per profile');
  lines.push('');
  for (const p of SHIPPED) {
    lines.push(`- \`${p.profile}\`: ${JOBS.map((j) => `${j.name}: ${cellOf(p.cells, p.profile, j.name).why}`).join('; ')}.`);
  }
  lines.push('');
  lines.push('## Widening a profile');
  lines.push('');
  lines.push('A profile only tightens what the caller asks for, so a job that needs more (here: host');
  lines.push('directories for input and output) needs a profile that allows it: copy the shipped profile,');
  lines.push('change the one field, give it a new name, and register it as its own runtime (or select it).');
  lines.push('The test does exactly this:');
  lines.push('');
  lines.push('| profile | extends | change | job | expected |');
  lines.push('| --- | --- | --- | --- | --- |');
  for (const w of WIDENED) {
    for (const [job, c] of Object.entries(w.cells)) lines.push(`| \`${w.name}\` | \`${w.base}\` | ${w.change} | \`${job}\` | ${outcomeText(c)} |`);
  }
  lines.push('');
  lines.push('Or, without a profile of one\'s own: the host\'s admin lists bind sources for a profile in the');
  lines.push('runtime config (`[[binds.allowed]]` in /etc/openclaw/config.toml, README "Profile selection and');
  lines.push('configuration"), and the job names them with `docker run -v`. A source on no list is refused');
  lines.push('with the entry to add; a listed one is still refused when another user could swap it.');
  lines.push('');
  lines.push('| profile | `[[binds.allowed]]` entries | docker run | job | expected |');
  lines.push('| --- | --- | --- | --- | --- |');
  for (const a of ADMIN_BINDS) {
    for (const [job, c] of Object.entries(a.cells)) lines.push(`| \`${a.profile}\` | ${a.entries} | ${a.volumes} | \`${job}\` | ${outcomeText(c)} |`);
  }
  lines.push('');
  return `${lines.join('\n')}`;
}

export function cellOf(cells: Readonly<Record<string, Cell>>, profile: string, job: string): Cell {
  const c = cells[job];
  if (!c) throw new Error(`workload matrix: no expectation for job ${job} under ${profile}`);
  return c;
}
