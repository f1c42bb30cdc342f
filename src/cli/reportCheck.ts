// Prints what `check` found (and what `diff` prints for a local configuration with problems): every problem by setting, never a value.
import { configHash } from '../config/configVersion';
import type { CliIo } from './CliIo';
import type { LocalConfig } from './loadLocalConfig';

/** `version.hash` is the hash GET /admin/config would show once the gateway runs this configuration. */
export const reportCheck = (local: LocalConfig, json: boolean, io: CliIo): void => {
  if (json) {
    const report = local.valid
      ? { valid: true, problems: [], version: { hash: configHash(local.loaded.config) } }
      : { valid: false, problems: local.problems, version: null };
    io.out(`${JSON.stringify(report)}\n`);
    return;
  }
  if (local.valid) {
    io.out(`configuration valid (version ${configHash(local.loaded.config)})\n`);
    return;
  }
  const count = local.problems.length;
  io.out(`configuration invalid: ${count} problem${count === 1 ? '' : 's'}\n${local.problems.map((p) => `  ${p.setting}: ${p.message}\n`).join('')}`);
};
