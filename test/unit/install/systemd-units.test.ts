/**
 * The shipped systemd units (examples/*.service): `systemd-analyze verify` accepts them, and
 * their ExecStart command line, with the package's install path replaced by this checkout's,
 * really starts the daemon it names (socket up, SIGTERM ends it with status 0). The issue this
 * guards: a unit that ran `node` on the shell launcher failed with a SyntaxError at start.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../launcher/fakes.js';
import { RESIDENT_NODE_FLAGS } from '../../../shim/node-flags.js';

const INSTALLED = '/usr/lib/node_modules/openclaw-runtime';
const asRoot = process.getuid?.() === 0;
const analyze = spawnSync('sh', ['-c', 'command -v systemd-analyze'], { encoding: 'utf8' }).stdout.trim();
if (!analyze) console.warn('SKIP systemd-analyze verify: systemd-analyze is not installed (Debian: package systemd)');
if (!asRoot) console.warn('SKIP starting the units\' ExecStart: the agent and the service run as root');
const built = existsSync(join(REPO, 'dist', 'agent-main.js')) && existsSync(join(REPO, 'addon', 'build', 'Release'));
if (!built) console.warn('SKIP starting the units\' ExecStart: dist/ or the addon is not built');

const work = mkdtempSync(join(tmpdir(), `openclaw-units-${process.pid}-`));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The unit with this checkout and this Node in place of the installed paths. */
function localUnit(name: string): string {
  return readFileSync(join(REPO, 'examples', name), 'utf8').split(INSTALLED).join(REPO).split('/usr/bin/node').join(process.execPath);
}

function execStart(unit: string): string[] {
  const lines = unit.split('\n').filter((l) => l.startsWith('ExecStart='));
  expect(lines).toHaveLength(1);
  return lines[0]!.slice('ExecStart='.length).trim().split(/\s+/);
}

/** Resolves once `file` exists or the child exited (then rejects with its stderr). */
function waitFor(file: string, child: ReturnType<typeof spawn>, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`exited ${code} before ${file} appeared: ${stderr()}`));
    child.once('exit', onExit);
    const poll = () => {
      if (existsSync(file)) {
        child.off('exit', onExit);
        resolve();
      } else setTimeout(poll, 20);
    };
    poll();
  });
}

const UNITS = [
  {
    unit: 'openclaw-seccomp-agent.service',
    // Socket and denial log from the runtime config, as the unit's comment says.
    env: (dir: string) => {
      const cfg = join(dir, 'config.toml');
      writeFileSync(cfg, `[agent]\nsocket = "${join(dir, 'agent', 'agent.sock')}"\ndenial_log = "${join(dir, 'denials.log')}"\n[state]\ndir = "${join(dir, 'state')}"\n`);
      return { OPENCLAW_CONFIG: cfg };
    },
    socket: (dir: string) => join(dir, 'agent', 'agent.sock'),
  },
  {
    unit: 'openclaw-service.service',
    env: (dir: string) => ({ OPENCLAW_SERVICE_DIR: join(dir, 'service') }),
    socket: (dir: string) => join(dir, 'service', 'service.sock'),
  },
];

describe.each(UNITS)('$unit', ({ unit, env, socket }) => {
  it.skipIf(!analyze)('systemd-analyze verify accepts it', () => {
    const dir = mkdtempSync(join(work, 'verify-'));
    const file = join(dir, unit);
    writeFileSync(file, localUnit(unit));
    const r = spawnSync(analyze, ['verify', file], { encoding: 'utf8' });
    // verify also reports unrelated units of this host on stderr; only lines about ours count.
    const ours = r.stderr.split('\n').filter((l) => l.includes(unit) || l.includes(REPO));
    expect(ours).toEqual([]);
    expect(r.status).toBe(0);
  });

  it('ExecStart runs a JavaScript entry with node (node flags first), not a launcher script', () => {
    const argv = execStart(readFileSync(join(REPO, 'examples', unit), 'utf8'));
    expect(argv[0]).toBe('/usr/bin/node');
    const script = argv.slice(1).find((a) => !a.startsWith('--'));
    expect(argv.slice(1, argv.indexOf(script!))).toEqual([...RESIDENT_NODE_FLAGS]);
    expect(script).toMatch(new RegExp(`^${INSTALLED}/dist/.*\\.js$`));
  });

  it.skipIf(!asRoot || !built)('its ExecStart starts the daemon; SIGTERM stops it with status 0', async () => {
    const dir = mkdtempSync(join(work, 'run-'));
    const [bin, ...args] = execStart(localUnit(unit));
    let stderr = '';
    const child = spawn(bin!, args, { env: { PATH: process.env.PATH, ...env(dir) }, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      await waitFor(socket(dir), child, () => stderr);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).not.toMatch(/SyntaxError|internal error/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
