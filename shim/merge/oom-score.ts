/**
 * process.oomScoreAdj. A negative value makes the kernel's OOM killer spare the container and
 * kill host processes first. Merge policy: a value below the floor (config
 * `[process] oom_score_adj_floor`, default 0) is raised to the floor; higher values stay.
 *
 * Clamped, not refused: the value is no choice of the container's creator in the engines that
 * send it (Kubernetes gives the pause container -998 and Guaranteed pods -997 from the pod's
 * QoS class; refusing would refuse every Guaranteed pod), and raising it only makes this
 * container the likelier victim under memory pressure, which is a tightening like lowering a
 * memory limit.
 */
import type { MergeInputs, Modifier } from './types.js';

export function makeOomScoreModifier(inputs: MergeInputs): Modifier {
  const floor = inputs.config.process.oom_score_adj_floor;
  return {
    name: 'oom-score',
    apply({ spec }) {
      const proc = spec.process;
      if (!proc || typeof proc.oomScoreAdj !== 'number') return;
      if (proc.oomScoreAdj < floor) proc.oomScoreAdj = floor;
    },
  };
}
