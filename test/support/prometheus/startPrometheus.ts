// Runs Debian's prometheus binary for a test: its own port, data folder and configuration, stopped and reaped by the test.
import { ensureDebianPackage } from '../ensureDebianPackage';
import { freePort } from '../redis/freePort';
import { spawnTestChild } from '../spawnTestChild';

export interface PrometheusBinaries {
  prometheus: string;
  promtool: string;
}

const HOW_TO_INSTALL =
  'prometheus and promtool are required for the tests of deploy/prometheus: install them with `sudo apt-get install prometheus` (Debian/Ubuntu) or `brew install prometheus`';

/** Synchronous: call it at a test file's top level (see ensureDebianPackage). */
export const ensurePrometheusInstalled = (): PrometheusBinaries => ensureDebianPackage({ pkg: 'prometheus', binaries: ['prometheus', 'promtool'], howToInstall: HOW_TO_INSTALL });

export interface PrometheusProcess {
  /** `http://127.0.0.1:N`, for the HTTP API (`/api/v1/...`). */
  url: string;
  /** SIGTERM, SIGKILL if it has not exited after STOP_TIMEOUT_MS, then waits for the exit; safe to call twice. */
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  configFile: string;
  /** An empty folder of the test's own: the TSDB. */
  dataDir: string;
}

const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const START_ATTEMPTS = 5;
/** Prometheus logs to stderr; the end of it goes into error messages. */
const KEPT_LOG_CHARS = 4_000;

const isReady = async (url: string): Promise<boolean> => {
  try {
    return (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) })).ok;
  } catch {
    return false;
  }
};

const launch = async (binary: string, options: PrometheusOptions, port: number): Promise<PrometheusProcess> => {
  const url = `http://127.0.0.1:${port}`;
  const args = [`--config.file=${options.configFile}`, `--storage.tsdb.path=${options.dataDir}`, `--web.listen-address=127.0.0.1:${port}`];
  const { child, exited, hasExited, spawnError } = spawnTestChild(binary, args, ['ignore', 'ignore', 'pipe']);
  let log = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    log = (log + chunk).slice(-KEPT_LOG_CHARS);
  });
  const stop = async (): Promise<void> => {
    if (hasExited()) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await isReady(url))) {
    if (hasExited()) {
      const error = new Error(`prometheus on port ${port} exited before it was ready:\n${spawnError()?.message ?? log}`);
      throw /address already in use/i.test(log) ? Object.assign(error, { code: 'EADDRINUSE' }) : error;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus on port ${port} was not ready within ${READY_TIMEOUT_MS} ms:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, stop };
};

/** Starts prometheus on a free 127.0.0.1 port (so a system service on 9090 does not matter) and resolves once it is ready. */
export const startPrometheus = async (options: PrometheusOptions): Promise<PrometheusProcess> => {
  const { prometheus } = ensurePrometheusInstalled();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await launch(prometheus, options, await freePort());
    } catch (error) {
      // Another process may take the port between freePort() and the bind.
      if ((error as { code?: string }).code !== 'EADDRINUSE' || attempt >= START_ATTEMPTS) throw error;
    }
  }
};
