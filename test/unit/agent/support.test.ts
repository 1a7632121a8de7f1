import { describe, expect, it } from 'vitest';
import { parseStatus } from '../../../shim/agent/proc.js';
import { HandoffBuffer, isCompleteJson, MAX_HANDOFF_BYTES, MAX_HANDOFF_FDS, parseHandoff } from '../../../shim/agent/handoff.js';
import { kernelAtLeast, parseKernelRelease } from '../../../shim/agent/kernel.js';
import { formatDenial, parseDenials, type DenialEntry } from '../../../shim/agent/denial-log.js';
import { parseAgentArgs } from '../../../shim/commands/agent.js';
import { syscallLabel, AUDIT_ARCH } from '../../../shim/agent/syscalls.js';

describe('parseStatus', () => {
  const ids = 'Uid:\t1000\t1001\t1002\t1003\nGid:\t2000\t2001\t2002\t2003\n';
  it.each([
    ['umask, the filesystem ids (4th column), groups and CapEff', `Name:\tprobe\nUmask:\t0022\n${ids}Groups:\t5 27 100000\nCapEff:\t00000000a80425fb\n`, { umask: 0o22, fsuid: 1003, fsgid: 2003, groups: [5, 27, 100000], capEffective: 0xa80425fbn }],
    // An empty Groups line must not run into the next line.
    ['no supplementary groups', `Umask:\t0077\n${ids}Groups:\t\nNStgid:\t9\nCapEff:\t0000000000000000\n`, { umask: 0o77, fsuid: 1003, fsgid: 2003, groups: [], capEffective: 0n }],
    ['no Umask', `${ids}Groups:\t\nCapEff:\t0\n`, undefined],
    ['no CapEff', `Umask:\t0022\n${ids}Groups:\t\n`, undefined],
    ['no Groups', `Umask:\t0022\n${ids}CapEff:\t0\n`, undefined],
    ['a garbled group', `Umask:\t0022\n${ids}Groups:\t5 x\nCapEff:\t0\n`, undefined],
  ])('%s', (_name, text, want) => expect(parseStatus(text)).toEqual(want));
});

describe('kernel version', () => {
  it.each([
    ['6.18.44-fc-v595', [6, 18], true],
    ['5.14.0-362.el9', [5, 14], true],
    ['5.13.19', [5, 13], false],
    ['4.19.0', [4, 19], false],
  ] as const)('%s', (rel, parsed, ok) => {
    expect(parseKernelRelease(rel)).toEqual(parsed);
    expect(kernelAtLeast(parsed, [5, 14])).toBe(ok);
  });
});

describe('denial log', () => {
  const e: DenialEntry = { time: 't', container: 'abc', pid: 7, profile: 'p', syscall: 'execve', decision: 'deny', errno: 1, reason: 'execve after the first execve', args: 'path="/bin/sh"' };
  it('skips broken lines and formats readably', () => {
    const parsed = parseDenials(`${JSON.stringify(e)}\n{"half\n\n`);
    expect(parsed).toEqual([e]);
    expect(formatDenial(e, (n) => (n === 1 ? 'EPERM' : '?'))).toBe('t  abc  pid 7  execve  EPERM  execve after the first execve  path="/bin/sh"');
  });
});

describe('agent arguments', () => {
  it('takes --socket and --denial-log (also with =)', () => {
    expect(parseAgentArgs(['--socket', '/a.sock', '--denial-log=/d.log'])).toEqual({ socket: '/a.sock', denialLog: '/d.log' });
  });
  it.each([[['--socket']], [['--socket', 'rel']], [['--bogus', '/x']]])('refuses %j', (args) => {
    expect(() => parseAgentArgs(args)).toThrow(/agent:/);
  });
});

describe('syscall labels', () => {
  it.each([
    [AUDIT_ARCH.x86_64, 59, 'execve'],
    [AUDIT_ARCH.aarch64, 221, 'execve'],
    [AUDIT_ARCH.x86_64, 9999, 'nr:9999'],
  ])('%d/%d -> %s', (arch, nr, want) => expect(syscallLabel(arch, nr)).toBe(want));
});

describe('runc hand-off message', () => {
  it.each([
    {
      name: "runc's message: the seccomp fd by its name, other fds to close",
      body: '{"ociVersion":"1.0.2","fds":["other","seccompFd"],"pid":42,"metadata":"m","state":{"id":"c1","status":"creating","bundle":"/b"}}',
      fds: [7, 8],
      want: { ok: true, container: 'c1', pid: 42, metadata: 'm', seccompFd: 8, closeFds: [7] },
    },
    { name: 'no seccompFd named: every fd is closed', body: '{"fds":["x"],"state":{"id":"c2"}}', fds: [5], want: { ok: false, error: 'container c2: message without a seccompFd', closeFds: [5] } },
    { name: 'seccompFd named twice (runc parseStateFds): every fd is closed', body: '{"fds":["seccompFd","seccompFd"],"state":{"id":"c3"}}', fds: [5, 6], want: { ok: false, error: 'container c3: message names seccompFd twice', closeFds: [5, 6] } },
    { name: 'seccompFd named past the fds sent', body: '{"fds":["x","seccompFd"],"state":{"id":"c4"}}', fds: [5], want: { ok: false, error: expect.stringContaining('index 1 but carries 1 fds'), closeFds: [5] } },
    { name: 'no state: container "?"', body: '{"fds":["seccompFd"]}', fds: [5], want: { ok: true, container: '?', seccompFd: 5, closeFds: [] } },
    { name: 'not JSON: every fd is closed', body: '{"fds":', fds: [5, 6], want: { ok: false, error: 'message is not JSON', closeFds: [5, 6] } },
    { name: 'a field of the wrong type', body: '{"fds":"seccompFd"}', fds: [5], want: { ok: false, error: expect.stringContaining('fds'), closeFds: [5] } },
    { name: 'a state field of the wrong type (ContainerProcessState schema)', body: '{"fds":["seccompFd"],"state":{"id":"c5","pid":"1"}}', fds: [5], want: { ok: false, error: expect.stringContaining('state.pid'), closeFds: [5] } },
  ])('$name', ({ body, fds, want }) => expect(parseHandoff(body, fds)).toMatchObject(want));

  it('frames a message where its JSON is complete, keeping the fds until taken', () => {
    const b = new HandoffBuffer();
    expect(b.add(Buffer.from('{"fds":["seccompFd"],'), [9])).toBe('more');
    expect(b.fds).toEqual([9]);
    expect(b.add(Buffer.from('"state":{"id":"c"}}'), [])).toBe('complete');
    expect(b.take()).toEqual({ body: '{"fds":["seccompFd"],"state":{"id":"c"}}', fds: [9] });
    expect(b.fds).toEqual([]);
  });
  it('end of stream completes a message; too many bytes or fds do not', () => {
    const eof = new HandoffBuffer();
    expect(eof.add(Buffer.from('{"fds":'), [])).toBe('more');
    expect(eof.add(Buffer.alloc(0), [])).toBe('complete');
    expect(new HandoffBuffer().add(Buffer.alloc(MAX_HANDOFF_BYTES + 1, 0x20), [])).toBe('too-large');
    expect(new HandoffBuffer().add(Buffer.from('{'), [1, 2, 3, 4, 5].slice(0, MAX_HANDOFF_FDS + 1))).toBe('too-large');
  });

  it.each([
    ['{"a":1}', true],
    ['{"a":', false],
    ['', false],
  ])('isCompleteJson(%j) = %s', (text, want) => expect(isCompleteJson(text)).toBe(want));
});
