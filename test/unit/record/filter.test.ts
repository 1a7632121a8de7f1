/**
 * The recording filter (shim/record/filter.ts) and the phase of each recorded call
 * (shim/record/observe.ts nextPhase): every call of the native table but write goes to the
 * recorder, as the reference evaluator reads the filter; runc's init's calls are told from the
 * workload's by the task's program image, as the agent does.
 */
import { describe, expect, it } from 'vitest';
import { recordingSeccomp, RECORD_UNSEEN } from '../../../shim/record/filter.js';
import { parseBind } from '../../../shim/record/bundle.js';
import { INITIAL_PHASE, nextPhase, type PhaseState } from '../../../shim/record/observe.js';
import { evaluate } from '../../../shim/seccomp/evaluate.js';
import { SYSCALLS, syscallExists } from '../../../shim/seccomp/syscall-table.js';
import type { TaskImage } from '../../../shim/agent/decide.js';

const ARCH = 'SCMP_ARCH_X86_64';

describe('recording filter', () => {
  const f = recordingSeccomp({ listenerPath: '/run/x/recorder.sock', arch: ARCH });

  it('notifies every x86_64 call but write, which runs unseen (runc refuses to notify it)', () => {
    expect(Object.keys(RECORD_UNSEEN)).toEqual(['write']);
    const names = Object.keys(SYSCALLS).filter((n) => syscallExists(n, 'x86_64'));
    const byAction = new Map<string, string[]>();
    for (const n of names) {
      const a = evaluate(f, ARCH, n, [0x50f00n, 0n, 0n]).action;
      byAction.set(a, [...(byAction.get(a) ?? []), n]);
    }
    expect(byAction.get('allow')).toEqual(['write']);
    expect(byAction.get('notify')?.length).toBe(names.length - 1);
    expect([...byAction.keys()].sort()).toEqual(['allow', 'notify']);
  });

  it('answers ENOSYS for numbers no table knows, goes to the given socket, native ABI only', () => {
    expect(f.defaultAction).toBe('SCMP_ACT_ERRNO');
    expect(f.defaultErrnoRet).toBe(38);
    expect(f.listenerPath).toBe('/run/x/recorder.sock');
    expect(f.architectures).toEqual([ARCH]);
  });
});

describe('phase of a recorded call', () => {
  const initImg: TaskImage = { dev: 1n, ino: 2n, layout: '1 2 3' };
  const python: TaskImage = { dev: 8n, ino: 9n, layout: '4 5 6' };
  const steps = (calls: Array<[string, TaskImage | undefined]>) => {
    let s: PhaseState = INITIAL_PHASE;
    return calls.map(([name, img]) => {
      const r = nextPhase(s, name, img);
      s = r.state;
      return `${name}:${r.phase}${r.entrypoint ? ':entry' : ''}`;
    });
  };

  it.each([
    ['runc init, its exec, then the workload', [['openat', initImg], ['execve', initImg], ['brk', python], ['read', undefined]], ['openat:init', 'execve:init:entry', 'brk:workload', 'read:workload']],
    ['an init thread still running after the exec began is init', [['futex', initImg], ['execve', initImg], ['futex', initImg], ['brk', python]], ['futex:init', 'execve:init:entry', 'futex:init', 'brk:workload']],
    ['a restarted entrypoint exec is still the entrypoint', [['getpid', initImg], ['execve', initImg], ['execve', initImg], ['mmap', python]], ['getpid:init', 'execve:init:entry', 'execve:init:entry', 'mmap:workload']],
    ['an exec by the workload is the workload\'s', [['getpid', initImg], ['execve', initImg], ['brk', python], ['execve', python]], ['getpid:init', 'execve:init:entry', 'brk:workload', 'execve:workload']],
  ] as Array<[string, Array<[string, TaskImage | undefined]>, string[]]>)('%s', (_what, calls, want) => {
    expect(steps(calls)).toEqual(want);
  });
});

describe('record --bind', () => {
  it.each([
    ['/srv/in:/input', { destination: '/input', type: 'bind', source: '/srv/in', options: ['rbind', 'ro', 'nosuid', 'nodev'] }],
    ['/srv/in:/input:ro', { destination: '/input', type: 'bind', source: '/srv/in', options: ['rbind', 'ro', 'nosuid', 'nodev'] }],
    ['/srv/out:/output:rw', { destination: '/output', type: 'bind', source: '/srv/out', options: ['rbind', 'rw', 'nosuid', 'nodev'] }],
  ])('%s', (text, mount) => expect(parseBind(text)).toEqual(mount));

  it.each(['/etc:/x', '/var/lib/docker/volumes/v/_data:/cache:rw', '/srv/../proc:/p'])('refuses %s: a source no profile may bind', (text) => {
    expect(() => parseBind(text)).toThrow(/exposes \/(etc|var\/lib\/docker|proc), which no profile may bind/);
  });

  it.each(['/srv/in', 'srv/in:/input', '/srv/in:input', '/srv/in:/input:rx', '/a:/b:ro:x'])('refuses %s, saying the form', (text) => {
    expect(() => parseBind(text)).toThrow(/is not HOST:CONTAINER\[:ro\|rw\] with absolute paths/);
  });
});
