/**
 * linux.cgroupsPath: where runc creates (or joins) the container's cgroup and writes its limits.
 * A path at the root of the tree escapes the limits the admin set on the engine's parent
 * (/docker, kubepods); a path that is a parent of other containers, or another container's
 * cgroup, makes runc write this container's limits over theirs and put this container's
 * processes among them. Merge policy:
 * - absent or empty: runc names the cgroup after the container id under its own cgroup; stays;
 * - systemd form `slice:prefix:name`: name must be this container's id (systemd itself refuses
 *   a unit that exists) and the slice must match a parent in `[cgroups] parents`;
 * - cgroupfs path: no empty, `.` or `..` component, not `/`; the last component must name this
 *   container (`<id>` or `<prefix>-<id>`: Docker /docker/<id>, containerd /<namespace>/<id>,
 *   CRI /kubepods/.../pod<uid>/<id>, Podman /libpod_parent/libpod-<id>); an absolute path's
 *   parent must match `[cgroups] parents` (a relative one sits under runc's own cgroup, the
 *   engine's); and the cgroup must not exist already with processes or child cgroups in it
 *   (a host fact, host/facts.ts).
 * Parent patterns: `*` matches within one path component, a final `/**` any depth below.
 */
import { OpenclawError } from '../errors.js';
import type { MergeInputs, Modifier } from './types.js';
import { parseCgroupsPath } from '../oci/cgroups-path.js';

function globToRegExp(glob: string): RegExp {
  return new RegExp('^' + glob.split('*').map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*') + '$');
}

/** Whether an absolute cgroupfs parent (components) matches a pattern such as "/kubepods/**". */
export function parentMatches(pattern: string, parent: string[]): boolean {
  if (!pattern.startsWith('/')) return false;
  const pat = pattern.slice(1).split('/').filter((c, i, a) => c !== '' || i < a.length - 1);
  const deep = pat[pat.length - 1] === '**';
  const fixed = deep ? pat.slice(0, -1) : pat;
  if (deep ? parent.length < fixed.length : parent.length !== fixed.length) return false;
  return fixed.every((g, i) => globToRegExp(g).test(parent[i]!));
}

export function sliceMatches(pattern: string, slice: string): boolean {
  return !pattern.includes('/') && globToRegExp(pattern).test(slice);
}

export function namesContainer(leaf: string, id: string): boolean {
  return leaf === id || leaf.endsWith(`-${id}`);
}

export function makeCgroupsPathModifier(inputs: MergeInputs): Modifier {
  const parents = inputs.config.cgroups.parents;
  const id = inputs.containerId;
  const field = 'linux.cgroupsPath';
  const fix = (what: string) =>
    `${what} (Docker and Podman: --cgroup-parent; Kubernetes: the kubelet's cgroup root), or, if the host admin means it, add the parent to [cgroups] parents of the openclaw config (now: ${parents.join(', ') || 'none'})`;
  const refuse = (problem: string, fixText: string): never => {
    throw new OpenclawError('merge', problem, { file: inputs.specFile, field, fix: fixText });
  };
  return {
    name: 'cgroups-path',
    apply({ spec }) {
      const path = spec.linux?.cgroupsPath;
      if (path === undefined || path === null || path === '') return;
      if (typeof path !== 'string') refuse('is not a string', 'write cgroupsPath as a string');
      const parsed = parseCgroupsPath(path);
      if (parsed.kind === 'systemd') {
        if (parsed.name !== id) refuse(`"${path}" names the systemd unit "${parsed.name}", not this container ("${id}")`, fix('let the engine name the unit after the container'));
        if (!parsed.slice.endsWith('.slice') || !parents.some((p) => sliceMatches(p, parsed.slice))) {
          refuse(`"${path}" puts the container in the systemd slice ${parsed.slice}, outside the engines' parents`, fix('use the engine\'s default cgroup parent'));
        }
        return;
      }
      const { components, absolute } = parsed;
      if (components.length === 0) refuse(`"${path}" is the root of the cgroup tree: the container's limits would be written there, for the whole host`, fix('use the engine\'s default cgroup parent'));
      const bad = components.find((c) => c === '' || c === '.' || c === '..');
      if (bad !== undefined) refuse(`"${path}" has a "${bad || '//'}" component: it could name a cgroup other than this container's`, fix('use a plain path'));
      const leaf = components[components.length - 1]!;
      if (!namesContainer(leaf, id)) {
        refuse(`"${path}" ends in "${leaf}", not in this container's id "${id}": it could be another container's cgroup or a parent of several`, fix('let the engine name the cgroup after the container'));
      }
      if (absolute) {
        const parent = components.slice(0, -1);
        if (!parents.some((p) => parentMatches(p, parent))) {
          refuse(`"${path}" puts the container under /${parent.join('/')}, outside the engines' parents: the limits set on those would not apply to it`, fix('use the engine\'s default cgroup parent'));
        }
        const facts = inputs.host.cgroup;
        if (facts?.occupied) refuse(`"${path}" already exists with processes in it: the container would join them and overwrite their limits`, fix('give the container its own cgroup'));
        if (facts?.hasChildren) refuse(`"${path}" already exists with child cgroups: the container would be the parent of other cgroups and overwrite their limits`, fix('give the container its own cgroup'));
      }
    },
  };
}
