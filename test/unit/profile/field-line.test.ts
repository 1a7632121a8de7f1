/**
 * profile/field-line.ts: the line `explain` prints for a profile field, in both places a
 * syscallFilter may be written, for list items, and for fields the file leaves to their default.
 */
import { describe, expect, it } from 'vitest';
import { fieldLine, fieldPath } from '../../../shim/profile/field-line.js';

const ISOLATION = `apiVersion: security.openclaw.org/v1alpha1
kind: SandboxProfile
metadata:
  name: p
spec:
  isolation:
    syscallFilter:
      defaultAction: errno
      whitelist: [read, write]
      blacklist:
        - ptrace
        - clone
      rules:
        - names: [ioctl]
          action: allow
  filesystem:
    writablePaths: [/output]
`;

const SHORT = ISOLATION.replace('  isolation:\n    syscallFilter:\n', '  syscallFilter:\n').replace(/^ {6}/gm, '    ');

describe('fieldLine', () => {
  it.each([
    ['spec.isolation.syscallFilter.defaultAction', 8],
    ['spec.isolation.syscallFilter.blacklist[1]', 12],
    ['spec.isolation.syscallFilter.blacklist[0]', 11],
    ['spec.isolation.syscallFilter.rules[0].names[0]', 14],
    ['spec.isolation.syscallFilter.rules[0]', 14],
    ['spec.isolation.syscallFilter.blacklist (execve/execveat: exactly one exec)', 10],
    ['spec.filesystem.writablePaths', 17],
    // not written: the nearest key that is
    ['spec.isolation.syscallFilter.socketFamilies', 7],
    ['spec.isolation.syscallFilter.blacklist[7]', 10],
  ])('%s is on line %i', (field, line) => {
    expect(fieldLine(ISOLATION, field)).toBe(line);
  });

  it('finds syscallFilter written directly under spec', () => {
    expect(SHORT).toContain('\n  syscallFilter:\n    defaultAction: errno\n');
    expect(fieldLine(SHORT, 'spec.isolation.syscallFilter.defaultAction')).toBe(7);
    expect(fieldLine(SHORT, 'spec.isolation.syscallFilter.blacklist[1]')).toBe(11);
  });

  it('is undefined for text that does not parse', () => {
    expect(fieldLine('a: [', 'spec')).toBeUndefined();
  });

  it('reads a field into its path', () => {
    expect(fieldPath('spec.isolation.syscallFilter.rules[2].names[0] (note)')).toEqual(['spec', 'isolation', 'syscallFilter', 'rules', 2, 'names', 0]);
  });
});
