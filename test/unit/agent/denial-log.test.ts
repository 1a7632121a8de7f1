/**
 * The denial log's bounds, on a fake clock and a temp dir: per-container lines past the rate
 * become one summary line, the file rotates at maxBytes and keeps `keep` old files (so the
 * whole log is capped), and `denials` reads the rotated files oldest first.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DenialLog, parseDenials, readDenialLogText, formatDenial, type DenialEntry } from '../../../shim/agent/denial-log.js';

const dir = mkdtempSync(join(tmpdir(), `openclaw-denials-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (): string => join(dir, `d${++n}.log`);

const entry = (container: string, i: number): DenialEntry => ({
  time: `t${i}`,
  container,
  pid: 7,
  profile: 'p',
  syscall: 'execve',
  decision: 'deny',
  errno: 1,
  reason: 'execve after the first execve',
  args: `path="/bin/x${i}"`,
});

describe('DenialLog', () => {
  it.each([
    // perSecond, burst, denials of "flood" at time 0, then a tick at tickAt: lines written
    { name: 'under the burst: every line', perSecond: 1, burst: 5, count: 3, tickAt: 0, lines: 3, summarised: undefined },
    { name: 'past the burst: burst lines, then one summary once a token is back', perSecond: 1, burst: 5, count: 50, tickAt: 1000, lines: 6, summarised: 45 },
    { name: 'past the burst, no token yet: the summary waits', perSecond: 1, burst: 5, count: 50, tickAt: 500, lines: 5, summarised: undefined },
  ])('$name', async ({ perSecond, burst, count, tickAt, lines, summarised }) => {
    let now = 0;
    const f = file();
    const log = new DenialLog({ file: f, perContainer: { perSecond, burst }, now: () => now });
    for (let i = 0; i < count; i++) log.record(entry('flood', i));
    now = tickAt;
    log.tick();
    await log.flush();
    const got = parseDenials(readFileSync(f, 'utf8'));
    expect(got).toHaveLength(lines);
    expect(got.find((e) => e.suppressed !== undefined)?.suppressed).toBe(summarised);
  });

  it('one flooding container does not take the lines of another', async () => {
    const f = file();
    const log = new DenialLog({ file: f, perContainer: { perSecond: 1, burst: 2 }, now: () => 0 });
    for (let i = 0; i < 100; i++) log.record(entry('flood', i));
    log.record(entry('quiet', 0));
    log.containerGone('flood');
    await log.flush();
    const got = parseDenials(readFileSync(f, 'utf8'));
    expect(got.filter((e) => e.container === 'quiet')).toHaveLength(1);
    expect(got.filter((e) => e.container === 'flood').map((e) => e.suppressed ?? 'line')).toEqual(['line', 'line', 98]);
    expect(formatDenial(got.at(-1)!)).toContain('rate limit: 98 further denials not logged (t2 .. t99)');
  });

  it('rotates at maxBytes, keeps `keep` old files, and never holds more than (keep + 1) x maxBytes', async () => {
    const f = file();
    const maxBytes = 2000;
    const log = new DenialLog({ file: f, maxBytes, keep: 2, perContainer: { perSecond: 1, burst: 1e9 }, now: () => 0 });
    for (let i = 0; i < 400; i++) {
      log.record(entry(`c${i % 7}`, i));
      if (i % 10 === 0) await log.flush(); // several writes, as a running agent makes them
    }
    await log.flush();
    const files = [f, `${f}.1`, `${f}.2`];
    for (const x of files) expect(statSync(x).size).toBeLessThanOrEqual(maxBytes);
    expect(existsSync(`${f}.3`)).toBe(false);
    // The newest entry is in the live file, and the rotated ones read oldest first.
    const all = parseDenials(readDenialLogText(f, 2)).map((e) => Number(e.time.slice(1)));
    expect(all.at(-1)).toBe(399);
    expect([...all].sort((a, b) => a - b)).toEqual(all);
  });

  it('drops past maxQueuedBytes and says how many in the next write', async () => {
    const f = file();
    const log = new DenialLog({ file: f, maxQueuedBytes: 600, perContainer: { perSecond: 1, burst: 1e9 }, now: () => 0 });
    for (let i = 0; i < 50; i++) log.record(entry('c', i)); // the first write is in flight; the rest queue
    await log.flush();
    const got = parseDenials(readFileSync(f, 'utf8'));
    const dropped = got.find((e) => e.reason.startsWith('denial log queue full'))?.suppressed ?? 0;
    expect(dropped).toBeGreaterThan(0);
    expect(got.filter((e) => e.suppressed === undefined).length + dropped).toBe(50);
  });
});
