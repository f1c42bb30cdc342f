#!/usr/bin/env node
// Entry point of the `drs-gateway` command (package.json `bin`): runs one command and exits with its status.
import { exitStatus } from './exitStatus';
import { runCli } from './runCli';

runCli(process.argv.slice(2), {
  env: process.env,
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
}).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`drs-gateway: failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = exitStatus.couldNotRun;
  },
);
