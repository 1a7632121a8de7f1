/**
 * `openclaw-runtime hook poststop --state-dir DIR`: run by runc as an OCI poststop hook
 * (hooks/openclaw-poststop), with the container's state JSON on stdin. Undoes the host
 * actions recorded for that container. A hook must not block delete: failures are reported on
 * stderr (runc logs them) and the exit code is 0 unless the input itself is unusable.
 */
import { readFileSync } from 'node:fs';
import { OpenclawError } from '../errors.js';
import { undoHostActions } from '../host/actions.js';
import { hostRunner } from '../util/child-process.js';
import { parseCommandArgs } from '../cli/command-args.js';
import { HOOK_SPEC } from './specs.js';
import type { CommandHandler } from './types.js';

export interface HookOutcome {
  code: number;
  stdout?: string;
  stderr: string;
}

/** The hook's work on plain values: the Node path reads fd 0, the resident service gets stdin in its request. */
export async function runHook(commandArgs: readonly string[], stdin: () => string): Promise<HookOutcome> {
  const parsed = parseCommandArgs(HOOK_SPEC, commandArgs);
  if (parsed.help) return { code: 0, stdout: parsed.text, stderr: '' };
  const phase = parsed.positionals[0];
  if (phase !== 'poststop') {
    throw new OpenclawError('cli', `unknown hook phase "${phase ?? ''}"`, { fix: 'use: openclaw-runtime hook poststop --state-dir DIR' });
  }
  const stateDir = parsed.values['state-dir'];
  if (!stateDir) throw new OpenclawError('cli', 'hook poststop needs --state-dir DIR', { fix: 'the shim writes this hook itself; recreate the container' });
  let id: string | undefined;
  try {
    id = (JSON.parse(stdin()) as { id?: string }).id;
  } catch (err) {
    throw new OpenclawError('cli', `hook poststop: cannot read the container state on stdin (${(err as Error).message})`, { fix: 'runc passes it; run the hook only from config.json' });
  }
  if (!id) throw new OpenclawError('cli', 'hook poststop: the container state on stdin has no id', { fix: 'runc passes it; run the hook only from config.json' });
  try {
    await undoHostActions(stateDir, id, hostRunner);
  } catch (err) {
    return { code: 0, stderr: `openclaw-runtime: poststop clean-up of ${id} failed: ${(err as Error).message}\n` };
  }
  return { code: 0, stderr: '' };
}

export const hookCommand: CommandHandler = async ({ argv }) => {
  const out = await runHook(argv.commandArgs, () => readFileSync(0, 'utf8'));
  if (out.stdout) process.stdout.write(out.stdout);
  if (out.stderr) process.stderr.write(out.stderr);
  return out.code;
};
