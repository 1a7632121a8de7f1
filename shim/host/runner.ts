/**
 * The process runner for host commands (mount, umount, ...). Injected so tests can fake it
 * and record what would have run.
 */
export interface RunOutcome {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type ProcessRunner = (file: string, args: readonly string[]) => Promise<RunOutcome>;

export const execaRunner: ProcessRunner = async (file, args) => {
  const { execa } = await import('execa');
  const r = await execa(file, args, { reject: false, stdin: 'ignore' });
  return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
};
