// @ts-check
// The admin console's behaviour: keeps the bearer token in sessionStorage, calls the gateway's own routes with it and writes their answers into the page as text, never as markup.

/**
 * @typedef {{ status: number, body: unknown, text: string, requestId: string | null }} Answer
 * @typedef {{ sub?: string, scopes: string[], exp?: number }} Claims
 * @typedef {'admin' | 'read' | 'none'} Access
 * @typedef {'ok' | 'warn' | 'bad'} Tone
 * @typedef {{ setting: string, message: string }} Problem
 * @typedef {{ outcome: 'success' | 'failure', at: string, source: string, version?: { hash: string }, problems?: Problem[] }} LastReload
 * @typedef {{ version?: { hash?: string, loadedAt?: string }, lastReload?: LastReload | null }} ConfigAnswer
 * @typedef {{ setting: string, change: string, restartOnly: boolean }} Change
 * @typedef {{ name: string, limit: number, remaining: number, resetMs: number }} Limit
 * @typedef {{ sub: string, tier: string | null, limits: Limit[], openStreams: number }} Usage
 * @typedef {{ windowMs: number, callers: Array<{ sub: string, tier: string, requests: number }> }} TopCallers
 * @typedef {Record<string, unknown>} AuditEvent
 */

/** sessionStorage only: it dies with the tab, is never sent by the browser on its own (unlike a cookie) and never lands in a URL. */
const TOKEN_KEY = 'drs-gateway.admin-token';
const ADMIN_SCOPE = 'gateway:admin';
const READ_SCOPE = 'gateway:admin:read';
const TOP_CALLERS = 10;
const EVENTS = 25;

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {{ new (): T, prototype: T }} type
 * @returns {T}
 */
const element = (id, type) => {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`the page has no ${type.name} #${id}`);
  return found;
};

const ui = {
  refreshAll: element('refresh-all', HTMLButtonElement),
  tokenForm: element('token-form', HTMLFormElement),
  tokenInput: element('token-input', HTMLInputElement),
  forgetToken: element('forget-token', HTMLButtonElement),
  identity: element('identity', HTMLElement),
  readiness: element('readiness', HTMLElement),
  regionsBody: element('regions-body', HTMLTableSectionElement),
  configVersion: element('config-version', HTMLElement),
  configLoaded: element('config-loaded', HTMLElement),
  configLastReload: element('config-last-reload', HTMLElement),
  configLastProblems: element('config-last-problems', HTMLUListElement),
  dryRun: element('dry-run', HTMLButtonElement),
  reload: element('reload', HTMLButtonElement),
  configAccess: element('config-access', HTMLElement),
  configMessage: element('config-message', HTMLElement),
  changes: element('changes', HTMLTableElement),
  changesBody: element('changes-body', HTMLTableSectionElement),
  configProblems: element('config-problems', HTMLUListElement),
  callerForm: element('caller-form', HTMLFormElement),
  callerSub: element('caller-sub', HTMLInputElement),
  callerLookup: element('caller-lookup', HTMLButtonElement),
  callerMessage: element('caller-message', HTMLElement),
  callerResult: element('caller-result', HTMLElement),
  callerName: element('caller-name', HTMLElement),
  callerTier: element('caller-tier', HTMLElement),
  callerStreams: element('caller-streams', HTMLElement),
  callerLimits: element('caller-limits', HTMLTableSectionElement),
  callerReset: element('caller-reset', HTMLButtonElement),
  callerAccess: element('caller-access', HTMLElement),
  topMessage: element('top-message', HTMLElement),
  topCaption: element('top-caption', HTMLElement),
  topBody: element('top-body', HTMLTableSectionElement),
  streamsMessage: element('streams-message', HTMLElement),
  eventsMessage: element('events-message', HTMLElement),
  eventsBody: element('events-body', HTMLTableSectionElement),
};

const state = {
  /** Decoded from the token's payload for display; the gateway checks the signature and the scope on every call. */
  access: /** @type {Access} */ ('none'),
  /**
   * Known once /admin/config has answered: only a gateway that reports `lastReload` has the dry run (an older one
   * ignores the query and would reload for real).
   * @type {boolean | undefined}
   */
  dryRunAvailable: undefined,
  /** @type {string | undefined} */
  caller: undefined,
};

const readToken = () => sessionStorage.getItem(TOKEN_KEY);

/**
 * The payload's sub, scopes (`scope` string or `scp`, as the gateway reads them) and expiry; not verified, so used
 * only to label the token and disable what it may not do.
 * @param {string} token
 * @returns {Claims | undefined}
 */
const claimsOf = (token) => {
  const part = token.split('.')[1];
  if (part === undefined) return undefined;
  try {
    const bytes = Uint8Array.from(atob(part.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const payload = JSON.parse(new TextDecoder().decode(bytes));
    /** @param {unknown} value */
    const list = (value) => (typeof value === 'string' ? value.split(/\s+/) : Array.isArray(value) ? value.filter((s) => typeof s === 'string') : []);
    return {
      sub: typeof payload.sub === 'string' ? payload.sub : undefined,
      scopes: [...list(payload.scope), ...list(payload.scp)].filter((s) => s !== ''),
      exp: typeof payload.exp === 'number' ? payload.exp : undefined,
    };
  } catch {
    return undefined;
  }
};

/** @param {Claims | undefined} claims @returns {Access} */
const accessOf = (claims) => (claims?.scopes.includes(ADMIN_SCOPE) ? 'admin' : claims?.scopes.includes(READ_SCOPE) ? 'read' : 'none');

/**
 * Paths are relative to /admin/, so the console works behind a proxy that serves the gateway under a prefix.
 * @param {string} path
 * @param {{ method?: string, auth?: boolean }} [options]
 * @returns {Promise<Answer>}
 */
const call = async (path, { method = 'GET', auth = true } = {}) => {
  const token = auth ? readToken() : null;
  try {
    const res = await fetch(path, { method, headers: token ? { Authorization: `Bearer ${token}` } : {}, cache: 'no-store', credentials: 'omit' });
    const text = await res.text();
    let body;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: res.status, body, text, requestId: res.headers.get('X-Request-Id') };
  } catch (error) {
    return { status: 0, body: undefined, text: String(error), requestId: null };
  }
};

/** @param {unknown} value @returns {Record<string, unknown>} */
const record = (value) => (typeof value === 'object' && value !== null ? /** @type {Record<string, unknown>} */ (value) : {});

/** @param {Answer} answer */
const problemText = (answer) => {
  if (answer.status === 0) return `the gateway could not be reached (${answer.text})`;
  const problem = record(answer.body);
  const code = typeof problem.error_code === 'string' ? ` ${problem.error_code}` : '';
  const detail = typeof problem.detail === 'string' ? problem.detail : typeof problem.title === 'string' ? problem.title : 'no detail';
  return `${answer.status}${code}: ${detail}${answer.requestId ? ` (request ${answer.requestId})` : ''}`;
};

/** A route this gateway does not have (it predates it): the 404 of an unknown path. @param {Answer} answer */
const missingRoute = (answer) => answer.status === 404 && record(answer.body).error_code === 'GW.0404';

/** @param {Answer} answer @param {string} what @param {string} route */
const failureText = (answer, what, route) => (missingRoute(answer) ? `${what} not available on this gateway: it has no ${route} route.` : problemText(answer));

/** @param {HTMLElement} target @param {string} text @param {Tone} [tone] */
const say = (target, text, tone) => {
  target.textContent = text;
  target.classList.remove('ok', 'warn', 'bad');
  if (tone) target.classList.add(tone);
};

/**
 * @param {string} tag
 * @param {Record<string, string>} attributes
 * @param {Array<Node | string>} children
 */
const make = (tag, attributes = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
};

/** @param {string} text @param {Tone} [tone] */
const toned = (text, tone) => (tone ? make('span', { class: tone }, text) : text);

/** The first cell heads its row. @param {HTMLTableSectionElement} body @param {Array<Array<Node | string>>} rows */
const fillRows = (body, rows) => body.replaceChildren(...rows.map((cells) => make('tr', {}, ...cells.map((cell, i) => make(i === 0 ? 'th' : 'td', i === 0 ? { scope: 'row' } : {}, cell)))));

/** @param {HTMLTableSectionElement} body @param {number} columns @param {string} text */
const emptyRow = (body, columns, text) => body.replaceChildren(make('tr', {}, make('td', { colspan: String(columns) }, text)));

/** @param {HTMLUListElement} list @param {Problem[]} problems */
const listProblems = (list, problems) => {
  list.replaceChildren(...problems.map((p) => make('li', {}, make('code', {}, String(p.setting)), `: ${p.message}`)));
  list.hidden = problems.length === 0;
};

/** UTC, to the second: the audit log's and every other instance's clock read the same way. @param {unknown} value */
const formatTime = (value) => {
  const date = typeof value === 'number' || typeof value === 'string' ? new Date(value) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '–';
};

/** @param {number} ms */
const formatMs = (ms) => {
  const seconds = Math.ceil(ms / 1000);
  return seconds < 120 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
};

/** @param {unknown} value @returns {Tone} */
const toneOfState = (value) => {
  if (value === 'up' || value === 'closed' || value === 'ready' || value === 'success') return 'ok';
  if (value === 'down' || value === 'open' || value === 'circuit-open' || value === 'failure') return 'bad';
  return 'warn';
};

const applyAccess = () => {
  const token = readToken() !== null;
  const admin = state.access === 'admin';
  ui.refreshAll.disabled = !token;
  ui.forgetToken.disabled = !token;
  ui.callerLookup.disabled = !token;
  ui.dryRun.disabled = !token || state.dryRunAvailable !== true;
  ui.reload.disabled = !admin;
  ui.callerReset.disabled = !admin || state.caller === undefined;
  const readOnly = token && state.access === 'read';
  const needs = `needs scope ${ADMIN_SCOPE}: this token is read-only (${READ_SCOPE}).`;
  say(
    ui.configAccess,
    [
      !token ? 'Needs a token.' : '',
      readOnly ? `Reloading ${needs}` : '',
      token && state.dryRunAvailable === false ? 'This gateway has no dry run: its /admin/config does not report lastReload.' : '',
    ]
      .filter(Boolean)
      .join(' '),
  );
  say(ui.callerAccess, readOnly ? `Resetting ${needs}` : '');
};

const showIdentity = () => {
  const token = readToken();
  if (token === null) {
    state.access = 'none';
    say(ui.identity, 'No token yet: regions are shown, everything else needs a token.');
    return;
  }
  const claims = claimsOf(token);
  state.access = accessOf(claims);
  const who = claims?.sub === undefined ? 'token without a readable sub' : `token for ${claims.sub}`;
  const what = {
    admin: `full admin (${ADMIN_SCOPE})`,
    read: `read-only (${READ_SCOPE}): reload and resets are disabled`,
    none: `no admin scope: the gateway will refuse its calls`,
  }[state.access];
  const expired = claims?.exp !== undefined && claims.exp * 1000 <= Date.now();
  const expiry = claims?.exp === undefined ? '' : `; ${expired ? 'expired' : 'expires'} ${formatTime(claims.exp * 1000)}`;
  say(ui.identity, `Using a ${who}: ${what}${expiry}.`, state.access === 'none' || expired ? 'bad' : undefined);
};

const loadRegions = async () => {
  const answer = await call('../readyz', { auth: false });
  const body = record(answer.body);
  const dependencies = record(body.dependencies);
  if (answer.body === undefined || body.dependencies === undefined) {
    say(ui.readiness, `Readiness unavailable: ${problemText(answer)}`, 'bad');
    return;
  }
  say(ui.readiness, `Instance ${body.status}; Redis ${dependencies.redis}.`, toneOfState(body.status));
  const regions = Object.entries(record(dependencies.regions)).map(([name, value]) => {
    const region = record(value);
    return [name, toned(String(region.drs), toneOfState(region.drs)), toned(String(region.circuit), toneOfState(region.circuit)), toned(String(region.iam), toneOfState(region.iam))];
  });
  if (regions.length === 0) emptyRow(ui.regionsBody, 4, 'No region reported.');
  else fillRows(ui.regionsBody, regions);
};

/** @param {LastReload | null | undefined} last */
const showLastReload = (last) => {
  const by = last?.source === 'signal' ? 'SIGHUP' : 'the reload route';
  if (last === undefined) say(ui.configLastReload, 'not reported by this gateway');
  else if (last === null) say(ui.configLastReload, 'none since the start');
  else if (last.outcome === 'success') say(ui.configLastReload, `succeeded ${formatTime(last.at)} by ${by}, version ${last.version?.hash ?? '?'}`, 'ok');
  else say(ui.configLastReload, `refused ${formatTime(last.at)} by ${by}`, 'bad');
  listProblems(ui.configLastProblems, last?.outcome === 'failure' ? (last.problems ?? []) : []);
};

const loadConfig = async () => {
  const answer = await call('config');
  if (answer.status !== 200) {
    say(ui.configMessage, `Configuration unavailable: ${problemText(answer)}`, 'bad');
    return;
  }
  const config = /** @type {ConfigAnswer} */ (answer.body);
  say(ui.configVersion, config.version?.hash ?? 'unknown');
  say(ui.configLoaded, formatTime(config.version?.loadedAt));
  state.dryRunAvailable = 'lastReload' in config;
  showLastReload(config.lastReload);
  applyAccess();
};

const clearPreview = () => {
  ui.changes.hidden = true;
  ui.changesBody.replaceChildren();
  listProblems(ui.configProblems, []);
};

/** @param {Answer} answer @param {string} refused */
const showRefusal = (answer, refused) => {
  if (answer.status === 422) {
    const problems = record(answer.body).errors;
    say(ui.configMessage, refused, 'bad');
    listProblems(ui.configProblems, Array.isArray(problems) ? problems : []);
  } else {
    say(ui.configMessage, problemText(answer), 'bad');
  }
};

const dryRun = async () => {
  clearPreview();
  const answer = await call('config/reload?dry_run=true', { method: 'POST' });
  if (answer.status !== 200) {
    showRefusal(answer, 'A reload would be refused, for these problems:');
    return;
  }
  const preview = record(answer.body);
  const hash = record(preview.version).hash;
  const changes = /** @type {Change[]} */ (Array.isArray(preview.changes) ? preview.changes : []);
  if (changes.length === 0) {
    say(ui.configMessage, `No change: a reload would keep version ${hash}.`, 'ok');
    return;
  }
  say(ui.configMessage, `A reload would run version ${hash}, changing ${changes.length} setting${changes.length === 1 ? '' : 's'}:`);
  fillRows(
    ui.changesBody,
    changes.map((c) => [make('code', {}, c.setting), c.change, c.restartOnly ? toned('yes: needs a restart', 'warn') : 'no']),
  );
  ui.changes.hidden = false;
};

const reload = async () => {
  clearPreview();
  const answer = await call('config/reload', { method: 'POST' });
  if (answer.status === 200) say(ui.configMessage, `Reloaded: running version ${record(record(answer.body).version).hash}.`, 'ok');
  else showRefusal(answer, 'Reload refused; the running configuration stays, for these problems:');
  await Promise.all([loadConfig(), loadRegions()]);
};

/** A URL path cannot carry a segment that is only dots: every client resolves it away. @param {string} sub */
const subPath = (sub) => `callers/${encodeURIComponent(sub)}/usage`;

/** @param {string} sub */
const lookUp = async (sub) => {
  if (/^\.{1,2}$/.test(sub)) {
    say(ui.callerMessage, 'A sub of "." or ".." cannot be sent in a URL path; look it up with a client that keeps dot segments.', 'bad');
    return;
  }
  const answer = await call(subPath(sub));
  if (answer.status !== 200) {
    ui.callerResult.hidden = true;
    state.caller = undefined;
    applyAccess();
    say(ui.callerMessage, failureText(answer, 'Caller usage is', '/admin/callers/{sub}/usage'), 'bad');
    return;
  }
  const usage = /** @type {Usage} */ (answer.body);
  state.caller = usage.sub;
  say(ui.callerMessage, '');
  say(ui.callerName, usage.sub);
  say(ui.callerTier, usage.tier ?? 'none: no request counted in the current window');
  say(ui.callerStreams, String(usage.openStreams));
  if (usage.limits.length === 0) emptyRow(ui.callerLimits, 4, 'No counter in the current window: every limit is whole.');
  else fillRows(ui.callerLimits, usage.limits.map((l) => [l.name, String(l.limit), toned(String(l.remaining), l.remaining === 0 ? 'bad' : undefined), formatMs(l.resetMs)]));
  ui.callerResult.hidden = false;
  applyAccess();
};

const resetCaller = async () => {
  const sub = state.caller;
  if (sub === undefined) return;
  const answer = await call(subPath(sub), { method: 'DELETE' });
  if (answer.status !== 204) {
    say(ui.callerMessage, problemText(answer), 'bad');
    return;
  }
  await lookUp(sub);
  say(ui.callerMessage, `Usage of ${sub} reset on every instance.`, 'ok');
};

/**
 * A list route's answer, or undefined once the table is emptied and the message says why.
 * @param {string} path @param {HTMLTableSectionElement} table @param {HTMLElement} message @param {string} what
 */
const readList = async (path, table, message, what) => {
  const answer = await call(path);
  if (answer.status === 200) return answer;
  table.replaceChildren();
  say(message, failureText(answer, what, `/admin/${path.split('?')[0]}`), 'bad');
  return undefined;
};

const loadTopCallers = async () => {
  const answer = await readList(`usage?top=${TOP_CALLERS}`, ui.topBody, ui.topMessage, 'Top callers are');
  if (answer === undefined) return;
  const top = /** @type {TopCallers} */ (answer.body);
  say(ui.topCaption, `Callers with the most pre-check requests in the current window (${formatMs(top.windowMs)})`);
  say(ui.topMessage, '');
  if (top.callers.length === 0) {
    emptyRow(ui.topBody, 4, 'No request in the current window.');
    return;
  }
  fillRows(
    ui.topBody,
    top.callers.map((c) => {
      const button = make('button', { type: 'button', class: 'secondary', 'aria-label': `Look up ${c.sub}` }, 'Look up');
      button.addEventListener('click', () => {
        ui.callerSub.value = c.sub;
        void lookUp(c.sub);
      });
      return [c.sub, c.tier, String(c.requests), button];
    }),
  );
};

const loadStreams = async () => {
  const answer = await call('../metrics', { auth: false });
  if (answer.status === 404) {
    say(ui.streamsMessage, 'This gateway serves /metrics on its own port (METRICS_PORT): open streams are counted there.');
    return;
  }
  const open = /^gateway_progress_streams_open(?:\{[^}]*\})? (\S+)$/m.exec(answer.text)?.[1];
  if (answer.status !== 200 || open === undefined) say(ui.streamsMessage, `Open streams unavailable: ${problemText(answer)}`, 'bad');
  else say(ui.streamsMessage, `${open} progress stream${open === '1' ? '' : 's'} open on the instance that answered.`);
};

/** Only the fields that identify an event are shown: an audit line may carry more than a page should. */
const loadEvents = async () => {
  const answer = await readList(`events?limit=${EVENTS}`, ui.eventsBody, ui.eventsMessage, 'Recent events are');
  if (answer === undefined) return;
  const body = record(answer.body);
  const events = /** @type {AuditEvent[]} */ (Array.isArray(answer.body) ? answer.body : Array.isArray(body.events) ? body.events : []);
  say(ui.eventsMessage, body.shared === false ? "This instance's events only: the shared store is not configured or not answering." : '');
  if (events.length === 0) {
    emptyRow(ui.eventsBody, 6, 'No event yet.');
    return;
  }
  /** @param {unknown} value */
  const text = (value) => (value === undefined || value === null ? '–' : String(value));
  fillRows(
    ui.eventsBody,
    events.map((e) => {
      const outcome = [e.outcome, e.status, e.code].filter((v) => v !== undefined).join(' ');
      return [formatTime(e.time), text(e.audit), text(e.action), text(e.caller), toned(text(outcome), toneOfState(e.outcome)), make('span', { class: 'mono' }, text(e.requestId))];
    }),
  );
};

const refreshAll = async () => {
  const token = readToken() !== null;
  await Promise.all([
    loadRegions(),
    loadStreams(),
    ...(token ? [loadConfig(), loadTopCallers(), loadEvents()] : []),
    ...(token && state.caller !== undefined ? [lookUp(state.caller)] : []),
  ]);
};

/** One action at a time per button: a second press while the first is on its way does nothing. @param {HTMLElement} target @param {() => Promise<void>} action */
const onPress = (target, action) => {
  let running = false;
  target.addEventListener('click', () => {
    if (running) return;
    running = true;
    void action().finally(() => (running = false));
  });
};

ui.tokenForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = ui.tokenInput.value.trim().replace(/^Bearer\s+/i, '');
  ui.tokenInput.value = '';
  if (token === '') return;
  sessionStorage.setItem(TOKEN_KEY, token);
  showIdentity();
  applyAccess();
  void refreshAll();
});

// A reload of the page is the simplest way to drop everything the token let the page show.
ui.forgetToken.addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  location.reload();
});

ui.callerForm.addEventListener('submit', (event) => {
  event.preventDefault();
  if (ui.callerSub.value !== '') void lookUp(ui.callerSub.value);
});

onPress(ui.refreshAll, refreshAll);
onPress(ui.dryRun, dryRun);
onPress(ui.reload, reload);
onPress(ui.callerReset, resetCaller);

showIdentity();
applyAccess();
void refreshAll();
