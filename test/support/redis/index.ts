// Real redis-server processes for the tests: standalone, cluster and sentinel, never outliving the test run.
export { ensureRedisInstalled, type RedisBinaries } from './ensureRedisInstalled';
export { startRedis, type RedisProcess } from './startRedis';
export { startRedisCluster, type RedisClusterProcess } from './startRedisCluster';
export { freePort } from './freePort';
export { sendRedisCommand } from './sendRedisCommand';
export { startRedisSentinel, type RedisSentinelProcess } from './startRedisSentinel';
export { throwAwayServerArgs } from './spawnRedisServer';
