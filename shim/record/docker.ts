/**
 * `record --engine docker CONTAINER`: the job of an existing Docker container, recorded from
 * what Docker says it is (`docker inspect`: entrypoint + cmd, env, working dir, user, bind
 * mounts) over its file system as it is now (`docker export`). The container itself is neither
 * started nor changed; the recording runs that job once in a bundle of its own, as `--image`
 * does. Named volumes and tmpfs mounts are left out (a volume's source lies in Docker's data
 * root, which no profile may bind), with a note.
 */
import { join } from 'node:path';
import { OpenclawError } from '../errors.js';
import { runCaptured } from '../util/child-process.js';

/** moby's system.DefaultPathEnv on Linux. */
const DOCKER_DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** What `docker inspect` gives for one container, the fields the recording uses. */
export interface DockerInspect {
  Name?: string;
  Config?: { Entrypoint?: string[] | null; Cmd?: string[] | null; Env?: string[] | null; WorkingDir?: string; User?: string };
  Mounts?: Array<{ Type?: string; Source?: string; Destination?: string; RW?: boolean }> | null;
}

export interface DockerJob {
  command: string[];
  env: string[];
  cwd: string;
  user: { uid: number; gid: number };
  /** HOST:CONTAINER:ro|rw, as --bind takes them. */
  binds: string[];
  notes: string[];
}

/** The job of an inspected container (pure). */
export function jobOfInspect(c: DockerInspect, container: string): DockerJob {
  const cfg = c.Config ?? {};
  const command = [...(cfg.Entrypoint ?? []), ...(cfg.Cmd ?? [])];
  if (command.length === 0) {
    throw new OpenclawError('cli', `record: docker container ${container} has neither an entrypoint nor a command`, { fix: 'create it with the command to record (docker create IMAGE CMD...)' });
  }
  const user = (cfg.User ?? '').trim();
  const m = /^(\d+)(?::(\d+))?$/.exec(user);
  if (user !== '' && !m) {
    throw new OpenclawError('cli', `record: docker container ${container} runs as user "${user}", a name the recording cannot resolve the way Docker does`, { fix: 'create it with a numeric --user UID[:GID]' });
  }
  const uid = m ? Number(m[1]) : 0;
  const gid = m?.[2] !== undefined ? Number(m[2]) : m ? uid : 0;
  const binds: string[] = [];
  const notes: string[] = [];
  for (const mount of c.Mounts ?? []) {
    if (mount.Type === 'bind' && mount.Source && mount.Destination) {
      binds.push(`${mount.Source}:${mount.Destination}:${mount.RW === false ? 'ro' : 'rw'}`);
    } else {
      notes.push(`docker mount ${mount.Type ?? '?'} ${mount.Source ?? ''} -> ${mount.Destination ?? '?'} left out of the recording (only bind mounts are recorded)`);
    }
  }
  // As dockerd does when it writes the container's spec (moby daemon/oci_linux.go): a PATH when the image sets none.
  const env = cfg.Env ?? [];
  if (!env.some((e) => e.startsWith('PATH='))) env.push(`PATH=${DOCKER_DEFAULT_PATH}`);
  return { command, env, cwd: cfg.WorkingDir || '/', user: { uid, gid }, binds, notes };
}

/** `docker inspect` + `docker export` into dir/image.tar. */
export async function exportDockerContainer(container: string, dir: string, opts: { docker?: string; host?: string }): Promise<DockerJob & { tar: string }> {
  const docker = opts.docker ?? 'docker';
  const base = opts.host ? ['-H', opts.host] : [];
  const run = async (args: string[]) => {
    let r;
    try {
      r = await runCaptured(docker, [...base, ...args]);
    } catch (e) {
      throw new OpenclawError('cli', `record: cannot run ${docker}: ${(e as Error).message}`, { fix: 'install the docker CLI, or record the image with --image' });
    }
    if (r.exitCode !== 0) throw new OpenclawError('cli', `record: docker ${args[0]} ${container} failed: ${r.stderr.toString('utf8').trim()}`, { fix: 'name an existing container (docker ps -a), and --docker-host if the daemon is not the default one' });
    return r.stdout.toString('utf8');
  };
  const inspected = JSON.parse(await run(['inspect', '--type', 'container', container])) as DockerInspect[];
  const job = jobOfInspect(inspected[0] ?? {}, container);
  const tar = join(dir, 'image.tar');
  await run(['export', '-o', tar, container]);
  return { ...job, tar };
}
