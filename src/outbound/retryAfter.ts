// Reads Retry-After (seconds or HTTP date) into whole seconds, bounded so a hostile upstream cannot park callers.
const MAX_SECONDS = 3600;

export const parseRetryAfter = (value: unknown, nowMs: number): number | undefined => {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const trimmed = value.trim();
  const seconds = /^\d+$/.test(trimmed) ? Number(trimmed) : Math.ceil((Date.parse(trimmed) - nowMs) / 1000);
  if (!Number.isFinite(seconds)) return undefined;
  return Math.min(Math.max(seconds, 1), MAX_SECONDS);
};
