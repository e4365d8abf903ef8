/** en-US / zh-CN texts of the event receiver (lib/events.ts), registered into the lib catalogue. */
import { addMessages } from './i18n';

addMessages('en-US', {
  'events.emptyBody': 'The request body is empty.',
  'events.tooLarge': 'The request body is larger than the limit of {max} bytes.',
  'events.badJson': 'The request body is not valid JSON.',
  'events.badJsonAt': 'The request body is not valid JSON (error at character {position}).',
  'events.notObject': 'The request body must be a JSON object (an event) or a JSON array of outbound results.',
  'events.missingField': 'The event has no {field}.',
  'events.badField': '{field} must be {expected}.',
  'events.notResult': 'Item {index} of the array is not an outbound result (an object with callId or id).',
  'events.emptyArray': 'The array of outbound results is empty.',
  'events.tooDeep': 'The request body nests objects or arrays more than {max} levels deep; no event does.',
  'events.unauthorized': 'The request does not carry the right secret (query key or header x-wellcloud-key).',
  'events.badSignature': 'The request signature (query signature, timestamp, nonce) is missing or wrong.',
  'events.noEchostr': 'The GET URL check has no echostr.',
  'events.expected.string': 'a non-empty string',
  'events.expected.object': 'an object',
});

addMessages('zh-CN', {
  'events.emptyBody': '请求体为空。',
  'events.tooLarge': '请求体超过 {max} 字节的上限。',
  'events.badJson': '请求体不是合法的 JSON。',
  'events.badJsonAt': '请求体不是合法的 JSON（第 {position} 个字符处出错）。',
  'events.notObject': '请求体必须是 JSON 对象（事件）或外呼结果的 JSON 数组。',
  'events.missingField': '事件缺少 {field}。',
  'events.badField': '{field} 必须是{expected}。',
  'events.notResult': '数组第 {index} 项不是外呼结果（应为含 callId 或 id 的对象）。',
  'events.emptyArray': '外呼结果数组为空。',
  'events.tooDeep': '请求体中对象或数组的嵌套超过 {max} 层，不是有效的事件。',
  'events.unauthorized': '请求未携带正确的密钥（查询参数 key 或请求头 x-wellcloud-key）。',
  'events.badSignature': '请求签名（查询参数 signature、timestamp、nonce）缺失或不正确。',
  'events.noEchostr': 'GET 地址验证请求缺少 echostr。',
  'events.expected.string': '非空字符串',
  'events.expected.object': '对象',
});
