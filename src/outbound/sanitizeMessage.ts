// Makes an upstream message safe to pass on: bounded length, no hosts, URLs or tokens, and nothing that smells of internals.
import { LRUCache } from 'lru-cache';

const MAX_LENGTH = 512;
/** Only this much of a message is looked at: enough to fill MAX_LENGTH after scrubbing, and it bounds the regex work on a huge body. */
const MAX_INSPECTED = 4 * MAX_LENGTH;

const SCRUBBERS: ReadonlyArray<[RegExp, string]> = [
  [/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '[url]'],
  [/\bMII[A-Za-z0-9+/=_-]{16,}/g, '[token]'],
  [/\b(?:bearer|token)\s*[:=]?\s*[A-Za-z0-9._~+/=-]{20,}/gi, '[token]'],
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[token]'],
  [/\[[0-9a-f:.]*:[0-9a-f:.]*\](?::\d+)?/gi, '[host]'],
  [/(?<![\w:])(?:[0-9a-f]{1,4}:){5,7}[0-9a-f]{1,4}(?![\w:])/gi, '[host]'],
  [/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, '[host]'],
  [/\b(?:[a-z0-9-]+\.)+(?:com|cn|eu|net|org|io|internal|local|localdomain|cloud|svc|corp|lan|intra|intranet)(?::\d+)?\b/gi, '[host]'],
  [/\blocalhost(?::\d+)?\b/gi, '[host]'],
];

/**
 * Stack frames, source locations, exception class names, system error codes and runtime crash banners: a message
 * carrying any of them is a leak of internals, and scrubbing parts of it would still leave the rest, so the whole
 * message is dropped and the caller gets the catalogue's text instead.
 */
const INTERNALS: readonly RegExp[] = [
  /\bat\s+(?:new\s+|async\s+)?[\w$.<>[\]/-]+\s?\((?:[^)]*:\d+|native|Native Method|Unknown Source|<anonymous>|index \d+)/, // JS/Java stack frame
  /[\w.-]+\.(?:js|mjs|cjs|ts|java|kt|scala|py|go|rb|php|cs|cpp|c|rs|lua)\b(?::\d+|", line \d+)/i, // file + line
  /(?:^|[\s"'(=])(?:\/[\w.@-]+){2,}/, // an absolute Unix path
  /\b[A-Za-z]:\\[\w\\. -]+/, // a Windows path
  /\b(?:[a-z_][\w$]*\.){2,}[A-Z][\w$]*\b/, // a qualified class name: java.lang.NullPointerException, org.x.Y
  /\b[A-Z]?\w*(?:Exception|Error)\b\s*:/, // "TypeError: ...", "Error: connect ...", "SQLException: ..."
  /\b\w+Exception\b/, // an exception class on its own
  /\bE(?:CONN[A-Z]+|TIMEDOUT|PIPE|NOTFOUND|AI_AGAIN|HOSTUNREACH|NETUNREACH|ADDRINUSE|ACCES|NOENT|PROTO)\b/, // Node/libc error codes
  /\bTraceback \(most recent call last\)/, // Python
  /\bgoroutine \d+ \[|\bpanic:/, // Go
  /\bSQLSTATE\b|\bORA-\d{5}\b|\bsyntax error at or near\b/i, // database drivers
  /<\s*(?:!doctype|html|head|body|pre|title)\b/i, // an HTML page
];

const hasInternals = (text: string): boolean => INTERNALS.some((pattern) => pattern.test(text));

export const sanitizeMessage = (message: unknown): string | undefined => {
  if (typeof message !== 'string') return undefined;
  let text = message.slice(0, MAX_INSPECTED);
  if (hasInternals(text)) return undefined;
  for (const [pattern, replacement] of SCRUBBERS) text = text.replace(pattern, replacement);
  text = text.replace(/\s+/g, ' ').trim();
  if (text.length === 0) return undefined;
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
};

export type Sanitize = (message: string) => string | undefined;

/** Distinct texts a remembering sanitizer keeps, least recently used out first: a text it no longer holds is scrubbed again. */
const REMEMBERED_TEXTS = 128;
/** Longer texts are scrubbed every time: DRS's own are far shorter, and this bounds what the kept ones hold. */
const REMEMBERED_MAX_LENGTH = 512;

/**
 * sanitizeMessage with its answer for each recent text kept. A 200 answer's items carry DRS's messages, the same few
 * texts request after request, and scrubbing one runs some twenty regular expressions over it: 10–14 µs of every
 * result query under the profiler (docs/performance.md). A kept answer is one look-up; a new text is scrubbed as before.
 */
export const rememberingSanitizer = (scrub: Sanitize = sanitizeMessage): Sanitize => {
  const answers = new LRUCache<string, { text: string | undefined }>({ max: REMEMBERED_TEXTS });
  return (message) => {
    if (message.length > REMEMBERED_MAX_LENGTH) return scrub(message);
    let kept = answers.get(message);
    if (kept === undefined) {
      kept = { text: scrub(message) };
      answers.set(message, kept);
    }
    return kept.text;
  };
};
