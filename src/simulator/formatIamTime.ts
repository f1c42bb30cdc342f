// Formats an instant the way IAM writes token times: ISO-8601 UTC with microseconds, e.g. 2020-01-04T09:05:22.701000Z.
export const formatIamTime = (epochMs: number): string => `${new Date(epochMs).toISOString().slice(0, -1)}000Z`;
