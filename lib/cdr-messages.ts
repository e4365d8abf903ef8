/** The CDR modules' own texts (lib/cdr.ts, lib/cdr-range.ts), in both languages. */
import { addMessages } from './i18n';

addMessages('en-US', {
  'cdr.maxRecords': 'The query has more than {max} records (maxRecords). Narrow the time range, raise maxRecords, or set the output to "one message per page" or "one message per record".',
  'cdr.splitLimit': 'The platform kept refusing the time range: it was split into more than {max} pieces. Query a shorter range.',
});
addMessages('zh-CN', {
  'cdr.maxRecords': '查询结果超过 {max} 条（maxRecords）。请缩小时间范围、调大 maxRecords，或把输出方式改为“每页一条消息”或“每条话单一条消息”。',
  'cdr.splitLimit': '平台一直拒绝该时间段：已拆分超过 {max} 段，请查询更短的时间段。',
});
