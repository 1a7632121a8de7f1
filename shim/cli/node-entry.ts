/**
 * How a launcher starts the Node path: `node -e NODE_ENTRY -- LAUNCHER ARGV...`. argv[1] is
 * the launcher (so runtime-path.ts skips it on PATH), the package root is found from its real
 * path (it may be reached through a symlink). The native launcher gets this text from the
 * generated launcher/surface.h; bin/openclaw-runtime.sh carries the same text (the launcher
 * tests check that both start Node the same way).
 */
export const NODE_ENTRY = `
const { realpathSync } = require("node:fs");
const { dirname, join } = require("node:path");
const { pathToFileURL } = require("node:url");
const main = join(dirname(dirname(realpathSync(process.argv[1]))), "dist", "main.js");
import(pathToFileURL(main).href).then(
  (m) => m.main(process.argv.slice(2)),
  (e) => { process.stderr.write(\`openclaw-runtime: cannot load \${main} (\${e.code ?? e.message}); run npm run build\\n\`); process.exit(2); },
);`;
