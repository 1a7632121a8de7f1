import { describe, expect, it } from 'vitest';
import { hostRunner, inheritedFds, runCaptured } from '../../../shim/util/child-process.js';

describe('runCaptured', () => {
  it('collects stdout and stderr whole, with the exit code', async () => {
    const r = await runCaptured('sh', ['-c', 'printf "a\\nb\\n"; printf e >&2; exit 3']);
    expect(r).toEqual({ stdout: Buffer.from('a\nb\n'), stderr: Buffer.from('e'), exitCode: 3, signal: null });
  });
  it('gives the child no stdin unless asked', async () => {
    // `cat` of an ignored stdin (/dev/null) ends at once with nothing.
    expect((await runCaptured('cat', [])).stdout.length).toBe(0);
  });
  it('reports a signal', async () => {
    expect(await runCaptured('sh', ['-c', 'kill -KILL $$'])).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
  });
  it('rejects when the binary cannot start', async () => {
    await expect(runCaptured('/nonexistent/openclaw-no-such-binary', [])).rejects.toThrow(/ENOENT/);
  });
});

describe('hostRunner (what host actions run mount(8) with)', () => {
  it.each([
    { what: 'output as text, the final newline off', file: 'sh', args: ['-c', 'echo out; echo err >&2'], want: { exitCode: 0, stdout: 'out', stderr: 'err' } },
    { what: 'only one final newline off', file: 'sh', args: ['-c', 'printf "x\\n\\n"'], want: { exitCode: 0, stdout: 'x\n', stderr: '' } },
    { what: 'a failing command: its exit code', file: 'sh', args: ['-c', 'exit 32'], want: { exitCode: 32, stdout: '', stderr: '' } },
    { what: 'killed: exit 1', file: 'sh', args: ['-c', 'kill -KILL $$'], want: { exitCode: 1, stdout: '', stderr: '' } },
    { what: 'cannot start: exit 1, no output', file: '/nonexistent/openclaw-no-such-binary', args: [], want: { exitCode: 1, stdout: '', stderr: '' } },
  ])('$what', async ({ file, args, want }) => {
    expect(await hostRunner(file, args)).toEqual(want);
  });
});

describe('inheritedFds', () => {
  it('the larger of --preserve-fds and LISTEN_FDS, from fd 3, a closed fd as -1', () => {
    // fd 1000 and up are not open in a test worker.
    expect(inheritedFds(0, {})).toEqual([]);
    expect(inheritedFds(2, { LISTEN_FDS: '1' })).toHaveLength(2);
    expect(inheritedFds(1, { LISTEN_FDS: '3' })).toHaveLength(3);
    expect(inheritedFds(1030, {}).slice(-3)).toEqual([-1, -1, -1]);
    expect(inheritedFds(5000, {})).toHaveLength(1024);
  });
});
