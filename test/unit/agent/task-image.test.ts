import { describe, expect, it } from 'vitest';
import { layoutOfStat, readTaskImage } from '../../../shim/agent/task-image.js';

/** A /proc/PID/stat line with 52 fields; `layout` fills fields 26-28 and 45-51. */
function statLine(comm: string, layout: number[]): string {
  const fields = Array.from({ length: 52 }, (_, i) => String(i + 1));
  fields[0] = '4242';
  fields[1] = `(${comm})`;
  [26, 27, 28, 45, 46, 47, 48, 49, 50, 51].forEach((f, i) => (fields[f - 1] = String(layout[i])));
  return `${fields.join(' ')}\n`;
}
const L = [4214784, 8407281, 140727717916784, 12766600, 12948064, 521678848, 140727717920444, 140727717920464, 140727717920464, 140727717920750];

describe('layoutOfStat', () => {
  it.each([
    { name: 'plain comm', comm: 'runc:[2:INIT]', want: L.join(' ') },
    // comm is the task's to choose (prctl PR_SET_NAME): spaces and ") " must not shift the fields
    { name: 'comm with spaces and parentheses', comm: 'a) 1 2 (b', want: L.join(' ') },
  ])('$name', ({ comm, want }) => {
    expect(layoutOfStat(statLine(comm, L))).toBe(want);
  });
  it('no identity when the kernel hides the addresses (0/1 without ptrace access)', () => {
    expect(layoutOfStat(statLine('x', [1, 1, 0, 0, 0, 0, 0, 0, 0, 0]))).toBeUndefined();
  });
  it.each(['', 'garbage', '1 (x) S 2 3'])('no identity from %j', (s) => {
    expect(layoutOfStat(s)).toBeUndefined();
  });
});

describe('readTaskImage', () => {
  it('reads this process: its exe inode and a layout', () => {
    const img = readTaskImage(process.pid);
    expect(img).toBeDefined();
    expect(img!.ino).toBeGreaterThan(0n);
    expect(img!.layout.split(' ')).toHaveLength(10);
  });
  it('a pid that does not exist has no image', () => {
    expect(readTaskImage(2 ** 22 + 1)).toBeUndefined();
  });
});
