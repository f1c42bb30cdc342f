// Narrows parsed JSON to a plain object so request bodies can be walked without casts.
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
