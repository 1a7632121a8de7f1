/**
 * What the shim says about a TOML file @iarna/toml refused: where (1-based line and column,
 * as editors count) and the parser's first line. The runtime config (config/load.ts) and
 * containerd's config (install/containerd.ts) report it the same way. Does not load the parser.
 */
export function tomlSyntaxError(err: unknown): string {
  const e = err as Error & { line?: number; col?: number };
  const at = e.line === undefined ? '' : ` at line ${e.line + 1}, column ${(e.col ?? 0) + 1}`;
  return `${at}: ${e.message.split('\n')[0]}`;
}
