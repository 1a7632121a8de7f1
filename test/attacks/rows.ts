/**
 * The columns of the comparison: each row is a way to configure the container, with the file
 * of expected outcomes it is checked against. Adding a shipped profile is one entry:
 *   profileRow('default', (spec, bundle) => merge(spec, loadProfile('default')))
 * in ROWS of battery.test.ts, plus expectations/default.json (already there).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SpecCapabilities, SpecSeccomp } from '../../shim/oci/types.js';
import type { BatteryOptions, SpecTransform } from './runner.js';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface Row {
  /** Also the name of expectations/<id>.json. */
  id: string;
  title: string;
  transform?: SpecTransform;
  mode?: BatteryOptions['mode'];
  /** A baseline is reported for comparison; the summary lists what other rows stop beyond it. */
  baseline?: boolean;
  /** The runtime binary and its leading flags (default: plain runc). */
  runtime?: string;
  runtimeArgs?: string[];
}

function readCaptured<T>(file: string): T {
  // The capture script adds "_source" (provenance); runc would ignore it, but the spec should not carry it.
  const { _source, ...rest } = JSON.parse(readFileSync(join(HERE, 'baselines', file), 'utf8')) as Record<string, unknown>;
  void _source;
  return rest as T;
}

/** Docker 20.10's default seccomp profile and capability set, as dockerd hands them to runc. */
export const dockerDefault: SpecTransform = (spec) => {
  spec.linux = { ...spec.linux, seccomp: readCaptured<SpecSeccomp>('docker-default-seccomp.json') };
  spec.process = { ...spec.process!, capabilities: readCaptured<SpecCapabilities>('docker-default-capabilities.json') };
  return spec;
};

export const BASELINE_ROWS: Row[] = [
  {
    id: 'runc-unconfined',
    title: 'runc, no seccomp (runc spec defaults: 3 capabilities, no-new-privileges)',
    baseline: true,
  },
  {
    id: 'docker-default',
    title: "runc + Docker 20.10's default seccomp profile and capabilities",
    transform: dockerDefault,
    baseline: true,
  },
];

export function profileRow(profile: string, transform: SpecTransform, title = `openclaw profile "${profile}"`): Row {
  return { id: profile, title, transform, mode: 'one' };
}

/**
 * A shipped profile, applied the way users get it: the battery's runc bundle goes through
 * bin/openclaw-runtime --profile NAME (which merges the profile and starts the seccomp agent).
 * The bundle's own /output bind is taken out: the profiles allow only their own binds (the
 * smythos-alternative profile brings /output itself).
 */
export function shippedProfileRow(profile: string, shim: string, openclawConfig: string): Row {
  const dropOwnOutput: SpecTransform = (spec) => {
    spec.mounts = (spec.mounts ?? []).filter((m) => m.destination !== '/output');
    return spec;
  };
  return {
    id: profile,
    title: `openclaw-runtime --profile ${profile}`,
    transform: dropOwnOutput,
    mode: 'one',
    runtime: shim,
    runtimeArgs: ['--profile', profile, '--openclaw-config', openclawConfig],
  };
}
