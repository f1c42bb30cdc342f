// The one catalogue of every error the gateway returns: status, bilingual title/detail and caller advice.
export type Language = 'en-us' | 'zh-cn';

export interface Localized {
  'en-us': string;
  'zh-cn': string;
}

/**
 * What a failure says about the work the request asked for, so callers know whether repeating it is safe:
 * - `transient`: refused before anything started; the same request can pass later;
 * - `may-have-started`: DRS may have received the request (no answer, or no valid one); a start is not repeated
 *   under a new key before its result is read, and the same Idempotency-Key gets this answer again;
 * - `final`: repeating the same request gets the same answer.
 */
export type RetryKind = 'transient' | 'may-have-started' | 'final';

export interface CatalogueEntry {
  status: number;
  title: Localized;
  detail: Localized;
  /** What the caller should do; published in docs/errors.md. */
  action: string;
  retry: RetryKind;
}

const entry = (status: number, retry: RetryKind, title: [string, string], detail: [string, string], action: string): CatalogueEntry => ({
  status,
  retry,
  title: { 'en-us': title[0], 'zh-cn': title[1] },
  detail: { 'en-us': detail[0], 'zh-cn': detail[1] },
  action,
});

export const ERROR_CATALOGUE = {
  'GW.0400': entry(400, 'final', ['Invalid request', '请求无效'], ['The request failed validation; see errors for each problem.', '请求未通过校验，请查看 errors 中列出的每个问题。'], 'Fix each listed problem and send again.'),
  'GW.0401': entry(400, 'final', ['Malformed JSON', 'JSON 格式错误'], ['The request body is not valid JSON.', '请求体不是合法的 JSON。'], 'Send a well-formed JSON body.'),
  'GW.0404': entry(404, 'final', ['Not found', '未找到'], ['No route matches this path.', '没有与该路径匹配的路由。'], 'Check the method and path against the documented routes.'),
  'GW.0405': entry(405, 'final', ['Method not allowed', '方法不允许'], ['This path does not accept this method; see the Allow header.', '该路径不支持此方法，请查看 Allow 响应头。'], 'Use a method listed in Allow.'),
  'GW.0408': entry(408, 'transient', ['Request timeout', '请求超时'], ['The request did not arrive in time.', '请求未能在规定时间内到达。'], 'Send the whole request at once (headers within SERVER_HEADERS_TIMEOUT_MS, the rest within SERVER_REQUEST_TIMEOUT_MS), then retry.'),
  'GW.0409': entry(409, 'transient', ['Request in progress', '请求处理中'], ['A request with this Idempotency-Key is still in flight.', '使用该 Idempotency-Key 的请求仍在处理中。'], 'Wait for the first request to finish, then repeat it.'),
  'GW.0413': entry(413, 'final', ['Body too large', '请求体过大'], ['The request body exceeds the size limit.', '请求体超过大小限制。'], 'Send fewer jobs per request.'),
  'GW.0415': entry(415, 'final', ['Unsupported media type', '不支持的媒体类型'], ['The request body must be application/json.', '请求体必须是 application/json。'], 'Send Content-Type: application/json.'),
  'GW.0422': entry(422, 'final', ['Idempotency key reused', '幂等键被重复使用'], ['This Idempotency-Key was already used with a different body.', '该 Idempotency-Key 已用于不同的请求体。'], 'Use a new key for a new request.'),
  'GW.0431': entry(431, 'final', ['Request headers too large', '请求头过大'], ['The request headers exceed the size limit (16 KiB in all).', '请求头超过大小限制（总计 16 KiB）。'], 'Send smaller headers: a shorter token, fewer or smaller cookies.'),
  'GW.1001': entry(401, 'final', ['Authentication required', '需要认证'], ['The request carries no bearer token.', '请求未携带 Bearer 令牌。'], 'Send Authorization: Bearer <JWT>.'),
  'GW.1002': entry(401, 'final', ['Invalid token', '令牌无效'], ['The bearer token is not valid.', 'Bearer 令牌无效。'], 'Obtain a new token from your identity provider.'),
  'GW.1003': entry(401, 'transient', ['Token expired', '令牌已过期'], ['The bearer token has expired.', 'Bearer 令牌已过期。'], 'Obtain a fresh token and retry.'),
  'GW.1004': entry(403, 'final', ['Insufficient scope', '权限范围不足'], ['The token lacks the scope this route requires.', '令牌缺少该路由所需的权限范围。'], 'Request a token with the required scope.'),
  'GW.1005': entry(403, 'final', ['Project not allowed', '无权访问该项目'], ['The token does not allow this project.', '令牌不允许访问该项目。'], 'Request a token whose projects claim includes this project.'),
  'GW.2001': entry(429, 'transient', ['Rate limit reached', '已达到速率限制'], ['Too many requests from this caller; retry after the time in Retry-After.', '该调用方请求过多，请在 Retry-After 指定的时间后重试。'], 'Wait for Retry-After seconds.'),
  'GW.2002': entry(429, 'transient', ['Project job budget spent', '项目作业配额已用完'], ["This project's job budget for the window is spent; retry after the time in Retry-After.", '该项目本时间窗口的作业配额已用完，请在 Retry-After 指定的时间后重试。'], 'Wait for Retry-After seconds or send fewer jobs.'),
  'GW.2003': entry(429, 'transient', ['Too many open progress streams', '打开的进度流过多'], ['This caller or client address already has the most progress streams open at once; close one or retry after the time in Retry-After.', '该调用方或客户端地址同时打开的进度流已达上限，请关闭一个，或在 Retry-After 指定的时间后重试。'], 'Close streams you no longer read (one stream watches up to 10 jobs), or wait for Retry-After seconds.'),
  'GW.3001': entry(502, 'final', ['Upstream credentials rejected', '上游凭证被拒绝'], ["IAM rejected the gateway's credentials.", 'IAM 拒绝了网关的凭证。'], 'Report to the platform admins; the gateway configuration needs fixing.'),
  'GW.3002': entry(503, 'transient', ['IAM unavailable', 'IAM 不可用'], ['IAM is unreachable, timed out or throttling.', 'IAM 无法访问、超时或正在限流。'], 'Retry after Retry-After seconds.'),
  'GW.3003': entry(502, 'final', ['Upstream token rejected', '上游令牌被拒绝'], ["DRS rejected the gateway's token even after a refresh.", '即使刷新后，DRS 仍拒绝了网关的令牌。'], 'Report to the platform admins; check the IAM user permissions and region.'),
  'GW.3004': entry(502, 'may-have-started', ['Invalid upstream response', '上游响应无效'], ['DRS answered with something that is not a valid response, or the connection was lost after the request was sent.', 'DRS 返回了无效的响应，或请求发出后连接中断。'], 'The pre-check may have started: query its result before starting again (the same Idempotency-Key gets this answer again). Report if it persists.'),
  'GW.3005': entry(502, 'may-have-started', ['Upstream error', '上游错误'], ['DRS answered with a server error.', 'DRS 返回了服务器错误。'], 'The pre-check may have started: query its result before starting again (the same Idempotency-Key gets this answer again). Report if it persists.'),
  'GW.3006': entry(503, 'transient', ['Upstream unavailable', '上游不可用'], ['DRS is unreachable or temporarily cut off after repeated failures.', 'DRS 无法访问，或因多次失败而被暂时熔断。'], 'Retry after Retry-After seconds.'),
  'GW.3007': entry(504, 'may-have-started', ['Upstream timeout', '上游超时'], ['DRS did not answer in time.', 'DRS 未在规定时间内响应。'], 'The pre-check may have started: query its result before starting again (the same Idempotency-Key gets this answer again).'),
  'GW.3008': entry(429, 'transient', ['Upstream throttled', '上游限流'], ['DRS or its API gateway is throttling requests.', 'DRS 或其 API 网关正在限流。'], 'Wait for Retry-After seconds.'),
  'GW.4001': entry(422, 'final', ['Configuration refused', '配置被拒绝'], ['The configuration was not reloaded; the running configuration stays. See errors for each problem.', '配置未重新加载，当前运行的配置保持不变。请查看 errors 中列出的每个问题。'], 'Fix each listed setting (a restart-only one needs a restart), then reload again.'),
  'GW.5000': entry(500, 'may-have-started', ['Internal error', '内部错误'], ['An unexpected error occurred in the gateway.', '网关发生意外错误。'], 'Retry later; report the request_id if it persists.'),
  'GW.5030': entry(503, 'transient', ['Rate limit store unavailable', '限流存储不可用'], ['The shared rate-limit store is unavailable.', '共享限流存储不可用。'], 'Retry after Retry-After seconds.'),
  'GW.5031': entry(503, 'transient', ['Gateway overloaded', '网关过载'], ['This gateway instance is overloaded and refused the request before doing any of its work.', '该网关实例过载，在处理请求之前已将其拒绝。'], 'Retry after Retry-After seconds.'),
  /** Not a code the gateway emits under its own name: DRS's own 4xx passes through with DRS's code. */
  'DRS.PASSTHROUGH': entry(400, 'final', ['Request rejected by DRS', '请求被 DRS 拒绝'], ['DRS rejected the request.', 'DRS 拒绝了该请求。'], 'Read upstream.error_code and upstream.error_msg; fix the request or the job state.'),
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;
