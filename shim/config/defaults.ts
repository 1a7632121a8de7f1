/**
 * The built-in defaults of the runtime config: what applies with no config file, and the
 * defaults the schema fills in (config/schema.ts reads them from here, so they are stated
 * once). Kept free of zod and TOML so the common no-config path loads neither.
 */
export const DEFAULT_CONFIG = Object.freeze({
  runtime: { candidates: ['runc', 'crun'] },
  profiles: { directories: ['/etc/openclaw/profiles'], default: 'default' },
  annotations: { allow_profile_selection: false, allowed_profiles: [] },
  userns: { host_id: 100000, size: 65536 },
  log: { file: '', level: 'info' },
  state: { dir: '/run/openclaw' },
  agent: { socket: '/run/openclaw/agent/seccomp-agent.sock', denial_log: '/var/log/openclaw/denials.log' },
  engines: {
    netns_dirs: ['/var/run/netns'],
    containerd_roots: ['/var/lib/containerd', '/run/containerd'],
    kubelet_roots: ['/var/lib/kubelet'],
    podman_roots: ['/var/lib/containers/storage', '/run/containers/storage'],
    docker_roots: [],
  },
} as const);

export const DEFAULT_CONFIG_PATH = '/etc/openclaw/config.toml';
