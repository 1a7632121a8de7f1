/**
 * The seal that makes merging twice the same as merging once. A merged filter is never looser
 * than its profile, so intersecting it with that profile again changes nothing but its shape
 * (the encoding grows with every pass). After a merge the annotations modifier records
 * HMAC(key, profile hash, merged filter) under SEAL_ANNOTATION; the seccomp modifier keeps a
 * caller filter whose seal verifies as it is. The key is root's (host/seal-key.ts), so a
 * container's creator cannot forge a seal for a looser filter.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { stringifyJsonLossless } from '../util/json.js';
import type { SpecSeccomp } from '../oci/types.js';

export const SEAL_ANNOTATION = 'org.openclaw.seccomp.seal';

export function sealOf(key: Buffer, profileSha256: string, seccomp: SpecSeccomp): string {
  return createHmac('sha256', key).update(profileSha256).update('\n').update(stringifyJsonLossless(seccomp, 0)).digest('hex');
}

export function sealVerifies(key: Buffer, profileSha256: string, seccomp: SpecSeccomp, seal: string | undefined): boolean {
  if (!seal || !/^[0-9a-f]{64}$/.test(seal)) return false;
  return timingSafeEqual(Buffer.from(sealOf(key, profileSha256, seccomp), 'hex'), Buffer.from(seal, 'hex'));
}
