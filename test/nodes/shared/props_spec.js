'use strict';
// The dialog-field reader of every action node: dialogFields (read once per node) and resolveFields (per message).
const assert = require('assert');
const { util } = require('@node-red/util');
const { dist } = require('../../helpers');

const { dialogFields, resolveFields, PropertyError } = dist('nodes/shared/props.js');

// Node-RED's own evaluation of typedInput values (the types used here need no flow or context)
const RED = { util: { evaluateNodeProperty: util.evaluateNodeProperty } };
const node = {};

describe('dialog fields (nodes/shared/props)', function () {
  it('marks as empty exactly the dialog values that can never give anything', function () {
    const config = {
      a: undefined,
      b: null,
      bType: 'msg',
      c: '',
      cType: 'str',
      d: '',
      dType: 'num',
      e: '',
      eType: 'json',
      f: '',
      g: '',
      gType: 'date',
      h: '',
      hType: 'env',
      i: 'x',
      iType: 'str',
      j: 0,
      jType: 'num',
    };
    const fields = dialogFields(config, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
    assert.deepStrictEqual(
      fields.map((x) => [x.name, x.empty]),
      [['a', true], ['b', true], ['c', true], ['d', true], ['e', true], ['f', true], ['g', false], ['h', false], ['i', false], ['j', false]],
    );
    assert.deepStrictEqual(fields[8], { name: 'i', value: 'x', type: 'str', empty: false });
  });

  it('takes msg.payload first, then the dialog, and evaluates a dialog value Node-RED computes even when its text is empty', function () {
    const config = { callId: 'dialog-id', callIdType: 'str', n: '5', nType: 'num', o: '{"k":1}', oType: 'json', t: '', tType: 'date', x: '', xType: 'str' };
    const fields = dialogFields(config, ['callId', 'n', 'o', 't', 'x']);
    const before = Date.now();
    const out = resolveFields(RED, node, { payload: { callId: 'from-msg', x: '' } }, fields);
    assert.ok(!(out instanceof Promise));
    assert.strictEqual(out.callId, 'from-msg');
    assert.strictEqual(out.n, 5);
    assert.deepStrictEqual(out.o, { k: 1 });
    // the date type gives the time of evaluation from an empty value
    assert.ok(typeof out.t === 'number' && out.t >= before && out.t <= Date.now());
    assert.ok(!('x' in out));
    // the dialog only: msg.payload is not read
    assert.strictEqual(resolveFields(RED, node, { payload: { callId: 'from-msg' } }, fields, false).callId, 'dialog-id');
  });

  it('throws a PropertyError naming the field for a dialog value that cannot be evaluated', function () {
    const fields = dialogFields({ userData: '{oops', userDataType: 'json' }, ['userData']);
    assert.throws(
      () => resolveFields(RED, node, { payload: {} }, fields),
      (e) => e instanceof PropertyError && e.field === 'userData',
    );
    // a message value wins, so the broken dialog value is never read
    assert.deepStrictEqual(resolveFields(RED, node, { payload: { userData: { a: 1 } } }, fields), { userData: { a: 1 } });
  });
});
