// The narrow logging seam of the Redis module; pino's logger satisfies it.
export interface RedisLogger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}
