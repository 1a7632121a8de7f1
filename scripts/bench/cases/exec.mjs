/**
 * x. `exec` into a running container (what `docker exec`, `kubectl exec` and CRI ExecSync
 * become): `runc exec --process FILE ID` of `/bin/true` with Docker's stored process (its 14
 * capabilities, no_new_privs off) vs the same through the shim, which clamps it to the
 * `default` profile first (shim/commands/exec.ts). The subject is bin/openclaw-runtime (native
 * launcher: prepared by the resident service, runc exec'd with the argv it sent); the sh
 * launcher (the Node path) beside it. One container per config, created through the shim.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeBundle, forceDelete } from '../lib/bundle.mjs';
import { row, pick } from '../lib/row.mjs';
import { CONFIGS, SHIM, SH_SHIM, alternate, timeSequence, useConfig, warmService } from '../lib/tools.mjs';

export const id = 'x';
export const title = 'exec into a running container';

const DOCKER_CAPS = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE'];

export async function run(ctx) {
  await warmService();
  const processFile = join(ctx.work, 'x-process.json');
  const caps = { bounding: DOCKER_CAPS, effective: DOCKER_CAPS, permitted: DOCKER_CAPS };
  writeFileSync(processFile, JSON.stringify({ terminal: false, user: { uid: 0, gid: 0 }, args: ['/bin/true'], env: ['PATH=/bin'], cwd: '/', capabilities: caps, noNewPrivileges: false }));
  const rows = [];
  for (const config of CONFIGS) {
    useConfig(config);
    const cid = `oc-bench-exec-${process.pid}-${config.env ? 'example' : 'none'}`;
    const bundle = makeBundle(join(ctx.work, `x-${cid}`), ctx.rootfs, ['sleep', '600']);
    try {
      timeSequence(ctx.timeit, [[SHIM, '--profile', 'default', 'create', '--bundle', bundle, cid], [SHIM, 'start', cid]], ctx.errFile);
      const exec = (bin, pre) => timeSequence(ctx.timeit, [[bin, ...pre, 'exec', '--process', processFile, cid]], ctx.errFile);
      const samples = alternate(
        [
          { label: 'runc', before: () => useConfig(config), run: () => exec('runc', []) },
          { label: 'openclaw', before: () => useConfig(config), run: () => exec(SHIM, ['--profile', 'default']) },
          { label: 'sh launcher', before: () => useConfig(config), run: () => exec(SH_SHIM, ['--profile', 'default']) },
        ],
        { warmup: ctx.warmup, reps: ctx.reps(15), onError: ctx.onError },
      );
      rows.push(row({ caseId: id, measure: `exec --process (default), ${config.name}`, unit: 'ms', baseline: pick(samples, 'runc'), subject: pick(samples, 'openclaw'), others: [pick(samples, 'sh launcher')], note: 'runc runs the engine\'s process as asked; the shim clamps it to the profile first' }));
    } catch (err) {
      ctx.onError(`exec ${config.name}`, err);
    } finally {
      forceDelete(cid);
    }
  }
  useConfig(CONFIGS[0]);
  return rows;
}
