/**
 * `openclaw-runtime --help` and `--version` with no command: the shim's own lines, then the
 * low-level runtime's answer to the same argv, untouched (as nvidia-container-runtime does:
 * engines such as `docker info` show the runtime's version output, so runc's lines stay
 * byte-identical after ours). Both launchers send these two to Node (surface.h
 * OC_SHIM_ANSWERED_GLOBAL_FLAGS); with a command they are runc's.
 */
import { writeSync } from 'node:fs';
import { SHIM_GLOBAL_FLAGS } from '../cli/runc-surface.js';
import { SHIM_ONLY_SPECS } from './specs.js';
import { shimCommit, shimVersion } from '../package.js';

/** The runc commands the shim wraps, and what it adds to each. */
export const WRAPPED_COMMANDS: ReadonlyArray<readonly [string, string]> = [
  ['create, run', 'the profile is merged into the bundle\'s config.json first (or refused, naming file, field and fix)'],
  ['exec', 'the exec\'d process is clamped to the profile'],
  ['delete', 'the host set-up of create is undone after the runtime\'s delete'],
  ['features', 'the runtime\'s answer plus openclaw\'s annotations'],
];

/** The first lines of `--version`, before the runtime's own. */
export function versionText(): string {
  return `openclaw-runtime version ${shimVersion()}\ncommit: ${shimCommit()}\n\n`;
}

function table(rows: ReadonlyArray<readonly [string, string]>): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `   ${left.padEnd(width)}  ${right}`);
}

/** The part of `--help` before the runtime's help. */
export function helpText(runtime: string): string {
  return [
    'NAME:',
    '   openclaw-runtime - an OCI runtime shim: the low-level runtime with a sandbox profile merged into config.json',
    '',
    'USAGE:',
    '   openclaw-runtime [openclaw-runtime global options] [runtime global options] command [command options] [arguments...]',
    '',
    'VERSION:',
    `   ${shimVersion()} (commit ${shimCommit()})`,
    '',
    'OPENCLAW-RUNTIME GLOBAL OPTIONS (taken out before the runtime is called):',
    ...table(SHIM_GLOBAL_FLAGS.map((f) => [`--${f.name} ${f.value ?? 'VALUE'}`, f.help ?? ''] as const)),
    '',
    'OPENCLAW-RUNTIME COMMANDS (each takes --help):',
    ...table(SHIM_ONLY_SPECS.map((s) => [s.name, s.summary] as const)),
    '',
    'RUNTIME COMMANDS OPENCLAW-RUNTIME WRAPS:',
    ...table(WRAPPED_COMMANDS),
    '',
    `Every other command and option is the runtime's (${runtime}), passed on unchanged. Its help:`,
    '',
    '',
  ].join('\n');
}

/** Written with writeSync so it is on fd 1 before the runtime, which shares fd 1, writes. */
export function writeOut(text: string): void {
  const buf = Buffer.from(text);
  for (let off = 0; off < buf.length; ) off += writeSync(1, buf, off);
}
