/**
 * Node entry for an agent started by ensureAgent: `node dist/agent-main.js agent --socket ...`.
 * The same main() as bin/openclaw-runtime, without the sh launcher, so the agent runs on the
 * very Node (process.execPath) that the addon was built for, whatever PATH says.
 */
import { main } from './main.js';

void main(process.argv.slice(2));
