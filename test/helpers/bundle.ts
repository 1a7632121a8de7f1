/**
 * Builds runc bundles for integration tests: a busybox-static rootfs (the only image we
 * can have without a registry), a config.json from `runc spec`, and the verifier script.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHIM = join(REPO, 'bin', 'openclaw-runtime');
export const VERIFIER = join(REPO, 'test', 'verifier', 'verify.sh');
export const BUSYBOX = '/bin/busybox';

export function which(bin: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Why integration tests cannot run here, or undefined when they can. */
export function integrationSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'integration tests need root (runc creates namespaces and cgroups)';
  if (!which('runc')) return 'runc is not installed (scripts/install-system-deps.sh installs it)';
  if (!existsSync(BUSYBOX)) return 'busybox-static is not installed (scripts/install-system-deps.sh installs it)';
  if (!existsSync(join(REPO, 'dist', 'main.js'))) return 'dist/ is not built (npm run build)';
  return undefined;
}

export interface Bundle {
  dir: string;
  rootfs: string;
  configPath: string;
  readConfig(): any;
  writeConfig(cfg: unknown): void;
  cleanup(): void;
}

let rootfsTemplate: string | undefined;

/** One busybox rootfs per test run, copied per bundle (cp -a is fast for ~400 symlinks). */
function templateRootfs(): string {
  if (rootfsTemplate && existsSync(rootfsTemplate)) return rootfsTemplate;
  const dir = mkdtempSync(join(tmpdir(), 'openclaw-rootfs-'));
  chmodSync(dir, 0o755); // an image's root is 0755; mkdtemp makes 0700
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp', 'etc', 'input', 'output']) mkdirSync(join(dir, d), { recursive: true });
  copyFileSync(BUSYBOX, join(dir, 'bin', 'busybox'));
  chmodSync(join(dir, 'bin', 'busybox'), 0o755);
  // Relative links: `busybox --install -s` would point them at this host path.
  for (const applet of execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n')) {
    if (applet && applet !== 'busybox') symlinkSync('busybox', join(dir, 'bin', applet));
  }
  copyFileSync(VERIFIER, join(dir, 'bin', 'verify'));
  chmodSync(join(dir, 'bin', 'verify'), 0o755);
  writeFileSync(join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n');
  writeFileSync(join(dir, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
  chmodSync(join(dir, 'tmp'), 0o1777);
  rootfsTemplate = dir;
  return dir;
}

export function makeBundle(args: string[], opts: { parent?: string } = {}): Bundle {
  const dir = mkdtempSync(join(opts.parent ?? tmpdir(), 'openclaw-bundle-'));
  const rootfs = join(dir, 'rootfs');
  execFileSync('cp', ['-a', templateRootfs(), rootfs]);
  execFileSync('runc', ['spec', '--bundle', dir]);
  const configPath = join(dir, 'config.json');
  const cfg = JSON.parse(readFileSync(configPath, 'utf8'));
  cfg.process.terminal = false;
  cfg.process.args = args;
  cfg.root.readonly = false;
  // runc spec mounts no cgroup filesystem; engines do, and the verifier reads limits there.
  cfg.mounts.push({ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] });
  writeFileSync(configPath, JSON.stringify(cfg, null, 2));
  return {
    dir,
    rootfs,
    configPath,
    readConfig: () => JSON.parse(readFileSync(configPath, 'utf8')),
    writeConfig: (c) => writeFileSync(configPath, JSON.stringify(c, null, 2)),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function removeTemplate(): void {
  if (rootfsTemplate) rmSync(rootfsTemplate, { recursive: true, force: true });
  rootfsTemplate = undefined;
}

export function parseFacts(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}
