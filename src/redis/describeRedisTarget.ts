// Names the Redis deployment in log lines without any credential.
import { redactRedisUrl } from './redactRedisUrl';
import type { RedisSettings } from './RedisSettings';

const addresses = (nodes: Array<{ host: string; port: number }>): string => nodes.map(({ host, port }) => `${host}:${port}`).join(',');

export const describeRedisTarget = (settings: RedisSettings): string => {
  if (settings.url !== undefined) return redactRedisUrl(settings.url);
  if (settings.sentinel !== undefined) return `sentinel ${settings.sentinel.name}@${addresses(settings.sentinel.sentinels)}`;
  if (settings.cluster !== undefined) return `cluster ${addresses(settings.cluster.nodes)}`;
  return 'none';
};
