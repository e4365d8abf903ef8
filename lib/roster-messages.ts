/** en-US / zh-CN texts of the roster module (registered with addMessages, same keys in both). */
import { addMessages } from './i18n';

const FORMAT = 'rosterId,prdType,number[,customerId[,key:value|key:value]]';

addMessages('en-US', {
  'roster.empty': 'The roster has no rows.',
  'roster.input': '{field} must be roster text, a Buffer or an array of rows; or give a file name in msg.filename or in the node.',
  'roster.file': 'Cannot read the roster file {file}: {reason}',
  'roster.fileChanged': 'The roster file {file} changed while it was being uploaded; upload it again.',
  'roster.row.object': `row {row}: must be an object {rosterId, prdType, number, customerId?, data?}.`,
  'roster.row.type': 'row {row}: {field} must be a string or a number.',
  'roster.row.required': 'row {row}: {field} is required.',
  'roster.row.comma': 'row {row}: {field} must not contain ",".',
  'roster.row.newline': 'row {row}: {field} must not contain a line break.',
  'roster.row.number': 'row {row}: number must be {min} to {max} digits with an optional leading +.',
  'roster.row.fieldCount': `row {row}: fields found: {count}; a row is ${FORMAT} (3 to 5 fields) and no field may contain ",".`,
  'roster.row.dataObject': 'row {row}: data must be an object whose values are strings.',
  'roster.row.dataKey': 'row {row}: a data key must not be empty.',
  'roster.row.dataChar': 'row {row}: {field} must not contain ":", "|" or ",".',
  'roster.row.dataValue': 'row {row}: {field} must be a string, a number or a boolean.',
  'roster.row.dataPair': 'row {row}: data must be key:value pairs separated by "|", with exactly one ":" per pair and a non-empty key (pair {pair}).',
  'roster.row.utf8': 'row {row}: the text is not valid UTF-8. Save the file as UTF-8 (in Excel: "CSV UTF-8").',
  'roster.row.cr': 'row {row}: the line ends with a lone carriage return; lines must end with LF or CRLF.',
  'roster.row.tooLong': 'row {row}: the row is longer than the upload limit of {max} bytes.',
  'roster.duplicates': 'Rows that repeat an earlier row: {count} (rows {rows}{more}). The platform does not de-duplicate: they will be dialled again.',
  'roster.batchFailed': 'Upload of batch {index} of {count} failed: {reason} Already uploaded: {uploaded}.',
  'roster.noneUploaded': 'none',
});

addMessages('zh-CN', {
  'roster.empty': '名单中没有任何行。',
  'roster.input': '{field} 必须是名单文本、Buffer 或名单行数组；也可以在 msg.filename 或节点中填写文件名。',
  'roster.file': '无法读取名单文件 {file}：{reason}',
  'roster.fileChanged': '名单文件 {file} 在上传过程中被修改，请重新上传。',
  'roster.row.object': '第 {row} 行：必须是对象 {rosterId, prdType, number, customerId?, data?}。',
  'roster.row.type': '第 {row} 行：{field} 必须是字符串或数字。',
  'roster.row.required': '第 {row} 行：{field} 为必填项。',
  'roster.row.comma': '第 {row} 行：{field} 不能包含英文逗号 ","。',
  'roster.row.newline': '第 {row} 行：{field} 不能包含换行符。',
  'roster.row.number': '第 {row} 行：number 必须是 {min} 到 {max} 位数字，可以以 + 开头。',
  'roster.row.fieldCount': `第 {row} 行：共有 {count} 个字段；每行格式为 ${FORMAT}（3 到 5 个字段），任何字段都不能包含英文逗号。`,
  'roster.row.dataObject': '第 {row} 行：data 必须是值为字符串的对象。',
  'roster.row.dataKey': '第 {row} 行：data 的键不能为空。',
  'roster.row.dataChar': '第 {row} 行：{field} 不能包含 ":"、"|" 或 ","。',
  'roster.row.dataValue': '第 {row} 行：{field} 必须是字符串、数字或布尔值。',
  'roster.row.dataPair': '第 {row} 行：随路数据必须是以 "|" 分隔的 key:value 对，每对恰好一个 ":" 且键不能为空（第 {pair} 对）。',
  'roster.row.utf8': '第 {row} 行：文本不是有效的 UTF-8 编码。请将文件另存为 UTF-8（Excel 中选择“CSV UTF-8（逗号分隔）”）。',
  'roster.row.cr': '第 {row} 行：行尾只有回车符；每行必须以 LF 或 CRLF 结尾。',
  'roster.row.tooLong': '第 {row} 行：该行超过了 {max} 字节的上传上限。',
  'roster.duplicates': '有 {count} 行与前面的行完全相同（第 {rows}{more} 行）。平台不会去重：这些名单会被重复拨打。',
  'roster.batchFailed': '第 {index} 批（共 {count} 批）上传失败：{reason} 已上传的批次：{uploaded}。',
  'roster.noneUploaded': '无',
});
