// GET /admin/config of a running gateway, with an admin bearer token; every way it can fail is a CliFailure that never shows the token.
import { configSchema } from '../config/schema';
import { CliFailure } from './CliFailure';

export interface RunningConfigView {
  /** The settings as the route shows them (secrets redacted), without `version` and `lastReload`. */
  settings: Record<string, unknown>;
  version: { hash: string; loadedAt: string };
}

/** How long the gateway may take to answer before the command gives up. */
const FETCH_TIMEOUT_MS = 10_000;

const SETTINGS = new Set(Object.keys(configSchema.shape));

const reasonOf = (error: unknown): string => {
  if (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${FETCH_TIMEOUT_MS / 1000} s`;
  // fetch says only "fetch failed"; its cause says why (ECONNREFUSED, ENOTFOUND, a port it refuses to use).
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (typeof (cause as { code?: unknown } | undefined)?.code === 'string') return (cause as { code: string }).code;
  return cause instanceof Error ? cause.message : 'the connection failed';
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The problem+json's code and title, which the gateway writes without any secret. */
const problemOf = (text: string): string => {
  try {
    const body: unknown = JSON.parse(text);
    if (isRecord(body) && typeof body.error_code === 'string') return ` ${body.error_code}${typeof body.title === 'string' ? ` (${body.title})` : ''}`;
  } catch {
    // Not problem+json (a proxy's page, say): the status says enough.
  }
  return '';
};

export const fetchRunningConfig = async (url: URL, token: string): Promise<RunningConfigView> => {
  let response: Response;
  let text: string;
  try {
    // No redirect is followed: the bearer token goes to the URL given, nowhere else.
    response = await fetch(url, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    text = await response.text();
  } catch (error) {
    throw new CliFailure(`cannot reach the gateway at ${url.origin}: ${reasonOf(error)}`);
  }
  if (response.status === 401 || response.status === 403) {
    throw new CliFailure(`the gateway refused the token: ${response.status}${problemOf(text)}; a token with scope gateway:admin:read or gateway:admin is needed`);
  }
  if (response.status !== 200) throw new CliFailure(`unexpected answer from ${url.origin}: ${response.status}${problemOf(text)}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const version = isRecord(body) ? body.version : undefined;
  if (!isRecord(body) || !isRecord(version) || typeof version.hash !== 'string' || typeof version.loadedAt !== 'string') {
    throw new CliFailure(`the answer of ${url.origin} is not a gateway configuration`);
  }
  // Only settings are compared: what the route adds about the running state (version, lastReload) is not one.
  const settings = Object.fromEntries(Object.entries(body).filter(([key]) => SETTINGS.has(key)));
  return { settings, version: { hash: version.hash, loadedAt: version.loadedAt } };
};
