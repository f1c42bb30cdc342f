// DRS error messages in both languages DRS serves; English texts are Huawei's, Chinese ones are our translation.
export type DrsLanguage = 'en-us' | 'zh-cn';

const MESSAGES = {
  'DRS.M00002': ['The returned result is empty.', '返回结果为空。'],
  'DRS.M00004': ['Service is abnormal. Check logs.', '服务异常，请检查日志。'],
  'DRS.M00007': ['Invalid request parameter.', '请求参数无效。'],
  'DRS.M00201': ['The parameter %s is empty.', '参数%s为空。'],
  'DRS.M00202': ['The value of parameter %s is invalid.', '参数%s的值无效。'],
  'DRS.M00261': ['Invalid project ID.', '无效的项目ID。'],
  'DRS.M00301': ['There are duplicate %s in request.', '请求中存在重复的%s。'],
  'DRS.M00304': ['This API cannot be called in the current task status.', '当前任务状态不允许调用该接口。'],
  'DRS.M01503': ['Operation too frequent. Try again later.', '操作过于频繁，请稍后重试。'],
  'DRS.M05003': ['Task information not found.', '未找到任务信息。'],
  'DRS.M05004': ['The task has been deleted or the resource has been released.', '任务已删除或资源已释放。'],
} as const satisfies Record<string, readonly [string, string]>;

export type DrsErrorCode = keyof typeof MESSAGES;

export interface DrsErrorBody {
  error_code: DrsErrorCode;
  error_msg: string;
}

/** DRS substitutes the offending parameter name for the `%s` its message templates carry. */
const drsMessage = (code: DrsErrorCode, language: DrsLanguage, parameter = ''): string => {
  const [english, chinese] = MESSAGES[code];
  return (language === 'zh-cn' ? chinese : english).replace('%s', parameter);
};

export const drsError = (code: DrsErrorCode, language: DrsLanguage, parameter?: string): DrsErrorBody => ({
  error_code: code,
  error_msg: drsMessage(code, language, parameter),
});

/** DRS defaults to English for anything but an explicit zh-cn. */
export const drsLanguage = (header: string | string[] | undefined): DrsLanguage =>
  typeof header === 'string' && header.toLowerCase() === 'zh-cn' ? 'zh-cn' : 'en-us';
