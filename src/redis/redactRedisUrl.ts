// A Redis URL fit for logs and the admin config view: the password and any query values are masked.
const MASK = '***';

export const redactRedisUrl = (url: string): string => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // An unparsable value may still hold a password somewhere, so none of it is echoed.
    return '[invalid Redis URL]';
  }
  if (parsed.password !== '') parsed.password = MASK;
  // ioredis reads options (password included) from query parameters, so no query value is shown either.
  for (const key of [...new Set(parsed.searchParams.keys())]) parsed.searchParams.set(key, MASK);
  return parsed.toString();
};
