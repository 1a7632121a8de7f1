/**
 * Compiling a loaded profile: its seccomp filter, with the agent's policy in listenerMetadata,
 * in OCI form and decoded (the merge combines with the decoded form; decoding it here, once,
 * lets the compiled-profile cache keep both).
 * Imported only when the compiled-profile cache misses (it pulls in the seccomp compiler and
 * zod, which a cache hit does without).
 */
import { posix } from 'node:path';
import type { CompileInputs } from './compile-inputs.js';
import { OpenclawError } from '../errors.js';
import { formatListenerMetadata } from '../agent/metadata.js';
import { compileSyscallFilter, type AgentFacts } from '../seccomp/compile.js';
import { guardComplexity } from '../seccomp/model.js';
import { compiledFilterOf, type CompiledFilter } from '../seccomp/oci-codec.js';
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
export function compileProfileSeccomp(profile: LoadedProfile, inputs: CompileInputs, { ignoreAudit = false }: { ignoreAudit?: boolean } = {}): CompiledFilter | undefined {
  const filter = profile.profile.spec.isolation.syscallFilter;
  if (!filter) return undefined;
  const fieldBase = 'spec.isolation.syscallFilter';
  try {
    const spec = compileSyscallFilter(filter, {
      profileFile: profile.path,
      fieldBase,
      imported: profile.importedSeccomp,
      ignoreAudit,
      agent: { listenerPath: inputs.agentSocket, listenerMetadata: (facts) => agentMetadata(profile, facts) },
      logFilterDenials: inputs.logFilterDenials,
    });
    return guardComplexity(profile.path, fieldBase, () => compiledFilterOf(spec));
  } catch (err) {
    throw err instanceof OpenclawError ? err.inFile(profile.path) : err;
  }
}

