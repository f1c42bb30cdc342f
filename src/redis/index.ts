// The Redis module's public surface for the stores and the composition root.
export type { RedisClient, RedisConnection, RedisLogger } from './RedisClient';
export type { RedisSettings } from './RedisSettings';
export { createRedisConnection } from './createRedisConnection';
export { redactRedisUrl } from './redactRedisUrl';
