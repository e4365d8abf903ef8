'use strict';
/*
 * zh-CN client messages as a user reads them: composed at run time from a template and values (the
 * platform's own text, the time point of a 14015, the body of a bare HTTP error, allowed values,
 * row numbers, batch ids, the reason of a failed batch). They keep Chinese punctuation and no space
 * quirks, as the static texts must (test/locales_spec.js); the platform's quoted text is written
 * without spaces, so only the punctuation rules apply here.
 */
const assert = require('assert');
const { dist, useSandbox } = require('../helpers');
const { zhTypographyProblems } = require('../browser/lib/language');

/** The message is typographically Chinese and holds every `parts` (what the values became). */
function assertChinese(message, ...parts) {
  assert.deepStrictEqual(zhTypographyProblems(message, { spacing: false }), [], message);
  for (const p of parts) assert.ok(message.includes(p), `${JSON.stringify(message)} should hold ${JSON.stringify(p)}`);
}

async function rejection(promise) {
  return promise.then(
    (v) => assert.fail(`expected a rejection, got ${JSON.stringify(v)}`),
    (e) => e,
  );
}

describe('zh-CN client messages composed at run time', function () {
  const sandbox = useSandbox();
  const sb = dist('lib/sandbox');
  const DOMAIN = sb.DEMO_DOMAIN || 'demo.cc';
  let zh;

  before(() => {
    const { WellcloudClient } = dist('lib/client');
    zh = new WellcloudClient({ baseUrl: sandbox().url, ...sb.DEMO_CREDENTIALS, lang: 'zh-CN', timeout: 5000, retry: { baseDelayMs: 5 } });
  });
  after(() => zh.close());
  beforeEach(() => sandbox().clearFaults());

  it('quotes the platform\'s text after the explanation in full-width parentheses (14011)', async function () {
    const e = await rejection(zh.getCall('ffffffff-ffff-4fff-bfff-ffffffffffff'));
    assert.strictEqual(e.code, '14011');
    assertChinese(e.message, 'callId 不存在（14011），请检查 callId。', '（平台：');
  });

  it('gives the time point of a 14015 in full-width parentheses', async function () {
    const e = await rejection(zh.queryCalls({ isOrder: 1, domain: DOMAIN, beginTime: '2025-03-31 12:00:00', endTime: '2025-04-01 12:00:00' }));
    assert.strictEqual(e.code, '14015');
    assert.ok(e.details && e.details.splitAt, 'the sandbox names the split point');
    assertChinese(e.message, `分两次查询（${e.details.splitAt}）。`);
  });

  it('adds the body of a bare HTTP error after a full-width colon', async function () {
    const callId = sb.SAMPLE_CALL_ID || 'e617caaf-1fc6-4998-a8a8-c9313fefde38';
    sandbox().failNext({ method: 'GET', path: `/api/cdr/2.0/calls/open/call/${callId}` }, { status: 418, body: 'I am a teapot' });
    const e = await rejection(zh.getCall(callId));
    assert.strictEqual(e.code, 'HTTP_418');
    assertChinese(e.message, 'HTTP 418：I am a teapot');
  });

  it('lists the allowed values with 、', function () {
    const { oneOf } = dist('lib/validate');
    assert.throws(() => oneOf('zh-CN', { format: 'ogg' }, 'format', ['mp3', 'wav']), (e) => {
      assertChinese(e.message, '以下之一：mp3、wav。');
      return true;
    });
  });

  it('lists the repeated rows of a roster with 、 and says there are more', function () {
    const { prepareRoster, duplicatesWarning } = dist('lib/roster');
    const row = { rosterId: '1', prdType: 'S', number: '13900000000' };
    const few = duplicatesWarning('zh-CN', prepareRoster([row, row, row], { lang: 'zh-CN' }).duplicates);
    assertChinese(few, '（第 2、3 行）');
    const many = duplicatesWarning('zh-CN', prepareRoster(Array(15).fill(row), { lang: 'zh-CN' }).duplicates);
    assertChinese(many, '有 14 行', '（第 2、3、4、5、6、7、8、9、10、11 行等）');
  });

  it('names the batches already uploaded with 、 and the reason of a failed batch', async function () {
    const { prepareRoster, uploadRosterParts } = dist('lib/roster');
    const rows = [];
    for (let i = 0; i < 60; i++) rows.push({ rosterId: `z${i}`, prdType: 'S', number: `139${String(i).padStart(8, '0')}` });
    const prepared = prepareRoster(rows, { maxPartBytes: 400 });
    assert.ok(prepared.parts.length >= 3);
    let failed = false;
    const e = await rejection(
      uploadRosterParts(zh, prepared, {
        templateId: sb.DEMO_CAMPAIGN_ID,
        lang: 'zh-CN',
        onProgress: (index) => {
          if (index === 2 && !failed) {
            failed = true;
            sandbox().failNext({ method: 'POST', path: '/api/ros/2.0/batches' }, { status: 500, body: 'internal error' });
          }
        },
      }),
    );
    assert.strictEqual(e.code, 'HTTP_500');
    const [first, second] = e.details.uploaded.map((b) => b.batchId);
    assertChinese(e.message, `第 3 批（共 ${prepared.parts.length} 批）上传失败`, `${first}、${second}`, '平台内部错误');
  });
});
