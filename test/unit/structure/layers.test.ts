/**
 * The house's floors: every import in shim/ goes down, never up or sideways, and no import
 * loops. Reads each shim/**\/*.ts file's imports (static, `export ... from`, type-only and
 * lazy `import()` alike) with TypeScript's own pre-processor.
 *
 * To update when a file or folder moves: put it in FLOORS (top floor first). A room is a
 * folder (`agent/`) or a file (`pipeline.ts`); several paths in one string separated by
 * spaces make one room whose files may import each other. A file belongs to the room with the
 * longest matching path. An import is allowed inside its room, or to a room on a lower floor;
 * rooms on the same floor do not know each other. An import that breaks this needs a line in
 * EXCEPTIONS with its reason; an exception that no longer matches an import fails the test too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SHIM = resolve(__dirname, '../../../shim');

/** Top floor first. */
const FLOORS: ReadonlyArray<readonly string[]> = [
  // The process entries: the CLI, the seccomp agent's daemon (runs main's `agent` verb) and the resident service.
  ['main.ts agent-main.ts service-main.ts'],
  // The resident service runs create, exec, hook and features in its own process: above commands.
  ['service/'],
  ['commands/'],
  // The create path up to the write; `record`'s recorder and its profile writer (a flow of its own).
  ['pipeline.ts', 'record/'],
  // I/O around the merge, and the pure modifiers: siblings, neither imports the other ...
  ['host/', 'merge/'],
  // ... except what host/ owns and the modifiers read: HostFacts/HostAction (types) and the
  // rootfs layout (a pure path function that host/facts.ts, the pipeline and merge/userns share).
  ['host/types.ts host/rootfs.ts'],
  // Readers of the loaded profile: CDI requests and the lints.
  ['cdi/', 'lint/'],
  ['profile/'],
  // profile/compile-profile.ts writes the agent's metadata (the producer imports its consumer's schema).
  ['agent/', 'install/'],
  ['seccomp/', 'cli/', 'config/'],
  // host/safe-path.ts is a file-system primitive (no container policy): profile/cache.ts opens its cache through it.
  // build-stamp.ts: the code's identity (package version + code hash), for the cache and the service.
  ['oci/', 'host/safe-path.ts', 'build-stamp.ts', 'log.ts'],
  // The daemons' log line format; where the resident service lives (read by commands and the launcher's tests).
  ['daemon-log.ts', 'service/paths.ts'],
  ['util/', 'errors.ts', 'package.ts', 'node-flags.ts', 'log-rotate.ts', 'metrics.ts'],
];

/**
 * Imports allowed against the floors or in a loop, each with why (shim-relative paths,
 * `from -> to`; `*` in a path matches within one file name).
 */
const EXCEPTIONS: Record<string, string> = {
  // none today
};

const EXCEPTION_PATTERNS = Object.keys(EXCEPTIONS).map((key) => {
  const [from, to] = key.split(' -> ') as [string, string];
  const re = (p: string) => new RegExp('^' + p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*') + '$');
  return { key, from: re(from), to: re(to) };
});

/** The exception that allows `from -> to`, if any. */
function exceptionFor(from: string, to: string): string | undefined {
  return EXCEPTION_PATTERNS.find((e) => e.from.test(from) && e.to.test(to))?.key;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return walk(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** shim-relative file -> shim-relative files it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of walk(SHIM)) {
    const text = readFileSync(file, 'utf8');
    const { importedFiles } = ts.preProcessFile(text, true, true);
    const targets = importedFiles
      .map((f) => f.fileName)
      .filter((s) => s.startsWith('.'))
      .map((s) => relative(SHIM, resolve(dirname(file), s)).replace(/\.js$/, '.ts'));
    graph.set(relative(SHIM, file), [...new Set(targets)]);
  }
  return graph;
}

interface Room {
  name: string;
  paths: string[];
  floor: number;
}

const ROOMS: Room[] = FLOORS.flatMap((rooms, i) => rooms.map((r) => ({ name: r, paths: r.split(' '), floor: FLOORS.length - i })));

function roomOf(file: string): Room | undefined {
  let best: { room: Room; len: number } | undefined;
  for (const room of ROOMS) {
    for (const p of room.paths) {
      const hit = p.endsWith('/') ? file.startsWith(p) : file === p;
      if (hit && (!best || p.length > best.len)) best = { room, len: p.length };
    }
  }
  return best?.room;
}

/** Import loops among files, following every import except the listed exceptions. */
function loops(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): void => {
    state.set(f, 'open');
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      if (exceptionFor(f, t) !== undefined) continue;
      if (state.get(t) === 'open') found.push([...stack.slice(stack.indexOf(t)), t]);
      else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
  return found;
}

describe('shim/ layers', () => {
  const graph = importGraph();

  it('reads a real graph (the pre-processor sees static, type-only and lazy imports)', () => {
    expect(graph.get('pipeline.ts')).toContain('merge/index.ts');
    expect(graph.get('merge/types.ts')).toContain('host/types.ts'); // import type
    expect(graph.get('commands/index.ts')).toContain('commands/create.ts'); // import()
  });

  it('every file is in a room of the floor table', () => {
    const homeless = [...graph.keys()].filter((f) => roomOf(f) === undefined);
    expect(homeless, 'add these to FLOORS in test/unit/structure/layers.test.ts').toEqual([]);
  });

  it('every import goes down a floor or stays in its room', () => {
    const wrong: string[] = [];
    for (const [from, targets] of graph) {
      const a = roomOf(from);
      for (const to of targets) {
        const b = roomOf(to);
        if (!a || !b || a === b || b.floor < a.floor) continue;
        if (exceptionFor(from, to) !== undefined) continue;
        wrong.push(`${from} -> ${to} (${a.name} on floor ${a.floor} ${b.floor === a.floor ? 'sideways to' : 'up to'} ${b.name} on floor ${b.floor})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('no import loops', () => {
    expect(loops(graph).map((l) => l.join(' -> '))).toEqual([]);
  });

  it('every exception still names an import that breaks the floors or closes a loop', () => {
    const reaches = (from: string, to: string): boolean => {
      const seen = new Set<string>();
      const todo = [from];
      while (todo.length > 0) {
        const f = todo.pop()!;
        if (f === to) return true;
        if (seen.has(f)) continue;
        seen.add(f);
        todo.push(...(graph.get(f) ?? []));
      }
      return false;
    };
    const live = new Set<string>();
    for (const [from, targets] of graph) {
      for (const to of targets) {
        const key = exceptionFor(from, to);
        if (key === undefined) continue;
        const a = roomOf(from)!;
        const b = roomOf(to)!;
        if ((a !== b && b.floor >= a.floor) || reaches(to, from)) live.add(key);
      }
    }
    expect(Object.keys(EXCEPTIONS).filter((k) => !live.has(k)), 'remove these from EXCEPTIONS').toEqual([]);
  });

  it('the checks refuse what they claim to (an upward import, a loop)', () => {
    const a = roomOf('oci/types.ts')!;
    const b = roomOf('merge/index.ts')!;
    expect(b.floor).toBeGreaterThan(a.floor);
    expect(roomOf('host/facts.ts')!.floor).toBe(roomOf('merge/seal.ts')!.floor);
    expect(roomOf('host/facts.ts')).not.toBe(roomOf('merge/seal.ts'));
    expect(loops(new Map([['x.ts', ['y.ts']], ['y.ts', ['x.ts']]]))).toEqual([['x.ts', 'y.ts', 'x.ts']]);
  });
});
