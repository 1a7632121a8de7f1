import { describe, expect, it } from 'vitest';
import { isWritablePath, normalizeContainerPath } from '../../../shim/agent/paths.js';

describe('normalizeContainerPath', () => {
  it.each([
    ['/a/b', '/', '/a/b'],
    ['/a//b/./c/', '/', '/a/b/c'],
    ['/../../etc', '/', '/etc'],
    ['x', '/output', '/output/x'],
    ['../x', '/output/sub', '/output/x'],
    ['.', '/output', '/output'],
  ])('%s (base %s) -> %s', (p, base, want) => {
    expect(normalizeContainerPath(p, base)).toBe(want);
  });
  it('refuses NUL bytes', () => expect(normalizeContainerPath('/a\0b')).toBeUndefined());
});

describe('isWritablePath', () => {
  it.each([
    ['/output', true],
    ['/output/a/b', true],
    ['/outputs', false],
    ['/dev/null', true],
    ['/dev/nullx', false],
    ['/etc/passwd', false],
  ])('%s -> %s', (p, want) => expect(isWritablePath(p, ['/output', '/dev/null'])).toBe(want));
});
