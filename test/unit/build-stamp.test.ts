/**
 * The build stamp (shim/build-stamp.ts): `npm run build`'s record of dist/'s hash is what a
 * process reads, as long as it is newer than the code; any code change changes the stamp; the
 * sources (tests) hash themselves. Run on a copy of the package's layout in a temp directory,
 * in fresh Node processes (the stamp is per process).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStamp, codeTreeHash } from '../../shim/build-stamp.js';
import { shimVersion } from '../../shim/package.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
let pkg: string;
let dist: string;

/** The stamp a fresh Node process computes from the copied dist/. */
function stampOfCopy(): string {
  const script = `const m = await import(${JSON.stringify(pathToFileURL(join(dist, 'build-stamp.js')).href)}); process.stdout.write(m.buildStamp());`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
}

function recorded(): { commit: string; code: string } {
  return JSON.parse(readFileSync(join(dist, 'build-info.json'), 'utf8'));
}

function build(): void {
  const r = spawnSync(process.execPath, [join(pkg, 'scripts', 'gen-build-info.mjs')], { cwd: pkg, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
}

beforeAll(() => {
  pkg = mkdtempSync(join(tmpdir(), 'oc-stamp-'));
  dist = join(pkg, 'dist');
  mkdirSync(join(dist, 'seccomp'), { recursive: true });
  mkdirSync(join(pkg, 'scripts'));
  for (const m of ['build-stamp', 'package']) {
    const js = ts.transpileModule(readFileSync(join(REPO, 'shim', `${m}.ts`), 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    writeFileSync(join(dist, `${m}.js`), js);
  }
  writeFileSync(join(dist, 'seccomp', 'compile.js'), 'export const v = 1;\n');
  writeFileSync(join(pkg, 'package.json'), '{"name":"p","version":"9.8.7","type":"module"}\n');
  copyFileSync(join(REPO, 'scripts', 'gen-build-info.mjs'), join(pkg, 'scripts', 'gen-build-info.mjs'));
  build();
});
afterAll(() => rmSync(pkg, { recursive: true, force: true }));

describe('build stamp', () => {
  it('the build records dist/\'s hash, and a process reads the record (version + hash)', () => {
    expect(recorded().code).toBe(codeTreeHash(dist));
    expect(stampOfCopy()).toBe(`9.8.7+${recorded().code}`);
  });

  it('a record newer than the code is believed; one older than the code (tsc without the script) is not', () => {
    const honest = recorded();
    const info = join(dist, 'build-info.json');
    writeFileSync(info, JSON.stringify({ ...honest, code: 'f'.repeat(64) }));
    expect(stampOfCopy()).toBe(`9.8.7+${'f'.repeat(64)}`);
    const past = new Date(Date.now() - 3600_000);
    utimesSync(info, past, past);
    expect(stampOfCopy()).toBe(`9.8.7+${codeTreeHash(dist)}`);
    build();
    expect(recorded()).toEqual(honest);
  });

  it('any code file changes the stamp; source maps and the record itself do not', () => {
    const before = codeTreeHash(dist);
    writeFileSync(join(dist, 'seccomp', 'compile.js.map'), '{}');
    writeFileSync(join(dist, 'build-info.json'), '{}');
    expect(codeTreeHash(dist)).toBe(before);
    writeFileSync(join(dist, 'seccomp', 'compile.js'), 'export const v = 2;\n');
    expect(codeTreeHash(dist)).not.toBe(before);
    writeFileSync(join(dist, 'seccomp', 'compile.js'), 'export const v = 1;\n');
    writeFileSync(join(dist, 'seccomp', 'new.js'), '');
    expect(codeTreeHash(dist)).not.toBe(before);
    rmSync(join(dist, 'seccomp', 'new.js'));
    build();
    expect(stampOfCopy()).toBe(`9.8.7+${before}`);
  });

  it('a process that runs the sources hashes the sources (dist/\'s record says nothing about them)', () => {
    expect(buildStamp()).toBe(`${shimVersion()}+${codeTreeHash(join(REPO, 'shim'))}`);
  });
});
