/** linux.cgroupsPath as runc reads it: systemd `slice:prefix:name`, or a cgroupfs path. */
export type ParsedCgroupsPath =
  | { kind: 'systemd'; slice: string; prefix: string; name: string }
  | { kind: 'cgroupfs'; absolute: boolean; components: string[] };

const SYSTEMD_RE = /^([^/:]*):([^/:]*):([^/:]+)$/;

export function parseCgroupsPath(p: string): ParsedCgroupsPath {
  const m = SYSTEMD_RE.exec(p);
  if (m) return { kind: 'systemd', slice: m[1] || 'system.slice', prefix: m[2]!, name: m[3]! };
  const absolute = p.startsWith('/');
  const components = (absolute ? p.slice(1) : p).split('/');
  if (components.length > 0 && components[components.length - 1] === '') components.pop(); // a trailing slash
  return { kind: 'cgroupfs', absolute, components };
}
