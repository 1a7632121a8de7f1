/**
 * [agent] log_filter_denials: the shipped `default` profile (whose filter needs no agent) sends
 * its filter's errno denials to the agent to be logged, and nothing else: allowed calls, exec
 * and thread clones stay in the kernel, denied ones get the same errno through the agent.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { readProfileFile } from '../../../shim/profile/load.js';
import { compileProfileSeccomp } from '../../../shim/profile/compile-profile.js';
import { compileInputsOf } from '../../../shim/profile/compile-inputs.js';
import { RuntimeConfigSchema } from '../../../shim/config/schema.js';
import { parseListenerMetadata } from '../../../shim/agent/metadata.js';
import { evaluate } from '../../../shim/seccomp/evaluate.js';
import { verdictWithAgent } from '../../../shim/agent/verdict.js';

const X86_64 = 'SCMP_ARCH_X86_64';
const DEFAULT = readProfileFile(join(new URL('../../..', import.meta.url).pathname, 'profiles', 'default.yaml'));
const compiled = (on: boolean) => compileProfileSeccomp(DEFAULT, compileInputsOf(RuntimeConfigSchema.parse({ agent: { socket: '/run/oc-test/agent.sock', log_filter_denials: on } })))!.spec;

describe('[agent] log_filter_denials under the default profile', () => {
  it('off (the default): the filter has no listener and answers every denial itself', () => {
    const s = compiled(false);
    expect(s.listenerPath).toBeUndefined();
    expect((s.syscalls ?? []).some((r) => r.action === 'SCMP_ACT_NOTIFY')).toBe(false);
    expect(evaluate(s, X86_64, 'unshare', [0x40000000n])).toEqual({ action: 'errno', errno: 1 });
  });

  it('on: denied calls are notified with their rule in the metadata, and the agent answers the errno the kernel did', () => {
    const off = compiled(false);
    const s = compiled(true);
    expect(s.listenerPath).toBe('/run/oc-test/agent.sock');
    const meta = parseListenerMetadata(s.listenerMetadata);
    expect(meta.ok).toBe(true);
    if (!meta.ok) return;
    expect(meta.value.profile).toBe('default');
    expect(meta.value.filterDenials?.default).toEqual([1, 'defaultAction']);
    expect(meta.value.filterDenials?.agentCalls).toEqual([]);
    expect(meta.value.execAllowed).toEqual([]);
    for (const [name, args] of [['unshare', [0x40000000n]], ['ptrace', [0n]], ['mount', []], ['bpf', []], ['socket', [17n]], ['clone', [0x40000000n]]] as const) {
      expect(evaluate(s, X86_64, name, [...args]).action, name).toBe('notify');
      expect(verdictWithAgent(s, X86_64, name, [...args]), name).toEqual(evaluate(off, X86_64, name, [...args]));
    }
  });

  it('on: a denial the encoding cannot notify exactly stays in the kernel and is not claimed in the metadata (personality outside its five values)', () => {
    const s = compiled(true);
    const meta = parseListenerMetadata(s.listenerMetadata);
    if (!meta.ok) throw new Error(meta.error);
    // Notifying "every persona but five" under an errno default takes a complement the encoder
    // drops (the errno default answers instead): listing it would promise a log line that never comes.
    expect(meta.value.filterDenials?.names.personality).toBeUndefined();
    expect(evaluate(s, X86_64, 'personality', [0x400008n])).toEqual({ action: 'errno', errno: 1 });
    expect(evaluate(s, X86_64, 'personality', [8n])).toEqual({ action: 'allow' });
    // Every call the metadata names is notified somewhere in the filter.
    const notified = new Set((s.syscalls ?? []).filter((r) => r.action === 'SCMP_ACT_NOTIFY').flatMap((r) => r.names));
    for (const name of Object.keys(meta.value.filterDenials?.names ?? {})) expect(notified.has(name), name).toBe(true);
  });

  it('on: what default allows stays in the kernel (exec, thread clones, AF_INET sockets, getpid): no round trip for ordinary work', () => {
    const s = compiled(true);
    for (const [name, args] of [['execve', []], ['execveat', []], ['clone', [0x3d0f00n]], ['socket', [2n]], ['getpid', []], ['openat', [0n, 0n, 0o1102n]], ['ioctl', [1n, 0x5401n]]] as const) {
      expect(evaluate(s, X86_64, name, [...args]), name).toEqual({ action: 'allow' });
    }
    // ENOSYS answers stay the kernel's (glibc falls back from clone3 on every thread).
    expect(evaluate(s, X86_64, 'clone3', [])).toEqual(evaluate(compiled(false), X86_64, 'clone3', []));
    expect(evaluate(s, X86_64, 'clone3', []).action).not.toBe('notify');
  });
});
