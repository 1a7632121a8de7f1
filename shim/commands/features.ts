/**
 * `features`: runc's own answer (OCI runtime features, JSON on stdout), plus two facts about
 * the shim: its version as an annotation, and `org.openclaw.` among the annotations that may
 * change the container's config (the profile annotation does). containerd's runc v2 shim
 * parses this stdout as JSON, so it must stay valid JSON; when runc's answer is not JSON
 * (an old runc without `features`, `features --help`, an error), its stdout, stderr and exit
 * status pass through byte for byte.
 */
import type { CommandHandler } from './types.js';
import { resolveLowLevelRuntime } from '../config/runtime-path.js';
import { exitLike, runCaptured, type CapturedResult } from '../util/child-process.js';
import { isRecord, parseJsonLossless, stringifyJsonLossless } from '../util/json.js';
import { shimVersion } from '../package.js';

export const VERSION_ANNOTATION = 'org.openclaw.runtime.version';
export const UNSAFE_ANNOTATION_PREFIX = 'org.openclaw.';

/** Adds the shim's facts to runc's features object; undefined when it is not a JSON object. */
export function augmentFeatures(stdout: string, version: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = parseJsonLossless(stdout);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  const features = value;
  const annotations = isRecord(features.annotations) ? features.annotations : {};
  annotations[VERSION_ANNOTATION] = version;
  features.annotations = annotations;
  const unsafe = Array.isArray(features.potentiallyUnsafeConfigAnnotations) ? (features.potentiallyUnsafeConfigAnnotations as unknown[]) : [];
  if (!unsafe.includes(UNSAFE_ANNOTATION_PREFIX)) unsafe.push(UNSAFE_ANNOTATION_PREFIX);
  features.potentiallyUnsafeConfigAnnotations = unsafe;
  return features;
}

export type FeaturesOutput = CapturedResult;

/** What `features` prints: runc's answer with the shim's facts added, or runc's bytes untouched. */
export async function featuresOutput(runtime: string, runcArgv: readonly string[]): Promise<FeaturesOutput> {
  // stdin is ours, as runc would have it on the pass-through path.
  const result = await runCaptured(runtime, runcArgv, { stdin: 'inherit' });
  const augmented = result.exitCode === 0 ? augmentFeatures(result.stdout.toString('utf8'), shimVersion()) : undefined;
  // runc prints json.MarshalIndent(..., "", "    ") and a newline; keep its look.
  if (augmented) return { stdout: Buffer.from(`${stringifyJsonLossless(augmented, 4)}\n`), stderr: result.stderr, exitCode: 0, signal: null };
  return result;
}

export const featuresCommand: CommandHandler = async ({ argv, env }) => {
  const runtime = await resolveLowLevelRuntime(argv.shim.openclawConfig, env);
  const result = await featuresOutput(runtime, argv.runcArgv);
  if (result.exitCode === 0) {
    process.stderr.write(result.stderr);
    await write(process.stdout, result.stdout);
    return 0;
  }
  await write(process.stdout, result.stdout);
  await write(process.stderr, result.stderr);
  if (result.signal) exitLike(result);
  return result.exitCode ?? 1;
};

/** Resolves once the bytes are handed to the OS (main exits right after the handler). */
function write(stream: NodeJS.WriteStream, data: string | Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (data.length === 0) return resolve();
    stream.write(data, () => resolve());
  });
}
