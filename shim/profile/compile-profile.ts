/**
 * Compiling a loaded profile: its seccomp filter, with the agent's policy in listenerMetadata.
 * Imported only when the compiled-profile cache misses (it pulls in the seccomp compiler and
 * zod, which a cache hit does without).
 */
import { posix } from 'node:path';
import type { RuntimeConfig } from '../config/schema.js';
import type { SpecSeccomp } from '../oci/types.js';
import { OpenclawError } from '../errors.js';
import { formatListenerMetadata } from '../agent/metadata.js';
import { compileSyscallFilter, type AgentFacts } from '../seccomp/compile.js';
import type { LoadedProfile } from './load.js';

/** The seccomp agent's policy for this profile, carried to it in listenerMetadata. */
export function agentMetadata(profile: LoadedProfile, facts: AgentFacts = { execAllowed: [], writeGated: [] }): string {
  const fs = profile.profile.spec.filesystem ?? {};
  const writable = new Set<string>(fs.writablePaths ?? []);
  for (const b of fs.allowedBindMounts ?? []) if (!b.readonly) writable.add(b.destination);
  return formatListenerMetadata({
    v: 1,
    profile: profile.profile.metadata.name,
    sha256: profile.sha256,
    errno: 1,
    writable: [...writable].map((p) => posix.normalize(p).replace(/(.)\/$/, '$1')).sort(),
    execAllowed: facts.execAllowed.filter((n): n is 'execve' | 'execveat' => n === 'execve' || n === 'execveat'),
    writeGated: facts.writeGated.filter((n): n is 'open' | 'openat' | 'creat' => n === 'open' || n === 'openat' || n === 'creat'),
    ...(facts.filterDenials ? { filterDenials: facts.filterDenials } : {}),
    ...(facts.audit ? { audit: facts.audit } : {}),
  });
}

/** `ignoreAudit`: the filter the profile would enforce, audit mode or not (lint). */
export function compileProfileSeccomp(profile: LoadedProfile, config: RuntimeConfig, { ignoreAudit = false }: { ignoreAudit?: boolean } = {}): SpecSeccomp | undefined {
  const filter = profile.profile.spec.isolation.syscallFilter;
  if (!filter) return undefined;
  try {
    return compileSyscallFilter(filter, {
      profileFile: profile.path,
      fieldBase: 'spec.isolation.syscallFilter',
      imported: profile.importedSeccomp,
      ignoreAudit,
      agent: { listenerPath: config.agent.socket, listenerMetadata: (facts) => agentMetadata(profile, facts) },
    });
  } catch (err) {
    throw err instanceof OpenclawError ? err.inFile(profile.path) : err;
  }
}

