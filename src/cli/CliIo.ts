// What a command reads and writes: the environment, and its two output streams (injected, so nothing reaches for process.*).
export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  /** The command's answer: the report, or the JSON with --json. */
  out: (text: string) => void;
  /** Why the command could not run. */
  err: (text: string) => void;
}
