/**
 * The CRI suite's runtime handlers come from the real installer: `openclaw-runtime install
 * containerd --profile P --name openclaw-P --openclaw-config C --launcher-dir D --config F` for
 * each shipped profile, into a scratch containerd config; the runtime tables it wrote go into
 * the private containerd's config as they are.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import TOML from '@iarna/toml';
import { readFileSync } from 'node:fs';
import { cmd, SHIM_BIN } from '../helpers/daemons.js';

export async function installContainerdLaunchers(dir: string, openclawConfig: string, profiles: readonly string[]): Promise<{ handlers: Record<string, Record<string, unknown>>; launcherDir: string }> {
  const file = join(dir, 'containerd-install.toml');
  const launcherDir = join(dir, 'launchers');
  writeFileSync(file, '');
  for (const profile of profiles) {
    const r = await cmd(SHIM_BIN, ['install', 'containerd', '--config', file, '--name', `openclaw-${profile}`, '--profile', profile, '--openclaw-config', openclawConfig, '--launcher-dir', launcherDir]);
    if (r.exitCode !== 0) throw new Error(`install containerd --profile ${profile} failed: ${r.stderr}`);
  }
  const written = TOML.parse(readFileSync(file, 'utf8')) as any;
  return { handlers: written.plugins['io.containerd.grpc.v1.cri'].containerd.runtimes, launcherDir };
}
