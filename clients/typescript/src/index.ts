// The client's public surface: one factory, the error class, and the types a caller handles.
export { createGatewayClient } from './createGatewayClient.js';
export type { BatchPrecheckResponse, BatchPrecheckResultResponse, CallOptions, GatewayClient, GatewayClientOptions, Language, PrecheckJob, StartOptions } from './createGatewayClient.js';
export { classifyFailure, GatewayClientError, NETWORK_ERROR_CODE, UNEXPECTED_RESPONSE_CODE } from './errors.js';
export type { FailureKind, Problem } from './errors.js';
export { DEFAULT_RETRY_POLICY } from './retry.js';
export type { RetryNotice, RetryPolicy } from './retry.js';
export type { DoneData, PrecheckEvent, ProgressData, ReconnectNotice, ReconnectReason, WatchSettings } from './watchPrecheck.js';
export type { components, paths } from './openapi.js';
