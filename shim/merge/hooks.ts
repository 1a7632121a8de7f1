/**
 * OCI hooks. runc runs every hook in config.json on the host as root (prestart, createRuntime,
 * poststart and poststop in the runtime's namespaces), so a hook the container's creator wrote
 * is host root for them. Merge policy: every hook must be one of
 * - ours: hooks/openclaw-poststop with exactly the arguments the cleanup-hook modifier gives it
 *   (a bundle created before carries it already);
 * - Docker's libnetwork-setkey hook (prestart, or createRuntime in newer Docker):
 *   `/proc/<pid>/exe libnetwork-setkey -exec-root=DIR <this container's id> <12-hex controller id>`,
 *   where that pid runs as root and its executable is a root-only file named `dockerd`, and DIR
 *   is a directory only root can change. A creator who hands containerd a raw spec can write
 *   this hook too: what keeps it harmless is that it runs dockerd's own code, for this
 *   container only, talking to a socket only root can place;
 * - NVIDIA's hook, when the profile asks for GPUs: `nvidia-container-runtime-hook prestart`
 *   (what Docker's --gpus adds) or the CDI hooks `nvidia-ctk hook ...` / `nvidia-cdi-hook ...`
 *   in createContainer, from a root-only file of that name;
 * - a hook whose path the admin config lists in `[hooks] allowed` (e.g. Podman hooks.d
 *   entries), from a root-only file.
 * No hook may carry `env`: runc gives a hook only that environment, and LD_PRELOAD and
 * friends would turn any allowed binary into the creator's code. Anything else is refused.
 * The file checks are host facts (host/facts.ts), read before the merge.
 */
import { basename } from 'node:path';
import { OpenclawError } from '../errors.js';
import type { SpecHook, SpecHooks } from '../oci/types.js';
import type { MergeInputs, Modifier } from './types.js';
import type { ExecutableFacts } from '../host/types.js';
import { EXEC_ROOT_PREFIX, HOOK_STAGES, type HookStage } from '../oci/hooks.js';

const PROC_EXE_RE = /^\/proc\/([1-9][0-9]*)\/exe$/;
const NVIDIA_HOOKS = new Set(['nvidia-container-runtime-hook', 'nvidia-container-toolkit']);
const NVIDIA_CDI_HOOKS = new Set(['nvidia-ctk', 'nvidia-cdi-hook']);

function cleanAbsolute(p: string): boolean {
  return p.startsWith('/') && !p.split('/').slice(1).some((c) => c === '' || c === '.' || c === '..');
}

/** Why this is not Docker's setkey hook for this container, or undefined when it is. */
function notDockerSetkey(h: SpecHook, stage: HookStage, inputs: MergeInputs, exe: ExecutableFacts | undefined): string | undefined {
  if (stage !== 'prestart' && stage !== 'createRuntime') return `libnetwork-setkey runs as a prestart or createRuntime hook, not ${stage}`;
  if (!exe?.realPath || basename(exe.realPath) !== 'dockerd') return `${h.path} is not a dockerd process (its executable is ${exe?.realPath ?? 'not readable'})`;
  if (!exe.processIsRoot) return `the process behind ${h.path} does not run as root`;
  if (!exe.rootOnly) return `${exe.realPath} (the executable behind ${h.path}) can be changed by users other than root`;
  const args = h.args ?? [];
  if (args.length !== 4) return `libnetwork-setkey takes exactly 3 arguments, got ${args.length - 1}`;
  const execRoot = args[1]!.startsWith(EXEC_ROOT_PREFIX) ? args[1]!.slice(EXEC_ROOT_PREFIX.length) : undefined;
  if (execRoot === undefined || !cleanAbsolute(execRoot)) return `its first argument must be -exec-root=<absolute path>, got "${args[1]}"`;
  if (inputs.host.rootOnlyDirs[execRoot] !== true) return `its exec root ${execRoot} is missing or can be changed by users other than root`;
  if (args[2] !== inputs.containerId) return `it names container "${args[2]}", not this container ("${inputs.containerId}")`;
  if (!/^[0-9a-f]{12}$/.test(args[3]!)) return `its controller id "${args[3]}" is not 12 hex digits`;
  return undefined;
}

/** Why this is not an NVIDIA hook the profile's GPUs call for, or undefined when it is. */
function notNvidiaHook(h: SpecHook, stage: HookStage, exe: ExecutableFacts | undefined): string | undefined {
  const name = exe?.realPath ? basename(exe.realPath) : basename(h.path);
  const args = h.args ?? [];
  if (NVIDIA_HOOKS.has(name)) {
    if (stage !== 'prestart') return `${name} runs as a prestart hook, not ${stage}`;
    if (args.length !== 2 || args[1] !== 'prestart') return `${name} takes exactly the argument "prestart"`;
  } else if (NVIDIA_CDI_HOOKS.has(name)) {
    if (stage !== 'createContainer') return `${name} runs as a createContainer hook, not ${stage}`;
    if (name === 'nvidia-ctk' && args[1] !== 'hook') return 'nvidia-ctk runs only as "nvidia-ctk hook ..."';
  } else {
    return `${h.path} is not an NVIDIA container hook`;
  }
  if (!exe?.rootOnly) return `${h.path} is missing or can be changed by users other than root`;
  return undefined;
}

function isOurs(h: SpecHook, stage: HookStage, inputs: MergeInputs): boolean {
  const want = ['openclaw-poststop', '--state-dir', inputs.config.state.dir];
  return stage === 'poststop' && h.path === inputs.cleanupHookPath && JSON.stringify(h.args ?? []) === JSON.stringify(want);
}

export function makeHooksModifier(inputs: MergeInputs): Modifier {
  const gpus = inputs.profile.profile.spec.devices?.gpus;
  const wantsGpus = gpus !== undefined && gpus !== 'none';
  const allowed = new Set(inputs.config.hooks.allowed);
  const refuse = (field: string, problem: string, fix: string): never => {
    throw new OpenclawError('merge', problem, { file: inputs.specFile, field, fix });
  };
  return {
    name: 'hooks',
    apply({ spec }) {
      const hooks: SpecHooks | undefined = spec.hooks;
      if (hooks === undefined || hooks === null) return;
      for (const [stage, list] of Object.entries(hooks)) {
        if (!Object.hasOwn(HOOK_STAGES, stage)) {
          if (Array.isArray(list) && list.length === 0) continue;
          refuse(`hooks.${stage}`, `has hooks of the unknown stage "${stage}"; an unknown hook may run as root on the host`, 'remove them: openclaw-runtime accepts only the OCI hook stages it knows (prestart, createRuntime, createContainer, startContainer, poststart, poststop)');
        }
        if (list === undefined || list === null) continue;
        if (!Array.isArray(list)) refuse(`hooks.${stage}`, 'is not a list of hooks', 'write the hooks as a JSON array');
        (list as SpecHook[]).forEach((h, i) => {
          const field = `hooks.${stage}[${i}]`;
          const where = HOOK_STAGES[stage as HookStage];
          if (typeof h?.path !== 'string') refuse(`${field}.path`, 'has no path', 'give every hook an absolute path');
          if (Array.isArray(h.env) && h.env.length > 0) {
            refuse(`${field}.env`, `hook ${h.path} carries an environment (${h.env.length} variables); runc runs it ${where}, and variables such as LD_PRELOAD would run the creator's code there`, 'remove env from the hook; a hook that needs variables belongs in a root-owned wrapper script listed in [hooks] allowed of the openclaw config');
          }
          if (isOurs(h, stage as HookStage, inputs)) return;
          const exe = inputs.host.hookExecutables[h.path];
          if (allowed.has(h.path)) {
            if (!exe?.rootOnly) refuse(`${field}.path`, `hook ${h.path} is allowed by the openclaw config, but it is missing or can be changed by users other than root`, `make ${h.path} and every directory above it owned by root and not writable by group or others`);
            return;
          }
          if (PROC_EXE_RE.test(h.path)) {
            const why = notDockerSetkey(h, stage as HookStage, inputs, exe);
            if (why === undefined) return;
            refuse(field, `hook ${h.path} ${JSON.stringify(h.args ?? [])} would run ${where}, and it is not Docker's own network hook: ${why}`, 'remove the hook from config.json; Docker adds libnetwork-setkey itself, nobody else should');
          }
          const nvidiaName = basename(exe?.realPath ?? h.path);
          if (wantsGpus && (NVIDIA_HOOKS.has(nvidiaName) || NVIDIA_CDI_HOOKS.has(nvidiaName))) {
            const why = notNvidiaHook(h, stage as HookStage, exe);
            if (why === undefined) return;
            refuse(field, `hook ${h.path} would run ${where}: ${why}`, 'let the NVIDIA toolkit (docker run --gpus, CDI) add its own hook unchanged');
          }
          refuse(
            field,
            `hook ${h.path} would run ${where} as root, and neither the engine, the profile${wantsGpus ? '' : ' (it asks for no GPUs)'} nor the openclaw config allows it`,
            `remove the hook from config.json (ctr/containerd raw specs, podman hooks-dir annotations), or, if the host's admin trusts it, list ${h.path} in [hooks] allowed of the openclaw config`,
          );
        });
      }
    },
  };
}
