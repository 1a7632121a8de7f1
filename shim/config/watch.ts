/**
 * Config reload for the long-lived processes (the seccomp agent, the resident service). A
 * one-shot command reads the config once and exits; a daemon would keep what it read at start
 * for days. So a daemon remembers the file's identity as stat(2) saw it BEFORE reading it
 * (device, inode, size, mtime and ctime in ns, as service/resolved.ts: an edit, a replacement
 * or a touch all move ctime) and re-reads the file whenever that identity differs: on SIGHUP,
 * and before each use that depends on the config (the agent: each denial-log write; the
 * service: each request). Never stale: a change made before a use is seen by that use.
 *
 * A config that no longer parses keeps the previous settings (a daemon that dies on a typo
 * takes every running container's gated calls with it); the error is logged once per version
 * of the file.
 */
import { stat as statAsync, readFile } from 'node:fs/promises';
import { statSync, type BigIntStats } from 'node:fs';
import { DEFAULT_CONFIG } from './defaults.js';
import { configPathFor, parseConfigText, type LoadedConfig } from './load.js';
import type { RuntimeConfig } from './schema.js';

export type ReloadLog = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

/** What identifies one version of the file; 'absent' when there is none. */
export function configIdentity(st: BigIntStats | undefined): string {
  return st ? `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}` : 'absent';
}

export function configIdentityNow(path: string): string {
  try {
    return configIdentity(statSync(path, { bigint: true }));
  } catch {
    return 'absent';
  }
}

/** Dotted keys (table.key) whose values differ between two configs. */
export function changedKeys(a: RuntimeConfig, b: RuntimeConfig): string[] {
  const out: string[] = [];
  const tables = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const t of tables) {
    const ta = (a as unknown as Record<string, Record<string, unknown>>)[t] ?? {};
    const tb = (b as unknown as Record<string, Record<string, unknown>>)[t] ?? {};
    for (const k of new Set([...Object.keys(ta), ...Object.keys(tb)])) {
      if (JSON.stringify(ta[k]) !== JSON.stringify(tb[k])) out.push(`${t}.${k}`);
    }
  }
  return out.sort();
}

export interface ConfigWatchOptions {
  /** --openclaw-config of the daemon, if any (else OPENCLAW_CONFIG, else the default path). */
  flag: string | undefined;
  env: NodeJS.ProcessEnv;
  /** The config the daemon started with, and the identity taken before it was read. */
  initial: LoadedConfig;
  initialIdentity: string;
  log: ReloadLog;
  /** Applies a new config; `changed` lists its dotted keys that differ from the previous one. */
  apply: (next: RuntimeConfig, prev: RuntimeConfig, changed: string[]) => void;
}

export class ConfigWatch {
  readonly path: string;
  private readonly explicit: boolean;
  private identity: string;
  private current: RuntimeConfig;
  private checking: Promise<void> | undefined;
  /** How many times a changed file was applied (stats). */
  reloads = 0;

  constructor(private readonly opts: ConfigWatchOptions) {
    const where = configPathFor(opts.flag, opts.env);
    this.path = where.path;
    this.explicit = where.explicit;
    this.identity = opts.initialIdentity;
    this.current = opts.initial.config;
  }

  get config(): RuntimeConfig {
    return this.current;
  }

  /**
   * Re-reads the file if its identity changed since the last read. Asynchronous I/O only (the
   * agent's loop must not wait on the file system); concurrent calls share one check.
   */
  check(reason: string): Promise<void> {
    if (!this.checking) {
      this.checking = this.checkNow(reason).finally(() => {
        this.checking = undefined;
      });
    }
    return this.checking;
  }

  private async checkNow(reason: string): Promise<void> {
    const identity = configIdentity(await statAsync(this.path, { bigint: true }).catch(() => undefined));
    if (identity === this.identity) {
      if (reason === 'SIGHUP') this.opts.log('info', `config reload (SIGHUP): ${this.path} unchanged`, { config: this.path });
      return;
    }
    let next: RuntimeConfig;
    try {
      if (identity === 'absent') {
        if (this.explicit) throw new Error('the file is gone');
        next = DEFAULT_CONFIG as unknown as RuntimeConfig;
      } else {
        next = await parseConfigText(await readFile(this.path, 'utf8'), this.path);
      }
    } catch (err) {
      this.identity = identity; // logged once per version of the file
      this.opts.log('error', `config reload (${reason}): ${this.path}: ${(err as Error).message}; keeping the previous settings`, { config: this.path });
      return;
    }
    this.identity = identity;
    const prev = this.current;
    const changed = changedKeys(prev, next);
    this.current = next;
    this.reloads++;
    this.opts.log('info', `config reloaded (${reason}): ${this.path}${changed.length ? `: changed ${changed.join(', ')}` : ': no setting changed'}`, { config: this.path, changed });
    this.opts.apply(next, prev, changed);
  }
}
