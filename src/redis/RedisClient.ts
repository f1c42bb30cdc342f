// The Redis client type the stores accept: a single node (standalone or via Sentinel) or a Cluster.
import type { Cluster, Redis } from 'ioredis';

export type RedisClient = Redis | Cluster;
