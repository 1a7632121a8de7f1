/**
 * r. A Kubernetes pod start through CRI, as the kubelet does it: RunPodSandbox, CreateContainer,
 * StartContainer (timed until StartContainer returns), against a private containerd with its CRI
 * plugin (test/helpers/cri.ts, the e2e suite's own client and daemon, loaded untyped). Handler
 * `runc` is containerd's plain runc v2 runtime; `openclaw-default` is the table that
 * `openclaw-runtime install containerd --profile default` writes (a RuntimeClass handler whose
 * BinaryName is the generated launcher). Each pod runs two containers through the handler (the
 * pause sandbox and the workload), so a pod start pays the shim twice. Stop and removal are not
 * timed. Variants alternate after a warm-up.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import TOML from '@iarna/toml';
import { row } from '../lib/row.mjs';
import { importTestHelpers } from '../lib/ts-helpers.mjs';
import { SHIM, warmService, which } from '../lib/tools.mjs';

export const id = 'r';
export const title = 'CRI pod start (RunPodSandbox + CreateContainer + StartContainer)';
const PROFILE = 'default';
const HANDLER = `openclaw-${PROFILE}`;

export async function run(ctx) {
  for (const bin of ['containerd', 'ctr']) if (!which(bin)) return { skipped: `${bin} is not installed` };
  let helpers;
  try {
    helpers = await importTestHelpers(['daemons', 'image-archive', 'cri']);
  } catch (err) {
    return { skipped: `test/helpers/cri.ts is not usable from the benchmark: ${err.message}` };
  }
  const { criPrerequisite, startCriContainerd, kubeletPod, CRI_TEST_IMAGE } = helpers.cri;
  const missing = criPrerequisite();
  if (missing) return { skipped: missing };

  // The openclaw side as an operator sets it up: a config naming this containerd's roots (engine
  // files such as /etc/hosts come from there), and the launcher the installer writes.
  const dir = join(ctx.work, 'r-cri');
  mkdirSync(dir, { recursive: true, mode: 0o711 });
  const config = join(dir, 'config.toml');
  const installed = join(dir, 'containerd-install.toml');
  writeFileSync(installed, '');
  const install = spawnSync(SHIM, ['install', 'containerd', '--config', installed, '--name', HANDLER, '--profile', PROFILE, '--openclaw-config', config, '--launcher-dir', join(dir, 'launchers')], { encoding: 'utf8' });
  if (install.status !== 0) throw new Error(`install containerd failed: ${install.stderr}`);
  const handlers = { [HANDLER]: TOML.parse(readFileSync(installed, 'utf8')).plugins['io.containerd.grpc.v1.cri'].containerd.runtimes[HANDLER] };

  await warmService();
  const cri = await startCriContainerd(handlers, { note: (l) => ctx.log(`  ${l}`) });
  writeFileSync(config, `[state]\ndir = "${dir}/state"\n[engines]\ncontainerd_roots = ["${cri.root}", "${cri.state}"]\nkubelet_roots = ["${cri.kubeletRoot}"]\nnetns_dirs = []\n`);
  try {
    const podStart = async (handler) => {
      const name = `bench-${handler}-${process.pid}`;
      const { config: podConfig } = kubeletPod(cri.kubeletRoot, name, randomUUID());
      const t0 = process.hrtime.bigint();
      const { pod_sandbox_id: sandbox } = await cri.cri.runPodSandbox({ config: podConfig, runtime_handler: handler });
      let id;
      try {
        const container = {
          metadata: { name: 'job', attempt: 0 },
          image: { image: CRI_TEST_IMAGE },
          command: ['/bin/sh', '-c', 'read line'],
          log_path: 'job/0.log',
          stdin: true,
          linux: { security_context: { namespace_options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
        };
        id = (await cri.cri.createContainer({ pod_sandbox_id: sandbox, config: container, sandbox_config: podConfig })).container_id;
        await cri.cri.startContainer({ container_id: id });
        return Number(process.hrtime.bigint() - t0) / 1e6;
      } finally {
        if (id) {
          await cri.cri.stopContainer({ container_id: id, timeout: 1 }).catch(() => undefined);
          await cri.cri.removeContainer({ container_id: id }).catch(() => undefined);
        }
        await cri.cri.stopPodSandbox({ pod_sandbox_id: sandbox });
        await cri.cri.removePodSandbox({ pod_sandbox_id: sandbox });
      }
    };
    const variants = [
      { label: 'runc', handler: 'runc' },
      { label: 'openclaw', handler: HANDLER },
    ];
    const samples = new Map(variants.map((v) => [v.label, { label: v.label, values: [], failures: 0 }]));
    const once = async (v, keep) => {
      try {
        const ms = await podStart(v.handler);
        if (keep) samples.get(v.label).values.push(ms);
      } catch (err) {
        if (keep) samples.get(v.label).failures++;
        ctx.onError(v.label, new Error(String(err.details ?? err.message ?? err)));
      }
    };
    for (let i = 0; i < ctx.warmup; i++) for (const v of variants) await once(v, false);
    const reps = ctx.reps(8);
    for (let r = 0; r < reps; r++) for (const v of r % 2 === 0 ? variants : [...variants].reverse()) await once(v, true);
    return [row({ caseId: id, measure: `CRI pod start (${PROFILE}, pause + one container)`, unit: 'ms', baseline: samples.get('runc'), subject: samples.get('openclaw'), target: 1.1 })];
  } finally {
    await cri.stop();
  }
}
