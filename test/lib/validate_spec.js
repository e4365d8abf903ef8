'use strict';
const assert = require('assert');
const v = require('../../dist/lib/validate');

/** Asserts that fn throws INVALID_INPUT naming `field`, with a message matching `re`. */
function rejects(fn, field, re) {
  assert.throws(fn, (e) => {
    assert.strictEqual(e.name, 'WellcloudError');
    assert.strictEqual(e.code, 'INVALID_INPUT');
    assert.strictEqual(e.field, field);
    if (re) assert.match(e.message, re);
    return true;
  });
}

describe('lib/validate', function () {
  describe('readPath', function () {
    it('follows dotted paths', function () {
      assert.strictEqual(v.readPath({ a: { b: { c: 1 } } }, 'a.b.c'), 1);
      assert.strictEqual(v.readPath({ a: 1 }, 'a.b'), undefined);
      assert.strictEqual(v.readPath(null, 'a'), undefined);
    });

    it('turns a read that throws (a getter, a proxy) into INVALID_INPUT naming the path', function () {
      const getter = Object.defineProperty({}, 'cpa', { get: () => assert.fail('no access') });
      rejects(() => v.readPath({ options: getter }, 'options.cpa', 'en-US'), 'options.cpa', /^options\.cpa cannot be read \(reading it threw: no access\)\.$/);
      rejects(() => v.readPath(new Proxy({}, { get: () => assert.fail('no reads') }), 'deviceId', 'zh-CN'), 'deviceId', /^无法读取 deviceId（读取时出错：no reads）。$/);
      // the client's methods validate with it: a rejection with a WellcloudError, not a TypeError
      rejects(() => v.validateDualCall('en-US', { deviceId: '8001@test.cc', prefix: '9', customerPhone: '13912345678', options: getter }), 'options.cpa');
    });
  });

  describe('requireString / optionalString', function () {
    it('returns trimmed text and converts finite numbers', function () {
      assert.strictEqual(v.requireString('en-US', { a: ' x ' }, 'a'), 'x');
      assert.strictEqual(v.requireString('en-US', { a: 13912345678 }, 'a'), '13912345678');
      assert.strictEqual(v.optionalString('en-US', { a: 'y' }, 'a'), 'y');
    });

    it('refuses a number too large to be exact (its digits are already lost), in both languages', function () {
      for (const a of [2 ** 53, 13912345678901234567, 1e21, -(2 ** 60), Number.MAX_VALUE]) {
        rejects(() => v.requireString('en-US', { a }, 'a'), 'a', /^a is a number too large to be exact \(.*: over 2\^53, its last digits are lost\); give it as text\.$/);
        rejects(() => v.optionalString('zh-CN', { a }, 'a'), 'a', /^a 是超出精确范围的数字/);
      }
      assert.strictEqual(v.requireString('en-US', { a: 2 ** 53 - 1 }, 'a'), '9007199254740991');
      assert.strictEqual(v.requireString('en-US', { a: -1.5 }, 'a'), '-1.5');
    });

    it('refuses text holding half of a surrogate pair (no URL or UTF-8 can carry it)', function () {
      for (const a of ['\ud800', 'abc\udfff', '😀'.slice(0, 1)]) rejects(() => v.requireString('en-US', { a }, 'a'), 'a', /^a holds a broken character \(half of a UTF-16 surrogate pair/);
      assert.strictEqual(v.requireString('en-US', { a: ' 😀 ' }, 'a'), '😀');
    });

    it('treats missing, null, empty and blank as missing', function () {
      for (const a of [undefined, null, '', '   ']) {
        rejects(() => v.requireString('en-US', { a }, 'a'), 'a', /a is required/);
        assert.strictEqual(v.optionalString('en-US', { a }, 'a'), undefined);
      }
    });

    it('rejects non-strings', function () {
      for (const a of [{}, [], true, NaN]) {
        rejects(() => v.requireString('en-US', { a }, 'a'), 'a', /non-empty string/);
        rejects(() => v.optionalString('en-US', { a }, 'a'), 'a', /non-empty string/);
      }
    });

    it('names the dotted path and speaks Chinese', function () {
      rejects(() => v.requireString('zh-CN', { options: {} }, 'options.cpa'), 'options.cpa', /options\.cpa 为必填项/);
    });
  });

  describe('requireObject / optionalObject', function () {
    it('accepts plain objects only', function () {
      assert.deepStrictEqual(v.requireObject('en-US', { d: {} }, 'd'), {});
      assert.deepStrictEqual(v.optionalObject('en-US', { d: { k: 1 } }, 'd'), { k: 1 });
      assert.strictEqual(v.optionalObject('en-US', {}, 'd'), undefined);
      rejects(() => v.requireObject('en-US', {}, 'd'), 'd', /required/);
      for (const d of [[], 'x', 5, new Date()]) {
        rejects(() => v.requireObject('en-US', { d }, 'd'), 'd', /must be an object/);
        rejects(() => v.optionalObject('en-US', { d }, 'd'), 'd', /must be an object/);
      }
    });
  });

  describe('deviceId', function () {
    it('wants ext@domain', function () {
      assert.strictEqual(v.deviceId('en-US', { d: '8001@test.cc' }, 'd'), '8001@test.cc');
      for (const d of ['8001', '8001@', '@test.cc', '80 01@test.cc', 'a@b@c']) {
        rejects(() => v.deviceId('en-US', { d }, 'd'), 'd', /must include the domain/);
      }
      assert.strictEqual(v.deviceId('en-US', {}, 'd', { optional: true }), undefined);
    });

    it('names an invisible character pasted with the extension, and where it is', function () {
      // zero-width space, BOM, word joiner, left-to-right mark, soft hyphen, a control character
      const cases = [
        ['8001\u200b@test.cc', 'U\\+200B, character 5'],
        ['8001\ufeff@test.cc', 'U\\+FEFF, character 5'],
        ['8001@test.cc\u2060', 'U\\+2060, character 13'],
        ['8001@te\u200est.cc', 'U\\+200E, character 8'],
        ['80\u00ad01@test.cc', 'U\\+00AD, character 3'],
        ['8001@\u0007test.cc', 'U\\+0007, character 6'],
        // the position counts characters, not UTF-16 units
        ['\u{1F600}\u200b@test.cc', 'U\\+200B, character 2'],
      ];
      for (const [d, where] of cases) rejects(() => v.deviceId('en-US', { d }, 'd'), 'd', new RegExp(`invisible character \\(${where}\\)`));
      rejects(() => v.deviceId('zh-CN', { d: '8001\u200b@test.cc' }, 'd'), 'd', /^d 含有不可见字符（U\+200B，第 5 个字符），常见于从聊天软件或表格复制的文本，请删除。$/);
      // at either end a BOM is whitespace to String#trim, like the spaces every text field loses there
      assert.strictEqual(v.deviceId('en-US', { d: '\ufeff8001@test.cc' }, 'd'), '8001@test.cc');
      // visible non-ASCII text is no invisible character (an internationalised domain)
      assert.strictEqual(v.deviceId('en-US', { d: '8001@例子.中国' }, 'd'), '8001@例子.中国');
    });
  });

  describe('phone', function () {
    it('wants digits with an optional leading +', function () {
      assert.strictEqual(v.phone('en-US', { p: '13912345678' }, 'p'), '13912345678');
      assert.strictEqual(v.phone('en-US', { p: '+8613912345678' }, 'p'), '+8613912345678');
      assert.strictEqual(v.phone('en-US', { p: 13912345678 }, 'p'), '13912345678');
      for (const p of ['139-1234', '++1', '1 2', 'abc', '+']) {
        rejects(() => v.phone('en-US', { p }, 'p'), 'p', /digits/);
      }
      rejects(() => v.phone('zh-CN', { p: 'x' }, 'p'), 'p', /3 到 20 位数字/);
    });

    it('wants 3 to 20 digits, as the roster number and the sandbox', function () {
      assert.strictEqual(v.phone('en-US', { p: '110' }, 'p'), '110');
      assert.strictEqual(v.phone('en-US', { p: '+' + '1'.repeat(20) }, 'p'), '+' + '1'.repeat(20));
      for (const p of ['9', '12', '+12', '1'.repeat(21), '+' + '1'.repeat(21)]) {
        rejects(() => v.phone('en-US', { p }, 'p'), 'p', /must be 3 to 20 digits/);
      }
      assert.strictEqual(v.phone('en-US', { p: '' }, 'p', { optional: true }), undefined);
    });
  });

  describe('boolString', function () {
    it('accepts "true"/"false" and booleans', function () {
      assert.strictEqual(v.boolString('en-US', { b: true }, 'b'), 'true');
      assert.strictEqual(v.boolString('en-US', { b: false }, 'b'), 'false');
      assert.strictEqual(v.boolString('en-US', { b: 'TRUE' }, 'b'), 'true');
      assert.strictEqual(v.boolString('en-US', { b: 'false' }, 'b'), 'false');
      assert.strictEqual(v.boolString('en-US', {}, 'b', { optional: true }), undefined);
      rejects(() => v.boolString('en-US', {}, 'b'), 'b', /required/);
      for (const b of ['yes', 1, 0, {}]) rejects(() => v.boolString('en-US', { b }, 'b'), 'b', /"true" or "false"/);
    });
  });

  describe('intInRange', function () {
    it('accepts integers (and integer text) within bounds', function () {
      assert.strictEqual(v.intInRange('en-US', { s: 100 }, 's', 1, 100), 100);
      assert.strictEqual(v.intInRange('en-US', { s: ' 7 ' }, 's', 1, 100), 7);
      assert.strictEqual(v.intInRange('en-US', {}, 's', 1, 100, { optional: true }), undefined);
      for (const s of [0, 101, 1.5, '1.5', 'x', true, NaN]) {
        rejects(() => v.intInRange('en-US', { s }, 's', 1, 100), 's', /integer between 1 and 100/);
      }
    });

    it('names a required one that is missing or blank, in en-US and zh-CN', function () {
      for (const s of [undefined, null, '', '  ']) {
        rejects(() => v.intInRange('en-US', { s }, 's', 1, 100), 's', /^s is required\.$/);
        rejects(() => v.intInRange('zh-CN', { s }, 's', 1, 100), 's', /^s 为必填项。$/);
      }
    });
  });

  describe('oneOf', function () {
    it('matches text forms and returns the allowed value', function () {
      assert.strictEqual(v.oneOf('en-US', { o: '1' }, 'o', [0, 1]), 1);
      assert.strictEqual(v.oneOf('en-US', { o: 'wav' }, 'o', ['mp3', 'wav']), 'wav');
      assert.strictEqual(v.oneOf('en-US', {}, 'o', ['a'], { optional: true }), undefined);
      rejects(() => v.oneOf('en-US', { o: 'ogg' }, 'o', ['mp3', 'wav']), 'o', /one of: mp3, wav/);
      rejects(() => v.oneOf('en-US', { o: {} }, 'o', ['[object Object]']), 'o');
    });

    it('names a required one that is missing, in en-US and zh-CN', function () {
      rejects(() => v.oneOf('en-US', {}, 'format', ['mp3', 'wav']), 'format', /^format is required\.$/);
      rejects(() => v.oneOf('zh-CN', { format: null }, 'format', ['mp3', 'wav']), 'format', /^format 为必填项。$/);
    });
  });

  describe('validateDualCall', function () {
    const good = { deviceId: '8001@test.cc', prefix: '9', customerPhone: '13912345678' };

    it('returns a clean body with only the API fields', function () {
      const out = v.validateDualCall('en-US', {
        ...good,
        extra: 'dropped',
        userData: { Id: '142459' },
        options: { bindPhone: '918900000000', displayOrigin: '4008100001', cpa: false, displayDest: '139*****678', other: 1 },
      });
      assert.deepStrictEqual(out, {
        ...good,
        userData: { Id: '142459' },
        options: { bindPhone: '918900000000', displayOrigin: '4008100001', cpa: 'false', displayDest: '139*****678' },
      });
    });

    it('omits empty optional parts', function () {
      assert.deepStrictEqual(v.validateDualCall('en-US', { ...good, userData: '', options: {} }), good);
    });

    it('names the bad field', function () {
      rejects(() => v.validateDualCall('en-US', { ...good, deviceId: '' }), 'deviceId', /required/);
      rejects(() => v.validateDualCall('en-US', { ...good, deviceId: '8001' }), 'deviceId', /domain/);
      rejects(() => v.validateDualCall('en-US', { ...good, prefix: undefined }), 'prefix');
      rejects(() => v.validateDualCall('en-US', { ...good, customerPhone: '139 1234' }), 'customerPhone', /digits/);
      for (const prefix of ['9a', '-', '9 9', '+9']) {
        rejects(() => v.validateDualCall('en-US', { ...good, prefix }), 'prefix', /digits, \* or #/);
      }
      rejects(() => v.validateDualCall('zh-CN', { ...good, prefix: 'x' }), 'prefix', /只能包含数字、\* 或 #/);
      assert.strictEqual(v.validateDualCall('en-US', { ...good, prefix: '*9#' }).prefix, '*9#');
      assert.strictEqual(v.validateDualCall('en-US', { ...good, prefix: 9 }).prefix, '9');
      rejects(() => v.validateDualCall('en-US', { ...good, userData: [1] }), 'userData', /object/);
      rejects(() => v.validateDualCall('en-US', { ...good, options: 'x' }), 'options', /object/);
      rejects(() => v.validateDualCall('en-US', { ...good, options: { cpa: 'maybe' } }), 'options.cpa', /"true" or "false"/);
      rejects(() => v.validateDualCall('en-US', { ...good, options: { bindPhone: 'abc' } }), 'options.bindPhone', /digits/);
      rejects(() => v.validateDualCall('en-US', 'not an object'), 'payload', /object/);
    });
  });

  describe('validateInstantOutbound', function () {
    const good = {
      activityId: 'act-1',
      callee: '13912345678',
      caller: '8001@test.cc',
      data: {},
      domain: 'test.cc',
      rosterId: 'r1',
      tenantId: 't1',
    };

    it('returns a clean body with only the API fields', function () {
      assert.deepStrictEqual(v.validateInstantOutbound('en-US', { ...good, junk: 1 }), good);
      assert.deepStrictEqual(v.validateInstantOutbound('en-US', { ...good, id: 'x1', data: { a: 'b' } }), { ...good, id: 'x1', data: { a: 'b' } });
    });

    it('requires every documented field and names it', function () {
      for (const f of ['activityId', 'callee', 'caller', 'data', 'domain', 'rosterId', 'tenantId']) {
        const body = { ...good };
        delete body[f];
        rejects(() => v.validateInstantOutbound('zh-CN', body), f, /必填项/);
      }
      rejects(() => v.validateInstantOutbound('en-US', { ...good, callee: 'abc' }), 'callee', /digits/);
      rejects(() => v.validateInstantOutbound('en-US', { ...good, data: 'x' }), 'data', /object/);
    });
  });
});
