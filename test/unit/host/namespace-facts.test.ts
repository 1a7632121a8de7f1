/**
 * host/namespace-facts.ts against real namespaces: a netns pinned on a file with
 * `unshare --net=FILE` (as containerd's CRI plugin pins the pod's), a process in its own netns
 * recorded as a container's init in a runc-root-shaped state directory, the host's own ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { criNetnsDirOfBundle, joinedNamespaceFacts } from '../../../shim/host/namespace-facts.js';

const root = process.getuid?.() === 0;
const hasUnshare = spawnSync('unshare', ['--version']).status === 0;
const skip = !root || !hasUnshare ? 'needs root and util-linux unshare' : undefined;
if (skip) console.log(`[namespace-facts] skipped: ${skip}`);

let dir: string;
let pinned: string;
let child: ChildProcess;
let runcRoot: string;

function startTime(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

describe.skipIf(skip)('joinedNamespaceFacts (real namespaces)', () => {
  beforeAll(async () => {
    dir = mkdtempSync('/tmp/oc-nsfacts-');
    mkdirSync(join(dir, 'netns'));
    pinned = join(dir, 'netns', 'cni-test');
    writeFileSync(pinned, '');
    expect(spawnSync('unshare', [`--net=${pinned}`, 'true']).status).toBe(0);
    child = spawn('unshare', ['--net', 'sleep', '60'], { stdio: 'ignore' });
    // wait until the child has exec'd sleep inside its own netns
    for (let i = 0; i < 100; i++) {
      try {
        if (readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim() === 'sleep') break;
      } catch {
        /* not yet */
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    runcRoot = join(dir, 'runc');
    mkdirSync(join(runcRoot, 'sandbox1'), { recursive: true });
    writeFileSync(join(runcRoot, 'sandbox1', 'state.json'), JSON.stringify({ id: 'sandbox1', init_process_pid: child.pid, init_process_start: Number(startTime(child.pid!)) }));
  });

  afterAll(() => {
    child?.kill('SIGKILL');
    spawnSync('umount', [pinned]);
    rmSync(dir, { recursive: true, force: true });
  });

  const ctx = () => ({ runcRoot, bundle: '/nowhere', netnsDirs: [join(dir, 'netns')] });

  it('the runtime\'s own network namespace is the host\'s', () => {
    expect(joinedNamespaceFacts('network', '/proc/self/ns/net', ctx())).toMatchObject({ exists: true, isNamespace: true, isHost: true });
  });

  it('a netns pinned in the engine\'s netns directory is isolated and the engine\'s', () => {
    expect(joinedNamespaceFacts('network', pinned, ctx())).toEqual({ exists: true, isNamespace: true, isHost: false, owner: { kind: 'engine-netns', dir: join(dir, 'netns') } });
  });

  it('the same file is nobody\'s when its directory is not configured', () => {
    expect(joinedNamespaceFacts('network', pinned, { ...ctx(), netnsDirs: ['/var/run/netns'] }).owner).toBeUndefined();
  });

  it('containerd\'s CRI netns directory is known from the bundle path alone', () => {
    expect(criNetnsDirOfBundle('/run/containerd/io.containerd.runtime.v2.task/k8s.io/abc')).toBe('/run/containerd/io.containerd.grpc.v1.cri/netns');
    expect(criNetnsDirOfBundle('/srv/bundle')).toBeUndefined();
  });

  it('a container init\'s namespace (same runc root, same start time) belongs to that container', () => {
    expect(joinedNamespaceFacts('network', `/proc/${child.pid}/ns/net`, ctx())).toEqual({ exists: true, isNamespace: true, isHost: false, owner: { kind: 'container', id: 'sandbox1', pid: child.pid } });
  });

  it('a reused pid (another start time) is not that container', () => {
    writeFileSync(join(runcRoot, 'sandbox1', 'state.json'), JSON.stringify({ id: 'sandbox1', init_process_pid: child.pid, init_process_start: 1 }));
    try {
      expect(joinedNamespaceFacts('network', `/proc/${child.pid}/ns/net`, ctx()).owner).toBeUndefined();
    } finally {
      writeFileSync(join(runcRoot, 'sandbox1', 'state.json'), JSON.stringify({ id: 'sandbox1', init_process_pid: child.pid, init_process_start: Number(startTime(child.pid!)) }));
    }
  });

  it('a process that is no container of this runc root owns nothing', () => {
    expect(joinedNamespaceFacts('network', `/proc/${child.pid}/ns/net`, { ...ctx(), runcRoot: join(dir, 'other-root') }).owner).toBeUndefined();
  });

  it('a plain file is not a namespace; a missing one does not exist', () => {
    const plain = join(dir, 'plain');
    writeFileSync(plain, '');
    expect(joinedNamespaceFacts('network', plain, ctx())).toMatchObject({ exists: true, isNamespace: false, isHost: false });
    expect(joinedNamespaceFacts('network', join(dir, 'missing'), ctx())).toEqual({ exists: false, isNamespace: false, isHost: false });
  });
});
