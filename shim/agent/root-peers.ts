/**
 * The accept loop both root-only sockets share (the seccomp agent's and the resident service's):
 * every pending connection is accepted; one whose peer (SO_PEERCRED) is not uid 0, or whose
 * credentials cannot be read, is closed unread. Nothing but runc (for the agent) and the
 * launcher (for the service), both running as root, may talk to a root daemon.
 */
import type { NativeAgent } from './native.js';

export function acceptRootPeers(
  native: Pick<NativeAgent, 'acceptConn' | 'peerCred' | 'closeFd'>,
  listenFd: number,
  log: (level: 'warn' | 'error', msg: string) => void,
  onRootPeer: (fd: number, peerPid: number) => void,
): void {
  for (;;) {
    let fd: number | null;
    try {
      fd = native.acceptConn(listenFd);
    } catch (e) {
      log('error', `accept: ${(e as Error).message}`);
      return;
    }
    if (fd === null) return;
    let cred: { uid: number; pid: number };
    try {
      cred = native.peerCred(fd);
    } catch {
      native.closeFd(fd);
      continue;
    }
    if (cred.uid !== 0) {
      log('warn', `refused a connection from uid ${cred.uid} (pid ${cred.pid})`);
      native.closeFd(fd);
      continue;
    }
    onRootPeer(fd, cred.pid);
  }
}
