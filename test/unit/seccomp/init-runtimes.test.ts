/**
 * The runtime-init allowance per low-level runtime (shim/seccomp/runc-init.ts): a filter must
 * let the chosen runtime's init finish after the filter is loaded. crun 1.8.1 waits for its
 * listener helper with wait4 after the load; a deny-by-default filter that runc can start
 * therefore failed under crun ("waitpid seccomp listener helper process: Operation not
 * permitted") until crun's probes were checked too.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initRuntimesFor, lowLevelRuntimeKind } from '../../../shim/config/runtime-path.js';
import { describeAgentNeeds } from '../../../shim/seccomp/compile.js';
import { CRUN_INIT_PROBES, RUNC_INIT_PROBES } from '../../../shim/seccomp/runc-init.js';
import { evaluate } from '../../../shim/seccomp/evaluate.js';
import { AGENT, X86_64, compile } from './helpers.js';

/** Every call runc's init makes after the load, none of crun's extra ones (wait4, kill). */
const RUNC_ONLY = [...new Set(RUNC_INIT_PROBES.map((p) => p.syscall))].concat('exit_group');
const filter = { defaultAction: 'errno', whitelist: RUNC_ONLY } as const;
/** The same, with execve denied after start: that needs the agent, so the filter gets a listener. */
const execOnce = { defaultAction: 'errno', whitelist: RUNC_ONLY.filter((n) => n !== 'execve'), blacklist: ['execve'] } as const;

describe('runtime-init allowance per low-level runtime', () => {
  it('crun needs calls runc does not (measured: wait4 on its listener helper, kill)', () => {
    const extra = CRUN_INIT_PROBES.map((p) => p.syscall).filter((s) => !RUNC_ONLY.includes(s));
    expect(extra.sort()).toEqual(['kill', 'wait4']);
  });

  it.each([
    { runtimes: ['runc'] as const, needs: ['execve', 'execveat'] },
    { runtimes: ['crun'] as const, needs: ['execve', 'execveat', 'kill', 'wait4'] },
    { runtimes: ['runc', 'crun'] as const, needs: ['execve', 'execveat', 'kill', 'wait4'] },
  ])('a filter that needs the agent (exec once) and allows runc\'s calls, under $runtimes: agent needed for $needs', ({ runtimes, needs }) => {
    expect([...new Set(describeAgentNeeds(execOnce as never, { initRuntimes: runtimes }).map((n) => n.syscall))].sort()).toEqual(needs);
  });

  it('crun makes its listener-helper calls only when there is a listener: a filter that needs no agent needs none for crun either', () => {
    expect(describeAgentNeeds(filter as never, { initRuntimes: ['crun'] })).toEqual([]);
    expect(compile(filter, { agent: AGENT, initRuntimes: ['crun'] }).listenerPath).toBeUndefined();
  });

  it('with the agent, crun\'s wait4 and kill go to it (allowed before the entrypoint, denied after) and nothing else changes', () => {
    const s = compile(execOnce, { agent: AGENT, initRuntimes: ['crun'] });
    expect(evaluate(s, X86_64, 'wait4', []).action).toBe('notify');
    expect(evaluate(s, X86_64, 'kill', []).action).toBe('notify');
    expect(evaluate(s, X86_64, 'getpid', []).action).toBe('allow');
    expect(evaluate(s, X86_64, 'mount', []).action).toBe('errno');
    const underRunc = compile(execOnce, { agent: AGENT, initRuntimes: ['runc'] });
    expect(evaluate(underRunc, X86_64, 'wait4', []).action).toBe('errno');
    expect(underRunc.listenerPath).toBe(AGENT.listenerPath);
  });
});

describe('which runtime a config resolves to', () => {
  const dir = mkdtempSync(join(tmpdir(), `oc-initrt-${process.pid}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const exe = (name: string) => {
    const p = join(dir, name);
    writeFileSync(p, '#!/bin/sh\n');
    chmodSync(p, 0o755);
    return p;
  };
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const crun = exe('crun');
  const wrapper = exe('my-runtime-wrapper');
  symlinkSync(crun, join(bin, 'runc-alias'));

  it.each([
    { name: 'crun by absolute path', candidates: [crun], want: ['crun'] },
    { name: 'a symlink is judged by what it resolves to', candidates: [join(bin, 'runc-alias')], want: ['crun'] },
    { name: 'a wrapper of unknown kind: every known runtime', candidates: [wrapper], want: ['runc', 'crun'] },
    { name: 'nothing found: every known runtime (create names the missing runtime itself)', candidates: [join(dir, 'absent')], want: ['runc', 'crun'] },
  ])('$name', ({ candidates, want }) => {
    expect(initRuntimesFor(candidates, { PATH: bin })).toEqual(want);
  });

  it('lowLevelRuntimeKind of a missing file is undefined', () => {
    expect(lowLevelRuntimeKind(join(dir, 'nope'))).toBeUndefined();
  });
});
