/**
 * Which profile applies to a container, in this order:
 *   1. the shim's --profile flag (NAME or PATH; set by the operator through Docker's
 *      runtimeArgs or a containerd wrapper),
 *   2. the OCI annotation org.openclaw.profile, only when the config allows annotation
 *      selection AND lists that profile (the container's creator must not pick a weaker one),
 *   3. the config's default profile.
 * Names resolve to NAME.yaml / NAME.yml in the config's profile directories, then the
 * package's profiles/. A name whose file is a symlink leading out of its directory is refused.
 */
import { existsSync, realpathSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { OpenclawError } from '../errors.js';
import type { RuntimeConfig } from '../config/schema.js';
import type { Spec } from '../oci/types.js';
import { PROFILES_DIR } from '../package.js';

export const PROFILE_ANNOTATION = 'org.openclaw.profile';

/** The package's own profiles/ (dist/profile/select.js -> ../../profiles). */


const PROFILE_NAME_RE = /^[a-z0-9][a-z0-9._-]*$/;

export type SelectionSource = 'flag' | 'annotation' | 'config-default';

export interface ProfileChoice {
  /** Absolute path of the profile file. */
  path: string;
  /** How it was chosen (recorded in the debug log). */
  source: SelectionSource;
  /** The name or path as given. */
  requested: string;
}

export interface SelectInputs {
  flag?: string;
  spec: Spec;
  config: RuntimeConfig;
  configPath?: string;
  cwd: string;
}

export function selectProfile({ flag, spec, config, configPath, cwd }: SelectInputs): ProfileChoice {
  if (flag !== undefined) {
    if (flag.includes('/')) return { path: resolve(cwd, flag), source: 'flag', requested: flag };
    return { path: resolveProfileName(flag, config, { source: 'the --profile flag' }), source: 'flag', requested: flag };
  }
  const annotated = spec.annotations?.[PROFILE_ANNOTATION];
  if (annotated !== undefined) {
    const policy = config.annotations;
    if (!policy.allow_profile_selection || !policy.allowed_profiles.includes(annotated)) {
      throw new OpenclawError(
        'profile',
        `annotation ${PROFILE_ANNOTATION}="${annotated}" chooses a profile the runtime config does not allow` +
          (policy.allow_profile_selection ? ` (allowed: ${policy.allowed_profiles.join(', ') || 'none'})` : ' (annotation selection is off)'),
        {
          file: 'config.json',
          field: `annotations["${PROFILE_ANNOTATION}"]`,
          fix: `remove the annotation, or have the operator list "${annotated}" in annotations.allowed_profiles with allow_profile_selection = true in ${configPath ?? '/etc/openclaw/config.toml'}`,
        },
      );
    }
    return { path: resolveProfileName(annotated, config, { source: 'the annotation' }), source: 'annotation', requested: annotated };
  }
  const name = config.profiles.default;
  if (name.includes('/')) return { path: resolve(name), source: 'config-default', requested: name };
  return { path: resolveProfileName(name, config, { source: 'profiles.default in the runtime config' }), source: 'config-default', requested: name };
}

export function profileDirectories(config: RuntimeConfig): string[] {
  return [...config.profiles.directories, PROFILES_DIR];
}

function resolveProfileName(name: string, config: RuntimeConfig, ctx: { source: string }): string {
  if (!PROFILE_NAME_RE.test(name)) {
    throw new OpenclawError('profile', `"${name}" (from ${ctx.source}) is not a valid profile name`, {
      fix: 'use a name of lower-case letters, digits, ".", "_" and "-", or an absolute path with --profile',
    });
  }
  const dirs = profileDirectories(config);
  for (const dir of dirs) {
    for (const ext of ['.yaml', '.yml']) {
      const candidate = join(dir, name + ext);
      if (!existsSync(candidate)) continue;
      const real = realpathSync(candidate);
      const realDir = realpathSync(dir);
      if (!real.startsWith(realDir + sep)) {
        throw new OpenclawError('profile', `profile "${name}" is a symlink to ${real}, outside its profile directory ${dir}`, {
          file: candidate,
          fix: 'copy the profile into the profile directory instead of linking to it',
        });
      }
      return candidate;
    }
  }
  throw new OpenclawError('profile', `no profile named "${name}" (from ${ctx.source}) in ${dirs.join(', ')}`, {
    fix: `create ${join(dirs[0] ?? '/etc/openclaw/profiles', name + '.yaml')} or choose one of the shipped profiles (default, smythos-alternative, model-backend)`,
  });
}
