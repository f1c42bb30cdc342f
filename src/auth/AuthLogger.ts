// The narrow logging seam of the auth module; pino's logger satisfies it.
export interface AuthLogger {
  warn(obj: object, msg: string): void;
}
