'use strict';
// wellcloud-event-in: routing, answers, dedupe, bounded memory, malformed bodies, secret and
// signature, respond on/off, mostly through a real `http in` node with helper.request().
const assert = require('assert');
const util = require('util');
const { helper, dist, sleep, showingValues, failingContextStore } = require('../helpers');

const eventInNode = dist('nodes/wellcloud-event-in/wellcloud-event-in.js');
const { legacySignature } = dist('lib/events');
const httpModule = require('@node-red/nodes/core/network/21-httpin.js');

/**
 * The core http in / http response nodes. node-red-node-test-helper serves helper.request() from
 * RED.httpAdmin and leaves RED.httpNode (where http in registers its routes) unserved, so the
 * node app is mounted under the admin app before the module registers.
 */
function httpNodes(RED) {
  RED.httpAdmin.use(RED.httpNode);
  return httpModule(RED);
}

const URL_PATH = '/wellcloud/events';
let serial = 1000;

function callEnd(extra = {}) {
  serial++;
  return {
    eventName: 'callEnd',
    timestamp: '2024.05.01 09:10:00.123',
    serial,
    eventType: 'statEvent',
    namespace: 'demo.cc',
    callId: `call-${serial}`,
    ani: '8001',
    dnis: '13800000000',
    startTime: '2024.05.01 09:09:00.000',
    endTime: '2024.05.01 09:10:00.000',
    ...extra,
  };
}

function agentState(extra = {}) {
  serial++;
  return { eventName: 'agentStateEvent', serial, timestamp: '2024.05.01 09:00:00.000', id: '5001', name: '张伟', acState: 'Available', stateChangeTime: '2024.05.01 09:00:00.000', ...extra };
}

let loads = 0;

/**
 * http in -> event-in -> three helper nodes (and, optionally, http response on output 1).
 * Each load gets its own event-in id, so its memory (global context, keyed by node id) is fresh.
 */
function flow(props = {}, opts = {}) {
  const id = opts.id || `ev${++loads}`;
  const nodes = [
    { id: 'httpin', type: 'http in', url: URL_PATH, method: 'post', skipBodyParsing: !!opts.raw, wires: [[id]] },
    { id, type: 'wellcloud-event-in', name: '', ...props, wires: [['out1', ...(opts.httpResponse ? ['httpout'] : [])], ['out2'], ['out3']] },
    { id: 'out1', type: 'helper' },
    { id: 'out2', type: 'helper' },
    { id: 'out3', type: 'helper' },
  ];
  if (opts.get) nodes.push({ id: 'httpget', type: 'http in', url: URL_PATH, method: 'get', wires: [[id]] });
  if (opts.httpResponse) nodes.push({ id: 'httpout', type: 'http response', statusCode: opts.httpStatus || '', headers: {} });
  return [{ id: 'tab1', type: 'tab', label: 'events' }, ...nodes.map((n) => ({ ...n, z: 'tab1' }))];
}

async function load(props, opts = {}, credentials) {
  const nodes = flow(props, opts);
  const evId = nodes.find((x) => x.type === 'wellcloud-event-in').id;
  await helper.load([httpNodes, eventInNode], nodes, credentials ? { [evId]: credentials } : {});
  const n = (id) => helper.getNode(id);
  const received = { out1: [], out2: [], out3: [] };
  for (const id of Object.keys(received)) n(id).on('input', (msg) => received[id].push(msg));
  const warnings = [];
  n(evId).on('call:warn', (call) => warnings.push(String(call.args[0])));
  return { ev: n(evId), received, warnings, nodes };
}

/** The dedupe memory of an event-in node, read the way the node reads it. */
function storedMemory(ev, store) {
  return new Promise((resolve, reject) => ev.context().global.get(`wellcloud_dedupe_${ev.id}`, store, (e, v) => (e ? reject(e) : resolve(v))));
}

function post(body, { contentType = 'application/json', query = '', headers = {} } = {}) {
  let r = helper.request().post(URL_PATH + query).set('content-type', contentType);
  for (const [k, v] of Object.entries(headers)) r = r.set(k, v);
  return r.send(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
}

/** Lets the node finish (context reads are asynchronous) and the helper nodes receive. */
const settle = () => sleep(30);

describe('wellcloud-event-in node', function () {
  afterEach(() => helper.unload());

  describe('routing', function () {
    it('sends callEnd to output 1, agentStateEvent to 2, other events to 3, answering 200 {"result":"ok"}', async () => {
      const { received, warnings } = await load();
      const ce = callEnd();
      const ag = agentState();
      const other = { eventName: 'queueEvent', serial: 7, depth: 3 };
      for (const body of [ce, ag, other]) {
        const res = await post(body);
        assert.strictEqual(res.status, 200);
        assert.deepStrictEqual(res.body, { result: 'ok' });
      }
      await settle();
      assert.strictEqual(received.out1.length, 1);
      assert.strictEqual(received.out2.length, 1);
      assert.strictEqual(received.out3.length, 1);
      const m1 = received.out1[0];
      assert.strictEqual(m1.topic, 'callEnd');
      assert.strictEqual(m1.payload.callId, ce.callId);
      assert.strictEqual(m1.payload.timestampIso, '2024-05-01T01:10:00.123Z');
      assert.strictEqual(m1.res, undefined, 'msg.res is answered and removed when respond is on');
      assert.ok(m1.req, 'msg.req is kept');
      assert.strictEqual(received.out2[0].topic, 'agentStateEvent');
      assert.strictEqual(received.out2[0].payload.id, '5001');
      assert.strictEqual(received.out3[0].topic, 'queueEvent');
      assert.deepStrictEqual(warnings, []);
    });

    it('sends the legacy outbound-result push (a JSON array) to output 3 as outboundResult', async () => {
      const { received } = await load();
      const results = [{ callId: 'c1', id: '1', activityId: 'a', state: 0, startTime: 1559124400892, endTime: 1559124469853, respondTime: 0 }];
      const res = await post(results);
      assert.strictEqual(res.status, 200);
      await settle();
      assert.strictEqual(received.out3.length, 1);
      assert.strictEqual(received.out3[0].topic, 'outboundResult');
      assert.ok(Array.isArray(received.out3[0].payload));
      assert.strictEqual(received.out3[0].payload[0].startTimeIso, new Date(1559124400892).toISOString());
    });

    it('sends legacy CallEndEvent / AgentStatusEvent normalised to outputs 1 and 2', async () => {
      const { received } = await load();
      await post({ eventName: 'CallEndEvent', eventTime: '2017.09.13 11:15:53', serial: 1, call: { id: 'legacy-call', firstStation: '8017@final.cc' } });
      await post({ eventName: 'AgentStatusEvent', serial: 2, agent: { agentId: '5102@zhen04.cc', agentStatus: 'Idle' } });
      await settle();
      assert.strictEqual(received.out1[0].payload.callId, 'legacy-call');
      assert.strictEqual(received.out1[0].payload.original.call.id, 'legacy-call');
      assert.strictEqual(received.out2[0].payload.acState, 'Available');
    });

    it('routes events named like Object.prototype members (constructor, __proto__, toString) to output 3, and maps such a legacy state to Unknown', async () => {
      const { received, warnings } = await load();
      for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
        const res = await post(`{"eventName":"${name}","serial":1,"timestamp":"2024.05.01 09:10:00.123"}`);
        assert.strictEqual(res.status, 200, `${name}: ${res.text}`);
        assert.deepStrictEqual(res.body, { result: 'ok' });
      }
      const legacy = await post({ eventName: 'AgentStatusEvent', serial: 9, agent: { agentId: '5103@zhen04.cc', agentStatus: 'constructor' } });
      assert.strictEqual(legacy.status, 200, legacy.text);
      await settle();
      assert.deepStrictEqual(warnings, []);
      assert.deepStrictEqual(received.out3.map((m) => m.topic), ['constructor', '__proto__', 'toString', 'hasOwnProperty']);
      assert.strictEqual(received.out3[0].payload.timestampIso, '2024-05-01T01:10:00.123Z');
      assert.strictEqual(received.out2[0].payload.acState, 'Unknown');
    });

    it('passes a "__proto__" field of the body on as a field, not as the prototype of msg.payload', async () => {
      const { received } = await load();
      const res = await post('{"eventName":"queueEvent","serial":77,"__proto__":{"injected":"yes","eventName":"callEnd"},"depth":1}');
      assert.strictEqual(res.status, 200, res.text);
      await settle();
      const { payload } = received.out3[0];
      assert.strictEqual(Object.getPrototypeOf(payload), Object.prototype);
      assert.deepStrictEqual(Object.keys(payload), ['eventName', 'serial', '__proto__', 'depth']);
      assert.deepStrictEqual(payload['__proto__'], { injected: 'yes', eventName: 'callEnd' });
      assert.strictEqual(payload.injected, undefined);
      assert.strictEqual({}.injected, undefined);
    });

    it('accepts events whose serial is an object (answered 200, not 500) and tells two of them apart', async () => {
      const { received, warnings } = await load({}, { raw: true });
      for (const body of ['{"eventName":"queueEvent","serial":{"toString":1}}', '{"eventName":"queueEvent","serial":{"n":1}}', '{"eventName":"queueEvent","serial":{"n":2}}']) {
        const res = await post(body, { contentType: 'application/json' });
        assert.strictEqual(res.status, 200, `${body}: ${res.text}`);
      }
      const retry = await post('{"eventName":"queueEvent","serial":{"n":2},"timestamp":"2024.05.01 09:10:00"}', { contentType: 'application/json' });
      assert.strictEqual(retry.status, 200);
      await settle();
      assert.deepStrictEqual(warnings, []);
      assert.deepStrictEqual(received.out3.map((m) => m.payload.serial), [{ toString: 1 }, { n: 1 }, { n: 2 }]);
    });

    it('reads a raw Buffer body (http in with "Do not parse request body")', async () => {
      const { received } = await load({}, { raw: true });
      const ce = callEnd();
      const res = await post(JSON.stringify(ce), { contentType: 'application/octet-stream' });
      assert.strictEqual(res.status, 200);
      await settle();
      assert.strictEqual(received.out1[0].payload.callId, ce.callId);
    });

    it('reads an event handed over without an HTTP request (no answer, no checks)', async () => {
      const { ev, received } = await load({}, {}, { secret: 'abc123' });
      ev.receive({ payload: JSON.stringify(callEnd()) });
      await settle();
      assert.strictEqual(received.out1.length, 1);
    });

    it('shows a long event name cut to 80 characters in its status', async () => {
      // the test helper's RED._ gives the key alone: this one also shows the values it was given
      const withValues = (RED) => {
        RED._ = (key, vars) => (vars ? `${key} ${JSON.stringify(vars)}` : key);
        return eventInNode(RED);
      };
      const nodes = flow();
      await helper.load([httpNodes, withValues], nodes, {});
      const ev = helper.getNode(nodes.find((x) => x.type === 'wellcloud-event-in').id);
      const statuses = [];
      ev.on('call:status', (c) => statuses.push(c.args[0]));
      const name = `x${'y'.repeat(5000)}`;
      const res = await post({ eventName: name, serial: 1 });
      assert.strictEqual(res.status, 200);
      await settle();
      const last = statuses[statuses.length - 1];
      assert.ok(last && last.text.includes(`${name.slice(0, 80)}…`), JSON.stringify(last).slice(0, 200));
      assert.ok(last.text.length < 200, `status of ${last.text.length} characters`);
    });

    it('answers through status().json() when the response object offers only that', async () => {
      const { ev, received } = await load();
      const answers = [];
      const res = { _res: { status: (code) => ({ json: (body) => answers.push({ code, body }) }) } };
      ev.receive({ payload: callEnd(), res });
      ev.receive({ payload: { serial: 1 }, res });
      await settle();
      // the refusal is answered at once, the event after its dedupe check
      answers.sort((a, b) => a.code - b.code);
      assert.deepStrictEqual(answers[0], { code: 200, body: { result: 'ok' } });
      assert.strictEqual(answers[1].code, 400);
      assert.strictEqual(answers[1].body.code, 'MISSING_FIELD');
      assert.strictEqual(received.out1.length, 1);
    });
  });

  describe('dedupe', function () {
    it('drops a retried event (same name + serial + callId) and answers both pushes 200', async () => {
      const { received } = await load();
      const ce = callEnd();
      const first = await post(ce);
      const retry = await post({ ...ce, timestamp: '2024.05.01 09:11:00.000' });
      assert.strictEqual(first.status, 200);
      assert.strictEqual(retry.status, 200);
      assert.deepStrictEqual(retry.body, { result: 'ok' });
      // same serial, other callId: another event
      await post({ ...ce, callId: 'another-call' });
      await settle();
      assert.deepStrictEqual(received.out1.map((m) => m.payload.callId), [ce.callId, 'another-call']);
    });

    it('lets the event through again after the window', async () => {
      const { received } = await load({ dedupeWindow: 80, dedupeWindowUnit: 'ms' });
      const ag = agentState();
      await post(ag);
      await post(ag);
      await settle();
      assert.strictEqual(received.out2.length, 1);
      await sleep(120);
      await post(ag);
      await settle();
      assert.strictEqual(received.out2.length, 2);
    });

    it('passes every copy when dedupe is off', async () => {
      const { received } = await load({ dedupe: false });
      const ce = callEnd();
      await post(ce);
      await post(ce);
      await settle();
      assert.strictEqual(received.out1.length, 2);
    });

    it('a failing dedupe context store lets every push through (at least once), answers 200 and warns why', async () => {
      const broken = failingContextStore('broken');
      try {
        const nodes = flow({ dedupeStore: 'broken' });
        const evId = nodes.find((x) => x.type === 'wellcloud-event-in').id;
        await helper.load([broken.loadStores, httpNodes, showingValues(eventInNode)], nodes, {});
        const out = [];
        helper.getNode('out1').on('input', (m) => out.push(m));
        const warnings = [];
        helper.getNode(evId).on('call:warn', (c) => warnings.push(String(c.args[0])));
        const ce = callEnd();
        for (let i = 0; i < 2; i++) {
          const r = await post(ce);
          assert.strictEqual(r.status, 200);
          assert.deepStrictEqual(r.body, { result: 'ok' });
        }
        await settle();
        assert.deepStrictEqual(out.map((m) => m.payload.callId), [ce.callId, ce.callId]);
        assert.ok(broken.calls.get > 0, 'the named store was asked');
        assert.ok(warnings.length >= 2, warnings.join('\n'));
        for (const w of warnings) assert.strictEqual(w, 'wellcloud-event-in.warn.store {"detail":"context store broken is offline"}');
      } finally {
        broken.restore();
      }
    });

    it('keeps at most dedupeMax events in its context memory, whatever the traffic', async () => {
      const { ev, received } = await load({ dedupeMax: 25 });
      const store = () => storedMemory(ev);
      for (let i = 0; i < 300; i++) {
        ev.receive({ payload: callEnd() });
        if (i % 50 === 49) {
          await settle();
          const s = await store();
          assert.ok(s.k.length <= 25 && s.k.length === s.t.length, `stored ${s.k.length}`);
        }
      }
      await settle();
      assert.strictEqual(received.out1.length, 300);
      assert.strictEqual((await store()).k.length, 25);
    });
  });

  describe('malformed bodies', function () {
    const CASES = [
      ['broken JSON (text/plain)', '{"eventName":"callEnd",', 'text/plain', 'BAD_JSON'],
      ['an array of non-results', '[1,2,3]', 'application/json', 'NOT_OUTBOUND_RESULTS'],
      ['a non-object', '"hello"', 'text/plain', 'NOT_AN_OBJECT'],
      ['an event without eventName', '{"serial":1,"callId":"x"}', 'application/json', 'MISSING_FIELD'],
      ['an empty body', '', 'text/plain', 'EMPTY_BODY'],
      ['a callEnd without callId', '{"eventName":"callEnd","serial":3}', 'application/json', 'MISSING_FIELD'],
      ['a body nested 5000 levels deep (text)', `{"eventName":"x","a":${'['.repeat(5000)}${']'.repeat(5000)}}`, 'text/plain', 'TOO_DEEP'],
      ['a body nested 65 levels deep (parsed by http in)', `{"eventName":"x","serial":4,"a":${'['.repeat(64)}${']'.repeat(64)}}`, 'application/json', 'TOO_DEEP'],
    ];
    for (const [title, body, contentType, code] of CASES) {
      it(`answers ${title} with 400 and a JSON reason, warns, and keeps working`, async () => {
        const { received, warnings } = await load();
        const res = await post(body, { contentType });
        assert.strictEqual(res.status, 400);
        assert.strictEqual(res.body.result, 'error');
        assert.strictEqual(res.body.code, code);
        assert.ok(typeof res.body.reason === 'string' && res.body.reason.length > 5);
        await settle();
        assert.strictEqual(warnings.length, 1);
        assert.strictEqual(received.out1.length + received.out2.length + received.out3.length, 0);
        const ok = await post(callEnd());
        assert.strictEqual(ok.status, 200);
        await settle();
        assert.strictEqual(received.out1.length, 1);
      });
    }

    it('writes every answer as JSON text with its charset and exact byte length', async () => {
      await load({}, { get: true });
      const ok = await post(callEnd());
      assert.strictEqual(ok.headers['content-type'], 'application/json; charset=utf-8');
      assert.strictEqual(ok.text, '{"result":"ok"}');
      assert.strictEqual(Number(ok.headers['content-length']), Buffer.byteLength(ok.text));
      const again = await post(callEnd()); // the duplicate gets the same answer
      assert.strictEqual(again.status, 200);
      assert.strictEqual(again.text, '{"result":"ok"}');
      const bad = await post('{"serial":1}');
      assert.strictEqual(bad.status, 400);
      assert.strictEqual(bad.headers['content-type'], 'application/json; charset=utf-8');
      assert.strictEqual(Number(bad.headers['content-length']), Buffer.byteLength(bad.text));
      assert.strictEqual(JSON.parse(bad.text).code, 'MISSING_FIELD');
      // multi-byte text: the length counts bytes, not characters
      const check = await helper.request().get(`${URL_PATH}?echostr=${encodeURIComponent('验证-ok')}`);
      assert.strictEqual(check.status, 200);
      assert.deepStrictEqual(JSON.parse(check.text), { result: '验证-ok' });
      assert.strictEqual(Number(check.headers['content-length']), Buffer.byteLength(check.text, 'utf8'));
      assert.ok(Number(check.headers['content-length']) > check.text.length);
    });

    it('answers broken JSON with 400 from a raw-body http in', async () => {
      const { received, warnings } = await load({}, { raw: true });
      const res = await post('{"eventName": callEnd}', { contentType: 'application/json' });
      assert.strictEqual(res.status, 400);
      assert.strictEqual(res.body.code, 'BAD_JSON');
      await settle();
      assert.strictEqual(warnings.length, 1);
      assert.strictEqual(received.out1.length, 0);
    });

    it('never sees broken JSON behind a parsing http in: http in answers 400 with an HTML page (as the help says)', async () => {
      const { received, warnings } = await load();
      const res = await post('{"eventName": callEnd}', { contentType: 'application/json' });
      assert.strictEqual(res.status, 400);
      assert.match(String(res.headers['content-type']), /text\/html/);
      await settle();
      assert.strictEqual(warnings.length, 0);
      assert.strictEqual(received.out1.length, 0);
    });

    it('refuses a body over the size limit with 400', async () => {
      const { received } = await load({ maxBodyKb: 1 });
      const res = await post(callEnd({ userData: { blob: 'x'.repeat(4096) } }));
      assert.strictEqual(res.status, 400);
      assert.strictEqual(res.body.code, 'BODY_TOO_LARGE');
      await settle();
      assert.strictEqual(received.out1.length, 0);
    });

    it('refuses a gzip-compressed body whose JSON is over the size limit (http in inflates it)', async () => {
      const zlib = require('zlib');
      const { received, warnings } = await load({ maxBodyKb: 1 });
      const big = zlib.gzipSync(JSON.stringify(callEnd({ userData: { blob: 'x'.repeat(100000) } })));
      assert.ok(big.length < 1024, 'compressed, it is under the limit');
      const res = await helper.request().post(URL_PATH).set('content-type', 'application/json').set('content-encoding', 'gzip').serialize((b) => b).send(big);
      assert.strictEqual(res.status, 400);
      assert.strictEqual(res.body.code, 'BODY_TOO_LARGE');
      const small = await helper.request().post(URL_PATH).set('content-type', 'application/json').set('content-encoding', 'gzip').serialize((b) => b).send(zlib.gzipSync(JSON.stringify(callEnd())));
      assert.strictEqual(small.status, 200);
      await settle();
      assert.strictEqual(received.out1.length, 1);
      assert.strictEqual(warnings.length, 1);
    });

    it('refuses a raw body over the size limit with 400', async () => {
      const { received } = await load({ maxBodyKb: 1 }, { raw: true });
      const res = await post(Buffer.alloc(2048, 0x20), { contentType: 'application/octet-stream' });
      assert.strictEqual(res.status, 400);
      assert.strictEqual(res.body.code, 'BODY_TOO_LARGE');
      await settle();
      assert.strictEqual(received.out1.length, 0);
    });

    it('warns without echoing the body', async () => {
      const { warnings } = await load();
      await post('{"secretish":"do-not-log-me"', { contentType: 'text/plain' });
      await settle();
      assert.strictEqual(warnings.length, 1);
      assert.ok(!warnings[0].includes('do-not-log-me'), warnings[0]);
    });
  });

  describe('secret', function () {
    const SECRET = 'tenant-push-secret-42';

    it('accepts the secret as query key or header x-wellcloud-key', async () => {
      const { received } = await load({}, {}, { secret: SECRET });
      assert.strictEqual((await post(callEnd(), { query: `?key=${SECRET}` })).status, 200);
      assert.strictEqual((await post(callEnd(), { headers: { 'x-wellcloud-key': SECRET } })).status, 200);
      await settle();
      assert.strictEqual(received.out1.length, 2);
    });

    it('does not pass the secret on in msg.req (query, url, headers, raw headers), so a Debug node cannot show it', async () => {
      const { encodeObject } = require('@node-red/util').util;
      const { received } = await load({ respond: false }, { httpResponse: true }, { secret: SECRET });
      const viaQuery = await post(callEnd(), { query: `?src=pbx&key=${encodeURIComponent(SECRET)}` });
      const viaHeader = await post(callEnd(), { query: '?src=pbx', headers: { 'x-wellcloud-key': SECRET, 'x-trace': 't1' } });
      // respond off: the flow's http response node still answers with the untouched msg.res
      assert.strictEqual(viaQuery.status, 200);
      assert.strictEqual(viaHeader.status, 200);
      await settle();
      assert.strictEqual(received.out1.length, 2);
      for (const msg of received.out1) {
        // what a Debug node set to "complete msg object" prints to the log and sends to the sidebar
        const shown = [util.inspect(msg, { depth: 10 }), JSON.stringify(encodeObject({ msg }, { maxLength: 1e6 }))];
        for (const text of shown) assert.ok(!text.includes(SECRET), 'the secret travels on the message');
        assert.strictEqual(msg.req.query.src, 'pbx', 'other query parameters are kept');
        assert.strictEqual(msg.req.query.key, undefined);
        assert.strictEqual(msg.req.originalUrl, `${URL_PATH}?src=pbx`);
        assert.strictEqual(msg.req.headers['x-wellcloud-key'], undefined);
      }
      assert.strictEqual(received.out1[1].req.headers['x-trace'], 't1', 'other headers are kept');
      assert.strictEqual(received.out1[1].req.get('x-trace'), 't1');
    });

    it('answers 401 for a wrong or missing secret, sends nothing and never logs the secret', async () => {
      const { received, warnings } = await load({}, {}, { secret: SECRET });
      const wrong = await post(callEnd(), { query: '?key=guess' });
      const missing = await post(callEnd());
      const header = await post(callEnd(), { headers: { 'x-wellcloud-key': `${SECRET}x` } });
      for (const r of [wrong, missing, header]) {
        assert.strictEqual(r.status, 401);
        assert.strictEqual(r.body.code, 'UNAUTHORIZED');
        assert.ok(!JSON.stringify(r.body).includes(SECRET));
      }
      await settle();
      assert.strictEqual(received.out1.length, 0);
      assert.strictEqual(warnings.length, 3);
      for (const w of warnings) assert.ok(!w.includes(SECRET) && !w.includes('guess'), w);
    });
  });

  describe('legacy signature', function () {
    const TOKEN = 'iosdfiajlsdfksdf';
    const signed = (extra = {}) => {
      const q = { timestamp: '1718000000', nonce: 'n0nce', ...extra };
      q.signature = legacySignature(TOKEN, q.timestamp, q.nonce);
      return `?${new URLSearchParams(q)}`;
    };

    it('accepts a correctly signed push and refuses a wrong or missing signature with 401', async () => {
      const { received } = await load({}, {}, { signToken: TOKEN });
      assert.strictEqual((await post(callEnd(), { query: signed() })).status, 200);
      const bad = await post(callEnd(), { query: signed().replace('n0nce', 'other') });
      assert.strictEqual(bad.status, 401);
      assert.strictEqual(bad.body.code, 'BAD_SIGNATURE');
      assert.strictEqual((await post(callEnd())).status, 401);
      await settle();
      assert.strictEqual(received.out1.length, 1);
    });

    it('answers the GET URL check with {"result": echostr}', async () => {
      await load({}, { get: true }, { signToken: TOKEN });
      const ok = await helper.request().get(URL_PATH + signed({ echostr: 'abxfewsvt23v7sxw' }));
      assert.strictEqual(ok.status, 200);
      assert.deepStrictEqual(ok.body, { result: 'abxfewsvt23v7sxw' });
      const bad = await helper.request().get(`${URL_PATH}?timestamp=1&nonce=2&signature=3&echostr=x`);
      assert.strictEqual(bad.status, 401);
    });

    it('answers a HEAD request like the GET URL check, and never sends its query on as an event', async () => {
      const { received, warnings } = await load({}, { get: true });
      const probe = await helper.request().head(`${URL_PATH}?eventName=queueEvent&serial=1`);
      assert.strictEqual(probe.status, 400);
      const check = await helper.request().head(`${URL_PATH}?eventName=queueEvent&serial=2&echostr=e1`);
      assert.strictEqual(check.status, 200);
      assert.match(String(check.headers['content-type']), /^application\/json/);
      await settle();
      assert.strictEqual(received.out1.length + received.out2.length + received.out3.length, 0);
      assert.strictEqual(warnings.length, 1, 'the HEAD without echostr is reported like a GET without it');
    });

    it('answers the GET URL check without a sign token too (the legacy docs allow skipping the check)', async () => {
      await load({}, { get: true });
      const ok = await helper.request().get(`${URL_PATH}?echostr=hello`);
      assert.deepStrictEqual(ok.body, { result: 'hello' });
    });
  });

  describe('respond off', function () {
    it('keeps msg.res on the message for the flow\'s http response node', async () => {
      const { received } = await load({ respond: false }, { httpResponse: true });
      const ce = callEnd();
      const res = await post(ce);
      // the core http response node answered with msg.payload (the event) and status 200
      assert.strictEqual(res.status, 200);
      assert.strictEqual(res.body.callId, ce.callId);
      assert.ok(received.out1[0].res, 'msg.res kept');
    });

    it('still answers requests that leave no message: duplicates and refused bodies', async () => {
      const { received } = await load({ respond: false }, { httpResponse: true });
      const ce = callEnd();
      await post(ce);
      const dup = await post(ce);
      assert.strictEqual(dup.status, 200);
      assert.deepStrictEqual(dup.body, { result: 'ok' });
      const bad = await post('nope', { contentType: 'text/plain' });
      assert.strictEqual(bad.status, 400);
      await settle();
      assert.strictEqual(received.out1.length, 1);
    });

    it('forgets an event the flow answers with an error status: the platform\'s next push of it is delivered again', async () => {
      const { received, warnings } = await load({ respond: false }, { httpResponse: true, httpStatus: '500' });
      const ce = callEnd();
      assert.strictEqual((await post(ce)).status, 500);
      await settle();
      const retry = await post(ce);
      assert.strictEqual(retry.status, 500, 'answered by the flow again, not as a duplicate');
      await settle();
      assert.strictEqual(received.out1.length, 2);
      assert.deepStrictEqual(warnings, []);
    });

    it('forgets an event the flow leaves unanswered until the connection closes', async () => {
      const { received } = await load({ respond: false });
      const ce = callEnd();
      for (let i = 0; i < 2; i++) {
        await assert.rejects(post(ce).timeout(150), (e) => e.timeout === 150);
        await settle();
      }
      assert.strictEqual(received.out1.length, 2, 'the second push was delivered, not dropped as a duplicate');
    });

    it('answers 503 IN_PROGRESS to a push of an event whose earlier push the flow has not answered yet', async () => {
      const { received } = await load({ respond: false });
      const ce = callEnd();
      const first = assert.rejects(post(ce).timeout(400), (e) => e.timeout === 400);
      await sleep(100);
      const again = await post(ce);
      assert.strictEqual(again.status, 503);
      assert.strictEqual(again.body.code, 'IN_PROGRESS');
      await first;
      await settle();
      // the first push was never answered: forgotten, so the next push is delivered
      await assert.rejects(post(ce).timeout(150), (e) => e.timeout === 150);
      await settle();
      assert.strictEqual(received.out1.length, 2);
    });

    it('keeps remembering an event the flow answered with 2xx', async () => {
      const { received } = await load({ respond: false }, { httpResponse: true, httpStatus: '204' });
      const ce = callEnd();
      assert.strictEqual((await post(ce)).status, 204);
      await settle();
      const dup = await post(ce);
      assert.strictEqual(dup.status, 200);
      assert.deepStrictEqual(dup.body, { result: 'ok' });
      await settle();
      assert.strictEqual(received.out1.length, 1);
    });
  });

  describe('redeploy', function () {
    it('keeps its dedupe memory across a redeploy, and drops it when the node is deleted', async () => {
      const first = await load({}, { id: 'evKeep' });
      const ce = callEnd();
      await post(ce);
      await settle();
      assert.strictEqual(first.received.out1.length, 1);
      // full redeploy: every node stops and starts again (the node context would be wiped here)
      await helper.setFlows(flow({}, { id: 'evKeep' }), 'full');
      const again = [];
      helper.getNode('out1').on('input', (m) => again.push(m));
      const res = await post(ce);
      assert.strictEqual(res.status, 200);
      await settle();
      assert.strictEqual(again.length, 0, 'the retry after the redeploy was dropped');
      const ev = helper.getNode('evKeep');
      assert.strictEqual((await storedMemory(ev)).k.length, 1);
      // delete the node (and its http in) from the flow: its memory goes with it
      const global = ev.context().global;
      await helper.setFlows(flow({}, { id: 'evKeep' }).filter((n) => !['evKeep', 'httpin'].includes(n.id)), 'full');
      assert.strictEqual(global.get('wellcloud_dedupe_evKeep'), undefined);
    });

    it('answers 503 STOPPING to a request http in sent on just before the stop (delivered in the next turn), instead of never answering it', async () => {
      const { ev, received, nodes } = await load({}, { id: 'evQueued' });
      const httpIn = helper.getNode(nodes.find((n) => n.type === 'http in').id);
      let stopped;
      // http in has sent the message on; Node-RED delivers it with setImmediate: the stop begins in between
      httpIn.once('call:send', () => {
        stopped = ev.close(false);
      });
      const res = await post(callEnd()).timeout(2000);
      assert.strictEqual(res.status, 503);
      assert.strictEqual(res.body.code, 'STOPPING');
      await stopped;
      await settle();
      assert.strictEqual(received.out1.length, 0);
    });

    it('answers 503 STOPPING, and sends nothing on, to a request delivered after its stop began', async () => {
      const { ev, received, warnings } = await load({}, { id: 'evLate' });
      // what Node-RED's http in wraps: the Express response under msg.res._res
      const res = {
        headersSent: false,
        statusCode: 0,
        headers: {},
        setHeader(k, v) {
          this.headers[k.toLowerCase()] = v;
        },
        end(body) {
          this.body = String(body);
          this.headersSent = true;
        },
      };
      const closed = ev.close(false);
      // Node-RED queued it before the stop: the platform must push it again, to the new flow
      ev.receive({ payload: JSON.stringify(callEnd()), req: { headers: {}, query: {} }, res: { _res: res } });
      await closed;
      await settle();
      assert.strictEqual(res.statusCode, 503);
      assert.deepStrictEqual(JSON.parse(res.body), { result: 'error', code: 'STOPPING', reason: 'the receiver is stopping; push again' });
      assert.strictEqual(received.out1.length + received.out2.length + received.out3.length, 0);
      assert.deepStrictEqual(warnings, []);
      assert.strictEqual(await storedMemory(ev), undefined, 'not remembered as seen: its retry must get through');
    });
  });
});

describe('examples of wellcloud-event-in and wellcloud-agent-state', function () {
  const fs = require('fs');
  const path = require('path');
  const http = require('http');
  const agentStateNode = dist('nodes/wellcloud-agent-state/wellcloud-agent-state.js');

  /** An example flow with debug, inject and comment nodes swapped for helper nodes (no editor comms here). */
  function example(file) {
    const nodes = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', file), 'utf8'));
    const credentials = {};
    const flowNodes = nodes.map((n) => {
      const copy = { ...n };
      if (copy.credentials) {
        credentials[copy.id] = copy.credentials;
        delete copy.credentials;
      }
      if (['debug', 'inject', 'comment'].includes(copy.type)) return { id: copy.id, z: copy.z, type: 'helper', wires: copy.wires || [] };
      return copy;
    });
    return { nodes, flowNodes, credentials, byName: (type, name) => nodes.find((n) => n.type === type && n.name === name) };
  }

  afterEach(() => helper.unload());

  it('Event receiver: routes the sample events, drops a repeated one and refuses the malformed one', async () => {
    const ex = example('Event receiver - routing, dedupe and secret.json');
    await helper.load([httpNodes, eventInNode], ex.flowNodes, ex.credentials);
    const got = {};
    for (const name of ['callEnd', 'agentStateEvent', 'other / outboundResult']) {
      const id = ex.byName('debug', name).id;
      got[name] = [];
      helper.getNode(id).on('input', (m) => got[name].push(m));
    }
    const evIn = helper.getNode(ex.nodes.find((n) => n.type === 'wellcloud-event-in').id);
    const payloadOf = (name) => JSON.parse(ex.byName('inject', name).payload);
    for (const name of ['callEnd', 'callEnd', 'agentStateEvent', 'legacy CallEndEvent', 'outbound results', 'malformed']) evIn.receive({ payload: payloadOf(name) });
    await settle();
    assert.deepStrictEqual(got.callEnd.map((m) => m.payload.callId), ['a8307aa5-bd11-4216-a6e2-5e5d6161aec4', '517cefd0-65fb-4b8f-bc42-d0919a4a3ffe']);
    assert.strictEqual(got.agentStateEvent.length, 1);
    assert.deepStrictEqual(got['other / outboundResult'].map((m) => m.topic), ['outboundResult']);
    // over HTTP the example's secret is required
    assert.strictEqual((await helper.request().post('/wellcloud/push').send(callEnd())).status, 401);
    assert.strictEqual((await helper.request().post('/wellcloud/push?key=change-me').set('content-type', 'application/json').send(JSON.stringify(callEnd()))).status, 200);
    assert.deepStrictEqual((await helper.request().get('/wellcloud/push?key=change-me&echostr=e1')).body, { result: 'e1' });
  });

  it('Agent board: builds the board from the samples and ignores the late retry', async () => {
    const ex = example('Agent board - live agent states.json');
    await helper.load([httpNodes, eventInNode, agentStateNode], ex.flowNodes, ex.credentials);
    const changes = [];
    helper.getNode(ex.byName('debug', 'state changes').id).on('input', (m) => changes.push(m.payload));
    const board = helper.getNode(ex.nodes.find((n) => n.type === 'wellcloud-agent-state').id);
    for (const name of ['5001 Available', '5002 Aux', '5001 InboundRinging', 'late retry (older)']) board.receive({ payload: JSON.parse(ex.byName('inject', name).payload) });
    board.receive({ topic: 'snapshot' });
    await settle();
    assert.deepStrictEqual(changes.slice(0, 3).map((c) => `${c.agent}:${c.state}`), ['5001:Available', '5002:Aux', '5001:InboundRinging']);
    assert.deepStrictEqual(changes[3].counts, { Aux: 1, InboundRinging: 1 });
  });

  it('Live demo: click to call -> callEnd -> recordings and CDR of the call, and the agent board', async function () {
    this.timeout(20000);
    const { startSandbox } = dist('lib/sandbox');
    const ex = example('Live demo - click to call and callEnd.json');
    const types = ['wellcloud-config', 'wellcloud-dual-call', 'wellcloud-cdr', 'wellcloud-recording'].map((t) => dist(`nodes/${t}/${t}.js`));
    let nodeApp;
    const capture = (RED) => {
      nodeApp = RED.httpNode;
      return httpModule(RED);
    };
    const server = http.createServer((req, res) => nodeApp(req, res));
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const sb = await startSandbox({ subscriberUrl: `http://127.0.0.1:${server.address().port}/wellcloud/events`, callDurationMs: 300 });
    try {
      const flowNodes = ex.flowNodes.map((n) => (n.type === 'wellcloud-config' ? { ...n, baseUrl: sb.url } : n));
      await helper.load([capture, eventInNode, agentStateNode, ...types], flowNodes, ex.credentials);
      const seen = {};
      for (const name of ['dual call: callId', 'callEnd', 'recordings of the call', 'CDR of the call', 'agent board']) {
        seen[name] = [];
        helper.getNode(ex.byName('debug', name).id).on('input', (m) => seen[name].push(m.payload));
      }
      helper.getNode(ex.byName('inject', 'click to call').id).send({ payload: {} });
      const deadline = Date.now() + 10000;
      const ready = () => seen['CDR of the call'].length && seen['recordings of the call'].length && seen['agent board'].some((c) => c.state === 'Available');
      while (!ready() && Date.now() < deadline) await sleep(25);
      const callId = seen['dual call: callId'][0].callId;
      assert.ok(callId, 'dual call answered a callId');
      assert.strictEqual(seen.callEnd[0].callId, callId);
      assert.strictEqual(seen['CDR of the call'][0].callId, callId);
      assert.ok(Array.isArray(seen['recordings of the call'][0]) && seen['recordings of the call'][0].every((r) => r.callId === callId));
      assert.deepStrictEqual(seen['agent board'].map((c) => `${c.agent}:${c.state}`), ['5001:ManualRinging', '5001:ManualTalking', '5001:Acw', '5001:Available']);
    } finally {
      await sb.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
