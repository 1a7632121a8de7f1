/**
 * Before any test file: bin/openclaw-runtime is build output (scripts/build-launcher.sh; the
 * native launcher, or a copy of the sh launcher without a C compiler). Build it when missing
 * or older than its sources, so `npx vitest run FILE` never runs a stale or absent launcher.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
  execFileSync('bash', [join(repo, 'scripts', 'build-launcher.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
}
