/**
 * Golden tests: each shipped profile merged into config.json exactly as Docker 20.10 and
 * containerd 1.6 hand it to their runtime (captured by capture-fixtures.sh), compared with
 * the expected file under expected/. Host facts are fixed so the result depends only on
 * the profile and the input. After a deliberate change, regenerate with
 *   UPDATE_GOLDEN=1 npx vitest run test/golden
 * and review the diff of expected/ like code.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseJsonLossless, stringifyJsonLossless, jsonEqual } from '../../shim/spec/json.js';
import { parseProfileText, readProfileFile } from '../../shim/profile/load.js';
import { RuntimeConfigSchema } from '../../shim/config/schema.js';
import { compileProfileSeccomp } from '../../shim/profile/compile-profile.js';
import { mergeSpec } from '../../shim/merge/index.js';
import type { HostFacts, PathFacts } from '../../shim/merge/types.js';
import type { Spec } from '../../shim/spec/types.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const PROFILES = join(HERE, '..', '..', 'profiles');
const FIXTURES = join(HERE, 'fixtures');
const EXPECTED = join(HERE, 'expected');
const update = process.env.UPDATE_GOLDEN === '1';

const profiles = readdirSync(PROFILES).filter((f) => f.endsWith('.yaml')).sort();
const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort();

/** Fixed host: no GPUs, every profile bind source exists and is root-owned, the rootfs is
 * reachable for runc-style bundles and not for Docker's overlay (its data root is 0710). */
function hostFor(fixture: string, spec: Spec, profileBinds: string[]): HostFacts {
  const paths: Record<string, PathFacts> = {};
  for (const m of spec.mounts ?? []) if (m.source?.startsWith('/')) paths[m.source] = { exists: true, realPath: m.source, isDirectory: false, uid: 0, gid: 0 };
  for (const p of profileBinds) paths[p] = { exists: true, realPath: p, isDirectory: true, uid: 0, gid: 0 };
  return { nvidiaDevices: [], paths, rootfsTraversableByOthers: !fixture.startsWith('docker'), rootfsSelfTraversable: true, missingMountpoints: [] };
}

describe('golden: shipped profile x engine config.json', () => {
  for (const profileFile of profiles) {
    for (const fixture of fixtures) {
      const name = `${profileFile.replace(/\.yaml$/, '')}.${fixture}`;
      it(name, () => {
        const input = parseJsonLossless(readFileSync(join(FIXTURES, fixture), 'utf8')) as Spec;
        const profile = readProfileFile(join(PROFILES, profileFile));
        const config = RuntimeConfigSchema.parse({});
        const binds = (profile.profile.spec.filesystem?.allowedBindMounts ?? []).map((b) => b.source);
        const merged = mergeSpec(input, {
          profile: { ...profile, path: `profiles/${profileFile}` },
          compiledSeccomp: compileProfileSeccomp(profile, config),
          config,
          // The engine's id of the captured container: its own per-container files carry it.
          containerId: /\/containers\/([0-9a-f]{64})\//.exec(JSON.stringify(input.mounts ?? []))?.[1] ?? 'golden',
          host: hostFor(fixture, input, binds),
          bundle: '/bundle',
          cleanupHookPath: '/opt/openclaw/hooks/openclaw-poststop',
          specFile: 'config.json',
        }).spec;
        const text = stringifyJsonLossless(merged, 2) + '\n';
        const expectedPath = join(EXPECTED, name);
        if (update || !existsSync(expectedPath)) {
          mkdirSync(EXPECTED, { recursive: true });
          writeFileSync(expectedPath, text);
          if (!update) throw new Error(`${expectedPath} did not exist; written now, review and commit it`);
        }
        expect(text).toBe(readFileSync(expectedPath, 'utf8'));
      });
    }
  }

  it('no profile (an empty spec section) changes nothing but the applied-profile annotations', () => {
    for (const fixture of fixtures) {
      const input = parseJsonLossless(readFileSync(join(FIXTURES, fixture), 'utf8')) as Spec;
      const profileText = 'apiVersion: security.openclaw.org/v1alpha1\nkind: SandboxProfile\nmetadata: { name: empty }\nspec: {}\n';
      const profile = parseProfileText(Buffer.from(profileText), 'empty.yaml');
      const merged = mergeSpec(input, {
        profile,
        config: RuntimeConfigSchema.parse({}),
        containerId: 'golden',
        host: hostFor(fixture, input, []),
        bundle: '/bundle',
        cleanupHookPath: '/opt/openclaw/hooks/openclaw-poststop',
        specFile: 'config.json',
      }).spec;
      const { annotations, ...rest } = merged;
      const { annotations: inAnn, ...inRest } = input;
      expect(jsonEqual(rest, inRest)).toBe(true);
      expect(Object.keys(annotations ?? {}).filter((k) => !(k in (inAnn ?? {})))).toEqual(['org.openclaw.profile.applied', 'org.openclaw.profile.sha256']);
    }
  });
});
