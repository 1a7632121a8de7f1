/**
 * Mount propagation. A shared mount is a two-way channel with the host: mounts the container
 * makes under it appear on the host (and host mounts appear inside). Merge policy:
 * `linux.rootfsPropagation` shared or rshared, and any mount with the option `shared` or
 * `rshared`, are refused. slave/rslave (host -> container only), private/rprivate and
 * unbindable stay; nothing is rewritten (a caller who asked for shared relies on it).
 */
import { OpenclawError } from '../errors.js';
import type { MergeInputs, Modifier } from './types.js';

export const SHARED_PROPAGATION = new Set(['shared', 'rshared']);

export function makePropagationModifier(inputs: MergeInputs): Modifier {
  return {
    name: 'propagation',
    apply({ spec }) {
      const rootfs = spec.linux?.rootfsPropagation;
      if (typeof rootfs === 'string' && SHARED_PROPAGATION.has(rootfs)) {
        throw new OpenclawError('merge', `makes the container's root mount ${rootfs}: mounts made inside would propagate to the host`, {
          file: inputs.specFile,
          field: 'linux.rootfsPropagation',
          fix: 'use slave, rslave or private (Kubernetes: a volumeMount with mountPropagation Bidirectional makes it rshared; use HostToContainer or None)',
        });
      }
      (spec.mounts ?? []).forEach((m, i) => {
        const opt = (m.options ?? []).find((o) => SHARED_PROPAGATION.has(o));
        if (opt === undefined) return;
        throw new OpenclawError('merge', `mounts ${m.destination} with ${opt} propagation: mounts made there inside the container would appear on the host`, {
          file: inputs.specFile,
          field: `mounts[${i}].options`,
          fix: 'use rslave or rprivate (Docker: -v SRC:DST:rslave or --mount bind-propagation=rslave instead of shared/rshared; Kubernetes: mountPropagation HostToContainer or None instead of Bidirectional)',
        });
      });
    },
  };
}
