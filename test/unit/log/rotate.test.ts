/**
 * The daemons' log writer (shim/log-rotate.ts, shared with the denial log) and their one line
 * format (shim/daemon-log.ts): size cap and rotation, the file moved by a reload, a full queue
 * counted, and lines that lead with runc's keys.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingFile } from '../../../shim/log-rotate.js';
import { DaemonLog, formatLogLine } from '../../../shim/daemon-log.js';
import { closeDebugLog, debugLog, formatRuncLogLine, openDebugLog } from '../../../shim/log.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'openclaw-rotate-'));
const line = (i: number): string => `${JSON.stringify({ i, pad: 'x'.repeat(40) })}\n`; // 58 bytes

function read(file: string): number[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { i: number }).i);
}

describe('RotatingFile', () => {
  it('rotates before a write would pass maxBytes, keeps `keep` files, newest first, and drops the oldest', async () => {
    const file = join(tmp(), 'd.log');
    const out = new RotatingFile({ file, maxBytes: 200, keep: 2, maxQueuedBytes: 1 << 20, dropNote: () => '' });
    for (let i = 0; i < 20; i++) {
      out.append(line(i));
      await out.flush(); // one write per line: the cap is checked per write
    }
    // 58-byte lines, 200-byte cap: 3 lines a file. 20 lines: 18 rotated away in 6 files, 2 live.
    expect(read(file)).toEqual([18, 19]);
    expect(read(`${file}.1`)).toEqual([15, 16, 17]);
    expect(read(`${file}.2`)).toEqual([12, 13, 14]);
    expect(existsSync(`${file}.3`)).toBe(false);
    for (const f of [file, `${file}.1`, `${file}.2`]) {
      expect(statSync(f).size).toBeLessThanOrEqual(200);
      expect(statSync(f).mode & 0o777).toBe(0o600);
    }
    expect(out.rotations).toBe(6);
  });

  it('an existing file counts toward the cap (a restarted daemon keeps rotating the same file)', async () => {
    const file = join(tmp(), 'd.log');
    writeFileSync(file, line(100) + line(101) + line(102));
    const out = new RotatingFile({ file, maxBytes: 200, keep: 1, maxQueuedBytes: 1 << 20, dropNote: () => '' });
    out.append(line(0));
    await out.flush();
    expect(read(`${file}.1`)).toEqual([100, 101, 102]);
    expect(read(file)).toEqual([0]);
  });

  it('setFile: the next write goes to the new file, measured afresh; beforeWrite runs first and may move it', async () => {
    const dir = tmp();
    const a = join(dir, 'a.log');
    const b = join(dir, 'sub', 'b.log');
    let target = a;
    const out: RotatingFile = new RotatingFile({
      file: a,
      maxBytes: 1 << 20,
      keep: 1,
      maxQueuedBytes: 1 << 20,
      dropNote: () => '',
      beforeWrite: async () => out.setFile(target),
    });
    out.append(line(1));
    await out.flush();
    target = b;
    out.append(line(2));
    await out.flush();
    expect(read(a)).toEqual([1]);
    expect(read(b)).toEqual([2]); // its directory was made
    expect(out.path).toBe(b);
  });

  it('past maxQueuedBytes lines are dropped, counted, and the next write says how many', async () => {
    const file = join(tmp(), 'd.log');
    const out = new RotatingFile({ file, maxBytes: 1 << 20, keep: 1, maxQueuedBytes: 130, dropNote: (n) => `${JSON.stringify({ i: -n })}\n` });
    // The first append starts a write at once (queue emptied after beforeWrite's tick), so fill synchronously.
    const accepted = [0, 1, 2, 3, 4].map((i) => out.append(line(i)));
    expect(accepted).toEqual([true, true, false, false, false]);
    out.append(line(5)); // also dropped: the queue still holds 0 and 1
    await out.flush();
    out.append(line(6));
    await out.flush();
    expect(read(file)).toEqual([0, 1, -4, 6]);
  });
});

describe('DaemonLog and the one line format', () => {
  it('lines lead with runc\'s keys (level, msg, time), then daemon, pid and the fields; a field cannot replace those', () => {
    const now = new Date('2026-11-29T12:00:00.000Z');
    const text = formatLogLine('warn', 'hello', { daemon: 'agent', pid: 7, level: 'error', msg: 'x', time: 'y', container: 'c1' }, now);
    expect(text).toBe('{"level":"warn","msg":"hello","time":"2026-11-29T12:00:00.000Z","daemon":"agent","pid":7,"container":"c1"}\n');
    // The runtime --log line containerd reads is the same three keys and nothing else.
    expect(Object.keys(JSON.parse(formatRuncLogLine('error', 'm', 'json', now)) as object)).toEqual(['level', 'msg', 'time']);
  });

  it('filters by level and follows setLevel; without a file, one line per call to the stream', () => {
    const got: string[] = [];
    const log = new DaemonLog({ daemon: 'service', level: 'warn', write: (l) => got.push(l) });
    log.log('info', 'skipped');
    log.log('error', 'kept');
    log.setLevel('debug');
    log.log('debug', 'now kept');
    expect(got.map((l) => (JSON.parse(l) as { msg: string; daemon: string }).msg)).toEqual(['kept', 'now kept']);
    expect(got.every((l) => l.endsWith('\n') && (JSON.parse(l) as { daemon: string }).daemon === 'service')).toBe(true);
  });

  it('with a file: capped and rotated (maxBytes, keep)', async () => {
    const file = join(tmp(), 'agent.log');
    const log = new DaemonLog({ daemon: 'agent', file, maxBytes: 300, keep: 2 });
    for (let i = 0; i < 30; i++) {
      log.log('info', `line ${i}`);
      await log.flush();
    }
    const msgs = (f: string): string[] => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(msgs(file).at(-1)).toBe('line 29');
    expect(msgs(`${file}.1`).length).toBeGreaterThan(0);
    expect(msgs(`${file}.2`).length).toBeGreaterThan(0);
    expect(existsSync(`${file}.3`)).toBe(false);
    // Consecutive: nothing lost between the files that are kept.
    const all = [...msgs(`${file}.2`), ...msgs(`${file}.1`), ...msgs(file)].map((m) => Number(m.split(' ')[1]));
    expect(all).toEqual(Array.from({ length: all.length }, (_, k) => 30 - all.length + k));
    for (const f of [file, `${file}.1`, `${file}.2`]) expect(statSync(f).size).toBeLessThanOrEqual(300);
  });
});

describe('the shim\'s debug log ([log] file, winston)', () => {
  it('writes the same line format, at its level, and is flushed by closeDebugLog', async () => {
    const file = join(tmp(), 'sub', 'debug.log');
    await openDebugLog(file, 'info');
    debugLog('info', 'merged profile', { id: 'c1', profile: 'default' });
    debugLog('debug', 'below the level');
    await closeDebugLog();
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(Object.keys(lines[0] ?? {})).toEqual(['level', 'msg', 'time', 'pid', 'id', 'profile']);
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'merged profile', pid: process.pid, id: 'c1', profile: 'default' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
