// The Redis module's public surface for the stores and the composition root.
export type { RedisConnection } from './RedisConnection';
export type { RedisLogger } from './RedisLogger';
export type { RedisSettings } from './RedisSettings';
export { createRedisConnection } from './createRedisConnection';
export { redactRedisUrl } from './redactRedisUrl';
