/**
 * `node dist/service-main.js [--dir DIR] [--idle-exit-s N]`: the resident openclaw service
 * (server.ts). Started on demand by the Node path (client.ts startService) or by
 * examples/openclaw-service.service. Runs on process.execPath, the Node the addon was built for.
 */
import { ServiceServer } from './service/server.js';
import { serviceDir } from './service/paths.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const dir = flag('--dir') ?? serviceDir();
// Requests carry their own cwd and env; the service's own must not matter and must not pin a
// directory (a cwd on a mount keeps it busy).
process.chdir('/');
const idle = Number(flag('--idle-exit-s') ?? '0');
const server = new ServiceServer({
  dir,
  idleExitMs: Number.isFinite(idle) && idle > 0 ? idle * 1000 : 0,
  onExit: () => process.exit(0),
});
// Handlers first: a SIGTERM (systemctl stop) that arrives once the socket exists must find them.
for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    server.stop();
    process.exit(0);
  });
}
try {
  server.start();
} catch (err) {
  process.stderr.write(`openclaw-service error: ${(err as Error).message}\n`);
  process.exit(1);
}
