// Makes an upstream message safe to pass on: bounded length, and no hosts, URLs, tokens or stack frames.
const MAX_LENGTH = 512;

const SCRUBBERS: ReadonlyArray<[RegExp, string]> = [
  [/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '[url]'],
  [/\bMII[A-Za-z0-9+/=_-]{16,}/g, '[token]'],
  [/\b(?:bearer|token)\s*[:=]?\s*[A-Za-z0-9._~+/=-]{20,}/gi, '[token]'],
  [/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[token]'],
  [/\b(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\b/g, '[host]'],
  [/\b(?:[a-z0-9-]+\.)+(?:com|cn|eu|net|org|io|internal|local|cloud)(?::\d+)?\b/gi, '[host]'],
  [/\s+at\s+\S+\s+\(?[^)\n]*:\d+:\d+\)?/g, ''],
];

export const sanitizeMessage = (message: unknown): string | undefined => {
  if (typeof message !== 'string') return undefined;
  let text = message;
  for (const [pattern, replacement] of SCRUBBERS) text = text.replace(pattern, replacement);
  text = text.replace(/\s+/g, ' ').trim();
  if (text.length === 0) return undefined;
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH - 1)}…` : text;
};
