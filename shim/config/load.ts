/**
 * Loads the runtime config (TOML). Precedence: --openclaw-config, then OPENCLAW_CONFIG,
 * then /etc/openclaw/config.toml. A missing default file means built-in defaults; a missing
 * file that was named explicitly is an error (the operator meant something).
 */
import { readFileSync } from 'node:fs';
import { OpenclawError, schemaRefusal } from '../errors.js';
import { tomlSyntaxError } from '../util/toml.js';
import { DEFAULT_CONFIG, DEFAULT_CONFIG_PATH } from './defaults.js';
import type { RuntimeConfig } from './schema.js';

// TOML and zod are loaded only when a config file exists: together they cost ~100 ms of
// start-up, and `delete`/`features` without a config need neither.

export interface LoadedConfig {
  config: RuntimeConfig;
  /** The file it came from, or undefined for built-in defaults. */
  path?: string;
}

export function configPathFor(flag: string | undefined, env: NodeJS.ProcessEnv): { path: string; explicit: boolean } {
  if (flag) return { path: flag, explicit: true };
  if (env.OPENCLAW_CONFIG) return { path: env.OPENCLAW_CONFIG, explicit: true };
  return { path: DEFAULT_CONFIG_PATH, explicit: false };
}

export async function loadConfig(flag: string | undefined, env: NodeJS.ProcessEnv): Promise<LoadedConfig> {
  const { path, explicit } = configPathFor(flag, env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // The schema's defaults are DEFAULT_CONFIG's (test/unit/config asserts they agree).
    if (code === 'ENOENT' && !explicit) return { config: DEFAULT_CONFIG as unknown as RuntimeConfig };
    throw new OpenclawError('config', `cannot read the runtime config (${code ?? String(err)})`, {
      file: path,
      fix: code === 'ENOENT' ? 'create the file or point --openclaw-config / OPENCLAW_CONFIG at an existing one' : 'make the file readable by root',
    });
  }
  return { config: await parseConfigText(text, path), path };
}

export async function parseConfigText(text: string, path: string): Promise<RuntimeConfig> {
  const TOML = (await import('@iarna/toml')).default;
  const { RuntimeConfigSchema } = await import('./schema.js');
  let raw: unknown;
  try {
    raw = TOML.parse(text);
  } catch (err) {
    throw new OpenclawError('config', `invalid TOML${tomlSyntaxError(err)}`, {
      file: path,
      fix: 'correct the TOML syntax',
    });
  }
  const result = RuntimeConfigSchema.safeParse(raw);
  if (!result.success) {
    const { field, unknownKey, problem } = schemaRefusal(result.error.issues[0]!, raw, { missing: 'schema message' });
    throw new OpenclawError('config', problem, {
      file: path,
      field,
      fix: unknownKey ? 'remove the key or correct its spelling (see README "Profile selection and configuration")' : 'correct the value (see README "Profile selection and configuration")',
    });
  }
  return result.data;
}
