'use strict';
// lib/roster: row format, validation (row and field named), serialisation, splitting, files,
// duplicate detection, and multi-batch upload against the sandbox.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { dist, useSandbox, sleep, openFds } = require('../helpers');

const roster = dist('lib/roster');
const { prepareRoster, prepareRosterFile, uploadRosterParts, duplicatesWarning, rowToLine, uploadName, ROSTER_MAX_BYTES } = roster;

/** Everything the parts would upload, concatenated. */
async function partText(prepared) {
  const out = [];
  for (const p of prepared.parts) {
    if (Buffer.isBuffer(p.content)) out.push(p.content);
    else {
      const chunks = [];
      for await (const c of p.content()) chunks.push(c);
      out.push(Buffer.concat(chunks));
    }
  }
  return out;
}

function expectRowError(fn, row, field, keyPart) {
  assert.throws(fn, (e) => {
    assert.strictEqual(e.code, 'INVALID_INPUT');
    assert.strictEqual(e.field, field);
    assert.strictEqual(e.details && e.details.row, row);
    assert.ok(e.message.startsWith(`row ${row}: `), e.message);
    if (keyPart) assert.ok(e.message.includes(keyPart), e.message);
    return true;
  });
}

let tmpDir;
before(() => {
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wellcloud-roster-'));
});
after(() => fs.rmSync(tmpDir, { recursive: true, force: true }));

describe('lib/roster: rows as objects', function () {
  it('writes 3, 4 and 5 fields in the platform format', function () {
    assert.strictEqual(rowToLine({ rosterId: '1', prdType: 'S', number: '13912345678' }, 1), '1,S,13912345678');
    assert.strictEqual(rowToLine({ rosterId: 1, prdType: 'S', number: 13912345678, customerId: 'c1' }, 1), '1,S,13912345678,c1');
    assert.strictEqual(rowToLine({ rosterId: '1', prdType: 'S', number: '+8613912345678', data: { name: '张三', age: 26, vip: true } }, 1), '1,S,+8613912345678,,name:张三|age:26|vip:true');
    assert.strictEqual(rowToLine({ rosterId: '1', prdType: 'S', number: '139', customerId: null, data: {} }, 1), '1,S,139');
  });

  it('prepares one part with every row and a trailing line feed', function () {
    const r = prepareRoster([
      { rosterId: 'a', prdType: 'S', number: '13900000001' },
      { rosterId: 'b', prdType: 'S', number: '13900000002', customerId: 'c2', data: { k: 'v' } },
    ]);
    assert.strictEqual(r.rows, 2);
    assert.strictEqual(r.parts.length, 1);
    assert.strictEqual(r.parts[0].content.toString(), 'a,S,13900000001\nb,S,13900000002,c2,k:v\n');
    assert.strictEqual(r.bytes, r.parts[0].content.length);
    assert.deepStrictEqual([r.parts[0].firstRow, r.parts[0].lastRow, r.parts[0].rows], [1, 2, 2]);
    assert.strictEqual(r.duplicates.count, 0);
  });

  const ok = { rosterId: 'r', prdType: 'S', number: '13900000000' };
  const cases = [
    ['a missing rosterId', { prdType: 'S', number: '13900000000' }, 'rosterId', 'is required'],
    ['a blank prdType', { ...ok, prdType: '  ' }, 'prdType', 'is required'],
    ['a missing number', { rosterId: 'r', prdType: 'S' }, 'number', 'is required'],
    ['a number with letters', { ...ok, number: '139-0000' }, 'number', 'digits'],
    ['a number too short', { ...ok, number: '12' }, 'number', 'digits'],
    ['a comma in customerId', { ...ok, customerId: 'a,b' }, 'customerId', '","'],
    ['a line break in rosterId', { ...ok, rosterId: 'a\nb' }, 'rosterId', 'line break'],
    ['an object as prdType', { ...ok, prdType: { x: 1 } }, 'prdType', 'string or a number'],
    ['data that is an array', { ...ok, data: ['a'] }, 'data', 'object'],
    ['a ":" in a data value', { ...ok, data: { time: '12:30' } }, 'data.time', '":"'],
    ['a "|" in a data key', { ...ok, data: { 'a|b': '1' } }, 'data.a|b', '"|"'],
    ['an empty data key', { ...ok, data: { '': '1' } }, 'data', 'empty'],
    ['a null data value', { ...ok, data: { k: null } }, 'data.k', 'string, a number or a boolean'],
    ['a number given as true', { ...ok, number: true }, 'number', 'digits'],
    ['a negative number', { ...ok, number: -13900000000 }, 'number', 'digits'],
    ['a number with a fraction', { ...ok, number: 139000000.5 }, 'number', 'digits'],
    ['a line break in a data value', { ...ok, data: { note: 'a\r\nb' } }, 'data.note', 'line break'],
    // getters and proxies that throw: a TypeError out of prepareRoster before, "Unexpected error" in the node
    ['a rosterId whose getter throws', Object.defineProperty({ ...ok }, 'rosterId', { get: () => assert.fail('no access') }), 'rosterId', 'cannot be read (reading it threw: no access)'],
    ['a data value whose getter throws', { ...ok, data: Object.defineProperty({}, 'k', { enumerable: true, get: () => assert.fail('no access') }) }, 'data.k', 'cannot be read'],
    ['data whose key listing throws', { ...ok, data: new Proxy({}, { ownKeys: () => assert.fail('no keys') }) }, 'data', 'cannot be read (reading it threw: no keys)'],
    ['a row that is a proxy throwing on every read', new Proxy({}, { get: () => assert.fail('no reads') }), 'rosterId', 'cannot be read'],
    // half of a surrogate pair: uploaded as U+FFFD before, another text than the row's
    ['a rosterId cut in the middle of an emoji', { ...ok, rosterId: '😀'.slice(0, 1) }, 'rosterId', 'broken character'],
    ['a data value with a lone low surrogate', { ...ok, data: { k: 'a\udc00' } }, 'data.k', 'broken character'],
  ];
  for (const [name, bad, field, text] of cases) {
    it(`fails on ${name}, naming row and field`, function () {
      expectRowError(() => prepareRoster([ok, ok, bad, ok]), 3, field, text);
    });
  }

  it('fails on a row that is not an object', function () {
    expectRowError(() => prepareRoster([ok, 'x']), 2, 'row', 'must be an object');
  });

  it('fails on a row the array gives through a getter that throws', function () {
    const list = [ok, ok];
    Object.defineProperty(list, 1, { get: () => assert.fail('no access') });
    expectRowError(() => prepareRoster(list), 2, 'row', 'cannot be read (reading it threw: no access)');
  });

  it('fails on an empty array, naming payload', function () {
    assert.throws(() => prepareRoster([]), (e) => e.code === 'INVALID_INPUT' && e.field === 'payload');
  });

  it('fails on input that is not a roster', function () {
    assert.throws(() => prepareRoster(42), (e) => e.code === 'INVALID_INPUT' && e.field === 'payload');
  });

  it('gives messages in Chinese when asked', function () {
    assert.throws(() => prepareRoster([ok, { ...ok, number: '' }], { lang: 'zh-CN' }), (e) => e.message === '第 2 行：number 为必填项。');
  });

  it('splits at row boundaries into parts within the limit, every row once and in order', function () {
    const rows = [];
    for (let i = 0; i < 1000; i++) rows.push({ rosterId: `r${i}`, prdType: 'S', number: `139${String(i).padStart(8, '0')}`, data: { name: `名字${i}` } });
    const max = 4096;
    const r = prepareRoster(rows, { maxPartBytes: max });
    assert.ok(r.parts.length > 5);
    let next = 1;
    const lines = [];
    for (const p of r.parts) {
      assert.ok(p.content.length <= max, `part ${p.index} has ${p.content.length} bytes`);
      assert.strictEqual(p.bytes, p.content.length);
      assert.strictEqual(p.firstRow, next);
      assert.strictEqual(p.lastRow - p.firstRow + 1, p.rows);
      next = p.lastRow + 1;
      const text = p.content.toString('utf8');
      assert.ok(text.endsWith('\n'));
      lines.push(...text.slice(0, -1).split('\n'));
    }
    assert.deepStrictEqual(lines, rows.map((row, i) => rowToLine(row, i + 1)));
  });

  it('fails on a single row longer than the limit', function () {
    expectRowError(() => prepareRoster([ok, { ...ok, customerId: 'x'.repeat(200) }], { maxPartBytes: 100 }), 2, 'row', 'longer than');
  });

  it('counts duplicate rows and names the first ones', function () {
    const r = prepareRoster([ok, { ...ok, rosterId: 'other' }, ok, { ...ok }, { ...ok, rosterId: 'other' }]);
    assert.deepStrictEqual(r.duplicates, { count: 3, rows: [3, 4, 5] });
    assert.match(duplicatesWarning('en-US', r.duplicates), /^Rows that repeat an earlier row: 3 \(rows 3, 4, 5\)/);
    assert.strictEqual(duplicatesWarning('en-US', prepareRoster([ok]).duplicates), undefined);
  });
});

describe('lib/roster-hash: fingerprint set', function () {
  const { FingerprintSet } = dist('lib/roster-hash');
  it('remembers every fingerprint across growth, (0, 0) included', function () {
    const set = new FingerprintSet(4);
    for (let i = 0; i < 5000; i++) assert.strictEqual(set.add(i * 7919, -i), false, `new ${i}`);
    assert.strictEqual(set.add(0, 0), true, '(0, 0) was added by i = 0');
    for (let i = 1; i < 5000; i++) assert.strictEqual(set.add(i * 7919, -i), true, `seen ${i}`);
    assert.strictEqual(set.add(1, 0), false);
    assert.strictEqual(set.size, 5001);
  });
});

describe('lib/roster: text and Buffers', function () {
  it('accepts CRLF and a BOM, and leaves the BOM out of the upload', async function () {
    const r = prepareRoster(Buffer.from('\ufeff1,S,13900000001\r\n2,S,13900000002,c2,k:v\r\n', 'utf8'));
    assert.strictEqual(r.rows, 2);
    assert.strictEqual((await partText(r)).join(''), '1,S,13900000001\r\n2,S,13900000002,c2,k:v\r\n');
  });

  it('reads text given as a string, a last line without line feed included', function () {
    const r = prepareRoster('12345,S,17412345678,a01,name:张三|age:26\n12345,S,17412345678,a02,name:李四|age:28');
    assert.strictEqual(r.rows, 2);
    assert.strictEqual(r.parts[0].content.toString(), '12345,S,17412345678,a01,name:张三|age:26\n12345,S,17412345678,a02,name:李四|age:28');
  });

  it('skips blank lines (also leaves them out of the upload) but counts them in row numbers', async function () {
    const text = '\n1,S,13900000001\n\n   \n2,S,13900000002\n\n';
    const r = prepareRoster(text);
    assert.strictEqual(r.rows, 2);
    assert.strictEqual((await partText(r)).join(''), '1,S,13900000001\n2,S,13900000002\n');
    expectRowError(() => prepareRoster('\n1,S,13900000001\n\nbad\n'), 4, 'row', 'fields found: 1;');
  });

  const cases = [
    ['too many fields', '1,S,139000,c,k:v,extra', 'row', 'fields found: 6;'],
    ['too few fields', '1,S', 'row', 'fields found: 2;'],
    ['an empty rosterId', ',S,13900000000', 'rosterId', 'is required'],
    ['an empty prdType', '1, ,13900000000', 'prdType', 'is required'],
    ['an empty number', '1,S,,c', 'number', 'is required'],
    ['a bad number', '1,S,139 0000', 'number', 'digits'],
    ['a data pair without ":"', '1,S,13900000000,c,name', 'data', 'pair 1'],
    ['a data value with ":"', '1,S,13900000000,c,a:1|t:12:30', 'data', 'pair 2'],
    ['an empty data key', '1,S,13900000000,c,:x', 'data', 'pair 1'],
    ['a trailing "|"', '1,S,13900000000,c,a:1|', 'data', 'pair 2'],
  ];
  for (const [name, line, field, text] of cases) {
    it(`fails on ${name}, naming row and field`, function () {
      expectRowError(() => prepareRoster(`1,S,13900000000\n2,S,13900000000\n${line}\n4,S,13900000000\n`), 3, field, text);
    });
  }

  it('fails on text given as a string holding half of a surrogate pair, naming its row, rows before it first', async function () {
    const cut = '😀'.slice(0, 1);
    // (a whole emoji is fine)
    assert.strictEqual((await partText(prepareRoster('1,S,13900000001,😀\n'))).join(''), '1,S,13900000001,😀\n');
    expectRowError(() => prepareRoster(`1,S,13900000001\n\n3,S,13900000003,c${cut}\n4,S,13900000004\n`), 3, 'row', 'broken character');
    expectRowError(() => prepareRoster(`1,S,139\n2,S\n3,S,13900000003,${cut}\n`), 2, 'row', 'fields found: 2;');
    assert.throws(() => prepareRoster(`1,S,13900000001,${'😀'.slice(1)}`, { lang: 'zh-CN' }), (e) => e.field === 'row' && e.details.row === 1 && /^第 1 行：文本含有残缺的字符/.test(e.message));
  });

  it('accepts an empty customerId and an empty data field', function () {
    assert.strictEqual(prepareRoster('1,S,13900000000,,\n2,S,13900000000,,k:\n').rows, 2);
  });

  it('fails on bytes that are not UTF-8 (e.g. a GBK file), naming the row', function () {
    const gbk = Buffer.from([0x31, 0x2c, 0x53, 0x2c, 0x31, 0x33, 0x39, 0x2c, 0x2c, 0x6e, 0x3a, 0xd5, 0xc5, 0x0a]);
    const good = Buffer.from('1,S,13900000000\n');
    expectRowError(() => prepareRoster(Buffer.concat([good, gbk])), 2, 'row', 'UTF-8');
    expectRowError(() => prepareRoster(Buffer.concat([good, Buffer.from([0x31, 0x2c, 0xe5, 0x0a])])), 2, 'row', 'UTF-8');
  });

  it('takes characters outside the BMP (4-byte UTF-8, e.g. emoji) as they are', async function () {
    const text = '1,S,13900000001,c1,name:张三😀|tag:𠀀\n2,S,13900000002\n';
    const r = prepareRoster(Buffer.from(text, 'utf8'));
    assert.strictEqual(r.rows, 2);
    assert.strictEqual((await partText(r)).join(''), text);
  });

  it('fails on UTF-8 sequences the standard forbids (overlong, surrogate, beyond U+10FFFF, bad lead byte), naming the row', function () {
    const good = Buffer.from('1,S,13900000000\n');
    const bad = {
      'an overlong 3-byte form': [0xe0, 0x80, 0x80],
      'a surrogate half': [0xed, 0xa0, 0x80],
      'an overlong 4-byte form': [0xf0, 0x80, 0x80, 0x80],
      'a code point beyond U+10FFFF': [0xf4, 0x90, 0x80, 0x80],
      'lead byte 0xF5': [0xf5, 0x80, 0x80, 0x80],
    };
    for (const [name, bytes] of Object.entries(bad)) {
      const row = Buffer.concat([Buffer.from('2,S,13900000000,c,k:'), Buffer.from(bytes), Buffer.from('\n')]);
      try {
        expectRowError(() => prepareRoster(Buffer.concat([good, row])), 2, 'row', 'UTF-8');
      } catch (e) {
        e.message = `${name}: ${e.message}`;
        throw e;
      }
    }
    assert.throws(() => prepareRoster(Buffer.concat([good, Buffer.from([0x32, 0x2c, 0x53, 0x2c, 0xf5, 0x0a])]), { lang: 'zh-CN' }), (e) => e.message.startsWith('第 2 行：文本不是有效的 UTF-8 编码。'));
  });

  it('fails on a text row longer than the upload limit, naming the row', function () {
    expectRowError(() => prepareRoster(`1,S,13900000000\n2,S,13900000000,${'x'.repeat(200)}\n`, { maxPartBytes: 100 }), 2, 'row', 'longer than the upload limit of 100 bytes');
  });

  it('fails on a lone carriage return', function () {
    expectRowError(() => prepareRoster('1,S,13900000000\r2,S,13900000000\n'), 1, 'row', 'carriage return');
  });

  it('fails on text with no rows', function () {
    assert.throws(() => prepareRoster('\n \r\n'), (e) => e.code === 'INVALID_INPUT' && e.field === 'payload');
    assert.throws(() => prepareRoster(''), (e) => e.code === 'INVALID_INPUT');
  });

  it('splits text at line boundaries; blank lines at a cut are left out', async function () {
    const lines = [];
    for (let i = 0; i < 500; i++) lines.push(`${i},S,139${String(i).padStart(8, '0')},c${i},k:值${i}`);
    const text = lines.join('\r\n\r\n') + '\r\n';
    const r = prepareRoster(text, { maxPartBytes: 2000 });
    assert.ok(r.parts.length >= 5);
    const got = [];
    for (const buf of await partText(r)) {
      assert.ok(buf.length <= 2000);
      const s = buf.toString('utf8');
      assert.ok(!s.startsWith('\r\n') && s.endsWith('\r\n'));
      got.push(...s.split('\r\n').filter((l) => l !== ''));
    }
    assert.deepStrictEqual(got, lines);
    assert.strictEqual(r.parts[1].firstRow, 2 * r.parts[0].rows + 1);
  });

  it('finds duplicate lines, CRLF or not', function () {
    const r = prepareRoster('1,S,13900000000\r\n2,S,13900000000\n1,S,13900000000\n');
    assert.deepStrictEqual(r.duplicates, { count: 1, rows: [3] });
  });
});

describe('lib/roster: files', function () {
  it('streams a file: parts are read streams of whole lines, BOM and blank lines left out', async function () {
    const file = path.join(tmpDir, 'list.csv');
    const lines = [];
    for (let i = 0; i < 300; i++) lines.push(`${i},S,139${String(i).padStart(8, '0')}`);
    fs.writeFileSync(file, '\ufeff' + lines.slice(0, 150).join('\n') + '\n\n' + lines.slice(150).join('\n') + '\n');
    const r = await prepareRosterFile(file, { maxPartBytes: 1000 });
    assert.strictEqual(r.rows, 300);
    assert.strictEqual(r.filename, 'list.csv');
    assert.ok(r.parts.every((p) => typeof p.content === 'function'));
    const bufs = await partText(r);
    bufs.forEach((b, i) => {
      assert.strictEqual(b.length, r.parts[i].bytes);
      assert.ok(b.length <= 1000);
    });
    assert.strictEqual(Buffer.concat(bufs).toString(), lines.join('\n') + '\n');
    await r.verify();
  });

  it('names row and field of a bad line in a file', async function () {
    const file = path.join(tmpDir, 'bad.txt');
    fs.writeFileSync(file, '1,S,13900000000\n2,S,\n');
    await assert.rejects(prepareRosterFile(file), (e) => e.code === 'INVALID_INPUT' && e.field === 'number' && e.details.row === 2);
  });

  it('fails on a missing file naming filename', async function () {
    await assert.rejects(prepareRosterFile(path.join(tmpDir, 'nope.txt')), (e) => e.code === 'INVALID_INPUT' && e.field === 'filename' && /ENOENT/.test(e.message));
    await assert.rejects(prepareRosterFile(tmpDir), (e) => e.code === 'INVALID_INPUT' && e.field === 'filename');
  });

  it('fails on a file with no rows (blank lines, a BOM) naming filename, not payload', async function () {
    const file = path.join(tmpDir, 'blank.csv');
    fs.writeFileSync(file, '\ufeff\r\n \n\n');
    await assert.rejects(prepareRosterFile(file), (e) => e.code === 'INVALID_INPUT' && e.field === 'filename' && e.message === 'The roster has no rows.');
    await assert.rejects(prepareRosterFile(file, { lang: 'zh-CN' }), (e) => e.field === 'filename' && e.message === '名单中没有任何行。');
    assert.strictEqual(openFds(file), 0);
  });

  it('fails on a file name that is not text, naming filename', async function () {
    for (const bad of [42, '  ', undefined]) await assert.rejects(prepareRosterFile(bad), (e) => e.code === 'INVALID_INPUT' && e.field === 'filename');
  });

  it('notices a file changed after it was checked', async function () {
    const file = path.join(tmpDir, 'changing.txt');
    fs.writeFileSync(file, '1,S,13900000000\n');
    const r = await prepareRosterFile(file);
    fs.appendFileSync(file, '2,S,13900000000\n');
    await assert.rejects(r.verify(), (e) => e.code === 'INVALID_INPUT' && e.field === 'filename');
  });

  it('stops reading when aborted', async function () {
    const file = path.join(tmpDir, 'abort.txt');
    fs.writeFileSync(file, '1,S,13900000000\n'.repeat(10000));
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(prepareRosterFile(file, { signal: ac.signal }), (e) => e.code === 'ABORTED');
    assert.strictEqual(openFds(file), 0, 'the file is closed when the promise settles');
  });

  it('has closed the file when a check settles, read to the end or failed on a row', async function () {
    const file = path.join(tmpDir, 'closed.txt');
    fs.writeFileSync(file, '1,S,13900000000\n'.repeat(20000));
    await prepareRosterFile(file);
    assert.strictEqual(openFds(file), 0);
    fs.appendFileSync(file, 'bad row\n');
    await assert.rejects(prepareRosterFile(file), (e) => e.code === 'INVALID_INPUT');
    assert.strictEqual(openFds(file), 0);
  });

  it('sends a plain upload name with a txt/csv/dat extension', function () {
    assert.strictEqual(uploadName('/x/roster-2024.csv'), 'roster-2024.csv');
    assert.strictEqual(uploadName('/x/名单.csv'), 'roster.csv');
    assert.strictEqual(uploadName('/x/list.xlsx'), 'roster.txt');
  });
});

describe('lib/roster: upload against the sandbox', function () {
  const sandbox = useSandbox();
  let client;
  let templateId;
  before(() => {
    const { WellcloudClient } = dist('lib/client');
    const sb = dist('lib/sandbox');
    templateId = sb.DEMO_CAMPAIGN_ID;
    client = new WellcloudClient({ baseUrl: sandbox().url, ...sb.DEMO_CREDENTIALS, timeout: 5000 });
  });
  after(() => client.close());
  beforeEach(() => {
    sandbox().clearRequests();
    sandbox().clearFaults();
  });

  function rows(n) {
    const out = [];
    for (let i = 0; i < n; i++) out.push({ rosterId: `u${i}`, prdType: 'S', number: `139${String(i).padStart(8, '0')}` });
    return out;
  }

  it('uploads each part as its own batch with the same alias, in order', async function () {
    const before = sandbox().uploads.length;
    const prepared = prepareRoster(rows(100), { maxPartBytes: 700 });
    const seen = [];
    const batches = await uploadRosterParts(client, prepared, { alias: '2024-名单', templateId, onBatch: (b, count) => seen.push([b.index, count]) });
    const uploads = sandbox().uploads.slice(before);
    assert.strictEqual(batches.length, prepared.parts.length);
    assert.deepStrictEqual(seen, prepared.parts.map((p) => [p.index, prepared.parts.length]));
    assert.deepStrictEqual(uploads.map((u) => u.batchId), batches.map((b) => b.batchId));
    assert.ok(uploads.every((u) => u.alias === '2024-名单' && u.templateId === templateId));
    assert.deepStrictEqual(uploads.flatMap((u) => u.rows.map((r) => r.rosterId)), rows(100).map((r) => r.rosterId));
    assert.deepStrictEqual(batches.map((b) => b.rows), prepared.parts.map((p) => p.rows));
  });

  it('a file removed between its check and its upload: INVALID_INPUT naming filename, nothing sent', async function () {
    const file = path.join(tmpDir, 'removed.csv');
    fs.writeFileSync(file, '1,S,13900000000\n2,S,13900000001\n');
    const prepared = await prepareRosterFile(file);
    fs.rmSync(file);
    const before = sandbox().uploads.length;
    await assert.rejects(uploadRosterParts(client, prepared, { templateId }), (e) => e.code === 'INVALID_INPUT' && e.field === 'filename' && e.message.includes(file) && /ENOENT/.test(e.message));
    assert.strictEqual(sandbox().uploads.length, before);
    assert.deepStrictEqual(sandbox().requests.filter((r) => r.path.startsWith('/api/ros/')), []);
  });

  it('an upload already cancelled sends nothing and ends with ABORTED', async function () {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(uploadRosterParts(client, prepareRoster(rows(3)), { templateId, signal: ac.signal, lang: 'zh-CN' }), (e) => e.code === 'ABORTED' && /[\u4e00-\u9fff]/.test(e.message));
    assert.deepStrictEqual(sandbox().requests.filter((r) => r.path.startsWith('/api/ros/')), []);
  });

  it('leaves a carriage return at the very end out of the upload (the row was checked without it)', async function () {
    const before = sandbox().uploads.length;
    const text = '1,S,13900000001\r\n2,S,13900000002\r';
    const file = path.join(tmpDir, 'cr-end.txt');
    fs.writeFileSync(file, text);
    for (const prepared of [prepareRoster(text), await prepareRosterFile(file)]) {
      assert.strictEqual((await partText(prepared)).join(''), '1,S,13900000001\r\n2,S,13900000002');
      assert.strictEqual(prepared.bytes, Buffer.byteLength(text) - 1);
      const [batch] = await uploadRosterParts(client, prepared, { templateId });
      assert.ok(batch.batchId);
    }
    const uploads = sandbox().uploads.slice(before);
    assert.strictEqual(uploads.length, 2);
    for (const u of uploads) assert.deepStrictEqual(u.rows.map((r) => r.number), ['13900000001', '13900000002']);
  });

  it('treats a required field of only white space (full-width, no-break, vertical tab) as empty, as the platform does', async function () {
    const cases = [
      ['1,\u3000,13900000001\n', 'prdType'],
      ['\u00a0,S,13900000001\n', 'rosterId'],
      ['\u000b,S,13900000001\n', 'rosterId'],
      ['1,S,\u2003\n', 'number'],
    ];
    for (const [text, field] of cases) {
      // the platform (sandbox) refuses the line as it is...
      const raw = await client.uploadRoster(Buffer.from(text), { templateId }).then(() => null, (e) => e);
      assert.ok(raw && raw.code === '400' && raw.errorMessage.includes(`${field}不能为空`), `${JSON.stringify(text)}: ${raw && raw.message}`);
      // ...so it is refused before anything is sent, naming row and field
      expectRowError(() => prepareRoster(text), 1, field, 'required');
      expectRowError(() => prepareRoster(Buffer.from(`2,S,13900000002\n${text}`)), 2, field, 'required');
    }
    // a line of only such white space is a blank line: left out, like one of spaces
    const r = prepareRoster('1,S,13900000001\n\u3000\u00a0\n2,S,13900000002,\u3000客户,k:v\n');
    assert.strictEqual(r.rows, 2);
    const [batch] = await uploadRosterParts(client, r, { templateId });
    assert.ok(batch.batchId);
  });
  for (const [name, blank] of [['one range', ''], ['ranges around blank lines', '\n\n']]) {
    it(`an upload aborted mid-body has closed the file when it rejects (${name})`, async function () {
      this.timeout(15000);
      const file = path.join(tmpDir, `aborted-${blank.length}.txt`);
      // ~40 MB in one part: far more than the loopback socket buffers (which grow to several MB)
      // take in while the sandbox reads nothing, so the file is still being read when aborted
      const out = fs.openSync(file, 'w');
      for (let k = 0; k < 24; k++) {
        const lines = [];
        for (let i = k * 50000; i < (k + 1) * 50000; i++) lines.push(`a${i},S,139${String(i).padStart(8, '0')},c${i}\n${i % 50000 === 25000 ? blank : ''}`);
        fs.writeSync(out, lines.join(''));
      }
      fs.closeSync(out);
      const prepared = await prepareRosterFile(file, { maxPartBytes: 64 * 1024 * 1024 });
      assert.strictEqual(prepared.parts.length, 1);
      await client.getToken(); // applied before the latency below
      sandbox().setLatency(3000); // the sandbox reads nothing for 3 s: the body waits on the socket
      const ac = new AbortController();
      try {
        const upload = uploadRosterParts(client, prepared, { templateId, signal: ac.signal });
        for (let i = 0; i < 200 && !sandbox().requests.some((r) => r.path === '/api/ros/2.0/batches'); i++) await sleep(10);
        assert.ok(sandbox().requests.some((r) => r.path === '/api/ros/2.0/batches'), 'the upload reached the sandbox');
        // the multipart head goes out before the file's stream has opened it
        for (let i = 0; i < 200 && openFds(file) === 0; i++) await sleep(10);
        assert.strictEqual(openFds(file), 1, 'the body is being read from the file');
        ac.abort();
        await assert.rejects(upload, (e) => e.code === 'ABORTED');
        assert.strictEqual(openFds(file), 0, 'the file is closed when the promise settles');
      } finally {
        sandbox().setLatency(0);
      }
    });
  }

  it('reports the batches already created when a later part fails', async function () {
    const prepared = prepareRoster(rows(60), { maxPartBytes: 400 });
    assert.ok(prepared.parts.length >= 3);
    let n = 0;
    const err = await uploadRosterParts(client, prepared, {
      templateId,
      onProgress: (index) => {
        if (index === 1 && n++ === 0) sandbox().failNext({ method: 'POST', path: '/api/ros/2.0/batches' }, { status: 500, body: 'internal error' });
      },
    }).then(
      () => null,
      (e) => e,
    );
    assert.ok(err, 'should have failed');
    assert.strictEqual(err.code, 'HTTP_500');
    assert.strictEqual(err.status, 500);
    assert.strictEqual(err.details.uploaded.length, 1);
    assert.strictEqual(err.details.failedPart.index, 1);
    assert.strictEqual(err.details.count, prepared.parts.length);
    assert.ok(err.message.includes(err.details.uploaded[0].batchId), err.message);
    const posts = sandbox().requests.filter((r) => r.path === '/api/ros/2.0/batches');
    assert.strictEqual(posts.length, 2, 'no retry, no further part');
  });
});
