#!/usr/bin/env node
// Writes an nvidia.com/gpu CDI spec (JSON, cdiVersion 0.5.0) describing what it is told, for
// scripts/gpu-check.sh on hosts without nvidia-ctk. It decides nothing about the host: the
// caller lists the nodes and libraries it found.
//
//   generate-cdi.mjs --gpu /dev/nvidia0=HOST ... --node /dev/nvidiactl=HOST ... --lib CONTAINER=HOST ...
//
// --gpu   one device per GPU (named 0, 1, ... in the order given), plus "all"
// --node  control nodes every GPU container needs (spec-level edits)
// --lib   driver libraries, bind-mounted read-only at CONTAINER (e.g. .../libcuda.so.1)
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    gpu: { type: 'string', multiple: true, default: [] },
    node: { type: 'string', multiple: true, default: [] },
    lib: { type: 'string', multiple: true, default: [] },
  },
});

function pair(arg, flag) {
  const eq = arg.indexOf('=');
  if (eq <= 0 || !arg.startsWith('/') || arg[eq + 1] !== '/') {
    process.stderr.write(`generate-cdi: --${flag} wants CONTAINER_PATH=HOST_PATH, got "${arg}"\n`);
    process.exit(2);
  }
  return [arg.slice(0, eq), arg.slice(eq + 1)];
}

const node = (arg, flag) => {
  const [path, hostPath] = pair(arg, flag);
  return path === hostPath ? { path } : { path, hostPath };
};
if (values.gpu.length === 0) {
  process.stderr.write('generate-cdi: no --gpu given\n');
  process.exit(2);
}
const gpus = values.gpu.map((g) => node(g, 'gpu'));
const spec = {
  cdiVersion: '0.5.0',
  kind: 'nvidia.com/gpu',
  devices: [
    ...gpus.map((g, i) => ({ name: String(i), containerEdits: { deviceNodes: [g] } })),
    { name: 'all', containerEdits: { deviceNodes: gpus } },
  ],
  containerEdits: {
    deviceNodes: values.node.map((n) => node(n, 'node')),
    mounts: values.lib.map((l) => {
      const [containerPath, hostPath] = pair(l, 'lib');
      return { hostPath, containerPath, options: ['ro', 'nosuid', 'nodev', 'bind'] };
    }),
  },
};
process.stdout.write(`${JSON.stringify(spec, null, 2)}\n`);
