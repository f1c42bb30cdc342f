// Refuses settings that would give a connection without a target or without the time bounds everything relies on.
import type { RedisSettings } from './RedisSettings';

const checkNodes = (what: string, nodes: Array<{ host: string; port: number }>): void => {
  if (nodes.length === 0) throw new Error(`Redis ${what} needs at least one node.`);
  for (const { host, port } of nodes) {
    if (host === '' || !Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`Redis ${what} nodes need a host and a port between 1 and 65535.`);
  }
};

const checkDuration = (name: string, value: number): void => {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`Redis ${name} must be a positive number of milliseconds.`);
};

export const checkRedisSettings = (settings: RedisSettings): void => {
  const targets = [settings.url, settings.sentinel, settings.cluster].filter((target) => target !== undefined);
  if (targets.length !== 1) throw new Error('Redis settings need exactly one of url, sentinel or cluster.');
  if (settings.sentinel !== undefined) {
    checkNodes('sentinel', settings.sentinel.sentinels);
    if (settings.sentinel.name === '') throw new Error('Redis sentinel needs the master name.');
  }
  if (settings.cluster !== undefined) checkNodes('cluster', settings.cluster.nodes);
  checkDuration('commandTimeoutMs', settings.commandTimeoutMs);
  checkDuration('connectTimeoutMs', settings.connectTimeoutMs);
};
