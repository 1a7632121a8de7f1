/**
 * Property (the exec-once invariant, issue #9 item 5): for every generated profile the compiler
 * accepts, the compiled filter plus the agent never allow, once the workload runs, a call that
 * the profile as written denies. Calls the filter sends to the agent are allowed only before the
 * first exec (runc's init); if the agent could miss that exec, they would stay allowed for the
 * container's whole life (a whitelist with execve and without clone kept fork open).
 *
 * The model of filter + agent: the reference evaluator (seccomp/evaluate.ts) for the kernel's
 * answer, and the agent's pure decide() for every SCMP_ACT_NOTIFY, with the program image the
 * server would read (runc init's until the entrypoint's exec completes, then the workload's).
 * One container's life: runc init's post-filter calls (seccomp/runc-init.ts), the entrypoint's
 * execve (sometimes restarted, as Go's SIGURG makes it), then sampled workload calls, with a
 * fresh image after every exec the agent lets through.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { evaluate } from '../../shim/seccomp/evaluate.js';
import { compileAsWritten, compileSyscallFilter, type AgentFacts } from '../../shim/seccomp/compile.js';
import { RUNC_INIT_PROBES } from '../../shim/seccomp/runc-init.js';
import { PATH_MUTATING_CALLS } from '../../shim/seccomp/vocabulary.js';
import { syscallNumber } from '../../shim/seccomp/syscall-table.js';
import { decide, INITIAL_LISTENER_STATE, needsTaskImage, type AgentPolicy, type ListenerState, type TaskImage } from '../../shim/agent/decide.js';
import { AUDIT_ARCH } from '../../shim/agent/syscalls.js';
import { ProfileSchema, type ProfileSyscallFilter } from '../../shim/profile/schema.js';
import { OpenclawError } from '../../shim/errors.js';
import { SYSCALLS, U64_MAX, profileSyscallFilter } from './arbitraries.js';

const X86_64 = 'SCMP_ARCH_X86_64';
const OPTS = { profileFile: '/profiles/prop.yaml', fieldBase: 'spec.isolation.syscallFilter', nativeArch: X86_64 };
const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);

const INIT: TaskImage = { dev: 65024n, ino: 15884289n, layout: '4214784 8407281 140727717916784 12766600 12948064 521678848 140727717920444 140727717920464 140727717920464 140727717920750' };
const imageAfterExec = (n: number): TaskImage => ({ dev: 65024n, ino: 2180484n + BigInt(n), layout: `4198400 5785993 ${140721659063872 + n * 4096} 6141704 6178576 809021440 1 2 3 4` });

/** The workload's vocabulary: the merge properties' pool, runc init's calls and the path-mutating class. */
const NAMES = [...new Set<string>([...SYSCALLS, ...RUNC_INIT_PROBES.map((p) => p.syscall), ...PATH_MUTATING_CALLS, 'fchmod', 'fchmodat', 'wait4', 'fork', 'vfork'])].filter(
  (n) => syscallNumber(n, 'x86_64') !== undefined,
);
const SPECIAL = [0n, 1n, 2n, 0x40n, 0x200n, 0x400000n, 0o4000n, 0o2000n, 0x10000n, 0x50f00n, 0x11n, 0x5401n, 0x5451n, 0x7e020000n, 1n << 32n, U64_MAX];
const arg = fc.oneof(fc.constantFrom(...SPECIAL), fc.bigInt({ min: 0n, max: U64_MAX }));
const workloadCall = fc.record({ name: fc.constantFrom(...NAMES), args: fc.array(arg, { minLength: 6, maxLength: 6 }) });

const permitted = (action: string) => action === 'allow' || action === 'log';

/** A running container as filter + agent: what each call gets. */
class Container {
  state: ListenerState = INITIAL_LISTENER_STATE;
  constructor(
    private readonly filter: ReturnType<typeof compileSyscallFilter>,
    private readonly policy: AgentPolicy,
  ) {}

  /** The errno the last call was denied with by the agent as a filter denial (issue 10), else undefined. */
  filterErrno: number | undefined;

  /** true when the call runs (the kernel allows it, or the agent continues or injects it). */
  call(name: string, args: readonly bigint[], image: TaskImage): boolean {
    this.filterErrno = undefined;
    const v = evaluate(this.filter, X86_64, name, args);
    if (v.action !== 'notify') return permitted(v.action);
    const data = { nr: syscallNumber(name, 'x86_64') as number, arch: AUDIT_ARCH.x86_64, args };
    // The server reads the image only when decide asks for it (server.ts taskImage).
    const seen = needsTaskImage(this.state) ? image : undefined;
    let r = decide(this.state, data, this.policy, undefined, seen);
    // A gated write-open: the workload names a path outside the writable list.
    if (r.decision.kind === 'need-path') r = decide(this.state, data, this.policy, { ok: true, path: '/etc/passwd' }, seen);
    this.state = r.state;
    if (r.decision.kind === 'deny' && r.decision.rule !== undefined) this.filterErrno = r.decision.errno;
    return r.decision.kind === 'continue' || r.decision.kind === 'inject';
  }
}

function parseFilter(raw: Record<string, unknown>): ProfileSyscallFilter {
  const parsed = ProfileSchema.parse({ apiVersion: 'security.openclaw.org/v1alpha1', kind: 'SandboxProfile', metadata: { name: 'prop' }, spec: { isolation: { syscallFilter: raw } } });
  return parsed.spec.isolation.syscallFilter as ProfileSyscallFilter;
}

let accepted = 0;
let withAgent = 0;
let notified = 0;
let filterDenied = 0;

describe('the exec-once invariant, for every profile', () => {
  it('after the workload starts, filter + agent allow nothing the profile as written denies', () => {
    fc.assert(
      fc.property(profileSyscallFilter, fc.boolean(), fc.array(workloadCall, { minLength: 10, maxLength: 40 }), (raw, restarted, calls) => {
        const filter = parseFilter(raw);
        let facts: AgentFacts | undefined;
        let compiled;
        try {
          compiled = compileSyscallFilter(filter, { ...OPTS, agent: { listenerPath: '/run/a.sock', listenerMetadata: (f) => ((facts = f), 'm') } });
        } catch (e) {
          if (e instanceof OpenclawError) return;
          throw e;
        }
        accepted++;
        if (compiled.listenerPath) withAgent++;
        const asWritten = compileAsWritten(filter, OPTS);
        const box = new Container(compiled, { errno: 1, writable: [], execAllowed: facts?.execAllowed ?? [], ...(facts?.filterDenials ? { filterDenials: facts.filterDenials } : {}) });

        // runc's init: everything it does after the filter is loaded runs, then the entrypoint's exec.
        for (const p of RUNC_INIT_PROBES) {
          if (p.syscall === 'execve') continue;
          expect(box.call(p.syscall, p.args, INIT), `runc init's ${p.syscall}`).toBe(true);
        }
        expect(box.call('execve', [], INIT), "runc init's execve of the entrypoint").toBe(true);
        if (restarted) expect(box.call('execve', [], INIT), 'the same execve, restarted').toBe(true);

        let execs = 0;
        let image = imageAfterExec(execs);
        for (const c of calls) {
          const allowed = box.call(c.name, c.args, image);
          if (evaluate(compiled, X86_64, c.name, c.args).action === 'notify') notified++;
          const written = evaluate(asWritten, X86_64, c.name, c.args);
          if (allowed) expect(permitted(written.action), `${c.name}(${c.args.join(', ')}) is allowed, but the profile says ${written.action}`).toBe(true);
          // A filter denial sent to the agent to be logged answers what the filter answered.
          if (box.filterErrno !== undefined) {
            filterDenied++;
            expect({ action: 'errno', errno: box.filterErrno }, `${c.name}(${c.args.join(', ')}) through the agent`).toEqual(written);
          }
          if (allowed && (c.name === 'execve' || c.name === 'execveat')) image = imageAfterExec(++execs);
        }
      }),
      { numRuns: RUNS },
    );
    // The generator must reach the case this is about.
    expect(withAgent).toBeGreaterThan(accepted / 10);
    expect(notified).toBeGreaterThan(0);
    expect(filterDenied).toBeGreaterThan(0);
  });
});
