// DRS task statuses (reference §6) and which pre-check mode each status admits.
export const JOB_STATUSES = [
  'CREATING', 'CREATE_FAILED', 'CONFIGURATION', 'STARTJOBING', 'WAITING_FOR_START', 'START_JOB_FAILED', 'PAUSING',
  'FULL_TRANSFER_STARTED', 'FULL_TRANSFER_FAILED', 'FULL_TRANSFER_COMPLETE', 'INCRE_TRANSFER_STARTED', 'INCRE_TRANSFER_FAILED',
  'RELEASE_RESOURCE_STARTED', 'RELEASE_RESOURCE_FAILED', 'RELEASE_RESOURCE_COMPLETE', 'CHANGE_JOB_STARTED', 'CHANGE_JOB_FAILED',
  'CHILD_TRANSFER_STARTING', 'CHILD_TRANSFER_STARTED', 'CHILD_TRANSFER_COMPLETE', 'CHILD_TRANSFER_FAILED',
  'RELEASE_CHILD_TRANSFER_STARTED', 'RELEASE_CHILD_TRANSFER_COMPLETE', 'REBUILD_NODE_STARTED', 'REBUILD_NODE_FAILED', 'DELETED',
  'NODE_UPGRADE_START', 'NODE_UPGRADE_COMPLETE', 'NODE_UPGRADE_FAILED',
] as const;

export type JobStatus = (typeof JOB_STATUSES)[number];
export type PrecheckMode = 'forStartJob' | 'forRetryJob';

export const isJobStatus = (value: unknown): value is JobStatus =>
  typeof value === 'string' && (JOB_STATUSES as readonly string[]).includes(value);

/** A job that is gone answers DRS.M05004 rather than the generic wrong-status code. */
export const isReleased = (status: JobStatus): boolean => status === 'DELETED' || status === 'RELEASE_RESOURCE_COMPLETE';

/** forRetryJob: "in the incremental phase after editing objects, or failed and being retried" — any *_FAILED is our reading. */
export const admitsPrecheck = (status: JobStatus, mode: PrecheckMode): boolean =>
  mode === 'forStartJob' ? status === 'CONFIGURATION' : status === 'INCRE_TRANSFER_STARTED' || status.endsWith('_FAILED');
