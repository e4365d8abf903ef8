/**
 * Roster file validation (guide §5.2.1): one roster per line,
 * `rosterId,prdType,number[,customerId[,key:value|key:value]]`, UTF-8.
 */

export interface RosterRow {
  rosterId: string;
  prdType: string;
  number: string;
  customerId: string | null;
  data: Record<string, string> | null;
}

export type RosterResult = { ok: true; rows: RosterRow[] } | { ok: false; message: string };

const NUMBER = /^\+?\d{3,20}$/;

function lineError(n: number, what: string): RosterResult {
  return { ok: false, message: `名单文件第${n}行格式错误：${what}` };
}

function parseData(text: string): Record<string, string> | null {
  const data: Record<string, string> = {};
  for (const pair of text.split('|')) {
    const kv = pair.split(':');
    if (kv.length !== 2 || !kv[0]) return null;
    // an own key whatever its name: `data['__proto__'] = ...` would set the prototype (or nothing) instead
    Object.defineProperty(data, kv[0], { value: kv[1] ?? '', enumerable: true, writable: true, configurable: true });
  }
  return data;
}

function parseLine(line: string, n: number): RosterRow | RosterResult {
  if (line.trim() === '') return lineError(n, '空行');
  const f = line.split(',');
  if (f.length < 3 || f.length > 5) return lineError(n, `应为3到5个以英文逗号分隔的字段（rosterId,prdType,number,customerId,随路数据），实际为${f.length}个`);
  const [rosterId = '', prdType = '', number = '', customerId = '', dataText = ''] = f;
  if (!rosterId.trim()) return lineError(n, 'rosterId不能为空');
  if (!prdType.trim()) return lineError(n, 'prdType不能为空');
  if (!number.trim()) return lineError(n, 'number不能为空');
  if (!NUMBER.test(number)) return lineError(n, `number不是合法的号码：${number}`);
  const data = dataText === '' ? null : parseData(dataText);
  if (dataText !== '' && data === null) return lineError(n, '随路数据应为key:value|key:value');
  return { rosterId, prdType, number, customerId: customerId === '' ? null : customerId, data };
}

/** Validates every line; the first bad line fails the whole file. */
export function parseRoster(bytes: Buffer): RosterResult {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, message: '名单文件必须为UTF-8编码' };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return { ok: false, message: '名单文件内容为空' };
  const rows: RosterRow[] = [];
  for (let i = 0; i < lines.length; i++) {
    const r = parseLine(lines[i] as string, i + 1);
    if ('ok' in r) return r;
    rows.push(r);
  }
  return { ok: true, rows };
}
