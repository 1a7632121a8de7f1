/**
 * Where installer messages go: notes to stderr, so that `--dry-run > file` captures only the
 * new config on stdout. Injected so tests can collect both.
 */
export interface InstallOutput {
  /** A human note (stderr). */
  say(line: string): void;
  /** The content of a dry run (stdout). */
  print(text: string): void;
}

export const processOutput: InstallOutput = {
  say: (line) => process.stderr.write(`${line}\n`),
  print: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
};
