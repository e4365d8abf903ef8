/**
 * Message catalogue of the platform client. The client is used without Node-RED, so it
 * carries its own en-US and zh-CN texts; the Node-RED nodes pass the runtime language.
 */
export type Lang = 'en-US' | 'zh-CN';

type Catalogue = Record<string, string>;

const en: Catalogue = {
  // platform business codes (API.md error table); keys are `platform.<code>` or `platform.<code>.<context>`
  'platform.401': 'The token is invalid or expired, or the account has no permission (401). The token is applied for again automatically; if this persists, check the appId/appSecret/apiKey permissions in the tenant console.',
  'platform.403': 'No token was sent (403). The nodes always send it: check that no proxy between Node-RED and the platform strips the wellcloud_token header.',
  'platform.14001.query': 'The time span of the query is too large (14001). Narrow the range.',
  'platform.14001.dualCall': 'deviceId is empty (14001). Set deviceId, e.g. 8001@test.cc.',
  'platform.14002.query': 'The platform GET request timed out upstream (14002). Retry later.',
  'platform.14002.dualCall': 'customerPhone is empty (14002). Set customerPhone.',
  'platform.14003': 'The platform POST request timed out upstream (14003). Retry later.',
  'platform.14004': 'beginTime is later than endTime (14004). Swap them.',
  'platform.14005': 'deviceId is invalid (14005): it must include the domain, e.g. 8001@test.cc.',
  'platform.12008': 'No CMS service instance is available (12008). This is on the platform side; retry later.',
  'platform.14011': 'The callId does not exist (14011). Check the callId.',
  'platform.14012': 'There is no recording for that callId (14012). Check that the call was recorded.',
  'platform.14013': 'The recording file does not exist (14013). Check the recording; WAV is kept for recent calls only, so ask for mp3 for older calls.',
  'platform.14015': 'The range crosses a database partition (14015); it must be split at the time point the platform names{at}.',
  'platform.14015.at': ' ({at})',
  'platform.400': 'A parameter has a bad format (400). Fix the parameter.',
  'platform.unknown': 'The platform answered with error {code}.',
  // HTTP without a platform body
  'http.status': 'The platform answered HTTP {status}{text}.',
  'http.status.text': ': {text}',
  'http.404.roster': 'Unknown service or activity (404): check templateId.',
  'http.404.outbound': 'Unknown activity (404): check activityId (tenant console → automatic outbound → activities).',
  'http.500': 'Internal error on the platform (HTTP {status}). Retry later.',
  // network
  'net.ECONNREFUSED': 'Connection refused by {host}. Check the base URL and that the platform (or sandbox) is reachable.',
  'net.ENOTFOUND': 'Host {host} not found. Check the base URL.',
  'net.ETIMEDOUT': 'No answer from the platform within {timeout} ms (timeout). If the platform is slow, raise the timeout of the config node; after a dual call or outbound call, check whether the call was placed before trying again.',
  'net.ECONNRESET': 'The connection to the platform was reset. A download cut short is not saved; after a dual call or outbound call, check whether the call was placed before trying again.',
  'net.ABORTED': 'The request was cancelled.',
  'net.abortedCall': 'The call request was cancelled on its way to the platform: the call may have been placed. Check before calling again.',
  'call.answerAfterStop': "The node was stopped before it could send the platform's answer on ({result}); check that call before placing it again.",
  'net.other': 'Network error talking to the platform: {detail}',
  // token
  'token.missing': 'The platform accepted the token application but its answer holds no token.',
  'token.credentials': 'appId, appSecret and apiKey are all required to apply for a token (missing: {field}).',
  'token.secretShort': '{field} has {length} characters: a secret under {min} characters cannot be kept out of logs and error messages, so nothing was sent. Check the config node.',
  // input validation
  'input.required': '{field} is required.',
  'input.string': '{field} must be a non-empty string.',
  'input.object': '{field} must be an object.',
  'input.deviceId': '{field} must include the domain, e.g. 8001@test.cc.',
  'input.phone': '{field} must be {min} to {max} digits, with an optional leading +.',
  'input.prefix': '{field} must be digits, * or # (the outside-line prefix, e.g. 9).',
  'input.boolString': '{field} must be "true" or "false".',
  'input.oneOf': '{field} must be one of: {values}.',
  'input.integer': '{field} must be an integer between {min} and {max}.',
  'input.date': '{field} is not a valid time (use a Date, epoch ms, ISO 8601 or yyyy-MM-dd HH:mm:ss).',
  'input.beginAfterEnd': 'beginTime must not be later than endTime.',
  'input.invalid': '{field} is invalid: {reason}',
  // between the items of a list in a message (allowed values, row numbers, batch ids)
  'list.separator': ', ',
  // client additions: platform text suffix, token rejection, malformed answers, closed client
  'platform.says': ' — platform: {message}',
  'token.rejected': 'The platform rejected the token application (HTTP {status}). Check appId, appSecret, apiKey and the token style of the config node.',
  'response.missing': 'The platform answered HTTP {status} without {field}.',
  'response.notAudio': 'The platform answered HTTP {status} with {contentType} instead of audio.',
  'response.badLocation': 'The platform redirected to {location}, which is no http(s) address to download the recording from.',
  'response.notList': 'The platform answered HTTP {status} without a list of records (neither a JSON array nor an object); that is not taken for "no records".',
  'response.tooLarge': 'The platform answered with more than {max} MB, far more than any answer of this API; the answer was dropped unread.',
  'response.undecodable': "The platform's answer cannot be decoded ({detail}): its Content-Encoding does not match its body.",
  'response.malformed': "The platform's answer is not valid HTTP ({detail}). Check that the base URL points at the platform.",
  'net.closed': 'The client has been closed.',
  'net.EAI_AGAIN': 'Temporary DNS failure while resolving {host}. Retry later.',
  'input.baseUrl': '{field} must be an http:// or https:// URL.',
  'input.dotSegment': '{field} cannot be "." or "..".',
  'input.notJson': '{field} cannot be sent as JSON: it holds a BigInt or a circular reference, or turning it into JSON failed (a getter or toJSON that throws).',
  'input.server': 'No wellcloud config node is selected ({field}). Open this node, choose or add a wellcloud config node, and deploy.',
  // where a required field can be given (Node-RED nodes), appended to input.required
  'input.where.payload': "Set it in the node's dialog or give it as msg.payload.{field}.",
  'input.where.config': "Set it in the node's dialog or in the wellcloud config node, or give it as msg.payload.{field}.",
  'input.where.filename': "Set the node's File or give msg.filename.",
  'error.unexpected': 'Unexpected error in the node: {detail}',
  'input.property': "{field} in the node's dialog cannot be read: {detail}. Fix the value (JSON, JSONata expression or msg path) in the dialog.",
  'input.unreadable': '{field} cannot be read (reading it threw: {detail}).',
  'input.inexact': '{field} is a number too large to be exact ({value}: over 2^53, its last digits are lost); give it as text.',
  'input.dateRange': '{field} ({time}) is outside the years 0000 to 9999 that the platform\'s times (yyyy-MM-dd HH:mm:ss) can hold.',
  'input.unicode': '{field} holds a broken character (half of a UTF-16 surrogate pair, as cutting text in the middle of an emoji leaves): no URL or UTF-8 text can carry it.',
  'input.invisible': '{field} holds an invisible character ({char}, character {position}), as text copied from a chat or a spreadsheet often does: remove it.',
};

const zh: Catalogue = {
  'platform.401': 'token 无效或已过期，或当前账号没有权限（401）。已自动重新申请 token；如仍出现，请在租户控制台检查 appId/appSecret/apiKey 的权限。',
  'platform.403': '请求未携带 token（403）。本节点总会发送 token：请检查 Node-RED 与平台之间的代理是否去掉了 wellcloud_token 请求头。',
  'platform.14001.query': '查询时间跨度过大（14001），请缩小查询的时间范围。',
  'platform.14001.dualCall': 'deviceId 为空（14001），请设置 deviceId，例如 8001@test.cc。',
  'platform.14002.query': '平台内部调用的 GET 服务超时（14002），请稍后重试。',
  'platform.14002.dualCall': 'customerPhone 为空（14002），请设置 customerPhone。',
  'platform.14003': '平台内部调用的 POST 服务超时（14003），请稍后重试。',
  'platform.14004': '开始时间不得大于结束时间（14004），请交换 beginTime 与 endTime。',
  'platform.14005': 'deviceId 不合法（14005）：必须包含域名，例如 8001@test.cc。',
  'platform.12008': 'cms 没有可用的服务实例（12008），属平台侧问题，请稍后重试。',
  'platform.14011': 'callId 不存在（14011），请检查 callId。',
  'platform.14012': '该 callId 没有对应的录音记录（14012），请确认该通话已录音。',
  'platform.14013': '录音文件不存在（14013），请检查录音文件；WAV 录音只保留近期通话的，较早的通话请改用 mp3。',
  'platform.14015': '查询范围跨越了数据库分区（14015），必须在平台给出的时间点分两次查询{at}。',
  'platform.14015.at': '（{at}）',
  'platform.400': '参数格式非法（400），请修正参数。',
  'platform.unknown': '平台返回错误码 {code}。',
  'http.status': '平台返回 HTTP {status}{text}。',
  'http.status.text': '：{text}',
  'http.404.roster': '找不到服务或活动（404），请检查 templateId。',
  'http.404.outbound': '找不到该活动（404），请检查 activityId（租户控制台 → 自动外呼 → 活动管理）。',
  'http.500': '平台内部错误（HTTP {status}），请稍后重试。',
  'net.ECONNREFUSED': '{host} 拒绝连接，请检查基础地址，并确认平台（或沙箱）可以访问。',
  'net.ENOTFOUND': '找不到主机 {host}，请检查基础地址。',
  'net.ETIMEDOUT': '平台在 {timeout} 毫秒内没有应答（超时）。平台较慢时可调大配置节点中的超时时间；双呼或外呼后出现此错误时，请先确认呼叫是否已发出，再决定是否重试。',
  'net.ECONNRESET': '与平台的连接被重置。中途断开的下载不会被保存；双呼或外呼后出现此错误时，请先确认呼叫是否已发出，再决定是否重试。',
  'net.ABORTED': '请求已取消。',
  'net.abortedCall': '呼叫请求在发往平台途中被取消：呼叫可能已经发出。再次呼叫前请先确认。',
  'call.answerAfterStop': '节点在把平台的应答（{result}）传给下一个节点之前已停止；再次呼叫前请先确认该呼叫。',
  'net.other': '与平台通信时发生网络错误：{detail}',
  'token.missing': '平台接受了 token 申请，但应答中没有 token。',
  'token.credentials': '申请 token 需要 appId、appSecret 和 apiKey（缺少：{field}）。',
  'token.secretShort': '{field} 只有 {length} 个字符：少于 {min} 个字符的密钥无法在日志和错误信息中隐去，因此未发送任何请求。请检查配置节点。',
  'input.required': '{field} 为必填项。',
  'input.string': '{field} 必须是非空字符串。',
  'input.object': '{field} 必须是对象。',
  'input.deviceId': '{field} 必须包含域名，例如 8001@test.cc。',
  'input.phone': '{field} 必须是 {min} 到 {max} 位数字，可以以 + 开头。',
  'input.prefix': '{field} 只能包含数字、* 或 #（外线前缀，例如 9）。',
  'input.boolString': '{field} 只能是 "true" 或 "false"。',
  'input.oneOf': '{field} 只能是以下之一：{values}。',
  'input.integer': '{field} 必须是 {min} 到 {max} 之间的整数。',
  'input.date': '{field} 不是有效的时间（可用 Date、毫秒时间戳、ISO 8601 或 yyyy-MM-dd HH:mm:ss）。',
  'input.beginAfterEnd': 'beginTime 不得晚于 endTime。',
  'input.invalid': '{field} 无效：{reason}',
  'list.separator': '、',
  'platform.says': '（平台：{message}）',
  'token.rejected': '平台拒绝了 token 申请（HTTP {status}），请检查配置节点的 appId、appSecret、apiKey 以及 token 申请方式。',
  'response.missing': '平台返回 HTTP {status}，但应答中没有 {field}。',
  'response.notAudio': '平台返回 HTTP {status}，内容为 {contentType}，而不是音频。',
  'response.badLocation': '平台重定向到 {location}，这不是可下载录音的 http:// 或 https:// 地址。',
  'response.notList': '平台返回 HTTP {status}，但应答不是记录列表（既非 JSON 数组也非对象），不会将其当作“没有记录”。',
  'response.tooLarge': '平台的应答超过 {max} MB，远超此接口的任何正常应答，已丢弃未读。',
  'response.undecodable': '无法解码平台的应答（{detail}）：其 Content-Encoding 与内容不符。',
  'response.malformed': '平台的应答不是有效的 HTTP（{detail}），请检查基础地址是否指向平台。',
  'net.closed': '客户端已关闭。',
  'net.EAI_AGAIN': '解析 {host} 时 DNS 暂时失败，请稍后重试。',
  'input.baseUrl': '{field} 必须是 http:// 或 https:// 地址。',
  'input.dotSegment': '{field} 不能是 "." 或 ".."。',
  'input.notJson': '{field} 无法以 JSON 发送：其中含有 BigInt 或循环引用，或者转换为 JSON 时出错（getter 或 toJSON 抛出了异常）。',
  'input.server': '未选择 wellcloud 配置节点（{field}）。请打开本节点，选择或新建一个 wellcloud 配置节点，然后重新部署。',
  'input.where.payload': '请在节点对话框中填写，或通过 msg.payload.{field} 提供。',
  'input.where.config': '请在节点对话框或 wellcloud 配置节点中填写，或通过 msg.payload.{field} 提供。',
  'input.where.filename': '请在节点的“文件”中填写，或通过 msg.filename 提供。',
  'error.unexpected': '节点发生意外错误：{detail}',
  'input.property': '无法读取节点对话框中的 {field}：{detail}。请修正对话框中的值（JSON、JSONata 表达式或 msg 属性路径）。',
  'input.unreadable': '无法读取 {field}（读取时出错：{detail}）。',
  'input.inexact': '{field} 是超出精确范围的数字（{value}：超过 2^53，末尾几位已丢失），请以文本形式提供。',
  'input.dateRange': '{field}（{time}）超出平台时间格式（yyyy-MM-dd HH:mm:ss）可表示的 0000 至 9999 年。',
  'input.unicode': '{field} 含有残缺的字符（UTF-16 代理对只剩一半，常见于从表情符号中间截断文本），URL 和 UTF-8 文本都无法传送它。',
  'input.invisible': '{field} 含有不可见字符（{char}，第 {position} 个字符），常见于从聊天软件或表格复制的文本，请删除。',
};

const catalogues: Record<Lang, Catalogue> = { 'en-US': en, 'zh-CN': zh };

/** Registers more messages (used by lib modules that own their own texts). */
export function addMessages(lang: Lang, messages: Catalogue): void {
  Object.assign(catalogues[lang], messages);
}

export function normaliseLang(lang: unknown): Lang {
  return typeof lang === 'string' && /^zh/i.test(lang) ? 'zh-CN' : 'en-US';
}

/** `items` as one list in a message of `lang` ("a, b" in en-US, "a、b" in zh-CN). */
export function listText(lang: Lang | undefined, items: readonly unknown[]): string {
  return items.map(String).join(t(lang, 'list.separator'));
}

/** Translates `key`, replacing `{name}` placeholders with `vars`. Falls back to en-US, then the key. */
export function t(lang: Lang | undefined, key: string, vars: Record<string, unknown> = {}): string {
  const text = catalogues[lang ?? 'en-US'][key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** Every message key of one language (tests compare the two catalogues). */
export function catalogueKeys(lang: Lang): string[] {
  return Object.keys(catalogues[lang]);
}

export function hasMessage(key: string): boolean {
  return key in en;
}
