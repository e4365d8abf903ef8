'use strict';
// A seeded robustness (fuzz) pass over the webhook path: a few thousand malformed or odd requests
// over real HTTP on 127.0.0.1 through `http in` -> wellcloud-event-in (-> wellcloud-agent-state),
// and odd messages straight into wellcloud-agent-state. Deterministic: the seed (default below,
// or WELLCLOUD_FUZZ_SEED) decides every request; a failure names the seed and the request number.
// WELLCLOUD_FUZZ_COUNT changes the number of requests.
//
// For every request: an answer arrives (no hang), its status is one the help documents (never 5xx,
// except where Node-RED's own parsing `http in` answers before this node sees anything: see
// expectationOf), where the outcome is known the exact status, code and field; a refused body
// leaves no message and one warning; a new event leaves exactly one message, on the right output,
// with every field as sent; the counts in the node's status match what was answered and sent; no
// secret shows in a log line, a status, a message or an answer. For the whole run: no
// uncaughtException / unhandledRejection / process warning, Object.prototype and friends
// untouched, and the nodes still working afterwards. Also: requests racing two redeploys (200,
// 400, 404 or 503, never no answer), and odd messages straight into wellcloud-agent-state (no
// error, and its changes, counts and snapshots agree with each other).
const assert = require('assert');
const http = require('http');
const util = require('util');
const zlib = require('zlib');
const { helper, dist, sleep } = require('../helpers');
const { prng, watchProcess } = require('../fuzz');

const eventInNode = dist('nodes/wellcloud-event-in/wellcloud-event-in.js');
const agentStateNode = dist('nodes/wellcloud-agent-state/wellcloud-agent-state.js');
const { legacySignature, MAX_DEPTH } = dist('lib/events');
const httpModule = require('@node-red/nodes/core/network/21-httpin.js');
const { encodeObject } = require('@node-red/util').util;

const SEED = Number(process.env.WELLCLOUD_FUZZ_SEED) || 0x5eed2024;
const COUNT = Number(process.env.WELLCLOUD_FUZZ_COUNT) || 3000;
const AGENT_MESSAGES = 2000;
const CONCURRENCY = 4;
const ANSWER_TIMEOUT_MS = 5000;

const SECRET = 'fz-Secret-9f3c1a77e2';
const SIGN_TOKEN = 'fz-SignToken-41bd0c';
const MAX_BODY_KB = 256;
const MALFORMED_CODES = ['EMPTY_BODY', 'BODY_TOO_LARGE', 'BAD_JSON', 'NOT_AN_OBJECT', 'MISSING_FIELD', 'BAD_FIELD', 'NOT_OUTBOUND_RESULTS', 'TOO_DEEP'];

// ---------------------------------------------------------------------------------------------
// JSON text with what JSON.stringify cannot write: duplicate keys, own `__proto__` keys, raw numbers

/** An object written key by key, in order (duplicates and `__proto__` allowed). */
class Pairs {
  constructor(entries = []) {
    this.entries = entries;
  }
  add(k, v) {
    this.entries.push([k, v]);
    return this;
  }
}
/** A number written as given (`1e400`, `-0`, `1E-400`, thirty digits). */
class RawNumber {
  constructor(text) {
    this.text = text;
  }
}

function jsonText(v) {
  if (v instanceof Pairs) return `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`).join(',')}}`;
  if (v instanceof RawNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(jsonText).join(',')}]`;
  return JSON.stringify(v);
}

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];
const ODD_KEYS = [...PROTO_KEYS, 'toString', 'valueOf', 'hasOwnProperty', '', 'a.b', '$t(x)', '__topic__', '{{x}}', 'key', '中文', '\u0000', 'x'.repeat(300)];
const ODD_STRINGS = ['', ' ', 'null', 'undefined', '0', '-1', 'NaN', '\u0000', '\ud800', '\udfff', '😀', '中文 全角', '<script>', '%s%d', '__proto__', 'constructor', '$t(x)', '{{x}}', '\\', '"', 'a\nb'];
const ODD_NUMBERS = ['0', '-0', '1', '-1', '1.5', '1e400', '-1e400', '1E-400', '123456789012345678901234567890', '9007199254740993', '8.64e15', '8.640000000000001e15', '1e21', '0.1e1'];
const ODD_TIMES = [
  '2024.05.01 09:10:00.123',
  '2024-05-01 09:10:00',
  '2024.05.01T09:10:00.123456789',
  '2024.02.30 09:10:00',
  '2024.13.01 25:61:61',
  '0000.01.01 00:00:00',
  '9999.12.31 23:59:59.999',
  '1559124400892',
  '1559124400',
  '99999999999999999999',
  '',
  'yesterday',
  '2024.05.01 09:10:00.123Z',
  ' 2024.05.01 09:10:00 ',
];

/** Percent-encodes the UTF-8 bytes of `s` (encodeURIComponent throws on a lone surrogate). */
function pct(s) {
  return Array.from(Buffer.from(s, 'utf8'), (b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
}

function oddKey(r) {
  return r.chance(0.5) ? r.pick(ODD_KEYS) : `k${r.int(0, 40)}`;
}

function oddString(r) {
  if (r.chance(0.6)) return r.pick(ODD_STRINGS);
  let s = '';
  const n = r.int(0, 24);
  for (let i = 0; i < n; i++) s += String.fromCharCode(r.chance(0.8) ? r.int(32, 126) : r.int(0, 0xffff));
  return s;
}

/** A random JSON value (as Pairs / arrays / primitives), at most `depth` levels of containers. */
function oddValue(r, depth = 3) {
  const roll = r.int(0, 9);
  if (depth <= 0 || roll <= 2) return r.pick([null, true, false, r.int(-5, 5)]);
  if (roll <= 4) return oddString(r);
  if (roll === 5) return new RawNumber(r.pick(ODD_NUMBERS));
  if (roll === 6) return Array.from({ length: r.int(0, 4) }, () => oddValue(r, depth - 1));
  const o = new Pairs();
  const n = r.int(0, 5);
  for (let i = 0; i < n; i++) o.add(oddKey(r), oddValue(r, depth - 1));
  return o;
}

/** Adds odd extra fields, prototype-named keys at every level and duplicate keys to an event. */
function decorate(r, event) {
  const n = r.int(0, 6);
  for (let i = 0; i < n; i++) event.add(`x${i}${r.pick(['', '_', '.', '$'])}`, oddValue(r));
  if (r.chance(0.5)) {
    // a prototype-named key at every level of a little tree
    let node = new Pairs();
    event.add(r.pick(PROTO_KEYS), node);
    for (let d = 0; d < r.int(1, 5); d++) {
      const child = new Pairs([[r.pick(PROTO_KEYS), { polluted: 'yes' }]]);
      node.add(r.pick(PROTO_KEYS), child).add('polluted', 'yes');
      node = child;
    }
  }
  if (r.chance(0.3)) {
    // a duplicate non-essential key: the last one counts
    event.add('dupField', oddValue(r)).add('dupField', oddValue(r));
  }
  return event;
}

let serial = 900000;

function goodEvent(r, kind, tag) {
  serial++;
  const s = r.chance(0.15) ? new RawNumber(`${serial}.0`) : r.chance(0.3) ? String(serial) : serial;
  const time = () => (r.chance(0.7) ? '2024.05.01 09:10:00.123' : r.chance(0.5) ? r.pick(ODD_TIMES) : oddValue(r, 1));
  switch (kind) {
    case 'callEnd':
      return decorate(r, new Pairs([['eventName', 'callEnd'], ['serial', s], ['callId', `call-${tag}`], ['timestamp', time()], ['startTime', time()], ['answerTime', time()], ['endTime', time()], ['ani', '8001'], ['dnis', '13800000000']]));
    case 'agentStateEvent':
      return decorate(r, new Pairs([['eventName', 'agentStateEvent'], ['serial', s], ['id', r.pick(['5001', '5002', '__proto__', 'constructor', `a${r.int(0, 9)}`])], ['acState', r.pick(['Available', 'Aux', 'Acw', '__proto__', 'constructor', 'toString', 'Weird'])], ['timestamp', time()], ['stateChangeTime', time()]]));
    case 'other':
      return decorate(r, new Pairs([['eventName', r.pick(['queueEvent', 'constructor', '__proto__', 'toString', 'hasOwnProperty', '中文事件', 'x'.repeat(r.int(1, 2000))])], ['serial', s], ['timestamp', time()]]));
    case 'noSerial':
      // identified by a hash of its content: the tag keeps it unique
      return decorate(r, new Pairs([['eventName', 'queueEvent'], ['nonce', tag]]));
    case 'oddSerial':
      // a serial that is no number or text (each one unique: the same serial is the same event)
      return decorate(r, new Pairs([['eventName', 'queueEvent'], ['serial', r.pick([new Pairs([['toString', 1], ['n', tag]]), new Pairs([['valueOf', 1], ['toString', 2], ['n', tag]]), new Pairs([['a', tag]]), [`s${tag}`], new Pairs([['__proto__', new Pairs([['x', tag]])]])])], ['nonce', tag]]));
    case 'CallEndEvent':
      return decorate(r, new Pairs([['eventName', 'CallEndEvent'], ['eventTime', time()], ['serial', s], ['call', decorate(r, new Pairs([['id', `legacy-${tag}`], ['firstStation', '8017@final.cc'], ['conference', r.pick([0, 2, 'x', null])], ['attchedData', oddValue(r, 2)]]))]]));
    case 'AgentStatusEvent':
      return decorate(r, new Pairs([['eventName', 'AgentStatusEvent'], ['serial', s], ['agent', decorate(r, new Pairs([['agentId', `legacy-${r.int(0, 5)}`], ['agentStatus', r.pick(['Idle', 'NotReady', 'constructor', '__proto__', 'NoSuchState'])], ['agentStatusTimestamp', time()]]))]]));
    case 'results':
      return Array.from({ length: r.int(1, 5) }, (_, i) => decorate(r, new Pairs([['callId', `res-${tag}-${i}`], ['id', r.pick([i, String(i), null])], ['startTime', r.pick([1559124400892, 0, -1, 1e300, '1559124400892', 'x'])], ['respondTime', 0]])));
    default:
      throw new Error(kind);
  }
}

const PORT_OF = { callEnd: 0, agentStateEvent: 1, CallEndEvent: 0, AgentStatusEvent: 1 };

/** Where an accepted event goes and under which topic. */
function routeOf(parsed) {
  if (Array.isArray(parsed)) return { port: 2, topic: 'outboundResult' };
  const name = parsed.eventName;
  if (Object.hasOwn(PORT_OF, name)) return { port: PORT_OF[name], topic: name === 'CallEndEvent' ? 'callEnd' : name === 'AgentStatusEvent' ? 'agentStateEvent' : name };
  return { port: 2, topic: name };
}

// ---------------------------------------------------------------------------------------------
// the cases: a body and what a node reading it raw (a Buffer) must answer

/**
 * One body. `expect`: {status: 200, fresh} (a new event: exactly one message), {status: 200}
 * (accepted or duplicate), {status: 400, codes, field?}, or undefined (200 or 400, either is right).
 * `json`: the body is a JSON object or array text that a parsing `http in` parses the same way.
 */
function bodyCase(r, tag) {
  const roll = r.int(0, 99);
  const t = (v) => jsonText(v);
  if (roll < 30) {
    const kind = r.pick(['callEnd', 'callEnd', 'agentStateEvent', 'agentStateEvent', 'other', 'noSerial', 'oddSerial', 'CallEndEvent', 'AgentStatusEvent', 'results']);
    const text = t(goodEvent(r, kind, tag));
    const parsed = JSON.parse(text);
    return { name: `good ${kind}`, text, parsed, json: true, expect: { status: 200, fresh: true, ...routeOf(parsed) } };
  }
  if (roll < 36) {
    // the same body twice in a row: the retry is acknowledged and dropped
    const text = t(goodEvent(r, r.pick(['callEnd', 'agentStateEvent', 'other', 'noSerial', 'results', 'CallEndEvent']), tag));
    return { name: 'retried event', text, parsed: JSON.parse(text), json: true, expect: { status: 200 }, twice: true };
  }
  if (roll < 44) {
    const n = r.pick([0, 1, 2, 7, 64, 300, 2000]);
    return { name: `random bytes (${n})`, bytes: r.bytes(n), expect: { status: 400 } };
  }
  if (roll < 50) {
    // invalid UTF-8 inside strings and between tokens
    const good = t(goodEvent(r, 'other', tag));
    const bad = Buffer.concat([Buffer.from(good.slice(0, -1)), Buffer.from(`,"bin":"`), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from('"}')]);
    // read as UTF-8 text, the bad bytes become U+FFFD: a well-formed event
    return r.chance(0.5)
      ? { name: 'invalid UTF-8 in a string', bytes: bad, expect: { status: 200, fresh: true, ...routeOf(JSON.parse(bad.toString('utf8'))) } }
      : { name: 'invalid UTF-8 between tokens', bytes: Buffer.concat([Buffer.from('{"eventName":"x",'), Buffer.from([0xc0, 0xaf]), Buffer.from('"a":1}')]), expect: { status: 400, codes: ['BAD_JSON'] } };
  }
  if (roll < 58) {
    const good = t(goodEvent(r, r.pick(['callEnd', 'results', 'AgentStatusEvent']), tag));
    const cut = r.int(0, good.length - 1);
    return { name: `truncated JSON at ${cut}`, text: good.slice(0, cut), expect: { status: 400, codes: ['BAD_JSON', 'EMPTY_BODY'] } };
  }
  if (roll < 64) {
    const top = r.pick(['0', '-1.5', '1e400', '"hello"', '""', 'null', 'true', 'false', '[]', '[1,2,3]', '[[]]', '[null]', '[{}]', '["a"]', '[{"eventName":"x","serial":1}]', ' ', '\ufeff', '\ufeff{}', '{}', '\t\r\n']);
    const codes = { '[]': ['NOT_OUTBOUND_RESULTS'], '{}': ['MISSING_FIELD'], '\ufeff{}': ['MISSING_FIELD'], ' ': ['EMPTY_BODY'], '\ufeff': ['EMPTY_BODY'], '\t\r\n': ['EMPTY_BODY'] }[top];
    const json = /^[[{]/.test(top);
    return { name: `top-level ${JSON.stringify(top)}`, text: top, json, expect: { status: 400, codes: codes || (top.startsWith('[') ? ['NOT_OUTBOUND_RESULTS'] : ['NOT_AN_OBJECT']) } };
  }
  if (roll < 68) {
    // huge strings: over the raw routes' limit, or just under it
    const over = r.chance(0.5);
    const size = over ? MAX_BODY_KB * 1024 + r.int(1, 4096) : r.int(1000, 60000);
    const ev = new Pairs([['eventName', 'queueEvent'], ['nonce', tag], ['blob', 'é'.repeat(Math.floor(size / 2))]]);
    const text = t(ev);
    return { name: `huge string (${text.length} chars)`, text, parsed: JSON.parse(text), json: true, rawLimited: over, expect: Buffer.byteLength(text) > MAX_BODY_KB * 1024 ? { status: 400, codes: ['BODY_TOO_LARGE'] } : { status: 200, fresh: true, port: 2, topic: 'queueEvent' } };
  }
  if (roll < 73) {
    const deep = r.chance(0.6);
    const d = deep ? r.pick([MAX_DEPTH + 1, MAX_DEPTH + 10, 500, 5000, 20000]) : r.int(1, MAX_DEPTH - 2);
    const open = r.chance(0.5) ? '[' : '{"a":';
    const close = open === '[' ? ']' : '}';
    const text = `{"eventName":"deep","nonce":"${tag}","v":${open.repeat(d)}1${close.repeat(d)}}`;
    return { name: `nested ${d} levels`, text, parsed: deep ? undefined : JSON.parse(text), json: true, expect: deep ? { status: 400, codes: ['TOO_DEEP'] } : { status: 200, fresh: true, port: 2, topic: 'deep' } };
  }
  if (roll < 85) {
    // wrong field types
    const cases = [
      [new Pairs([['eventName', r.pick([1, 0, true, [], ['callEnd'], new Pairs([['a', 1]])])]]), 'BAD_FIELD', 'eventName'],
      [new Pairs([['eventName', r.pick([null, ''])], ['serial', 1]]), 'MISSING_FIELD', 'eventName'],
      [new Pairs([['serial', 1], ['callId', 'x']]), 'MISSING_FIELD', 'eventName'],
      [new Pairs([['eventName', 'callEnd'], ['eventName', 5]]), 'BAD_FIELD', 'eventName'],
      [new Pairs([['eventName', 'callEnd'], ['serial', serial++]]), 'MISSING_FIELD', 'callId'],
      [new Pairs([['eventName', 'callEnd'], ['callId', r.pick([1, true, [], new Pairs()])]]), 'BAD_FIELD', 'callId'],
      [new Pairs([['eventName', 'agentStateEvent'], ['acState', 'Aux']]), 'MISSING_FIELD', 'id'],
      [new Pairs([['eventName', 'agentStateEvent'], ['id', 5001], ['acState', 'Aux']]), 'BAD_FIELD', 'id'],
      [new Pairs([['eventName', 'agentStateEvent'], ['id', '5001'], ['acState', r.pick([null, ''])]]), 'MISSING_FIELD', 'acState'],
      [new Pairs([['eventName', 'agentStateEvent'], ['id', '5001'], ['acState', new Pairs()]]), 'BAD_FIELD', 'acState'],
      [new Pairs([['eventName', 'CallEndEvent'], ['call', r.pick(['x', 1, [], true])]]), 'BAD_FIELD', 'call'],
      [new Pairs([['eventName', 'CallEndEvent']]), 'MISSING_FIELD', 'call'],
      [new Pairs([['eventName', 'CallEndEvent'], ['call', new Pairs([['id', r.pick([1, [], new Pairs()])]])]]), 'BAD_FIELD', 'call.id'],
      [new Pairs([['eventName', 'AgentStatusEvent'], ['agent', new Pairs()]]), 'MISSING_FIELD', 'agent.agentId'],
      [new Pairs([['eventName', 'AgentStatusEvent'], ['agent', null]]), 'MISSING_FIELD', 'agent'],
      [new Pairs([['eventName', 'AgentStatusEvent'], ['agent', new Pairs([['agentId', '5102@zhen04.cc'], ['agentStatus', r.pick([null, ''])]])]]), 'MISSING_FIELD', 'agent.agentStatus'],
      [new Pairs([['eventName', 'AgentStatusEvent'], ['agent', new Pairs([['agentId', '5102@zhen04.cc']])]]), 'MISSING_FIELD', 'agent.agentStatus'],
      [new Pairs([['eventName', 'AgentStatusEvent'], ['agent', new Pairs([['agentId', '5102@zhen04.cc'], ['agentStatus', r.pick([7, true, [], new Pairs()])]])]]), 'BAD_FIELD', 'agent.agentStatus'],
    ];
    const [body, code, field] = r.pick(cases);
    decorate(r, body);
    const text = t(body);
    return { name: `${code} ${field}`, text, json: true, expect: { status: 400, codes: [code], field } };
  }
  if (roll < 93) {
    // outbound-result batches with good and bad items mixed
    const items = Array.from({ length: r.int(1, 6) }, (_, i) => (r.chance(0.7) ? new Pairs([['callId', `mix-${tag}-${i}`]]) : r.pick([null, 1, 'x', [], new Pairs([['state', 0]]), new Pairs([['callId', '']]), new Pairs([['id', null]]), new Pairs([['eventName', 'callEnd'], ['serial', 1]])])));
    const firstBad = items.findIndex((x) => !(x instanceof Pairs) || !x.entries.some(([k, v]) => (k === 'callId' && v !== '') || (k === 'id' && v !== null)));
    const text = t(items);
    return firstBad < 0
      ? { name: 'good batch', text, parsed: JSON.parse(text), json: true, expect: { status: 200, fresh: true, port: 2, topic: 'outboundResult' } }
      : { name: 'mixed batch', text, json: true, expect: { status: 400, codes: ['NOT_OUTBOUND_RESULTS'], field: `[${firstBad}]` } };
  }
  if (roll < 96) {
    return { name: 'empty body', text: r.pick(['', '', ' ', '\n']), expect: { status: 400, codes: ['EMPTY_BODY'] } };
  }
  // any random JSON value: answered, 200 or 400
  const v = oddValue(r, 4);
  const text = t(v);
  return { name: 'random JSON', text, json: /^[[{]/.test(text), expect: undefined };
}

// ---------------------------------------------------------------------------------------------
// the requests: route, method, query, headers, auth

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=xyz', 'multipart/form-data', 'application/octet-stream', 'image/png', 'application/xml', undefined];
/**
 * Content-Type headers Node-RED's parsing `http in` cannot read, malformed or with a charset its
 * JSON parser does not take: it answers 500 itself (see expectationOf). A raw route reads them all.
 */
const BROKEN_CONTENT_TYPES = [';;;', 'application/json;', 'text/', '/', 'a b/c', 'application/json; charset', 'application/json; charset=latin1', 'application/json; charset=bogus'];

function extraQuery(r) {
  const parts = [];
  const n = r.int(0, 4);
  for (let i = 0; i < n; i++) {
    parts.push(
      r.pick([
        `q${i}=${pct(oddString(r))}`,
        `__proto__[polluted]=yes`,
        `constructor[prototype][polluted]=yes`,
        `prototype=yes`,
        `a[b][c][d][e][f][g]=1`,
        `arr[]=1&arr[]=2`,
        `arr[999]=1`,
        `bad=%ZZ%`,
        `&&&`,
        `=`,
        `eventName=queryEvent`,
        `echostr=${pct(oddString(r))}`,
      ]),
    );
  }
  return parts;
}

const SECRET_OK = [
  () => ({ query: [`key=${SECRET}`] }),
  () => ({ query: [`key[]=${SECRET}`] }),
  () => ({ query: [`%6B%65%79=${SECRET}`] }),
  () => ({ query: [`key=${SECRET}`, `key=${SECRET}`] }),
  () => ({ headers: { 'x-wellcloud-key': SECRET } }),
  () => ({ headers: { 'X-WellCloud-Key': SECRET } }),
  () => ({ query: ['key=wrong'], headers: { 'x-wellcloud-key': SECRET } }),
];
const SECRET_WRONG = [
  () => ({}),
  () => ({ query: ['key=guess'] }),
  () => ({ query: [`Key=${SECRET}`] }),
  () => ({ query: [`secret=${SECRET}`] }),
  () => ({ query: [`key=${SECRET}x`] }),
  () => ({ query: [`key[a]=${SECRET}`] }),
  () => ({ query: [`key=${SECRET.toUpperCase()}`] }),
  () => ({ query: [`key=${encodeURIComponent(` ${SECRET}`)}`] }),
  () => ({ headers: { 'x-wellcloud-key': [SECRET, SECRET] } }),
  () => ({ headers: { 'x-wellcloud-secret': SECRET } }),
  () => ({ headers: { authorization: `Bearer ${SECRET}` } }),
  () => ({ headers: { cookie: `key=${SECRET}` } }),
  () => ({ headers: { 'x-wellcloud-key': '' } }),
  () => ({ pathSuffix: `/${SECRET}` }),
  () => ({ bodySecret: true }),
];

function signedQuery(r, good) {
  const timestamp = r.pick(['1718000000', '0', '', '中', '-1', 'x'.repeat(50)]);
  const nonce = r.pick(['n0nce', '', '&', 'x'.repeat(100)]);
  const sig = legacySignature(SIGN_TOKEN, timestamp, nonce);
  const q = (k, v) => `${k}=${encodeURIComponent(v)}`;
  if (good) return [q('timestamp', timestamp), q('nonce', nonce), q('signature', r.chance(0.3) ? sig.toUpperCase() : sig)];
  return r.pick([
    [],
    [q('timestamp', timestamp), q('nonce', nonce)],
    [q('timestamp', timestamp), q('nonce', nonce), q('signature', sig.slice(1))],
    [q('timestamp', timestamp), q('nonce', `${nonce}x`), q('signature', sig)],
    [q('timestamp', timestamp), q('nonce', nonce), `signature[a]=${sig}`],
    [q('timestamp', timestamp), q('nonce', nonce), q('signature', SIGN_TOKEN)],
    [q('timestamp', timestamp), q('nonce', nonce), q('signature', '')],
  ]);
}

/**
 * Routes: `raw` (do not parse the body, no secret), `parsed` (http in parses the body, a secret,
 * respond off with an http response node after it), `signed` (raw, the legacy sign token), each
 * with its own wellcloud-event-in; GET `http in` nodes on raw and signed for the URL check.
 */
function makeRequest(r, n) {
  const route = r.pick(['raw', 'raw', 'raw', 'parsed', 'parsed', 'signed']);
  const query = [`fzid=${n}`];
  let headers = {};
  let pathSuffix = '';
  let auth = 'none';
  let method = 'POST';
  let encoding;
  if (route !== 'parsed' && r.chance(0.06)) method = r.pick(['GET', 'HEAD']);
  let c = method === 'POST' ? bodyCase(r, n) : { name: 'URL check', expect: undefined };
  if (route === 'parsed' && r.chance(0.01)) {
    // a few KB of gzip holding more JSON than the default 2048 KB limit
    const text = JSON.stringify({ eventName: 'queueEvent', nonce: n, blob: 'x'.repeat(2200 * 1024) });
    c = { name: 'compressed, over the limit once inflated', text, json: true, expect: { status: 400, codes: ['BODY_TOO_LARGE'] } };
    encoding = 'gzip';
  }
  if (route === 'parsed') {
    const ok = r.chance(0.85);
    const a = r.pick(ok ? SECRET_OK : SECRET_WRONG)();
    query.push(...(a.query || []));
    headers = { ...(a.headers || {}) };
    pathSuffix = a.pathSuffix || '';
    auth = ok ? 'ok' : 'wrong';
    if (a.bodySecret) c = { name: 'the secret in the body', text: JSON.stringify({ eventName: 'queueEvent', key: SECRET, [SECRET]: SECRET }), forceType: 'text/plain' };
  } else if (route === 'signed') {
    const ok = r.chance(0.85);
    query.push(...signedQuery(r, ok));
    auth = ok ? 'ok' : 'wrong';
  }
  if (method !== 'POST' && r.chance(0.7)) query.push(`echostr=${pct(r.pick(['abc', '验证-ok', oddString(r)]))}`);
  query.push(...extraQuery(r));
  // the content type: on the parsing route it decides what http in makes of the body
  let contentType = r.pick(CONTENT_TYPES);
  if (route === 'parsed') {
    if (c.json && r.chance(0.5)) contentType = r.pick(['application/json', 'application/json; charset=utf-8']);
    else if (/json|x-www-form-urlencoded/.test(String(contentType)) && !(c.json && contentType.startsWith('application/json'))) contentType = r.pick(['text/plain', 'application/octet-stream', undefined]);
    if (r.chance(0.02)) contentType = r.pick(BROKEN_CONTENT_TYPES);
    if (r.chance(0.02)) contentType = 'application/json'; // whatever the body: http in's JSON parser may refuse it
    if (encoding || c.forceType) contentType = c.forceType || 'application/json';
    // http in inflates a compressed JSON body
    else if (c.json && /^application\/json/.test(String(contentType)) && r.chance(0.1)) encoding = r.pick(['gzip', 'deflate']);
  } else if (r.chance(0.05)) contentType = r.pick(BROKEN_CONTENT_TYPES);
  if (contentType !== undefined) headers['content-type'] = contentType;
  if (!encoding && !c.forceType && r.chance(0.05)) headers['content-type'] = [contentType || 'text/plain', 'application/json'];
  let body = method === 'POST' ? c.bytes || (c.text !== undefined ? Buffer.from(c.text, 'utf8') : undefined) : undefined;
  if (encoding) {
    headers['content-encoding'] = encoding;
    body = encoding === 'gzip' ? zlib.gzipSync(body) : zlib.deflateSync(body);
  }
  return { n, route, method, path: `/fz/${route}${pathSuffix}?${query.join('&')}`, headers, body, chunked: r.chance(0.2), concurrentRetry: r.chance(0.5), c, auth, contentType: Array.isArray(headers['content-type']) ? headers['content-type'][0] : contentType };
}

/** True when Node-RED's JSON body parser refuses the text (http in answers before the node). */
function jsonParserRefuses(text) {
  if (text === undefined || text === '') return false; // an empty body is read as {}
  if (!/^[\x20\x09\x0a\x0d]*[[{]/.test(text)) return true;
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
}

/**
 * What must come back: {core: true, statuses} when Node-RED's `http in` answers itself (the
 * node sees nothing), else {status, codes?, field?, fresh?, port?, topic?} from the node.
 */
function expectationOf(q) {
  const { c } = q;
  // Express answers 404 to a path no http in listens on
  if (q.path.startsWith('/fz/parsed/')) return { core: true, statuses: [404] };
  if (q.route === 'parsed') {
    const ct = String(q.contentType || '');
    // http in's own answers, before wellcloud-event-in sees anything (Node-RED core, see the help)
    if (BROKEN_CONTENT_TYPES.includes(ct)) return { core: true, statuses: [500] };
    if (/^application\/json/.test(ct)) {
      // (its decoder drops a byte order mark)
      const text = (c.bytes ? c.bytes.toString('utf8') : c.text).replace(/^\ufeff/, '');
      if (jsonParserRefuses(text)) return { core: true, statuses: [400, 500] };
      if (text === '') return { status: q.auth === 'ok' ? 400 : 401 }; // http in reads an empty JSON body as {}
    }
  }
  if (q.auth === 'wrong') return { status: 401, codes: [q.route === 'signed' ? 'BAD_SIGNATURE' : 'UNAUTHORIZED'] };
  if (q.method !== 'POST') return { urlCheck: true };
  if (q.route === 'parsed') {
    // a form-encoded body becomes an object of its fields: any outcome, as long as it is answered
    if (/^application\/x-www-form-urlencoded/.test(String(q.contentType || ''))) return { any: true };
    if (c.rawLimited) return { any: true }; // the parsing route keeps the default 2 MB limit
  }
  return c.expect || { any: true };
}

// ---------------------------------------------------------------------------------------------
// plumbing

/** The core http in / http response nodes, with RED._ showing its substitutions (the test helper's RED._ returns the bare key). */
let nodeApp;
function httpNodes(RED) {
  nodeApp = RED.httpNode;
  RED._ = (key, vars) => (vars ? `${key} ${JSON.stringify(vars)}` : key);
  return httpModule(RED);
}

function send(agent, port, q) {
  return new Promise((resolve) => {
    const headers = { ...q.headers };
    if (q.body !== undefined && !q.chunked) headers['content-length'] = q.body.length;
    const req = http.request({ host: '127.0.0.1', port, method: q.method, path: q.path, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => resolve({ error: `response: ${e.message}` }));
    });
    req.setTimeout(ANSWER_TIMEOUT_MS, () => {
      req.destroy(new Error(`no answer within ${ANSWER_TIMEOUT_MS} ms`));
    });
    req.on('error', (e) => resolve({ error: e.message }));
    if (q.body !== undefined && q.chunked && q.body.length > 1) {
      const cut = Math.floor(q.body.length / 2);
      req.write(q.body.subarray(0, cut));
      req.end(q.body.subarray(cut));
    } else req.end(q.body);
  });
}

/** Runs `jobs` with at most `width` at once. */
async function pool(jobs, width, run) {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      await run(jobs[i], i);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
}

function protoSnapshot() {
  const snap = new Map();
  for (const [name, proto] of [['Object', Object.prototype], ['Array', Array.prototype], ['Function', Function.prototype], ['String', String.prototype], ['Number', Number.prototype], ['Boolean', Boolean.prototype]]) {
    for (const k of Reflect.ownKeys(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, k);
      snap.set(`${name}.${String(k)}`, d.value ?? d.get);
    }
  }
  return snap;
}

function assertPrototypesUntouched(before) {
  const after = protoSnapshot();
  assert.deepStrictEqual([...after.keys()].sort(), [...before.keys()].sort(), 'a built-in prototype gained or lost a property');
  for (const [k, v] of before) assert.ok(after.get(k) === v, `${k} was replaced`);
  const probe = {};
  for (const k in probe) assert.fail(`a fresh object has the enumerable key ${k}`);
  assert.strictEqual(probe.polluted, undefined);
}

/** Every text a node or the log shows, for the secret check. */
function textOf(v) {
  try {
    return typeof v === 'string' ? v : util.inspect(v, { depth: 6, breakLength: Infinity });
  } catch (e) {
    return String(e);
  }
}

function assertNoSecret(where, text) {
  for (const s of [SECRET, SIGN_TOKEN, encodeURIComponent(SECRET)]) assert.ok(!text.includes(s), `a secret shows in ${where}: ${text.slice(0, 300)}`);
}

/** Deep check that every object in `v` has the ordinary prototype (no `__proto__` key turned into a prototype). */
function assertOrdinary(v, path = 'payload', depth = 0) {
  if (v === null || typeof v !== 'object' || depth > MAX_DEPTH + 2) return;
  const proto = Object.getPrototypeOf(v);
  assert.ok(proto === Object.prototype || proto === Array.prototype, `${path} has an unusual prototype`);
  for (const k of Object.keys(v)) assertOrdinary(v[k], `${path}.${k}`, depth + 1);
}

/** The parts of a warning or status text built by the RED._ above. */
function varsOf(text) {
  const i = text.indexOf(' {');
  return i < 0 ? {} : JSON.parse(text.slice(i + 1));
}

// ---------------------------------------------------------------------------------------------

describe('wellcloud-event-in / wellcloud-agent-state: seeded fuzz', function () {
  this.timeout(60000);
  let server;

  afterEach(async function () {
    await helper.unload();
    if (server) {
      server.closeAllConnections();
      await new Promise((res) => server.close(res));
      server = undefined;
    }
  });

  it(`answers ${COUNT} odd requests through http in as documented, and keeps working (seed ${SEED})`, async function () {
    const r = prng(SEED);
    const flow = [
      { id: 'fzTab', type: 'tab', label: 'fuzz' },
      { id: 'inRaw', type: 'http in', url: '/fz/raw', method: 'post', skipBodyParsing: true, wires: [['evRaw']] },
      { id: 'inRawGet', type: 'http in', url: '/fz/raw', method: 'get', wires: [['evRaw']] },
      { id: 'inParsed', type: 'http in', url: '/fz/parsed', method: 'post', wires: [['evParsed']] },
      { id: 'inSigned', type: 'http in', url: '/fz/signed', method: 'post', skipBodyParsing: true, wires: [['evSigned']] },
      { id: 'inSignedGet', type: 'http in', url: '/fz/signed', method: 'get', wires: [['evSigned']] },
      { id: 'evRaw', type: 'wellcloud-event-in', maxBodyKb: MAX_BODY_KB, wires: [['evRaw_0'], ['evRaw_1', 'agents'], ['evRaw_2']] },
      { id: 'evParsed', type: 'wellcloud-event-in', respond: false, wires: [['evParsed_0', 'httpOut'], ['evParsed_1', 'httpOut'], ['evParsed_2', 'httpOut']] },
      { id: 'evSigned', type: 'wellcloud-event-in', maxBodyKb: MAX_BODY_KB, wires: [['evSigned_0'], ['evSigned_1'], ['evSigned_2']] },
      { id: 'httpOut', type: 'http response', statusCode: '', headers: {} },
      { id: 'agents', type: 'wellcloud-agent-state', wires: [['outAgents']] },
      { id: 'outAgents', type: 'helper' },
      ...['evRaw', 'evParsed', 'evSigned'].flatMap((ev) => [0, 1, 2].map((port) => ({ id: `${ev}_${port}`, type: 'helper' }))),
    ].map((n) => (n.type === 'tab' ? n : { ...n, z: 'fzTab' }));
    await helper.load([httpNodes, eventInNode, agentStateNode], flow, { evParsed: { secret: SECRET }, evSigned: { signToken: SIGN_TOKEN } });
    server = http.createServer(nodeApp);
    await new Promise((res) => server.listen(0, '127.0.0.1', res));
    const port = server.address().port;
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

    const EV = { raw: 'evRaw', parsed: 'evParsed', signed: 'evSigned' };
    const outputs = { evRaw: [], evParsed: [], evSigned: [] };
    const portOf = new WeakMap();
    for (const ev of Object.keys(outputs)) {
      for (const port of [0, 1, 2]) {
        helper.getNode(`${ev}_${port}`).on('input', (m) => {
          portOf.set(m, port);
          outputs[ev].push(m);
        });
      }
    }
    const agentChanges = [];
    helper.getNode('outAgents').on('input', (m) => agentChanges.push(m));
    const warnings = { evRaw: [], evParsed: [], evSigned: [], agents: [] };
    const statuses = { evRaw: [], evParsed: [], evSigned: [], agents: [] };
    const errors = [];
    const coreWarnings = [];
    for (const id of Object.keys(warnings)) {
      const node = helper.getNode(id);
      node.on('call:warn', (c) => warnings[id].push(String(c.args[0])));
      node.on('call:status', (c) => statuses[id].push(c.args[0]));
      node.on('call:error', (c) => errors.push(`${id}: ${textOf(c.args[0])}`));
    }
    for (const id of ['inRaw', 'inRawGet', 'inParsed', 'inSigned', 'inSignedGet', 'httpOut']) helper.getNode(id).on('call:warn', (c) => coreWarnings.push(`${id}: ${textOf(c.args[0])}`));

    const requests = Array.from({ length: COUNT }, (_, n) => makeRequest(r, n));
    const answers = new Array(COUNT);
    const protoBefore = protoSnapshot();
    const watch = watchProcess();
    const started = Date.now();
    try {
      await pool(requests, CONCURRENCY, async (q) => {
        if (q.c.twice && q.concurrentRetry) answers[q.n] = await Promise.all([send(agent, port, q), send(agent, port, q)]);
        else answers[q.n] = [await send(agent, port, q)];
        if (q.c.twice && !q.concurrentRetry) answers[q.n].push(await send(agent, port, q));
      });
      await sleep(400); // the last status (updated at most every 250 ms) and messages in flight
    } finally {
      watch.stop();
      agent.destroy();
    }
    const elapsed = Date.now() - started;

    // --- every request: answered, with a documented status
    const outputsBy = new Map();
    for (const [ev, list] of Object.entries(outputs)) {
      for (const m of list) {
        const id = Number(m.req && m.req.query && m.req.query.fzid);
        assert.ok(Number.isInteger(id), `${ev} sent a message without its request`);
        if (!outputsBy.has(id)) outputsBy.set(id, []);
        outputsBy.get(id).push(m);
      }
    }
    const refusedBy = { evRaw: [], evParsed: [], evSigned: [] };
    let coreAnswers = 0;
    for (const q of requests) {
      const where = `seed ${SEED} request ${q.n} (${q.route} ${q.method} ${q.c.name}, content-type ${JSON.stringify(q.contentType)}, ${q.path.slice(0, 120)})`;
      const exp = expectationOf(q);
      const msgs = outputsBy.get(q.n) || [];
      for (const a of answers[q.n]) {
        assert.ok(!a.error, `${where}: ${a.error}`);
        // (Express's 404 page quotes the path asked for: the caller's own text, not a leak)
        if (a.status !== 404) assertNoSecret(`the answer to ${where}`, `${JSON.stringify(a.headers)} ${a.text}`);
        const ours = /^application\/json/.test(String(a.headers['content-type'])) && q.method !== 'HEAD';
        const body = ours ? JSON.parse(a.text) : undefined;
        const fromNode = ours && body && typeof body === 'object' && !Array.isArray(body) && (body.result === 'error' || body.result === 'ok' || (q.method !== 'POST' && 'result' in body));
        if (exp.core === true) {
          assert.ok(!fromNode, `${where}: expected http in's own answer, got ${a.status} ${a.text.slice(0, 200)}`);
          assert.ok(exp.statuses.includes(a.status), `${where}: http in answered ${a.status} ${a.text.slice(0, 200)}`);
          coreAnswers++;
          continue;
        }
        if (a.status === 503 && q.route === 'parsed' && q.c.twice && q.concurrentRetry) {
          // respond off: the same event pushed twice at once; the second push, while the flow has
          // not answered the first, is told to come again (documented), not taken for a duplicate
          assert.ok(fromNode && body.code === 'IN_PROGRESS', `${where}: 503 ${a.text.slice(0, 300)}`);
          continue;
        }
        assert.ok(a.status < 500, `${where}: answered ${a.status} ${a.text.slice(0, 300)}`);
        assert.ok([200, 400, 401].includes(a.status), `${where}: answered ${a.status} ${a.text.slice(0, 300)}`);
        if (a.status >= 400) {
          if (q.method !== 'HEAD') {
            assert.ok(fromNode && body.result === 'error' && typeof body.reason === 'string' && body.reason.length > 5, `${where}: ${a.status} ${a.text.slice(0, 300)}`);
            if (a.status === 400) assert.ok(MALFORMED_CODES.includes(body.code), `${where}: code ${body.code}`);
            else assert.ok(['UNAUTHORIZED', 'BAD_SIGNATURE'].includes(body.code), `${where}: code ${body.code}`);
          }
          refusedBy[EV[q.route]].push(q.method === 'HEAD' ? `${a.status}` : `${a.status}:${body.code}`);
        }
        if (exp.any) continue;
        if (exp.urlCheck) {
          assert.ok([200, 400].includes(a.status), `${where}: URL check answered ${a.status}`);
          if (a.status === 200 && q.method === 'GET') assert.deepStrictEqual(Object.keys(body), ['result'], where);
          continue;
        }
        if (exp.status !== undefined) assert.strictEqual(a.status, exp.status, `${where}: ${a.text.slice(0, 300)}`);
        if (q.method === 'HEAD') continue; // no body to read
        if (exp.codes) assert.ok(exp.codes.includes(body.code), `${where}: code ${body.code}, expected ${exp.codes} (${body.reason})`);
        if (exp.field !== undefined) assert.strictEqual(body.field, exp.field, `${where}: field`);
      }
      // --- messages: none for a refused body or a URL check, exactly one for a new event
      // (a 503 IN_PROGRESS is the second of two simultaneous pushes: the first one was delivered)
      const answered = answers[q.n].map((a) => a.status).filter((st) => st !== 503);
      if (q.method !== 'POST' || answered.some((s) => s !== 200)) assert.strictEqual(msgs.length, 0, `${where}: a refused request (or a URL check) sent ${msgs.length} message(s)`);
      assert.ok(msgs.length <= 1, `${where}: ${msgs.length} messages${q.c.twice ? ' (the retry got through too)' : ''}`);
      if (exp.fresh) assert.strictEqual(msgs.length, 1, `${where}: the event did not leave the node`);
      if (q.c.twice && !exp.core && !exp.any && answered.every((s) => s === 200)) assert.strictEqual(msgs.length, 1, `${where}: the event was lost or passed twice`);
      for (const m of msgs) {
        if (exp.port !== undefined) {
          assert.strictEqual(portOf.get(m), exp.port, `${where}: output`);
          assert.strictEqual(m.topic, exp.topic, `${where}: topic`);
        }
        assertOrdinary(m.payload, `${where}: payload`);
        const parsed = q.c.parsed;
        if (parsed !== undefined && !/x-www-form/.test(String(q.contentType)) && !(q.c.bytes)) {
          // every field arrives as sent (own keys, `__proto__` too), with only the …Iso fields added
          if (Array.isArray(parsed)) {
            assert.strictEqual(m.payload.length, parsed.length, where);
            parsed.forEach((item, i) => {
              for (const k of Object.keys(item)) assert.deepStrictEqual(m.payload[i][k], item[k], `${where}: [${i}].${k}`);
            });
          } else if (parsed.eventName !== 'CallEndEvent' && parsed.eventName !== 'AgentStatusEvent') {
            const extra = Object.keys(m.payload).filter((k) => !Object.hasOwn(parsed, k));
            assert.ok(extra.every((k) => /Iso$/.test(k)), `${where}: unexpected fields ${extra}`);
            for (const k of Object.keys(parsed)) {
              assert.ok(Object.hasOwn(m.payload, k), `${where}: field ${JSON.stringify(k)} went missing`);
              assert.deepStrictEqual(m.payload[k], parsed[k], `${where}: field ${JSON.stringify(k)}`);
            }
          } else {
            assert.deepStrictEqual(m.payload.original, parsed, `${where}: original`);
          }
        }
        for (const [k, v] of Object.entries(m.payload)) if (/Iso$/.test(k) && !(q.c.parsed && Object.hasOwn(q.c.parsed, k))) assert.ok(!Number.isNaN(Date.parse(v)), `${where}: ${k} = ${v}`);
        if (q.route === 'parsed') {
          // what a Debug node set to "complete msg object" would show
          assertNoSecret(`the message of ${where}`, util.inspect(m, { depth: 8 }));
          assertNoSecret(`the message of ${where}`, JSON.stringify(encodeObject({ msg: m }, { maxLength: 1e6 })));
        } else assertNoSecret(`the message of ${where}`, textOf(m.payload));
      }
    }

    // --- the run as a whole
    assert.deepStrictEqual(watch.seen, [], 'the process reported trouble');
    assertPrototypesUntouched(protoBefore);
    assert.deepStrictEqual(errors, [], 'a node reported an error');
    for (const w of coreWarnings) assertNoSecret('an http in warning', w);
    for (const [id, list] of Object.entries(refusedBy)) {
      // one warning per refused request, saying what was answered, and no other warning
      const warned = warnings[id].map((w) => {
        assert.ok(w.startsWith('wellcloud-event-in.warn.refused '), `${id} warned: ${w.slice(0, 300)}`);
        const v = varsOf(w);
        assert.ok(typeof v.reason === 'string' && v.reason.length > 5, w);
        return v;
      });
      assert.strictEqual(warned.length, list.length, `${id}: ${warned.length} warnings for ${list.length} refused requests`);
      // HEAD answers have no body: compare their status only
      const statusOnly = list.some((x) => !x.includes(':'));
      const fromAnswers = list.map((x) => (statusOnly ? x.split(':')[0] : x)).sort();
      const fromWarnings = warned.map((v) => (statusOnly ? `${v.status}` : `${v.status}:${v.code}`)).sort();
      assert.deepStrictEqual(fromWarnings, fromAnswers, `${id}: warnings and answers differ`);
      // the status counts what was answered and sent
      const last = statuses[id][statuses[id].length - 1];
      assert.ok(last, `${id} never showed a status`);
      const counts = varsOf(last.text);
      assert.strictEqual(counts.accepted, outputs[id].length, `${id}: status counts ${counts.accepted} accepted, ${outputs[id].length} sent`);
      assert.strictEqual(counts.refused, list.length, `${id}: status counts ${counts.refused} refused`);
    }
    for (const [id, list] of Object.entries(statuses)) for (const s of list) assertNoSecret(`the status of ${id}`, textOf(s));
    for (const [id, list] of Object.entries(warnings)) for (const w of list) assertNoSecret(`a warning of ${id}`, w);
    for (const call of helper.log().getCalls()) assertNoSecret('a log line', textOf(call.args));
    for (const m of agentChanges) assertOrdinary(m.payload, 'agent change');
    assert.deepStrictEqual(warnings.agents, [], 'agent-state refused an agentStateEvent that event-in accepted');

    // --- still working: one good event per route
    const after = new http.Agent({ keepAlive: false });
    try {
      const good = (route, extra) => ({ route, method: 'POST', path: `/fz/${route}?fzid=${COUNT}&${extra}`, headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ eventName: 'callEnd', serial: ++serial, callId: `after-${route}` })) });
      const sig = legacySignature(SIGN_TOKEN, '1', '2');
      for (const q of [good('raw', ''), good('parsed', `key=${SECRET}`), good('signed', `timestamp=1&nonce=2&signature=${sig}`)]) {
        const a = await send(after, port, q);
        assert.strictEqual(a.status, 200, `${q.route} after the run: ${a.status} ${a.text}`);
      }
    } finally {
      after.destroy();
    }
    await sleep(50);
    for (const ev of Object.keys(outputs)) assert.ok(outputs[ev].some((m) => m.payload.callId === `after-${ev.slice(2).toLowerCase()}`), `${ev} stopped sending events`);

    const accepted = Object.values(outputs).reduce((s, l) => s + l.length, 0);
    const refused = Object.values(refusedBy).reduce((s, l) => s + l.length, 0);
    // eslint-disable-next-line no-console
    if (process.env.WELLCLOUD_FUZZ_VERBOSE) console.log(`      fuzz: ${COUNT} requests (+ retries) in ${elapsed} ms: ${accepted} events sent, ${refused} refused by the nodes, ${coreAnswers} answered by http in itself, ${agentChanges.length} agent changes`);
  });

  // Through a raw http in only: a parsing one leaves a request unanswered whose body is still
  // arriving when it stops (Node-RED core; the help says so).
  it(`answers requests racing a redeploy with 200, 400, 404 or 503 STOPPING, never hanging (seed ${SEED})`, async function () {
    const r = prng(SEED ^ 0x5704);
    const flow = [
      { id: 'fzTab', type: 'tab', label: 'fuzz' },
      { id: 'inRaw', z: 'fzTab', type: 'http in', url: '/fz/raw', method: 'post', skipBodyParsing: true, wires: [['evRaw']] },
      { id: 'evRaw', z: 'fzTab', type: 'wellcloud-event-in', wires: [['out'], ['out', 'agents'], ['out']] },
      { id: 'agents', z: 'fzTab', type: 'wellcloud-agent-state', wires: [['out']] },
      { id: 'out', z: 'fzTab', type: 'helper' },
    ];
    await helper.load([httpNodes, eventInNode, agentStateNode], flow);
    server = http.createServer(nodeApp);
    await new Promise((res) => server.listen(0, '127.0.0.1', res));
    const port = server.address().port;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const requests = Array.from({ length: 300 }, (_, n) => {
      const c = bodyCase(r, n);
      const contentType = r.pick(CONTENT_TYPES);
      const body = c.bytes || Buffer.from(c.text, 'utf8');
      return { n, method: 'POST', path: `/fz/raw?fzid=${n}`, headers: contentType ? { 'content-type': contentType } : {}, body, chunked: r.chance(0.3), c };
    });
    const answers = [];
    const protoBefore = protoSnapshot();
    const watch = watchProcess();
    let redeploys = 0;
    try {
      await pool(requests, 8, async (q, i) => {
        // two full redeploys while requests are on their way
        if (i === 80 || i === 190) {
          redeploys++;
          void helper.setFlows(flow, 'full').catch(() => undefined);
        }
        answers[q.n] = await send(agent, port, q);
      });
      await sleep(300);
    } finally {
      watch.stop();
      agent.destroy();
    }
    for (const q of requests) {
      const a = answers[q.n];
      const where = `seed ${SEED} racing request ${q.n} (${q.c.name})`;
      assert.ok(!a.error, `${where}: ${a.error}`);
      assert.ok([200, 400, 404, 503].includes(a.status), `${where}: answered ${a.status} ${a.text.slice(0, 200)}`);
      if (a.status === 503) assert.strictEqual(JSON.parse(a.text).code, 'STOPPING', where);
    }
    assert.strictEqual(redeploys, 2);
    assert.deepStrictEqual(watch.seen, [], 'the process reported trouble');
    assertPrototypesUntouched(protoBefore);
    // the new flow works
    const ok = await send(undefined, port, { method: 'POST', path: '/fz/raw?fzid=x', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify({ eventName: 'callEnd', serial: ++serial, callId: 'after-redeploy' })) });
    assert.strictEqual(ok.status, 200, ok.text);
  });

  it(`stays consistent under ${AGENT_MESSAGES} odd messages to wellcloud-agent-state (seed ${SEED})`, async function () {
    const r = prng(SEED ^ 0xa9e47);
    const flow = [
      { id: 'fzTab', type: 'tab', label: 'fuzz' },
      { id: 'board', z: 'fzTab', type: 'wellcloud-agent-state', wires: [['boardOut']] },
      { id: 'boardOut', z: 'fzTab', type: 'helper' },
    ];
    await helper.load([httpNodes, agentStateNode], flow);
    const board = helper.getNode('board');
    const out = [];
    helper.getNode('boardOut').on('input', (m) => out.push(m));
    const errors = [];
    const warnings = [];
    board.on('call:error', (c) => errors.push(textOf(c.args[0])));
    board.on('call:warn', (c) => warnings.push(String(c.args[0])));

    const IDS = ['5001', '5002', '5003', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '中文', 'a.b', '', 5001, null];
    const STATES = ['Available', 'Aux', 'Acw', 'InboundRinging', '__proto__', 'constructor', 'toString', 'prototype', 'a.b', '$t(x)', '', 7, null, {}];
    const oddTopic = () => r.pick(['', 'x', 5, null, undefined, ['snapshot'], { toString: 1 }, Object.create(null), JSON.parse('{"__proto__":{"x":1}}'), 'agentStateEvent', 'reset ', 'Snapshot']);
    let agentSerial = 0;
    const message = () => {
      const roll = r.int(0, 99);
      if (roll < 3) return { topic: 'snapshot' };
      if (roll < 4) return [{ topic: 'reset' }, { topic: 'snapshot', fzReset: true }];
      const time = () => (r.chance(0.6) ? `2024.05.01 09:${String(r.int(0, 59)).padStart(2, '0')}:00.000` : r.chance(0.5) ? r.pick(ODD_TIMES) : JSON.parse(jsonText(oddValue(r, 1))));
      const msg = {};
      if (r.chance(0.3)) msg.topic = oddTopic();
      if (roll < 60) {
        const ev = new Pairs([['eventName', 'agentStateEvent'], ['id', r.pick(IDS)], ['acState', r.pick(STATES)]]);
        if (r.chance(0.8)) ev.add('serial', r.chance(0.8) ? ++agentSerial : oddValue(r, 1));
        if (r.chance(0.7)) ev.add('stateChangeTime', time());
        if (r.chance(0.5)) ev.add('timestamp', time());
        if (r.chance(0.5)) ev.add('name', r.chance(0.5) ? oddString(r) : oddValue(r, 1));
        if (r.chance(0.3)) ev.add('lastACState', r.pick(STATES));
        decorate(r, ev);
        msg.payload = JSON.parse(jsonText(ev));
      } else if (roll < 75) {
        const agentObj = new Pairs([['agentId', r.pick(IDS)], ['agentStatus', r.pick(['Idle', 'NotReady', 'constructor', '__proto__', 7, null])], ['agentStatusTimestamp', time()]]);
        const ev = new Pairs([['eventName', 'AgentStatusEvent'], ['serial', r.chance(0.8) ? ++agentSerial : oddValue(r, 1)], ['agent', r.chance(0.9) ? decorate(r, agentObj) : oddValue(r, 1)]]);
        msg.payload = JSON.parse(jsonText(decorate(r, ev)));
      } else {
        msg.payload = JSON.parse(jsonText(oddValue(r, 4)));
      }
      return msg;
    };

    const protoBefore = protoSnapshot();
    const watch = watchProcess();
    const snapshots = [];
    const expected = new Map(); // agent -> the state of its last reported change, since the last reset
    const checkSnapshot = (snap, where) => {
      assertOrdinary(snap, `${where}: snapshot`);
      const ids = Object.keys(snap.agents);
      assert.strictEqual(ids.length, snap.total, `${where}: ${ids.length} agents listed, total ${snap.total}`);
      const tally = new Map();
      for (const id of ids) {
        const st = snap.agents[id].state;
        assert.ok(typeof st === 'string' && st !== '', `${where}: agent ${id} state ${st}`);
        tally.set(st, (tally.get(st) || 0) + 1);
        assert.strictEqual(st, expected.get(id), `${where}: agent ${JSON.stringify(id)} is ${st}, its last change said ${expected.get(id)}`);
      }
      assert.strictEqual(ids.length, expected.size, `${where}: ${ids.length} agents, ${expected.size} reported`);
      assert.deepStrictEqual({ ...snap.counts }, Object.fromEntries(tally), `${where}: counts`);
    };
    let sent = 0;
    let ended;
    try {
      for (let i = 0; i < AGENT_MESSAGES; i++) {
        for (const msg of [].concat(message())) board.receive(msg);
        sent++;
        if (i % 100 === 99) await sleep(0);
      }
      board.receive({ topic: 'snapshot', fzEnd: true });
      const deadline = Date.now() + 10000;
      while (!(ended = out.find((m) => m.fzEnd)) && Date.now() < deadline) await sleep(10);
    } finally {
      watch.stop();
    }
    assert.ok(ended, 'the board stopped answering (the final snapshot never came)');
    // replay the outputs in order: changes set the expectation, resets clear it, snapshots are checked
    for (const m of out) {
      if (m.topic === 'snapshot' || m.fzEnd) {
        if (m.fzReset) expected.clear();
        checkSnapshot(m.payload, `snapshot ${snapshots.length}`);
        snapshots.push(m);
        continue;
      }
      const c = m.payload;
      assertOrdinary(c, 'change');
      assert.strictEqual(m.topic, c.agent);
      assert.ok(typeof c.agent === 'string' && c.agent !== '' && typeof c.state === 'string' && c.state !== '', `change ${textOf(c)}`);
      const total = Object.values(c.counts).reduce((s, n) => s + n, 0);
      assert.strictEqual(total, c.total, `change of ${JSON.stringify(c.agent)}: counts add up to ${total}, total ${c.total} (${JSON.stringify(c.counts)})`);
      assert.ok(Object.hasOwn(c.counts, c.state), `change of ${JSON.stringify(c.agent)}: its state ${JSON.stringify(c.state)} is not counted`);
      if (c.since !== undefined) assert.ok(!Number.isNaN(Date.parse(c.since)), c.since);
      expected.set(c.agent, c.state);
    }
    assert.deepStrictEqual(errors, [], 'done(err) for an odd message');
    for (const w of warnings) assert.ok(/^wellcloud-agent-state\.warn\.(notAgentEvent|invalid)( |$)/.test(w), w);
    assert.deepStrictEqual(watch.seen, [], 'the process reported trouble');
    assertPrototypesUntouched(protoBefore);
    assert.ok(sent === AGENT_MESSAGES && snapshots.length > 5);
  });
});
