/**
 * A log file that never grows without bound and never makes its writer wait: the one writer
 * behind the seccomp agent's denial log and the daemons' own logs (daemon-log.ts).
 *  - size-capped: before a write that would take the file past maxBytes it is rotated to
 *    FILE.1 .. FILE.<keep> (FILE.1 newest, the oldest dropped), so the files never hold more
 *    than (keep + 1) x maxBytes;
 *  - asynchronous and in order: writes go through libuv's pool, never the caller's event loop,
 *    one at a time, with what arrived meanwhile batched into the next;
 *  - bounded memory: at most maxQueuedBytes wait; past that, lines are dropped and counted, and
 *    the next write carries a line that says how many (dropNote);
 *  - the file may be renamed while open (a config reload): the next write goes to the new name.
 */
import { appendFile, mkdir, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface RotatingFileOptions {
  file: string;
  /** Rotate when the file would grow past this. */
  maxBytes: number;
  /** Rotated files kept: FILE.1 (newest) .. FILE.keep. */
  keep: number;
  /** Most bytes waiting to be written. */
  maxQueuedBytes: number;
  /** The line (with its newline) written in place of `dropped` lines that did not fit the queue. */
  dropNote: (dropped: number) => string;
  /** Awaited before each write (the agent re-checks its config there: the file may change). */
  beforeWrite?: () => Promise<void>;
  /** Where write failures are reported. */
  onError?: (msg: string) => void;
}

export class RotatingFile {
  private file: string;
  private queue: string[] = [];
  private queuedBytes = 0;
  private dropped = 0;
  private size: number | undefined;
  private writing: Promise<void> = Promise.resolve();
  private busy = false;
  /** Rotations done (stats). */
  rotations = 0;

  constructor(private readonly opts: RotatingFileOptions) {
    this.file = opts.file;
  }

  get path(): string {
    return this.file;
  }

  /** Later writes go to `file` (its size is read again before the first). */
  setFile(file: string): void {
    if (file === this.file) return;
    this.file = file;
    this.size = undefined;
  }

  /** Queues text (whole lines); false when the queue was full and it was dropped (and counted). */
  append(text: string): boolean {
    if (this.queuedBytes + text.length > this.opts.maxQueuedBytes) {
      this.dropped++;
      return false;
    }
    this.queue.push(text);
    this.queuedBytes += text.length;
    this.kick();
    return true;
  }

  /** Resolves when everything queued so far is written. */
  async flush(): Promise<void> {
    while (this.busy || this.queue.length > 0) {
      this.kick();
      await this.writing;
    }
  }

  private kick(): void {
    if (this.busy || this.queue.length === 0) return;
    this.busy = true;
    this.writing = this.writeQueued().finally(() => {
      this.busy = false;
      this.kick();
    });
  }

  private async writeQueued(): Promise<void> {
    try {
      await this.opts.beforeWrite?.();
    } catch (e) {
      this.opts.onError?.(`before writing ${this.file}: ${(e as Error).message}`);
    }
    // Taken after beforeWrite: lines that arrived while it ran go in this write too.
    let data = this.queue.join('');
    this.queue = [];
    this.queuedBytes = 0;
    if (this.dropped > 0) {
      data += this.opts.dropNote(this.dropped);
      this.dropped = 0;
    }
    await this.write(data);
  }

  private async write(data: string): Promise<void> {
    const file = this.file;
    try {
      if (this.size === undefined) this.size = await stat(file).then((s) => s.size, () => 0);
      if (this.size > 0 && this.size + Buffer.byteLength(data) > this.opts.maxBytes) {
        await rotateFiles(file, this.opts.keep);
        this.rotations++;
        this.size = 0;
      }
      try {
        await appendFile(file, data, { mode: 0o600 });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        await mkdir(dirname(file), { recursive: true, mode: 0o700 });
        await appendFile(file, data, { mode: 0o600 });
      }
      this.size += Buffer.byteLength(data);
    } catch (e) {
      this.size = undefined;
      this.opts.onError?.(`${file}: ${(e as Error).message}`);
    }
  }
}

/** FILE.(keep-1) -> FILE.keep, ..., FILE -> FILE.1; the oldest is overwritten by the rename. */
export async function rotateFiles(file: string, keep: number): Promise<void> {
  for (let i = keep - 1; i >= 0; i--) {
    const from = i === 0 ? file : `${file}.${i}`;
    await rename(from, `${file}.${i + 1}`).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }
}
