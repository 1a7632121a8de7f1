/**
 * Who created the container, from the annotations engines put in config.json, so refusals
 * speak the caller's terms (Docker/Podman flags, pod spec fields). Only wording depends on
 * this: no policy is looser or tighter because of what the annotations claim (a container's
 * creator may write them). The CRI sandbox (pause) container is told apart for the pause
 * policy (merge/pause.ts), which is built so that claiming to be one gains nothing.
 */
import type { Spec } from './types.js';

/** containerd's CRI plugin: "sandbox" for the pod's pause container, "container" for the others. */
export const CRI_CONTAINER_TYPE = 'io.kubernetes.cri.container-type';
export const CRI_SANDBOX_ID = 'io.kubernetes.cri.sandbox-id';
/** Podman (libpod) marks its containers with this. */
export const CONTAINER_MANAGER = 'io.container.manager';

export type Engine = 'kubernetes' | 'podman' | 'other';

export function callerEngine(spec: Spec): Engine {
  const a = spec.annotations ?? {};
  if (a[CRI_CONTAINER_TYPE] !== undefined) return 'kubernetes';
  if (a[CONTAINER_MANAGER] === 'libpod') return 'podman';
  return 'other';
}

export function isCriSandbox(spec: Spec): boolean {
  return spec.annotations?.[CRI_CONTAINER_TYPE] === 'sandbox';
}
