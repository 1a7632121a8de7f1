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
  agent: { socket: '/run/openclaw/agent/seccomp-agent.sock', denial_log: '/var/log/openclaw/denials.log' },
  cdi: { spec_dirs: ['/etc/cdi', '/var/run/cdi'], annotation_devices: [] },
} as const);

export const DEFAULT_CONFIG_PATH = '/etc/openclaw/config.toml';
