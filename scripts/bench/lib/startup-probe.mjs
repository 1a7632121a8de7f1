/**
 * One fresh Node process walking the create path phase by phase, as `create` does it (imports
 * first, then pipeline steps, then the write), printing one JSON line of milliseconds.
 * Used by cases/startup.mjs: node scripts/bench/lib/startup-probe.mjs BUNDLE PROFILE
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const boot = performance.now(); // since the process started: Node's own start-up
const [bundle, profileName] = process.argv.slice(2);
const dist = new URL('../../../dist/', import.meta.url);
const times = { 'node start': boot };
let last = performance.now();
const lap = (name) => {
  const t = performance.now();
  times[name] = t - last;
  last = t;
};
const mod = (p) => import(new URL(p, dist).href);

// What bin -> dist/main.js loads before any command runs.
await Promise.all(['cli/argv.js', 'util/child-process.js', 'errors.js', 'log.js', 'commands/index.js'].map(mod));
lap('main.js modules');
const { loadConfig } = await mod('config/load.js');
await mod('config/runtime-path.js');
lap('config modules (toml, zod only with a config file)');
await mod('commands/create.js');
lap('create modules (lossless-json, seccomp, merge)');
const { readSpec, serializeSpec, writeSpecAtomic: writeFileAtomic } = await mod('oci/bundle.js');
const { selectProfile } = await mod('profile/select.js');
const { loadProfileForConfig } = await mod('profile/load-for-config.js');
const { resolveHostFacts } = await mod('host/facts.js');
const { mergeSpec } = await mod('merge/index.js');
lap('(module lookups)');

const { config, path: configPath } = await loadConfig(undefined, process.env);
lap('load config');
const spec = readSpec(bundle);
lap('read config.json');
const choice = selectProfile({ flag: profileName, spec: spec.spec, config, configPath, cwd: process.cwd() });
const { profile, compiledFilter } = await loadProfileForConfig(choice.path, config);
lap('load profile (compiled-profile cache; a miss loads yaml+zod, parses, compiles)');
const host = resolveHostFacts(spec.spec, profile.profile, bundle, config.state.dir);
lap('host facts');
const merged = mergeSpec(spec.spec, { profile, compiledFilter, config, containerId: 'probe', host, bundle, specFile: spec.path });
lap('merge');
const copy = join(bundle, 'config.probe.json');
copyFileSync(spec.path, copy);
last = performance.now();
writeFileAtomic(copy, serializeSpec(merged.spec));
lap('serialize + atomic write');
process.stdout.write(`${JSON.stringify(times)}\n`);
