// The answer of GET /admin/callers/{sub}/usage, as the admin usage tests read it.
export interface CallerUsage {
  sub: string;
  tier: string | null;
  limits: Array<{ name: string; limit: number; windowMs: number; remaining: number; resetMs: number }>;
  openStreams: number;
}
