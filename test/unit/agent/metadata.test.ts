import { describe, expect, it } from 'vitest';
import { formatListenerMetadata, parseListenerMetadata } from '../../../shim/agent/metadata.js';

const sha = 'a'.repeat(64);

describe('listenerMetadata', () => {
  it('parses the compiler format and fills defaults', () => {
    const r = parseListenerMetadata(JSON.stringify({ v: 1, profile: 'backend', sha256: sha }));
    expect(r).toEqual({ ok: true, value: { v: 1, profile: 'backend', sha256: sha, errno: 1, writable: [], execAllowed: [], writeGated: [] } });
  });
  it('carries the exec calls the profile allows, and writes the field only when there are some', () => {
    const s = formatListenerMetadata({ v: 1, profile: 'p', sha256: sha, execAllowed: ['execve'] });
    expect(s).toBe(`{"v":1,"profile":"p","sha256":"${sha}","errno":1,"writable":[],"execAllowed":["execve"]}`);
    expect(parseListenerMetadata(s)).toMatchObject({ ok: true, value: { execAllowed: ['execve'] } });
    expect(parseListenerMetadata(JSON.stringify({ v: 1, profile: 'p', sha256: sha, execAllowed: ['fork'] })).ok).toBe(false);
    const g = formatListenerMetadata({ v: 1, profile: 'p', sha256: sha, writeGated: ['openat'] });
    expect(g).toBe(`{"v":1,"profile":"p","sha256":"${sha}","errno":1,"writable":[],"writeGated":["openat"]}`);
    expect(parseListenerMetadata(JSON.stringify({ v: 1, profile: 'p', sha256: sha, writeGated: ['openat2'] })).ok).toBe(false);
  });
  it('round-trips through formatListenerMetadata', () => {
    const s = formatListenerMetadata({ v: 1, profile: 'p', sha256: sha, errno: 13, writable: ['/output', '/dev/null'] });
    expect(s).toBe(`{"v":1,"profile":"p","sha256":"${sha}","errno":13,"writable":["/output","/dev/null"]}`);
    expect(parseListenerMetadata(s).ok).toBe(true);
  });
  it.each([
    [undefined, 'no listenerMetadata'],
    ['{', 'not JSON'],
    [JSON.stringify({ v: 2, profile: 'p', sha256: sha }), 'listenerMetadata.v'],
    [JSON.stringify({ v: 1, profile: 'p', sha256: 'XYZ' }), 'listenerMetadata.sha256'],
    [JSON.stringify({ v: 1, profile: 'p', sha256: sha, writable: ['output'] }), 'listenerMetadata.writable.0'],
    [JSON.stringify({ v: 1, profile: 'p', sha256: sha, writable: ['/a/../etc'] }), 'listenerMetadata.writable.0'],
    [JSON.stringify({ v: 1, profile: 'p', sha256: sha, writable: ['/output/'] }), 'listenerMetadata.writable.0'],
    [JSON.stringify({ v: 1, profile: 'p', sha256: sha, extra: 1 }), 'listenerMetadata'],
    [JSON.stringify({ v: 1, profile: 'p', sha256: sha, errno: 0 }), 'listenerMetadata.errno'],
  ])('rejects %s', (text, want) => {
    const r = parseListenerMetadata(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(want);
  });
});

describe('listenerMetadata: filterDenials', () => {
  const filterDenials = { names: { ptrace: [1, 'blacklist[5]'] as [number, string], socket: [97, 'socketFamilies'] as [number, string] }, default: [1, 'defaultAction'] as [number, string], agentCalls: ['execve', 'openat'] };
  it('round-trips, written after the other fields', () => {
    const s = formatListenerMetadata({ v: 1, profile: 'p', sha256: sha, filterDenials });
    expect(s).toBe(`{"v":1,"profile":"p","sha256":"${sha}","errno":1,"writable":[],"filterDenials":{"names":{"ptrace":[1,"blacklist[5]"],"socket":[97,"socketFamilies"]},"default":[1,"defaultAction"],"agentCalls":["execve","openat"]}}`);
    expect(parseListenerMetadata(s)).toMatchObject({ ok: true, value: { filterDenials } });
  });
  it('is absent when the compiler sent none', () => {
    const r = parseListenerMetadata(JSON.stringify({ v: 1, profile: 'p', sha256: sha }));
    expect(r.ok && r.value.filterDenials).toBeUndefined();
  });
  it.each([
    [{ names: { ptrace: [0, 'x'] }, agentCalls: [] }, 'errno 0'],
    [{ names: { 'Bad Name': [1, 'x'] }, agentCalls: [] }, 'a name that is no syscall'],
    [{ names: {}, agentCalls: [], extra: 1 }, 'an unknown key'],
    [{ names: Object.fromEntries(Array.from({ length: 513 }, (_, i) => [`s${i}`, [1, 'x']])), agentCalls: [] }, 'more than 512 names'],
  ])('rejects %j (%s)', (value) => {
    expect(parseListenerMetadata(JSON.stringify({ v: 1, profile: 'p', sha256: sha, filterDenials: value })).ok).toBe(false);
  });
});

describe('listenerMetadata: audit mode', () => {
  it('round-trips audit and kill rules, written last', () => {
    const filterDenials = { names: { ptrace: [1, 'blacklist[0]', 'kill-process'] as [number, string, 'kill-process'] }, agentCalls: ['execve'] };
    const s = formatListenerMetadata({ v: 1, profile: 'p', sha256: sha, filterDenials, audit: { enforced: ['ioctl'] } });
    expect(s).toBe(`{"v":1,"profile":"p","sha256":"${sha}","errno":1,"writable":[],"filterDenials":{"names":{"ptrace":[1,"blacklist[0]","kill-process"]},"agentCalls":["execve"]},"audit":{"enforced":["ioctl"]}}`);
    expect(parseListenerMetadata(s)).toMatchObject({ ok: true, value: { filterDenials, audit: { enforced: ['ioctl'] } } });
  });
  it('is absent (enforce) unless the compiler wrote it', () => {
    const r = parseListenerMetadata(JSON.stringify({ v: 1, profile: 'p', sha256: sha }));
    expect(r.ok && r.value.audit).toBeUndefined();
  });
  it('carries a call sent whole with its denied ranges', () => {
    const audit = { enforced: [], conditional: { ioctl: { denied: [[[1, 'NE', '0x5401', '0x0'], [1, 'NE', '0x5413', '0x0']]] as Array<Array<[number, 'NE', string, string]>>, rule: [1, 'defaultAction'] as [number, string] } } };
    const s = formatListenerMetadata({ v: 1, profile: 'p', sha256: sha, audit });
    expect(parseListenerMetadata(s)).toMatchObject({ ok: true, value: { audit } });
  });
  it.each([
    [{ audit: { enforced: [], conditional: { ioctl: { denied: [[[6, 'EQ', '0x1', '0x0']]], rule: [1, 'x'] } } } }, 'argument index 6'],
    [{ audit: { enforced: [], conditional: { ioctl: { denied: [[[1, 'EQ', '21505', '0x0']]], rule: [1, 'x'] } } } }, 'a value not in hex'],
    [{ audit: { enforced: [], conditional: { ioctl: { denied: [[[1, 'IN', '0x1', '0x0']]], rule: [1, 'x'] } } } }, 'an unknown op'],
    [{ audit: true }, 'a bare boolean'],
    [{ audit: { enforced: [], on: true } }, 'an unknown key'],
    [{ filterDenials: { names: { ptrace: [1, 'x', 'allow'] }, agentCalls: [] } }, 'a third element that is no kill or trap'],
  ])('rejects %j (%s)', (extra) => {
    expect(parseListenerMetadata(JSON.stringify({ v: 1, profile: 'p', sha256: sha, ...extra })).ok).toBe(false);
  });
});
