'use strict';
// lib/events*.ts: reading pushed bodies, legacy shapes, ISO times, secret and signature checks,
// the dedupe memory and the agent state board. No Node-RED here.
const assert = require('assert');
const crypto = require('crypto');
const events = require('../../dist/lib/events');

const {
  parseEventBody,
  receive,
  dedupeKey,
  eventTimeIso,
  legacySignature,
  authenticate,
  EventDeduper,
  AgentStateBoard,
  compareOrder,
  stripSecret,
  urlWithoutSecret,
} = events;

function callEnd(extra = {}) {
  return {
    eventName: 'callEnd',
    eventSrc: 'a8307aa5-bd11-4216-a6e2-5e5d6161aec4',
    timestamp: '2018.06.12 11:33:56.368',
    serial: 10,
    eventType: 'statEvent',
    namespace: 'test.cc',
    callId: 'a8307aa5-bd11-4216-a6e2-5e5d6161aec4',
    ani: '18612345678',
    dnis: '33255500',
    startTime: '2018.06.12 11:32:01.578',
    answerTime: '2018.06.12 11:32:32.071',
    endTime: '2018.06.12 11:33:56.368',
    userData: { serviceId: 'demo01' },
    ...extra,
  };
}

function agentState(extra = {}) {
  return {
    eventName: 'agentStateEvent',
    serial: 100,
    timestamp: '2024.05.01 09:00:00.000',
    eventType: 'agent',
    id: '5001',
    name: '张伟',
    acState: 'Available',
    stateChangeTime: '2024.05.01 09:00:00.000',
    lastACState: 'Aux',
    ...extra,
  };
}

const LEGACY_CALL_END = {
  eventName: 'CallEndEvent',
  eventTime: '2017.09.13 11:15:53',
  eventType: 'call',
  serial: 1,
  namespace: 'final.cc',
  call: {
    id: '517cefd0-65fb-4b8f-bc42-d0919a4a3ffe',
    callType: 'Outbound',
    ani: '8017',
    dnis: '915856975436',
    startTime: '2017.09.13 11:15:06',
    endTime: '2017.09.13 11:15:52',
    talkLength: 0,
    queuedLength: 0,
    firstStation: '8017@final.cc',
    endReason: 'UserDrop',
    failedCode: '9',
    conference: 0,
    transferred: 1,
    tenantId: '34bc437b-69ec-4219-90a1-e672dd9d2a9c',
    attchedData: { data: { uui: '10000000,1' } },
  },
};

const LEGACY_AGENT = {
  eventName: 'AgentStatusEvent',
  eventSrc: 'AS:5102@zhen04.cc',
  eventTime: '2018.06.21 21:06:23',
  eventType: 'agentStatus',
  serial: 1196812,
  namespace: 'zhen04.cc',
  agent: {
    agentId: '5102@zhen04.cc',
    extensionId: '8102@zhen04.cc',
    agentName: '单独d',
    agentStatus: 'NotReady',
    agentStatusTimestamp: '2018.06.21 21:06:23',
    lastStatus: 'Logout',
    lastStatusLength: 331,
  },
};

/** A storage that keeps the state as JSON text, like a file or Redis context store would. */
function jsonStorage() {
  const s = { text: undefined, saves: 0 };
  s.load = async () => (s.text === undefined ? undefined : JSON.parse(s.text));
  s.save = async (state) => {
    s.saves++;
    s.text = JSON.stringify(state);
  };
  return s;
}

/** A storage that hands back the same object, like Node-RED's memory context store. */
function memoryStorage() {
  const s = { value: undefined };
  s.load = async () => s.value;
  s.save = async (state) => {
    s.value = state;
  };
  return s;
}

describe('lib/events: reading pushed bodies', function () {
  it('routes callEnd to port 0 and adds ISO times beside the China-time texts', function () {
    const r = parseEventBody(callEnd());
    assert.strictEqual(r.ok, true);
    assert.strictEqual(r.port, 0);
    assert.strictEqual(r.topic, 'callEnd');
    assert.strictEqual(r.payload.timestamp, '2018.06.12 11:33:56.368');
    assert.strictEqual(r.payload.timestampIso, '2018-06-12T03:33:56.368Z');
    assert.strictEqual(r.payload.startTimeIso, '2018-06-12T03:32:01.578Z');
    assert.strictEqual(r.payload.answerTimeIso, '2018-06-12T03:32:32.071Z');
    assert.strictEqual(r.payload.endTimeIso, '2018-06-12T03:33:56.368Z');
    assert.deepStrictEqual(r.payload.userData, { serviceId: 'demo01' });
  });

  it('does not modify the object it reads', function () {
    const input = callEnd();
    parseEventBody(input);
    assert.strictEqual(input.timestampIso, undefined);
  });

  it('keeps a "__proto__" field of the body as a field: it does not become the event\'s prototype', function () {
    for (const body of ['{"eventName":"queueEvent","__proto__":{"injected":1},"a":1}', '{"eventName":"callEnd","callId":"c1","__proto__":{"callId":"x"}}']) {
      const input = JSON.parse(body);
      const r = parseEventBody(body);
      assert.strictEqual(r.ok, true);
      assert.strictEqual(Object.getPrototypeOf(r.payload), Object.prototype);
      assert.ok(Object.hasOwn(r.payload, '__proto__'), 'the field is kept');
      assert.deepStrictEqual(r.payload['__proto__'], input['__proto__']);
      assert.strictEqual(r.payload.injected, undefined);
      assert.strictEqual(parseEventBody(input).payload.injected, undefined, 'the same for an object parsed by http in');
    }
    assert.strictEqual({}.injected, undefined);
  });

  it('reads JSON text and Buffers (with a BOM) the same as objects', function () {
    const text = JSON.stringify(callEnd());
    for (const body of [text, Buffer.from(text), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])]) {
      const r = parseEventBody(body);
      assert.strictEqual(r.ok, true, JSON.stringify(r));
      assert.strictEqual(r.port, 0);
      assert.strictEqual(r.payload.callId, 'a8307aa5-bd11-4216-a6e2-5e5d6161aec4');
    }
  });

  it('routes agentStateEvent to port 1 with its ISO times', function () {
    const r = parseEventBody(agentState({ lastStateChangeTime: '2024.05.01 08:55:00.000' }));
    assert.strictEqual(r.port, 1);
    assert.strictEqual(r.topic, 'agentStateEvent');
    assert.strictEqual(r.payload.stateChangeTimeIso, '2024-05-01T01:00:00.000Z');
    assert.strictEqual(r.payload.lastStateChangeTimeIso, '2024-05-01T00:55:00.000Z');
  });

  it('routes any other named event to port 2 under its own name', function () {
    const r = parseEventBody({ eventName: 'queueEvent', serial: 3, timestamp: '2024.05.01 09:00:00', depth: 4 });
    assert.strictEqual(r.port, 2);
    assert.strictEqual(r.topic, 'queueEvent');
    assert.strictEqual(r.payload.timestampIso, '2024-05-01T01:00:00.000Z');
  });

  it('routes the legacy outbound-result array to port 2 as outboundResult, with ISO times (0 = none)', function () {
    const results = [
      { callId: '4f517627', id: '22370914850', activityId: 'a1', state: 0, startTime: 1559124400892, endTime: 1559124469853, respondTime: 1559124413101 },
      { callId: 'e1ccf1d3', id: '22370914851', activityId: 'a1', state: 3, startTime: 1559124337464, endTime: 1559124400277, respondTime: 0 },
    ];
    const r = parseEventBody(JSON.stringify(results));
    assert.strictEqual(r.ok, true);
    assert.strictEqual(r.port, 2);
    assert.strictEqual(r.topic, 'outboundResult');
    assert.strictEqual(r.payload.length, 2);
    assert.strictEqual(r.payload[0].startTimeIso, new Date(1559124400892).toISOString());
    assert.strictEqual(r.payload[0].respondTimeIso, new Date(1559124413101).toISOString());
    assert.strictEqual(r.payload[1].respondTimeIso, undefined);
    assert.strictEqual(r.payload[1].respondTime, 0);
  });

  it('normalises a legacy CallEndEvent to callEnd and keeps the original', function () {
    const r = parseEventBody(LEGACY_CALL_END);
    assert.strictEqual(r.port, 0);
    assert.strictEqual(r.topic, 'callEnd');
    const p = r.payload;
    assert.strictEqual(p.eventName, 'callEnd');
    assert.strictEqual(p.legacy, 'CallEndEvent');
    assert.strictEqual(p.callId, '517cefd0-65fb-4b8f-bc42-d0919a4a3ffe');
    assert.strictEqual(p.deviceId, '8017@final.cc');
    assert.strictEqual(p.transferred, true);
    assert.strictEqual(p.conferenced, false);
    assert.deepStrictEqual(p.userData, { uui: '10000000,1' });
    assert.strictEqual(p.timestamp, '2017.09.13 11:15:53');
    assert.strictEqual(p.timestampIso, '2017-09-13T03:15:53.000Z');
    assert.strictEqual(p.startTimeIso, '2017-09-13T03:15:06.000Z');
    assert.deepStrictEqual(p.original, LEGACY_CALL_END);
  });

  it('normalises a legacy AgentStatusEvent to agentStateEvent with the state mapped', function () {
    const r = parseEventBody(LEGACY_AGENT);
    assert.strictEqual(r.port, 1);
    const p = r.payload;
    assert.strictEqual(p.eventName, 'agentStateEvent');
    assert.strictEqual(p.id, '5102@zhen04.cc');
    assert.strictEqual(p.name, '单独d');
    assert.strictEqual(p.acState, 'Aux');
    assert.strictEqual(p.legacyState, 'NotReady');
    assert.strictEqual(p.lastACState, 'LogOut');
    assert.strictEqual(p.channelAddr, '8102@zhen04.cc');
    assert.strictEqual(p.stateChangeTimeIso, '2018-06-21T13:06:23.000Z');
    assert.strictEqual(p.original, LEGACY_AGENT);
  });

  const MALFORMED = [
    ['an empty text', '', 'EMPTY_BODY'],
    ['blank text', '  \n ', 'EMPTY_BODY'],
    ['an empty Buffer', Buffer.alloc(0), 'EMPTY_BODY'],
    ['undefined', undefined, 'EMPTY_BODY'],
    ['broken JSON', '{"eventName": "callEnd", ', 'BAD_JSON'],
    ['a JSON number', '42', 'NOT_AN_OBJECT'],
    ['a JSON string', '"callEnd"', 'NOT_AN_OBJECT'],
    ['a number', 42, 'NOT_AN_OBJECT'],
    ['an object without eventName', { serial: 1, callId: 'x' }, 'MISSING_FIELD', 'eventName'],
    ['a non-string eventName', { eventName: 7 }, 'BAD_FIELD', 'eventName'],
    ['callEnd without callId', { eventName: 'callEnd', serial: 1 }, 'MISSING_FIELD', 'callId'],
    ['agentStateEvent without acState', { eventName: 'agentStateEvent', id: '5001' }, 'MISSING_FIELD', 'acState'],
    ['CallEndEvent without call', { eventName: 'CallEndEvent', serial: 1 }, 'MISSING_FIELD', 'call'],
    ['CallEndEvent without call.id', { eventName: 'CallEndEvent', call: {} }, 'MISSING_FIELD', 'call.id'],
    ['AgentStatusEvent with a non-object agent', { eventName: 'AgentStatusEvent', agent: 'x' }, 'BAD_FIELD', 'agent'],
    ['AgentStatusEvent without agent.agentStatus', { eventName: 'AgentStatusEvent', agent: { agentId: '5102@zhen04.cc' } }, 'MISSING_FIELD', 'agent.agentStatus'],
    ['AgentStatusEvent with a numeric agent.agentStatus', { eventName: 'AgentStatusEvent', agent: { agentId: '5102@zhen04.cc', agentStatus: 7 } }, 'BAD_FIELD', 'agent.agentStatus'],
    ['an array of non-results', [1, 2, 3], 'NOT_OUTBOUND_RESULTS', '[0]'],
    ['an array with one bad item', [{ callId: 'a' }, { state: 0 }], 'NOT_OUTBOUND_RESULTS', '[1]'],
    ['an empty array', '[]', 'NOT_OUTBOUND_RESULTS'],
  ];
  for (const [title, body, code, field] of MALFORMED) {
    it(`refuses ${title} (${code}) with a reason`, function () {
      const r = parseEventBody(body);
      assert.strictEqual(r.ok, false);
      assert.strictEqual(r.code, code);
      assert.ok(typeof r.reason === 'string' && r.reason.length > 5, r.reason);
      assert.strictEqual(r.field, field);
    });
  }

  it('refuses, without throwing, an object a flow built that JSON cannot carry: BigInt NOT_AN_OBJECT (en-US, zh-CN), circular TOO_DEEP', function () {
    for (const body of [callEnd({ serial: { n: 10n } }), callEnd({ userData: { n: 1n } })]) {
      const en = parseEventBody(body);
      assert.deepStrictEqual([en.ok, en.code], [false, 'NOT_AN_OBJECT']);
      assert.strictEqual(en.reason, 'The request body must be a JSON object (an event) or a JSON array of outbound results.');
      assert.strictEqual(parseEventBody(body, { lang: 'zh-CN' }).reason, '请求体必须是 JSON 对象（事件）或外呼结果的 JSON 数组。');
    }
    const circular = callEnd();
    circular.self = circular;
    assert.deepStrictEqual([parseEventBody(circular).ok, parseEventBody(circular).code], [false, 'TOO_DEEP']);
  });

  it('refuses bodies over the size limit, whatever their form', function () {
    const big = JSON.stringify(callEnd({ userData: { blob: 'x'.repeat(3000) } }));
    for (const body of [big, Buffer.from(big), JSON.parse(big)]) {
      const r = parseEventBody(body, { maxBytes: 2000 });
      assert.strictEqual(r.code, 'BODY_TOO_LARGE');
      assert.match(r.reason, /2000/);
    }
    assert.strictEqual(parseEventBody({ eventName: 'x' }, { maxBytes: 100, contentLength: 5000 }).code, 'BODY_TOO_LARGE');
    assert.strictEqual(parseEventBody(big, { maxBytes: 1e6 }).ok, true);
  });

  it('measures a body that came compressed by itself, not by its Content-Length', function () {
    const body = { eventName: 'queueEvent', blob: 'x'.repeat(5000) };
    const gz = { method: 'POST', query: {}, headers: { 'content-length': '120', 'content-encoding': 'gzip' } };
    assert.strictEqual(receive(body, gz, { maxBytes: 1000 }).answer.body.code, 'BODY_TOO_LARGE');
    const plain = { method: 'POST', query: {}, headers: { 'content-length': '120', 'content-encoding': 'identity' } };
    assert.strictEqual(receive(body, plain, { maxBytes: 1000 }).kind, 'event', 'an uncompressed body is taken at its Content-Length');
  });

  it('never quotes the body in a JSON error (it may hold phone numbers)', function () {
    for (const body of ['13800000000 is my number', '{"customerPhone": 13800000000,}']) {
      const r = parseEventBody(body);
      assert.strictEqual(r.code, 'BAD_JSON');
      assert.ok(!r.reason.includes('13800000000'), r.reason);
    }
    assert.match(parseEventBody('{"a":1').reason, /character 6/);
  });

  it('gives reasons in Chinese for zh-CN', function () {
    const r = parseEventBody('', { lang: 'zh-CN' });
    assert.match(r.reason, /请求体为空/);
  });
});

describe('lib/events: event identity (dedupe key)', function () {
  it('is name + serial, plus callId for callEnd', function () {
    assert.strictEqual(dedupeKey('callEnd', { serial: 10, callId: 'c1' }), 'callEnd|10|c1');
    assert.strictEqual(dedupeKey('agentStateEvent', { serial: 10, id: '5001' }), 'agentStateEvent|10');
    assert.notStrictEqual(dedupeKey('callEnd', { serial: 10, callId: 'c1' }), dedupeKey('callEnd', { serial: 10, callId: 'c2' }));
  });

  it('reads a serial that is an object or array as its JSON text: no throw, and two of them do not collide', function () {
    // String() throws on {"toString": 1} and gives "[object Object]" for every other object
    const odd = parseEventBody('{"eventName":"queueEvent","serial":{"toString":1}}');
    assert.strictEqual(odd.ok, true);
    assert.strictEqual(odd.key, 'queueEvent|{"toString":1}');
    assert.notStrictEqual(dedupeKey('queueEvent', { serial: { a: 1 } }), dedupeKey('queueEvent', { serial: { b: 2 } }));
    assert.notStrictEqual(dedupeKey('queueEvent', { serial: [1, 2] }), dedupeKey('queueEvent', { serial: '1,2' }));
    assert.strictEqual(dedupeKey('callEnd', { serial: { n: 1 }, callId: 'c1' }), 'callEnd|{"n":1}|c1');
    // numbers and texts keep their keys (a memory kept across an upgrade stays valid)
    assert.strictEqual(dedupeKey('queueEvent', { serial: 7 }), 'queueEvent|7');
    assert.strictEqual(dedupeKey('queueEvent', { serial: 'a7' }), 'queueEvent|a7');
    assert.match(dedupeKey('queueEvent', { eventName: 'queueEvent', serial: () => 1 }), /^queueEvent\|#/);
  });

  it('is a content hash without a serial, equal for equal content', function () {
    const a = dedupeKey('queueEvent', { eventName: 'queueEvent', depth: 1 });
    assert.match(a, /^queueEvent\|#/);
    assert.strictEqual(a, dedupeKey('queueEvent', { eventName: 'queueEvent', depth: 1 }));
    assert.notStrictEqual(a, dedupeKey('queueEvent', { eventName: 'queueEvent', depth: 2 }));
    const r1 = parseEventBody([{ callId: 'a', state: 0 }]);
    const r2 = parseEventBody(JSON.stringify([{ callId: 'a', state: 0 }]));
    assert.strictEqual(r1.key, r2.key);
  });
});

describe('lib/events: times', function () {
  it('reads China-time texts, epoch ms and epoch seconds; gives undefined for the rest', function () {
    assert.strictEqual(eventTimeIso('2018.06.12 11:33:56.368'), '2018-06-12T03:33:56.368Z');
    assert.strictEqual(eventTimeIso('2018-06-12 11:33:56'), '2018-06-12T03:33:56.000Z');
    assert.strictEqual(eventTimeIso(1559124400892), '2019-05-29T10:06:40.892Z');
    assert.strictEqual(eventTimeIso('1559124400892'), '2019-05-29T10:06:40.892Z');
    assert.strictEqual(eventTimeIso(1559124400), '2019-05-29T10:06:40.000Z');
    for (const v of [0, '', null, undefined, 'yesterday', '2018.13.40 11:33:56', {}]) assert.strictEqual(eventTimeIso(v), undefined, String(v));
  });
});

describe('lib/events: secret and signature', function () {
  const req = (query = {}, headers = {}, method = 'POST') => ({ method, query, headers });

  it('accepts the secret from the query key or the x-wellcloud-key header', function () {
    assert.strictEqual(authenticate({ secret: 's3cret' }, req({ key: 's3cret' })), undefined);
    assert.strictEqual(authenticate({ secret: 's3cret' }, req({}, { 'x-wellcloud-key': 's3cret' })), undefined);
  });

  it('refuses a wrong, missing or differently long secret', function () {
    for (const r of [req({ key: 's3creT' }), req({}), req({ key: 's3cret-and-more' }), req({ key: '' }), req({}, { 'x-wellcloud-key': 'nope' })]) {
      assert.strictEqual(authenticate({ secret: 's3cret' }, r), 'UNAUTHORIZED');
    }
  });

  it('computes the legacy signature as sha1 of the sorted token, timestamp and nonce', function () {
    const expected = crypto.createHash('sha1').update(['tok', '1700000000', 'abc'].sort().join('')).digest('hex');
    assert.strictEqual(legacySignature('tok', '1700000000', 'abc'), expected);
  });

  it('checks the signature and refuses a wrong or missing one', function () {
    const good = { timestamp: '1700000000', nonce: 'n1', signature: legacySignature('tok', '1700000000', 'n1') };
    assert.strictEqual(authenticate({ signToken: 'tok' }, req(good)), undefined);
    assert.strictEqual(authenticate({ signToken: 'tok' }, req({ ...good, signature: good.signature.toUpperCase() })), undefined);
    assert.strictEqual(authenticate({ signToken: 'tok' }, req({ ...good, nonce: 'n2' })), 'BAD_SIGNATURE');
    assert.strictEqual(authenticate({ signToken: 'tok' }, req({ timestamp: '1', nonce: 'n' })), 'BAD_SIGNATURE');
    assert.strictEqual(authenticate({ signToken: 'other' }, req(good)), 'BAD_SIGNATURE');
  });

  it('answers the GET URL check with the echostr, after the checks', function () {
    const q = { timestamp: '1700000000', nonce: 'n1', echostr: 'abxfewsvt23v7sxw' };
    q.signature = legacySignature('tok', q.timestamp, q.nonce);
    const ok = receive(q, req(q, {}, 'GET'), { signToken: 'tok' });
    assert.deepStrictEqual(ok, { kind: 'answer', answer: { status: 200, body: { result: 'abxfewsvt23v7sxw' } } });
    const bad = receive(q, req({ ...q, signature: 'x' }, {}, 'GET'), { signToken: 'tok' });
    assert.strictEqual(bad.answer.status, 401);
    assert.strictEqual(bad.code, 'BAD_SIGNATURE');
    const noEcho = receive({}, req({}, {}, 'GET'), {});
    assert.strictEqual(noEcho.answer.status, 400);
    assert.strictEqual(noEcho.answer.body.field, 'echostr');
  });

  it('answers a HEAD request like the GET URL check: its query is never read as an event', function () {
    // http in hands HEAD to its GET route with msg.payload = the query
    const q = { eventName: 'queueEvent', serial: '1' };
    const head = receive(q, req(q, {}, 'HEAD'), {});
    assert.strictEqual(head.kind, 'answer');
    assert.strictEqual(head.answer.status, 400);
    assert.strictEqual(head.answer.body.field, 'echostr');
    const echo = { ...q, echostr: 'e1' };
    assert.deepStrictEqual(receive(echo, req(echo, {}, 'head'), {}), { kind: 'answer', answer: { status: 200, body: { result: 'e1' } } });
    assert.strictEqual(receive(q, req(q, {}, 'HEAD'), { secret: 's3cret' }).answer.status, 401);
  });

  it('strips the secret from a request (every spelling of the key parameter, the header, raw headers)', function () {
    assert.strictEqual(urlWithoutSecret('/ev?a=1&key=s3cret&key%5B%5D=s3cret&%6Bey=s3cret&key[0]=s3cret&keyring=2'), '/ev?a=1&keyring=2');
    assert.strictEqual(urlWithoutSecret('/ev?key=s3cret'), '/ev');
    assert.strictEqual(urlWithoutSecret('/ev'), '/ev');
    const r = {
      url: '/ev?key=s3cret&b=2',
      originalUrl: '/hooks/ev?key=s3cret&b=2',
      _parsedUrl: { search: '?key=s3cret&b=2' },
      query: { key: 's3cret', b: '2' },
      headers: { 'x-wellcloud-key': 's3cret', host: 'h' },
      rawHeaders: ['Host', 'h', 'X-Wellcloud-Key', 's3cret'],
    };
    stripSecret(r);
    assert.deepStrictEqual(r, { url: '/ev?b=2', originalUrl: '/hooks/ev?b=2', query: { b: '2' }, headers: { host: 'h' }, rawHeaders: ['Host', 'h'] });
    // Express 5 (Node-RED 5) computes req.query from the url on every read
    const r5 = { url: '/ev?key=s3cret&b=2', get query() { return Object.fromEntries(new URL(this.url, 'http://h').searchParams); } };
    stripSecret(r5);
    assert.deepStrictEqual(r5.query, { b: '2' });
    stripSecret(undefined);
    stripSecret(Object.freeze({ url: '/ev?key=x' }));
  });

  it('never puts the secret into an answer or a warning', function () {
    const r = receive(callEnd(), req({ key: 'wrong-guess' }), { secret: 'the-real-secret' });
    assert.strictEqual(r.answer.status, 401);
    const text = JSON.stringify(r);
    assert.ok(!text.includes('the-real-secret') && !text.includes('wrong-guess'), text);
  });

  it('skips the HTTP checks for a body handed over without a request', function () {
    const r = receive(callEnd(), undefined, { secret: 's', signToken: 't' });
    assert.strictEqual(r.kind, 'event');
  });
});

describe('lib/events: dedupe memory', function () {
  it('reports a key seen within the window as a duplicate, and again after the window as new', async function () {
    let now = 1000;
    const d = new EventDeduper({ windowMs: 100, maxEntries: 10, storage: jsonStorage(), now: () => now });
    assert.strictEqual(await d.seen('callEnd|1|c'), false);
    now += 50;
    assert.strictEqual(await d.seen('callEnd|1|c'), true);
    now += 51; // 101 ms after the first sighting
    assert.strictEqual(await d.seen('callEnd|1|c'), false);
    assert.strictEqual(await d.seen('callEnd|1|c'), true);
  });

  it('recognises a store saved by an earlier version: the kept key text is the first 16 characters of the base64url sha256', async function () {
    // a file or Redis context store outlives an upgrade: the platform's retry of an event remembered
    // before it must still count as a duplicate
    const now = 5000;
    const keys = ['callEnd|e617caaf-1fc6-4998-a8a8-c9313fefde38|s1', 'agentStateEvent|5001|中文', 'x'];
    const storage = jsonStorage();
    const saved = { v: 1, k: keys.map((k) => crypto.createHash('sha256').update(k, 'utf8').digest('base64url').slice(0, 16)), t: keys.map(() => now - 10) };
    storage.text = JSON.stringify(saved);
    const d = new EventDeduper({ windowMs: 1000, maxEntries: 10, storage, now: () => now });
    for (const k of keys) assert.strictEqual(await d.seen(k), true, k);
    assert.strictEqual(await d.seen('callEnd|other|s1'), false);
    assert.deepStrictEqual(JSON.parse(storage.text).k.slice(0, 3), saved.k);
  });

  it('forgets a key on request, so its next sighting is new; other keys stay', async function () {
    let now = 1000;
    const storage = jsonStorage();
    const d = new EventDeduper({ windowMs: 100, maxEntries: 10, storage, now: () => now });
    assert.strictEqual(await d.seen('a'), false);
    assert.strictEqual(await d.seen('b'), false);
    await d.forget('a');
    await d.forget('never-seen');
    assert.strictEqual(JSON.parse(storage.text).k.length, 1);
    assert.strictEqual(await d.seen('b'), true);
    assert.strictEqual(await d.seen('a'), false, 'forgotten: new again');
    assert.strictEqual(await d.seen('a'), true);
    // seen, expired, seen again: forgetting the newest sighting leaves only an expired one
    now += 150;
    assert.strictEqual(await d.seen('a'), false);
    await d.forget('a');
    assert.strictEqual(await d.seen('a'), false);
  });

  it('never holds more than maxEntries, forgetting the oldest first', async function () {
    const storage = jsonStorage();
    const d = new EventDeduper({ windowMs: 3600000, maxEntries: 50, storage });
    for (let i = 0; i < 500; i++) {
      assert.strictEqual(await d.seen(`e|${i}`), false);
      assert.ok(d.size <= 50, `size ${d.size}`);
      const stored = JSON.parse(storage.text);
      assert.ok(stored.k.length <= 50 && stored.k.length === stored.t.length);
    }
    assert.strictEqual(await d.seen('e|499'), true, 'newest kept');
    assert.strictEqual(await d.seen('e|0'), false, 'oldest forgotten');
  });

  it('keeps a compact JSON-serialisable structure (hashed keys, no event data)', async function () {
    const storage = jsonStorage();
    const d = new EventDeduper({ windowMs: 1000, maxEntries: 10, storage });
    await d.seen('callEnd|12345|a8307aa5-bd11-4216-a6e2-5e5d6161aec4');
    const stored = JSON.parse(storage.text);
    assert.strictEqual(stored.v, 1);
    assert.strictEqual(stored.k[0].length, 16);
    assert.ok(!storage.text.includes('a8307aa5'));
  });

  it('works on the same object with a memory-like store', async function () {
    const storage = memoryStorage();
    const d = new EventDeduper({ windowMs: 1000, maxEntries: 3, storage });
    for (const k of ['a', 'b', 'c', 'd']) assert.strictEqual(await d.seen(k), false);
    assert.strictEqual(storage.value.k.length, 3);
    assert.strictEqual(await d.seen('d'), true);
    assert.strictEqual(await d.seen('a'), false);
  });

  it('shares the memory between two dedupers on one store (two instances)', async function () {
    const storage = jsonStorage();
    const a = new EventDeduper({ windowMs: 60000, maxEntries: 100, storage });
    const b = new EventDeduper({ windowMs: 60000, maxEntries: 100, storage });
    assert.strictEqual(await a.seen('x'), false);
    assert.strictEqual(await b.seen('x'), true);
  });

  it('runs concurrent checks one at a time: the same key twice at once passes once', async function () {
    const d = new EventDeduper({ windowMs: 60000, maxEntries: 100, storage: jsonStorage() });
    const results = await Promise.all([d.seen('k'), d.seen('k'), d.seen('k')]);
    assert.deepStrictEqual(results.sort(), [false, true, true]);
  });

  it('starts afresh from an unreadable stored value and rejects when the store fails', async function () {
    const storage = { load: async () => ({ v: 9, junk: true }), save: async () => undefined };
    const d = new EventDeduper({ windowMs: 1000, maxEntries: 10, storage });
    assert.strictEqual(await d.seen('a'), false);
    const failing = new EventDeduper({ windowMs: 1000, maxEntries: 10, storage: { load: async () => { throw new Error('store down'); }, save: async () => undefined } });
    await assert.rejects(failing.seen('a'), /store down/);
    // the queue keeps working after a failure
    await assert.rejects(failing.seen('b'), /store down/);
    await assert.rejects(failing.forget('a'), /store down/);
    // forget on an unreadable stored value changes nothing and saves nothing
    let saved = 0;
    const junk = new EventDeduper({ windowMs: 1000, maxEntries: 10, storage: { load: async () => ({ v: 9 }), save: async () => void saved++ } });
    await junk.forget('a');
    assert.strictEqual(saved, 0);
  });
});

describe('lib/events: agent state board', function () {
  it('reports a change with the previous state and the counts per state', function () {
    const b = new AgentStateBoard();
    const r1 = b.apply(agentState());
    assert.strictEqual(r1.kind, 'change');
    assert.deepStrictEqual(r1.change, { agent: '5001', name: '张伟', state: 'Available', previous: 'Aux', since: '2024-05-01T01:00:00.000Z', counts: { Available: 1 }, total: 1 });
    b.apply(agentState({ id: '5002', serial: 101 }));
    const r3 = b.apply(agentState({ serial: 102, acState: 'ManualRinging', stateChangeTime: '2024.05.01 09:01:00.000' }));
    assert.strictEqual(r3.change.previous, 'Available');
    assert.deepStrictEqual(r3.change.counts, { Available: 1, ManualRinging: 1 });
    assert.strictEqual(r3.change.total, 2);
  });

  it('ignores older events (by state change time, then serial) and repeats', function () {
    const b = new AgentStateBoard();
    b.apply(agentState({ serial: 200, acState: 'Acw', stateChangeTime: '2024.05.01 09:05:00.000' }));
    assert.strictEqual(b.apply(agentState({ serial: 150, acState: 'ManualTalking', stateChangeTime: '2024.05.01 09:04:00.000' })).kind, 'stale');
    assert.strictEqual(b.apply(agentState({ serial: 200, acState: 'Acw', stateChangeTime: '2024.05.01 09:05:00.000' })).kind, 'stale');
    assert.strictEqual(b.apply(agentState({ serial: 199, acState: 'Aux', stateChangeTime: '2024.05.01 09:05:00.000' })).kind, 'stale');
    assert.strictEqual(b.apply(agentState({ serial: 201, acState: 'Acw', stateChangeTime: '2024.05.01 09:05:00.000', reason: 'SessionTimeout' })).kind, 'same');
    assert.deepStrictEqual(b.counts(), { Acw: 1 });
    assert.strictEqual(compareOrder({ s: 'A' }, { s: 'B' }), 1, 'no order information: arrival order');
  });

  it('holds at most maxAgents, forgetting the agent changed longest ago', function () {
    const b = new AgentStateBoard(3);
    for (let i = 1; i <= 5; i++) b.apply(agentState({ id: String(5000 + i), serial: i }));
    assert.strictEqual(b.size, 3);
    assert.deepStrictEqual(Object.keys(b.snapshot().agents), ['5003', '5004', '5005']);
    assert.deepStrictEqual(b.counts(), { Available: 3 });
  });

  it('survives a JSON round trip, skipping junk', function () {
    const b = new AgentStateBoard();
    b.apply(agentState());
    b.apply(agentState({ id: '5002', acState: 'Aux', serial: 101 }));
    const stored = JSON.parse(JSON.stringify(b.toJSON()));
    stored.agents.push(['bad', { nope: 1 }], 'junk');
    const r = AgentStateBoard.restore(stored);
    assert.deepStrictEqual(r.counts(), { Available: 1, Aux: 1 });
    assert.strictEqual(r.apply(agentState({ serial: 99, acState: 'Aux', stateChangeTime: '2024.05.01 08:00:00.000' })).kind, 'stale');
    assert.strictEqual(AgentStateBoard.restore(undefined).size, 0);
    assert.strictEqual(AgentStateBoard.restore({ v: 2 }).size, 0);
  });

  it('counts and lists an agent or a state named like an Object.prototype member (__proto__, constructor)', function () {
    const b = new AgentStateBoard();
    const r = b.apply(agentState({ id: '__proto__', acState: '__proto__' }));
    assert.deepStrictEqual(Object.entries(r.change.counts), [['__proto__', 1]]);
    assert.strictEqual(Object.getPrototypeOf(r.change.counts), Object.prototype);
    b.apply(agentState({ id: 'constructor', acState: 'constructor', serial: 101 }));
    b.apply(agentState({ id: '5001@demo.cc', acState: '__proto__', serial: 102 }));
    const snap = b.snapshot();
    assert.deepStrictEqual(Object.keys(snap.agents), ['__proto__', 'constructor', '5001@demo.cc']);
    assert.strictEqual(Object.getPrototypeOf(snap.agents), Object.prototype);
    assert.strictEqual(snap.agents['__proto__'].state, '__proto__');
    assert.deepStrictEqual(Object.entries(snap.counts), [['__proto__', 2], ['constructor', 1]]);
    assert.strictEqual(snap.total, 3);
    // what a context store or a Debug node makes of it
    assert.deepStrictEqual(Object.keys(JSON.parse(JSON.stringify(snap)).agents), ['__proto__', 'constructor', '5001@demo.cc']);
  });

  it('shows any msg.topic in a warning without throwing (topicText)', function () {
    const { topicText } = events;
    assert.strictEqual(topicText('callEnd'), 'callEnd');
    assert.strictEqual(topicText(undefined), '');
    assert.strictEqual(topicText(5), '5');
    assert.strictEqual(topicText({ toString: 1 }), 'object');
    assert.strictEqual(topicText(Object.create(null)), 'object');
    assert.strictEqual(topicText(['a']), 'array');
    assert.strictEqual(topicText('x'.repeat(5000)), `${'x'.repeat(80)}…`);
  });

  it('refuses events without id or acState', function () {
    const b = new AgentStateBoard();
    assert.strictEqual(b.apply({ eventName: 'agentStateEvent', acState: 'Aux' }).kind, 'invalid');
    assert.strictEqual(b.apply({ eventName: 'agentStateEvent', id: '5001' }).kind, 'invalid');
  });
});
