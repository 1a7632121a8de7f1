/**
 * Loads the test helpers that start private daemons (test/helpers/daemons.ts, images.ts) from
 * plain Node: Node 20 cannot import TypeScript, so they are transpiled (types stripped, no
 * type check) with the project's own typescript into node_modules/, where their
 * imports (execa) resolve. One copy of the daemon logic, shared with the e2e tests.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from './tools.mjs';

export async function importTestHelpers(names) {
  const ts = (await import('typescript')).default;
  // Two levels below the repository, like test/helpers/: their `new URL('../..', import.meta.url)`
  // must still name the repository.
  const out = join(REPO, 'node_modules', '.openclaw-bench-helpers');
  mkdirSync(out, { recursive: true });
  for (const name of names) {
    const src = join(REPO, 'test', 'helpers', `${name}.ts`);
    if (!existsSync(src)) throw new Error(`${src} does not exist`);
    const js = ts.transpileModule(readFileSync(src, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: src,
    }).outputText;
    writeFileSync(join(out, `${name}.js`), js);
  }
  const mods = {};
  for (const name of names) mods[name] = await import(pathToFileURL(join(out, `${name}.js`)).href);
  return mods;
}
