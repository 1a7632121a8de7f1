/**
 * `openclaw-runtime jobs prune [--older-than DURATION] [ID...]`: removes the job directories
 * (perContainer bind sources, e.g. a job's output) of containers that are gone and ended more
 * than DURATION ago (default: config [jobs] retention). The retention rule: host/jobs.ts.
 */
import { loadConfig } from '../config/load.js';
import { DURATION_RE, durationMs } from '../config/schema.js';
import { OpenclawError } from '../errors.js';
import { pruneJobs } from '../host/jobs.js';
import { parseCommandArgs, usageLine } from '../cli/command-args.js';
import { JOBS_PRUNE_SPEC } from './specs.js';
import type { CommandHandler } from './types.js';

export const jobsCommand: CommandHandler = async ({ argv, env }) => {
  const parsed = parseCommandArgs(JOBS_PRUNE_SPEC, argv.commandArgs);
  if (parsed.help) {
    process.stdout.write(parsed.text);
    return 0;
  }
  const [sub, ...ids] = parsed.positionals;
  if (sub !== 'prune') throw new OpenclawError('cli', `jobs: unknown subcommand "${sub ?? ''}"`, { fix: usageLine(JOBS_PRUNE_SPEC) });
  const olderThan = parsed.values['older-than'];
  if (olderThan !== undefined && !DURATION_RE.test(olderThan)) {
    throw new OpenclawError('cli', `jobs prune: --older-than "${olderThan}" is not a duration`, { fix: 'use e.g. 0, 30m, 24h or 7d' });
  }
  const { config } = await loadConfig(argv.shim.openclawConfig, env);
  const result = pruneJobs({
    jobsDir: config.jobs.dir,
    stateDir: config.state.dir,
    olderThanMs: durationMs(olderThan ?? config.jobs.retention),
    ids,
  });
  for (const id of result.removed) process.stdout.write(`removed ${id}\n`);
  for (const [id, why] of Object.entries(result.kept)) process.stderr.write(`kept ${id}: ${why}\n`);
  return 0;
};
