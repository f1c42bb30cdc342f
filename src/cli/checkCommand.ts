// `drs-gateway config check`: loads the configuration as start-up would, starts nothing, and reports every problem.
import type { CliIo } from './CliIo';
import { exitStatus } from './exitStatus';
import { loadLocalConfig } from './loadLocalConfig';
import { reportCheck } from './reportCheck';

export interface CheckOptions {
  config?: string;
  json: boolean;
}

export const checkCommand = (options: CheckOptions, io: CliIo): number => {
  const local = loadLocalConfig(io.env, options.config);
  reportCheck(local, options.json, io);
  return local.valid ? exitStatus.ok : exitStatus.problemsOrChanges;
};
