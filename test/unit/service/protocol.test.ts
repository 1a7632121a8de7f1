/**
 * The service's wire format (shim/service/protocol.ts): what the launcher sends round-trips
 * byte for byte (argv may hold any byte but NUL), and anything malformed is refused, never
 * half-read.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  MAX_EXEC_ARGS,
  MAX_STDIN_BYTES,
  ProtocolError,
  SERVICE_PROTOCOL_VERSION,
  type ServiceRequest,
} from '../../../shim/service/protocol.js';
import { fnv1a64 } from '../../../shim/service/paths.js';

const base: ServiceRequest = { version: SERVICE_PROTOCOL_VERSION, cwd: '/b', self: '/pkg/bin/openclaw-runtime', argv: ['create', 'id'], env: { PATH: '/usr/bin' } };

describe('requests', () => {
  it.each([
    { name: 'plain', req: base },
    { name: 'empty argv, no env', req: { ...base, argv: [], env: {} } },
    { name: 'empty strings, spaces, newlines, = and non-ASCII in argv', req: { ...base, argv: ['', ' ', 'a\nb', 'x=y', 'é', '容器', '--'] } },
    { name: 'env values with = and empty', req: { ...base, env: { PATH: 'a=b:c', OPENCLAW_CONFIG: '' } } },
    { name: 'stdin with NUL bytes', req: { ...base, argv: ['hook', 'poststop'], stdin: Buffer.from('{"id":"x"}\0\0') } },
  ])('$name round-trips', ({ req }) => {
    const back = decodeRequest(encodeRequest(req));
    expect({ ...back, stdin: back.stdin?.toString('latin1') }).toEqual({ ...req, stdin: (req.stdin ?? Buffer.alloc(0)).toString('latin1') });
  });

  const good = encodeRequest(base);
  it.each([
    { name: 'empty', buf: Buffer.alloc(0) },
    { name: 'wrong magic', buf: Buffer.concat([Buffer.from('XCLW'), good.subarray(4)]) },
    { name: 'truncated', buf: good.subarray(0, good.length - 3) },
    { name: 'trailing bytes', buf: Buffer.concat([good, Buffer.from('x')]) },
    { name: 'argc not a number', buf: encodeRequest(base).toString('latin1').replace('\x002\x00create', '\x00two\x00create') },
    { name: 'argc larger than what follows', buf: encodeRequest(base).toString('latin1').replace('\x002\x00create', '\x009\x00create') },
    { name: 'an env entry without =', buf: encodeRequest(base).toString('latin1').replace('PATH=/usr/bin', 'PATH/usr/bin') },
    { name: 'stdin over the limit', buf: encodeRequest({ ...base, stdin: Buffer.alloc(MAX_STDIN_BYTES + 1) }) },
  ])('refused: $name', ({ buf }) => {
    expect(() => decodeRequest(typeof buf === 'string' ? Buffer.from(buf, 'latin1') : buf)).toThrow(ProtocolError);
  });
});

describe('responses', () => {
  it('round-trip with binary stdout and stderr', () => {
    const r = { status: 'exit' as const, exit: 3, runtime: '', stdout: Buffer.from([0, 1, 2, 255]), stderr: Buffer.from('err\n') };
    const back = decodeResponse(encodeResponse(r));
    expect([back.version, back.status, back.exit, back.runtime, [...back.stdout], back.stderr.toString()]).toEqual([SERVICE_PROTOCOL_VERSION, 'exit', 3, '', [0, 1, 2, 255], 'err\n']);
  });
  it('execv: the argv round-trips (any byte but NUL), with stdout and stderr after it', () => {
    const argv = ['--root', '/a b', 'exec', '--process', '/s/exec/12-abcdef012345.json', 'id', '', ' ', 'x\ny', 'é', '容器', '--'];
    const r = { status: 'execv' as const, exit: 0, runtime: '/usr/sbin/runc', aliasDir: '/s/stdio', argv, stdout: Buffer.from('o'), stderr: Buffer.from('e') };
    const back = decodeResponse(encodeResponse(r));
    expect([back.status, back.runtime, back.aliasDir, back.argv, back.stdout.toString(), back.stderr.toString()]).toEqual(['execv', '/usr/sbin/runc', '/s/stdio', argv, 'o', 'e']);
  });
  it('execv: an argv the launcher cannot take is not encoded (NUL, too many entries)', () => {
    const r = { status: 'execv' as const, exit: 0, runtime: '/usr/sbin/runc', stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) };
    expect(() => encodeResponse({ ...r, argv: ['a\0b'] })).toThrow(ProtocolError);
    expect(() => encodeResponse({ ...r, argv: Array.from({ length: MAX_EXEC_ARGS + 1 }, () => 'x') })).toThrow(ProtocolError);
  });
  it('argc other than 0 outside execv, or more than MAX_EXEC_ARGS, is refused', () => {
    const exec = encodeResponse({ status: 'exec', exit: 0, runtime: '/r', stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) }).toString('latin1');
    expect(() => decodeResponse(Buffer.from(exec.replace('/r\x00\x000\x00', '/r\x00\x001\x00x\x00'), 'latin1'))).toThrow(ProtocolError);
    const execv = encodeResponse({ status: 'execv', exit: 0, runtime: '/r', argv: ['x'], stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) }).toString('latin1');
    expect(() => decodeResponse(Buffer.from(execv.replace('/r\x00\x001\x00', `/r\x00\x00${MAX_EXEC_ARGS + 1}\x00`), 'latin1'))).toThrow(ProtocolError);
  });
  it('refuses an unknown status and wrong lengths', () => {
    const good = encodeResponse({ status: 'exec', exit: 0, runtime: '/usr/sbin/runc', stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) });
    expect(() => decodeResponse(Buffer.from(good.toString('latin1').replace('exec', 'exex'), 'latin1'))).toThrow(ProtocolError);
    expect(() => decodeResponse(Buffer.concat([good, Buffer.from('x')]))).toThrow(ProtocolError);
  });
});

describe('fnv1a64 (the launcher computes the same in C)', () => {
  it.each([
    ['', 'cbf29ce484222325'],
    ['a', 'af63dc4c8601ec8c'],
    ['foobar', '85944171f73967e8'],
  ])('%j -> %s', (text, hex) => {
    expect(fnv1a64(text)).toBe(hex);
  });
});
