/**
 * The runtime config values a profile's compile reads, as one object. compile-profile.ts is
 * given this object, never the config, and the compiled-profile cache keys on all of it: a value
 * the compile starts to read goes here, and so into the key, or the compile cannot see it.
 */
import type { RuntimeConfig } from '../config/schema.js';

export interface CompileInputs {
  /** [agent] socket: the filter's listenerPath. */
  agentSocket: string;
  /** [agent] log_filter_denials: a filter that needs no agent sends its errno denials to it anyway. */
  logFilterDenials: boolean;
}

export function compileInputsOf(config: RuntimeConfig): CompileInputs {
  return { agentSocket: config.agent.socket, logFilterDenials: config.agent.log_filter_denials };
}
