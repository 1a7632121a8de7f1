/**
 * The e2e test image, built from Debian's busybox-static by scripts/build-test-image.sh
 * (the single recipe; this is its caller): imported into the private dockerd with
 * `docker import`, and into a containerd namespace with `docker save` + `ctr images import`.
 * Idempotent: the script skips an import whose content hash label already matches.
 */
import { join } from 'node:path';
import { cmd, REPO, type Containerd, type Dockerd } from './daemons.js';

export const TEST_IMAGE = 'openclaw-test/busybox:latest';
/** The name containerd gives the image after `docker save` + `ctr images import`. */
export const TEST_IMAGE_CONTAINERD = `docker.io/${TEST_IMAGE}`;
/** Where the verifier sits inside the image. */
export const VERIFIER = '/openclaw/verify.sh';

export async function ensureTestImage(work: string, dockerd: Dockerd, containerd?: { daemon: Containerd; namespace: string }): Promise<void> {
  const args = ['--work', join(work, 'image'), '--image', TEST_IMAGE, '--docker-host', dockerd.host];
  if (containerd) args.push('--containerd-address', containerd.daemon.address, '--namespace', containerd.namespace);
  const r = await cmd(join(REPO, 'scripts', 'build-test-image.sh'), args, { timeout: 120_000 });
  if (r.exitCode !== 0) throw new Error(`build-test-image.sh failed (${r.exitCode}):\n${r.stdout}${r.stderr}`);
}
