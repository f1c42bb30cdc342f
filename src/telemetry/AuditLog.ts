// Where audit lines go: the process log (each marked by a top-level `audit` field), and AUDIT_LOG's file when set.
export interface AuditLog {
  info(obj: object, msg: string): void;
}
