/**
 * What each shipped profile promises, as data the e2e tests check the in-container verifier
 * (test/verifier/verify.sh) against. The lead adjusts these when a profile changes.
 *
 * NOTE when a profile in profiles/ changes (namespaces, cgroups, filesystem, process) also
 * update its entry here; when the verifier prints a new fact also update VerifierFacts.
 */
export interface VerifierFacts {
  seccomp: string;
  no_new_privs: string;
  cap_eff: string;
  cap_bnd: string;
  uid: string;
  gid: string;
  uid_map: string;
  gid_map: string;
  pid: string;
  memory_v1: string;
  memory_v2: string;
  pids_v1: string;
  pids_v2: string;
  root_mount: string;
  root_writable: string;
  output_writable: string;
  net_ifaces: string;
  visible_pids: string;
  pid1_comm: string;
  hostname: string;
  done: string;
}

export function parseFacts(stdout: string): Partial<VerifierFacts> {
  const facts: Record<string, string> = {};
  for (const line of stdout.split(/\r?\n/)) {
    const eq = line.indexOf('=');
    if (eq > 0) facts[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return facts as Partial<VerifierFacts>;
}

export type FactExpectation = Partial<Record<keyof VerifierFacts, string | RegExp>>;

/** Facts every openclaw profile promises (the list): seccomp filter mode, no new privileges, no capabilities, loopback only, own pid namespace. */
const EVERY_PROFILE: FactExpectation = {
  seccomp: '2',
  no_new_privs: '1',
  cap_eff: '0000000000000000',
  net_ifaces: 'lo',
  visible_pids: '1',
  pid1_comm: 'sh',
  done: '1',
};

/** Memory limit as the verifier reads it (v1 limit_in_bytes; v2 memory.max would be the same number). */
const bytes = (n: bigint) => String(n);
const Mi = 1024n * 1024n;
const Gi = 1024n * Mi;

export interface ProfileExpectation {
  /** File name under profiles/ (and the --profile value in runtimeArgs). */
  profile: string;
  /** Runtime name registered in the private dockerd's daemon.json. */
  runtime: string;
  /** Profiles whose filter denies execve or write-opens after start run with the seccomp agent, which the shim starts. */
  needsAgent: boolean;
  /** Extra `docker run` arguments the profile needs to be usable (e.g. a writable /output). */
  runArgs: string[];
  facts: FactExpectation;
}

export const PROFILE_EXPECTATIONS: ProfileExpectation[] = [
  {
    profile: 'default',
    runtime: 'openclaw',
    needsAgent: false,
    runArgs: [],
    facts: {
      ...EVERY_PROFILE,
      uid_map: '0:0:4294967295', // user: inherit
      memory_v1: bytes(1n * Gi),
      pids_v1: '512',
      root_writable: 'yes', // readonlyRootfs: false
      output_writable: 'yes', // the image's /output, on the writable rootfs
    },
  },
  {
    profile: 'model-backend',
    runtime: 'openclaw-model-backend',
    needsAgent: true,
    runArgs: [],
    facts: {
      ...EVERY_PROFILE,
      uid_map: '0:100000:65536', // user: isolated-with-uid-mapping, config userns defaults
      memory_v1: bytes(16n * Gi),
      pids_v1: '256',
      root_mount: 'ro',
      root_writable: 'no',
      output_writable: /^(no|absent)$/, // no allowedBindMounts
    },
  },
  {
    profile: 'smythos-alternative',
    runtime: 'openclaw-smythos-alternative',
    needsAgent: true,
    runArgs: [],
    facts: {
      ...EVERY_PROFILE,
      uid_map: '0:100000:65536',
      memory_v1: bytes(512n * Mi),
      pids_v1: '32',
      root_mount: 'ro',
      root_writable: 'no',
      output_writable: 'yes', // allowedBindMounts /tmp/output -> /output, rw
    },
  },
];

/** Docker's own options meeting the default profile: the stricter of the two wins; what the profile forbids is refused. */
export interface OptionCase {
  name: string;
  args: string[];
  /** Facts when it runs. */
  facts?: FactExpectation;
  /** `docker run` fails and its stderr matches these. */
  refused?: RegExp[];
}

export const DEFAULT_PROFILE_OPTION_CASES: OptionCase[] = [
  { name: '--read-only makes / read-only', args: ['--read-only'], facts: { root_mount: 'ro', root_writable: 'no' } },
  { name: '--pids-limit above the profile: the profile wins', args: ['--pids-limit', '100000'], facts: { pids_v1: '512' } },
  { name: '--pids-limit below the profile: the caller wins', args: ['--pids-limit', '64'], facts: { pids_v1: '64' } },
  { name: '--memory above the profile: the profile wins', args: ['--memory', '4g'], facts: { memory_v1: bytes(1n * Gi) } },
  { name: '--memory below the profile: the caller wins', args: ['--memory', '64m'], facts: { memory_v1: bytes(64n * Mi) } },
  { name: '--security-opt seccomp=unconfined still gets the profile\'s filter', args: ['--security-opt', 'seccomp=unconfined'], facts: { seccomp: '2' } },
  { name: '--cap-add SYS_ADMIN keeps no capabilities', args: ['--cap-add', 'SYS_ADMIN'], facts: { cap_eff: '0000000000000000' } },
  { name: '--privileged (every host device) is refused', args: ['--privileged'], refused: [/openclaw-runtime: /, /every host device/] },
  { name: '--user 1000:1000 runs as that user', args: ['--user', '1000:1000'], facts: { uid: '1000', gid: '1000', seccomp: '2' } },
  { name: '-v /etc is a forbidden bind source', args: ['-v', '/etc:/host-etc:ro'], refused: [/openclaw-runtime: /, /\/etc/] },
  { name: '-v of the docker socket is refused', args: ['-v', '/var/run/docker.sock:/var/run/docker.sock'], refused: [/openclaw-runtime: /, /docker\.sock|\/var\/run|\/run/] },
  { name: '--network host under network: isolated is refused', args: ['--network', 'host'], refused: [/openclaw-runtime: /, /network/i] },
  { name: '--pid host under pid: isolated is refused', args: ['--pid', 'host'], refused: [/openclaw-runtime: /, /pid/i] },
  { name: '--device-cgroup-rule "c 1:* rwm" (every memory device) is refused', args: ['--device-cgroup-rule', 'c 1:* rwm'], refused: [/openclaw-runtime: /, /c 1:\* rwm/] },
  { name: '--device /dev/loop0 (a block device) is refused', args: ['--device', '/dev/loop0'], refused: [/openclaw-runtime: /, /b 7:0/] },
  { name: '--cgroup-parent / (outside the engine parents) is refused', args: ['--cgroup-parent', '/'], refused: [/openclaw-runtime: /, /cgroupsPath.*outside the engines' parents/] },
];

export function checkFacts(facts: Partial<VerifierFacts>, expected: FactExpectation): string[] {
  const problems: string[] = [];
  for (const [key, want] of Object.entries(expected) as Array<[keyof VerifierFacts, string | RegExp]>) {
    const got = facts[key];
    const ok = typeof want === 'string' ? got === want : got !== undefined && want.test(got);
    if (!ok) problems.push(`${key}: got ${JSON.stringify(got)}, want ${String(want)}`);
  }
  return problems;
}
