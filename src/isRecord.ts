// Narrows parsed JSON or YAML (a request body, a settings file) to a plain object, so it can be walked without casts.
export type UnknownRecord = Record<string, unknown>;

/** Not null and not an array: an object whose keys can be read. */
export const isRecord = (value: unknown): value is UnknownRecord => typeof value === 'object' && value !== null && !Array.isArray(value);
