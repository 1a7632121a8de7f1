/**
 * The npm package, as a user gets it: `npm pack` of a copy of this checkout that has no dist/,
 * no addon build and no launcher (prepack must build dist/), then `npm install -g --prefix TMP`
 * of that tarball with no network: dependencies come from a registry on 127.0.0.1 that serves
 * this checkout's node_modules (helpers/local-registry.ts), Node headers from the system
 * (build-addon.sh passes --nodedir). The install step builds the addon and the native launcher;
 * a second install with a C compiler that fails keeps the sh launcher. Each installed package
 * then answers --version and merges a bundle, and runs containers with runc under `default` and
 * `smythos-alternative` (the latter through the seccomp agent, i.e. the addon built on install).
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { integrationSkipReason, makeBundle, REPO, which, type Bundle } from '../helpers/bundle.js';
import { agentWorkDir, removeAgentWorkDir } from '../helpers/agent.js';
import { startLocalRegistry, type LocalRegistry } from '../helpers/local-registry.js';

const skip = integrationSkipReason() ?? (which('cc') ? undefined : 'no C compiler (cc) to build the launcher');

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    child.on('exit', (code) => resolveRun({ code, out }));
  });
}

describe.skipIf(skip)('npm package: pack, offline global install, run', () => {
  let work: string;
  let tarball: string;
  let registry: LocalRegistry;
  const prefixes: Record<'native' | 'sh', string> = { native: '', sh: '' };
  let listing: string[];
  const installLogs: Record<string, string> = {};

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'openclaw-package-'));
    // The checkout's sources as git sees them (tracked and new files, nothing ignored): no dist/,
    // no addon/build/, no bin/openclaw-runtime.
    const src = join(work, 'src');
    const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: REPO, encoding: 'utf8' }).split('\0').filter(Boolean);
    for (const f of files) {
      if (!existsSync(join(REPO, f))) continue; // deleted in the working tree
      mkdirSync(dirname(join(src, f)), { recursive: true });
      cpSync(join(REPO, f), join(src, f), { verbatimSymlinks: true });
    }
    symlinkSync(join(REPO, 'node_modules'), join(src, 'node_modules'));
    expect(existsSync(join(src, 'dist'))).toBe(false);
    // GIT_DIR: the copy builds dist/build-info.json with this checkout's commit.
    const gitDir = execFileSync('git', ['rev-parse', '--absolute-git-dir'], { cwd: REPO, encoding: 'utf8' }).trim();
    const packed = await run('npm', ['pack', '--pack-destination', work], { cwd: src, env: { GIT_DIR: gitDir, GIT_WORK_TREE: REPO } });
    expect(packed.code, packed.out).toBe(0);
    tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')) as string);
    listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);

    registry = await startLocalRegistry(REPO, join(work, 'registry'));
    for (const kind of ['native', 'sh'] as const) {
      prefixes[kind] = join(work, `prefix-${kind}`);
      // A fresh cache: nothing comes from the machine's npm cache, everything from the local registry.
      const installed = await run(
        'npm',
        ['install', '-g', '--prefix', prefixes[kind], '--registry', registry.url, '--cache', join(work, `cache-${kind}`), '--no-audit', '--no-fund', '--foreground-scripts', '--no-update-notifier', tarball],
        { cwd: work, env: { ...(kind === 'sh' ? { CC: 'false' } : {}), npm_config_proxy: '', npm_config_https_proxy: '' } },
      );
      installLogs[kind] = installed.out;
      expect(installed.code, installed.out).toBe(0);
    }
  }, 900_000);

  afterAll(async () => {
    await registry?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const pkgDir = (kind: 'native' | 'sh'): string => join(prefixes[kind], 'lib', 'node_modules', 'openclaw-runtime');
  const bin = (kind: 'native' | 'sh'): string => join(prefixes[kind], 'bin', 'openclaw-runtime');

  test('the tarball has dist/ built at pack time and the sources the install builds from, not build output or tests', () => {
    for (const f of ['package/dist/main.js', 'package/dist/agent-main.js', 'package/dist/service-main.js', 'package/dist/build-info.json', 'package/bin/openclaw-runtime.sh', 'package/addon/binding.gyp', 'package/addon/src/addon.cc', 'package/launcher/openclaw-runtime.c', 'package/launcher/surface.h', 'package/scripts/build-addon.sh', 'package/scripts/build-launcher.sh', 'package/scripts/install-package.sh', 'package/profiles/default.yaml', 'package/hooks/openclaw-poststop']) {
      expect(listing).toContain(f);
    }
    expect(listing.filter((f) => f.startsWith('package/addon/build/') || f.startsWith('package/test/') || f.startsWith('package/shim/') || f.startsWith('package/node_modules/'))).toEqual([]);
  });

  test('the install resolved every dependency from the local registry (no network, nothing missing)', () => {
    expect(registry.misses).toEqual([]);
    expect(installLogs.native).toContain('build-addon: built');
    expect(installLogs.native).toContain('build-launcher: native launcher built');
    expect(installLogs.sh).toContain('using the sh launcher');
  });

  test('install built the addon and the native launcher; with a failing compiler the sh launcher is installed', () => {
    for (const kind of ['native', 'sh'] as const) {
      expect(existsSync(join(pkgDir(kind), 'addon', 'build', 'Release', 'openclaw_agent.node'))).toBe(true);
      expect(realpathSync(bin(kind))).toBe(join(realpathSync(pkgDir(kind)), 'bin', 'openclaw-runtime'));
      expect(readlinkSync(bin(kind)).startsWith('/')).toBe(false);
    }
    expect(readFileSync(bin('native')).subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46])); // ELF
    expect(readFileSync(bin('sh'), 'utf8')).toBe(readFileSync(join(pkgDir('sh'), 'bin', 'openclaw-runtime.sh'), 'utf8'));
  });

  describe.each(['native', 'sh'] as const)('the %s launcher of the installed package', (kind) => {
    test('--version: our version and the commit packed, then runc\'s lines byte for byte', () => {
      const out = execFileSync(bin(kind), ['--version'], { encoding: 'utf8', env: { ...process.env, OPENCLAW_CONFIG: '' } });
      const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
      const version = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version as string;
      expect(out).toBe(`openclaw-runtime version ${version}\ncommit: ${commit}\n\n${execFileSync('runc', ['--version'], { encoding: 'utf8' })}`);
    });

    test('merge and run: busybox under default and smythos-alternative (agent from the installed addon)', () => {
      const { work: dir, socket, configToml } = agentWorkDir(`openclaw-package-${kind}-`);
      const root = mkdtempSync(join(tmpdir(), 'openclaw-package-runc-'));
      const env = { ...process.env, OPENCLAW_CONFIG: '', OPENCLAW_SERVICE_DIR: join(dir, 'service') };
      const bundles: Bundle[] = [];
      try {
        const b = makeBundle(['/bin/sh', '-c', 'while read -r k v; do [ "$k" = Seccomp: ] && echo "ran-$v"; done < /proc/self/status; true']);
        bundles.push(b);
        const before = readFileSync(b.configPath, 'utf8');
        const merged = JSON.parse(execFileSync(bin(kind), ['--openclaw-config', configToml, '--profile', 'default', 'merge', '--bundle', b.dir], { encoding: 'utf8', env }));
        expect(merged.linux.seccomp.defaultAction).toBeDefined();
        expect(merged.process.noNewPrivileges).toBe(true);
        expect(readFileSync(b.configPath, 'utf8')).toBe(before); // merge writes nothing
        for (const profile of ['default', 'smythos-alternative']) {
          const out = execFileSync(bin(kind), ['--openclaw-config', configToml, '--profile', profile, '--root', root, 'run', '--bundle', b.dir, `pkg-${kind}-${profile}`], { encoding: 'utf8', env });
          expect(out).toBe('ran-2\n'); // the container ran under a seccomp filter (Seccomp: 2); shell builtins only (smythos-alternative allows no exec)
          execFileSync(bin(kind), ['--openclaw-config', configToml, '--root', root, 'delete', '--force', `pkg-${kind}-${profile}`], { env });
          b.writeConfig(JSON.parse(before));
        }
        expect(existsSync(socket)).toBe(true); // smythos-alternative started the agent from the package
      } finally {
        const servicePid = (() => {
          try {
            return Number.parseInt(readFileSync(join(dir, 'service', 'service.lock'), 'utf8'), 10);
          } catch {
            return 0;
          }
        })();
        if (servicePid > 0) {
          try {
            process.kill(servicePid, 'SIGTERM');
          } catch {
            /* gone */
          }
        }
        removeAgentWorkDir(dir, socket, root, bundles);
      }
    });
  });
});
