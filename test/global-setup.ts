/**
 * Before any test file: bin/openclaw-runtime is build output (scripts/build-launcher.sh; the
 * native launcher, or a copy of the sh launcher without a C compiler). Build it when missing
 * or older than its sources, so `npx vitest run FILE` never runs a stale or absent launcher.
 *
 * After the last file: the resident service that the launcher started on demand for this
 * checkout (shim/service/, default directory) is stopped by the pid in its lock file, unless it
 * was already running before the suite (then it is someone else's to stop).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serviceDir } from '../shim/service/paths.js';

function servicePid(): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(join(serviceDir({}), 'service.lock'), 'utf8'), 10);
    if (!(pid > 0)) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

export default function setup(): () => void {
  const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
  execFileSync('bash', [join(repo, 'scripts', 'build-launcher.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const before = servicePid();
  return () => {
    const pid = servicePid();
    if (pid !== undefined && pid !== before) process.kill(pid, 'SIGTERM');
  };
}
