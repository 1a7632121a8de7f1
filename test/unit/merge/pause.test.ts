/**
 * The pod sandbox (pause) policy: profiles/internal/cri-sandbox.yaml plus merge/pause.ts.
 * A container's creator can claim to be a sandbox through annotations, so the claim must gain
 * nothing: the pause filter is compared call by call (every x86_64 syscall, several argument
 * vectors) with each shipped profile's compiled filter. The only calls it lets run that a
 * profile would hand to its seccomp agent are the ones runc's own init makes after the filter
 * is loaded (RUNC_INIT_PROBES, execve among them): without an agent they must simply be allowed;
 * and pause(2), which only waits.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readProfileFile } from '../../../shim/profile/load.js';
import { compileProfileSeccomp } from '../../../shim/profile/compile-profile.js';
import { compileInputsOf } from '../../../shim/profile/compile-inputs.js';
import { RuntimeConfigSchema } from '../../../shim/config/schema.js';
import { evaluate, verdictRank } from '../../../shim/seccomp/evaluate.js';
import { SYSCALLS, syscallExists } from '../../../shim/seccomp/syscall-table.js';
import { RUNC_INIT_PROBES } from '../../../shim/seccomp/runc-init.js';
import { ACTION_RANK } from '../../../shim/seccomp/vocabulary.js';
import { makePauseModifier, POD_PROFILE_ANNOTATION } from '../../../shim/merge/pause.js';
import type { Spec } from '../../../shim/oci/types.js';
import { mergeInputs } from '../../helpers/merge-inputs.js';
import { CRI_SANDBOX_PROFILE_PATH, sandboxProfile } from '../../../shim/profile/pod-sandbox.js';

const PROFILES = join(import.meta.dirname, '..', '..', '..', 'profiles');
const config = RuntimeConfigSchema.parse({});
const pause = readProfileFile(CRI_SANDBOX_PROFILE_PATH);
const pauseFilter = compileProfileSeccomp(pause, compileInputsOf(config))!.spec;
const shipped = readdirSync(PROFILES).filter((f) => f.endsWith('.yaml')).map((f) => readProfileFile(join(PROFILES, f)));

const AT_FDCWD = BigInt.asUintN(64, -100n);
/** Argument vectors that cross the filters' conditions: zeros, a thread, a fork, a write-open, sockets, personality. */
const ARGS: bigint[][] = [[], [0x50f00n], [17n], [0x7e020000n], [AT_FDCWD, 0n, 1n], [AT_FDCWD, 0n, 0x241n], [2n, 1n, 0n], [1n, 1n, 0n], [0xffffffffn]];
const runs = (rank: number) => rank < ACTION_RANK.notify;
const RUNC_INIT = new Set(RUNC_INIT_PROBES.map((p) => p.syscall));
/**
 * pause(2) itself: Kubernetes' pause binary (and ours) waits in it, and it does nothing but wait
 * for a signal. smythos-alternative's list lacks it; a claimant gains a way to sleep.
 */
const WAITS_ONLY = new Set(['pause']);

describe('pause (CRI sandbox) policy', () => {
  it('compiles without the seccomp agent (a pod never waits for it)', () => {
    expect(pauseFilter.listenerPath).toBeUndefined();
    expect(JSON.stringify(pauseFilter)).not.toContain('SCMP_ACT_NOTIFY');
  });

  for (const profile of shipped) {
    it(`lets no call run that ${profile.profile.metadata.name} would not (runc's init calls excepted)`, () => {
      const filter = compileProfileSeccomp(profile, compileInputsOf(config))!.spec;
      const looser: string[] = [];
      for (const name of Object.keys(SYSCALLS)) {
        if (!syscallExists(name, 'x86_64')) continue;
        for (const args of ARGS) {
          const p = verdictRank(evaluate(pauseFilter, 'SCMP_ARCH_X86_64', name, args));
          const q = verdictRank(evaluate(filter, 'SCMP_ARCH_X86_64', name, args));
          if (!runs(p) || runs(q)) continue;
          if (q === ACTION_RANK.notify && RUNC_INIT.has(name)) continue;
          if (WAITS_ONLY.has(name)) continue;
          looser.push(`${name}(${args.join(',')})`);
        }
      }
      expect(looser).toEqual([]);
    });

    it(`is at least as tight as ${profile.profile.metadata.name} elsewhere: no capabilities, new privileges, read-only root, no binds`, () => {
      const p = pause.profile.spec;
      expect(p.process?.capabilities).toEqual([]);
      expect(p.process?.noNewPrivileges).toBe(true);
      expect(p.filesystem?.readonlyRootfs).toBe(true);
      expect(p.filesystem?.allowedBindMounts).toEqual([]);
      const theirs = profile.profile.spec.isolation.cgroups;
      if (theirs?.pids?.max !== undefined) expect(Number(p.isolation.cgroups!.pids!.max)).toBeLessThanOrEqual(Number(theirs.pids.max));
    });
  }

  it("takes the chosen profile's namespaces and nothing else", () => {
    const chosen = shipped.find((s) => s.profile.metadata.name === 'smythos-alternative')!;
    const merged = sandboxProfile(pause, chosen);
    expect(merged.profile.spec.isolation.namespaces).toEqual(chosen.profile.spec.isolation.namespaces);
    expect(merged.profile.spec.isolation.syscallFilter).toBe(pause.profile.spec.isolation.syscallFilter);
    expect(merged.profile.metadata.name).toBe('cri-sandbox');
    expect(merged.sha256).toBe(pause.sha256);
  });

  const sandboxSpec = (sandboxId: string): Spec => ({
    annotations: { 'io.kubernetes.cri.container-type': 'sandbox', 'io.kubernetes.cri.sandbox-id': sandboxId },
    mounts: [
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/etc/resolv.conf', type: 'bind', source: '/x/resolv.conf', options: ['rbind', 'rw'] },
    ],
  });

  it('takes from the sandbox what pause never needs: exec on /dev, mqueue, writable binds', () => {
    const chosen = shipped[0]!;
    const spec = sandboxSpec('c1');
    makePauseModifier(mergeInputs({}, { podProfile: chosen })).apply({ spec, hostActions: [] });
    expect(spec.mounts).toEqual([
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k', 'noexec'] },
      { destination: '/etc/resolv.conf', type: 'bind', source: '/x/resolv.conf', options: ['rbind', 'ro'] },
    ]);
    expect(spec.annotations![POD_PROFILE_ANNOTATION]).toBe(chosen.profile.metadata.name);
  });

  it('refuses a sandbox claim whose sandbox-id is another container', () => {
    const spec = sandboxSpec('f'.repeat(64));
    expect(() => makePauseModifier(mergeInputs({}, { podProfile: shipped[0]! })).apply({ spec, hostActions: [] })).toThrow(/claims to be a pod sandbox .* not its own id c1/);
  });

  it('does nothing for other containers', () => {
    const spec = sandboxSpec('x');
    makePauseModifier(mergeInputs({})).apply({ spec, hostActions: [] });
    expect(spec).toEqual(sandboxSpec('x'));
  });
});
