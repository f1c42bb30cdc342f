// Turns a redis:// or rediss:// URL into ioredis connection options, so that no URL part can override the gateway's own options.
import type { RedisOptions } from 'ioredis';

type RedisUrlOptions = Pick<RedisOptions, 'host' | 'port' | 'username' | 'password' | 'db' | 'tls'>;

const DEFAULT_PORT = 6379;

/** Errors never quote the URL: it may carry a password. */
export const parseRedisUrl = (url: string): RedisUrlOptions => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('The Redis URL is not a valid URL.');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new Error('The Redis URL must start with redis:// or rediss://.');
  if (parsed.hostname === '') throw new Error('The Redis URL has no host.');
  // ioredis would let query parameters override options such as enableOfflineQueue; the config file is the place for options.
  if (parsed.search !== '') throw new Error('The Redis URL must not carry query parameters.');

  const path = parsed.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d{1,5}$/.test(path)) throw new Error('The Redis URL path must be a database number.');

  const options: RedisUrlOptions = {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? DEFAULT_PORT : Number(parsed.port),
  };
  if (parsed.username !== '') options.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') options.password = decodeURIComponent(parsed.password);
  if (path !== '') options.db = Number(path);
  if (parsed.protocol === 'rediss:') options.tls = {};
  return options;
};
