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
  jobs: { dir: '/var/lib/openclaw/jobs', retention: '24h' },
  agent: { socket: '/run/openclaw/agent/seccomp-agent.sock', denial_log: '/var/log/openclaw/denials.log', log_filter_denials: false },
  cdi: { spec_dirs: ['/etc/cdi', '/var/run/cdi'], annotation_devices: [] },
  hooks: { allowed: [] },
  binds: { allowed: [] },
  cgroups: {
    parents: [
      '/docker', // Docker, cgroupfs driver: /docker/<id>
      '/kubepods/**', // Kubernetes CRI, cgroupfs: /kubepods[/<qos>]/pod<uid>/<id>
      '/libpod_parent/**', // Podman, cgroupfs: /libpod_parent[/<pod>]/libpod-<id>
      '/*', // containerd (ctr, nerdctl): /<namespace>/<id>
      'system.slice', // Docker and containerd, systemd driver: system.slice:docker:<id>
      'machine.slice', // Podman, systemd driver: machine.slice:libpod:<id>
      'machine-*.slice', // Podman pods, systemd driver
      'kubepods*.slice', // Kubernetes CRI, systemd driver: kubepods-<qos>-pod<uid>.slice:cri-containerd:<id>
    ],
  },
  process: { oom_score_adj_floor: 0 },
  lsm: { selinux_types: ['container_t', 'container_init_t', 'container_kvm_t', 'svirt_lxc_net_t'] },
  engines: {
    netns_dirs: ['/var/run/netns'],
    containerd_roots: ['/var/lib/containerd', '/run/containerd'],
    kubelet_roots: ['/var/lib/kubelet'],
    podman_roots: ['/var/lib/containers/storage', '/run/containers/storage'],
    docker_roots: [],
  },
} as const);

export const DEFAULT_CONFIG_PATH = '/etc/openclaw/config.toml';
