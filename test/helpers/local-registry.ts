/**
 * A package registry on 127.0.0.1 that serves exactly the packages installed in a project's
 * node_modules (the production dependency closure `npm ls --omit=dev` reports), so that
 * `npm install -g TARBALL --registry http://127.0.0.1:PORT` resolves the package's
 * dependencies as it would from registry.npmjs.org, with no network: the machine's npm cache
 * holds tarballs but no package metadata, so `--offline` alone cannot resolve a semver range.
 *
 * Each package is tarred as npm packs it (a `package/` prefix, its own nested node_modules
 * left out) and described by a minimal packument: versions, dependencies, bin, dist with
 * tarball, sha512 integrity and sha1 shasum (npm checks them).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

interface Served {
  manifest: Record<string, unknown>;
  tarball: Buffer;
}

export interface LocalRegistry {
  url: string;
  /** name@version of every package served. */
  packages: string[];
  /** Request paths npm asked for that the registry does not have (a dependency we missed). */
  misses: string[];
  close(): Promise<void>;
}

function tarOf(dir: string, work: string, file: string): Buffer {
  const out = join(work, file);
  // GNU tar: entries under package/, nested node_modules excluded (they are packages of their own).
  execFileSync('tar', ['-czf', out, '--exclude=./node_modules', '--owner=0', '--group=0', '--transform', 's,^\\.,package,', '-C', dir, '.']);
  return readFileSync(out);
}

export async function startLocalRegistry(projectDir: string, workDir: string): Promise<LocalRegistry> {
  mkdirSync(workDir, { recursive: true });
  const dirs = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: projectDir, encoding: 'utf8' })
    .split('\n')
    .filter((d) => d.includes('/node_modules/'));
  const byName = new Map<string, Map<string, Served>>();
  let port = 0;
  const pending: Array<{ name: string; version: string; dir: string; pkg: Record<string, unknown> }> = [];
  for (const dir of [...new Set(dirs)]) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
    pending.push({ name: String(pkg.name), version: String(pkg.version), dir, pkg });
  }
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/').slice(1);
    const tgz = /^-\/(.+)\/(\d+)$/.exec(path);
    if (tgz) {
      const served = [...(byName.get(tgz[1] as string)?.values() ?? [])][Number(tgz[2])];
      if (served) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(served.tarball);
        return;
      }
    }
    const versions = byName.get(path);
    if (!versions) {
      registry.misses.push(path);
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"not found"}');
      return;
    }
    const all = [...versions.entries()];
    const packument = {
      name: path,
      'dist-tags': { latest: all[all.length - 1]?.[0] },
      versions: Object.fromEntries(all.map(([v, s]) => [v, s.manifest])),
    };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(packument));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}/`;
  let n = 0;
  for (const { name, version, dir, pkg } of pending) {
    const versions = byName.get(name) ?? new Map<string, Served>();
    byName.set(name, versions);
    if (versions.has(version)) continue;
    const tarball = tarOf(dir, workDir, `p${n++}.tgz`);
    const index = versions.size;
    const manifest: Record<string, unknown> = {
      name,
      version,
      dependencies: pkg.dependencies ?? {},
      optionalDependencies: pkg.optionalDependencies ?? {},
      peerDependencies: pkg.peerDependencies ?? {},
      peerDependenciesMeta: pkg.peerDependenciesMeta ?? {},
      bin: pkg.bin,
      engines: pkg.engines,
      dist: {
        tarball: `${url}-/${encodeURIComponent(name)}/${index}`,
        integrity: `sha512-${createHash('sha512').update(tarball).digest('base64')}`,
        shasum: createHash('sha1').update(tarball).digest('hex'),
      },
    };
    versions.set(version, { manifest, tarball });
  }
  const registry: LocalRegistry = {
    url,
    packages: pending.map((p) => `${p.name}@${p.version}`),
    misses: [],
    close: () => new Promise((r) => server.close(() => r())),
  };
  return registry;
}
