/**
 * The platform's error body and the sandbox's catalogue of messages (Chinese, worded like
 * the integration guide). Handlers throw `ApiError`; the server turns it into the body.
 */

export interface ErrorBody {
  errorCode: number;
  errorMessage: string;
  instanceId: string;
  exceptionName: string;
}

/** Which platform service answers: decides instanceId and the exception's package. */
export type Service = 'auth' | 'gateway' | 'cdr' | 'ocm' | 'ros' | 'ext' | 'files';

const INSTANCE: Record<Service, string> = {
  auth: 'sandbox-auth',
  gateway: 'sandbox-gateway',
  cdr: 'sandbox-cdr',
  ocm: 'sandbox-ocm',
  ros: 'sandbox-ros',
  ext: 'sandbox-ext',
  files: 'sandbox-files',
};

const EXCEPTION: Record<number, string> = {
  400: 'ParameterInvalidException',
  401: 'TokenInvalidException',
  403: 'TokenMissingException',
  404: 'NotFoundException',
  405: 'MethodNotAllowedException',
  413: 'PayloadTooLargeException',
  415: 'MediaTypeNotSupportedException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
  12008: 'NoServiceInstanceException',
  14001: 'BusinessException',
  14002: 'BusinessException',
  14003: 'BusinessException',
  14004: 'BusinessException',
  14005: 'BusinessException',
  14011: 'CallNotFoundException',
  14012: 'RecordingNotFoundException',
  14013: 'RecordingFileNotFoundException',
  14015: 'CrossPartitionQueryException',
};

/** Default messages per code (14001/14002 as the CDR words them, see SERVICE_MESSAGES; the others are built where they occur). */
export const MESSAGES: Record<number, string> = {
  400: '参数格式非法',
  401: 'ssid无效或当前用户权限列表为空或当前用户没有权限',
  403: '请求未携带wellcloud_token',
  404: '找不到服务或活动',
  405: '请求方法不被支持',
  415: '不支持的Content-Type',
  500: '内部服务错误',
  503: '服务暂不可用',
  12008: 'cms没有可用的服务实例',
  14001: '查询时间跨度过大',
  14002: 'GET请求超时',
  14003: 'POST请求超时',
  14004: '开始时间不得大于结束时间',
  14005: 'deviceId不合法',
  14011: 'callId不存在',
  14012: 'callId对应的录音记录不存在',
  14013: '调听或下载录音时，录音文件不存在',
  14015: '不得跨库查询，必须分成两部分查询',
};

/**
 * Codes that mean something else on one service (API.md: "14001/14002 mean different things on
 * different endpoints"): the dual call's (guide §6.5) 14001 is "deviceId为空", 14002 "dest为空".
 */
const SERVICE_MESSAGES: Partial<Record<Service, Record<number, string>>> = {
  ext: { 14001: 'deviceId为空', 14002: 'dest为空' },
};

/** The catalogue message of a code as `service` words it. */
export function messageOf(errorCode: number, service: Service): string | undefined {
  return SERVICE_MESSAGES[service]?.[errorCode] ?? MESSAGES[errorCode];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
    readonly service: Service,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): ErrorBody {
    return errorBody(this.errorCode, this.message, this.service);
  }
}

export function errorBody(errorCode: number, message: string | undefined, service: Service): ErrorBody {
  const name = EXCEPTION[errorCode] ?? 'BusinessException';
  return {
    errorCode,
    errorMessage: message ?? messageOf(errorCode, service) ?? MESSAGES[500] ?? '',
    instanceId: INSTANCE[service],
    exceptionName: `com.welljoint.${service}.exception.${name}`,
  };
}

/** HTTP 400 with errorCode 400 and a message naming the parameter. */
export function badParam(service: Service, detail: string): ApiError {
  return new ApiError(400, 400, `${MESSAGES[400]}: ${detail}`, service);
}

/** HTTP 400 with a business code and its catalogue message (or `message`). */
export function business(service: Service, code: number, message?: string): ApiError {
  return new ApiError(400, code, message ?? messageOf(code, service) ?? String(code), service);
}

/** Any status whose errorCode equals the status. */
export function httpError(service: Service, status: number, message?: string): ApiError {
  return new ApiError(status, status, message ?? MESSAGES[status] ?? `HTTP ${status}`, service);
}
