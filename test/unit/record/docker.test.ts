/**
 * `record --engine docker`: a container's job from `docker inspect` (shim/record/docker.ts
 * jobOfInspect), table-driven on inspect output shapes Docker 20.10 prints.
 */
import { describe, expect, it } from 'vitest';
import { jobOfInspect, type DockerInspect } from '../../../shim/record/docker.js';

describe('jobOfInspect', () => {
  it.each<[string, DockerInspect, Partial<ReturnType<typeof jobOfInspect>>]>([
    [
      'entrypoint + cmd, env, working dir; binds with their mode; a volume left out with a note',
      {
        Config: { Entrypoint: ['python3'], Cmd: ['/job/main.py'], Env: ['PATH=/usr/bin:/bin'], WorkingDir: '/job', User: '' },
        Mounts: [
          { Type: 'bind', Source: '/srv/in', Destination: '/input', RW: false },
          { Type: 'bind', Source: '/srv/out', Destination: '/output', RW: true },
          { Type: 'volume', Source: '/var/lib/docker/volumes/x/_data', Destination: '/cache', RW: true },
        ],
      },
      { command: ['python3', '/job/main.py'], env: ['PATH=/usr/bin:/bin'], cwd: '/job', user: { uid: 0, gid: 0 }, binds: ['/srv/in:/input:ro', '/srv/out:/output:rw'], notes: ['docker mount volume /var/lib/docker/volumes/x/_data -> /cache left out of the recording (only bind mounts are recorded)'] },
    ],
    ['cmd only, no mounts, numeric user without group', { Config: { Entrypoint: null, Cmd: ['sh', '-c', 'true'], User: '1000' }, Mounts: null }, { command: ['sh', '-c', 'true'], env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], cwd: '/', user: { uid: 1000, gid: 1000 }, binds: [] }],
    ['numeric user and group', { Config: { Cmd: ['true'], User: '1000:50' } }, { user: { uid: 1000, gid: 50 } }],
  ])('%s', (_what, inspect, want) => {
    expect(jobOfInspect(inspect, 'c1')).toMatchObject(want);
  });

  it.each<[string, DockerInspect, RegExp]>([
    ['no command at all', { Config: { Entrypoint: null, Cmd: null } }, /container c1 has neither an entrypoint nor a command/],
    ['a user name (Docker resolves it in the image; the recording does not guess)', { Config: { Cmd: ['true'], User: 'nobody' } }, /runs as user "nobody".*fix: create it with a numeric --user UID\[:GID\]/],
  ])('refuses %s', (_what, inspect, err) => {
    expect(() => jobOfInspect(inspect, 'c1')).toThrow(err);
  });
});
