// Reconnect backoff shared by every topology: grows fast, then retries every two seconds forever.
const BASE_MS = 50;
const CAP_MS = 2_000;

/** `attempt` counts from 1; a number (never null) tells ioredis to keep trying. */
export const reconnectDelay = (attempt: number): number => Math.min(BASE_MS * 2 ** Math.max(attempt, 0), CAP_MS);
