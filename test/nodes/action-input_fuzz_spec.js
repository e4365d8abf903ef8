'use strict';
// A seeded robustness (fuzz) pass over the action nodes' inputs: wellcloud-dual-call,
// wellcloud-outbound-call, wellcloud-roster-upload (rows, text, Buffer, file), wellcloud-cdr (call,
// range, robot) and wellcloud-recording (list, audio as Buffer, file, URL), in running flows
// against the sandbox. Deterministic: the seed (default below, or WELLCLOUD_FUZZ_SEED) decides every
// dialog and message; a failure names the seed and the message number. WELLCLOUD_FUZZ_COUNT changes
// the number of messages per node (the zh-CN pass sends a quarter as many).
//
// Each node is deployed a few times with generated dialogs (typedInputs of every type: fixed values,
// msg, flow, global, env and JSONata, some of which throw or give odd types), then receives hostile
// messages one at a time: msg.payload of every JavaScript type, and every field as undefined, null,
// NaN, Infinity, -0, 2^53+1, whitespace, full-width digits, RTL and zero-width marks, emoji, lone
// surrogates, 100 KB strings, arrays, Buffers, Dates, objects with `__proto__` keys from JSON.parse,
// getters that throw, objects whose toString/valueOf throw, proxies, BigInt, symbols, functions.
//
// The contract, per message: it completes exactly once (no hang, no second done), and either
// (a) it succeeds, every request the sandbox received for it is valid per API.md, and where the
// input's meaning is known the request carries exactly it (and the output is what the platform
// had), or (b) it fails with done(err): INVALID_INPUT naming a field that was wrong (err.field), in
// the runtime's language, and the sandbox received nothing; or the platform's documented answer to a
// well-formed request (unknown activity, no recording...). For the whole run: no uncaught exception
// or unhandled rejection, no process warning, built-in prototypes untouched, no message sent twice,
// and no appSecret, apiKey or token in an error, a status, a warning or a log line.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const util = require('util');
const { i18n } = require('@node-red/util');
const { helper, dist, useNodeSuite, sleep, listFiles } = require('../helpers');
const { prng, watchProcess } = require('../fuzz');

const SB = dist('lib/sandbox');
const { DEMO_CREDENTIALS, DEMO_DOMAIN, DEMO_TENANT_ID, DEMO_CAMPAIGN_ID, DEMO_TEMPLATE_IDS, SAMPLE_CALL_ID, SAMPLE_RECORDING_ID, NO_RECORDING_CALL_ID, UNKNOWN_CALL_ID, OLD_RECORDING_ID } = SB;

const SEED = Number(process.env.WELLCLOUD_FUZZ_SEED) || 0x1a7c3e11;
const COUNT = Number(process.env.WELLCLOUD_FUZZ_COUNT) || 400;
const MESSAGE_TIMEOUT_MS = 8000;
const NAMES = ['wellcloud-config', 'wellcloud-dual-call', 'wellcloud-outbound-call', 'wellcloud-roster-upload', 'wellcloud-cdr', 'wellcloud-recording'];
const MODULES = Object.fromEntries(NAMES.map((n) => [n, dist(`nodes/${n}/${n}.js`)]));
const TOKEN_PATH = '/accesstoken/apply';

/** A small stable hash of a text (seeds each node's pass differently). */
function hashText(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

// ---------------------------------------------------------------------------------------------
// hostile values

const BIG = 'x'.repeat(100 * 1024);
const SURROGATES = ['\ud800', '\udfff', 'a\udc00b'];
/** Strings whose every character a text field accepts, each with a twist. */
const ODD_TEXTS = ['null', 'undefined', 'NaN', '0', '-1', '中文', '😀', 'a\u200bb', '\u202eabc', 'abc\u200f', '\u00a0x\u3000', 'a b', '%2e%2e', '../x', 'a/b?c#d&e=f', '__proto__', 'constructor', '$t(x)', '{{x}}', '<b>', "o'neil", 'a"b', 'a\\b', 'a\u0000b', '\u2028', 'Ａ'];

/** An object whose `field` getter throws. */
function throwingGetter(field = 'x') {
  const o = {};
  Object.defineProperty(o, field, {
    enumerable: true,
    get() {
      throw new Error('fz getter throws');
    },
  });
  return o;
}
function throwingConversions() {
  const boom = () => {
    throw new Error('fz conversion throws');
  };
  return { toString: boom, valueOf: boom, toJSON: boom, [Symbol.toPrimitive]: boom };
}
function throwingProxy() {
  return new Proxy(
    {},
    {
      get() {
        throw new Error('fz proxy get throws');
      },
      ownKeys() {
        throw new Error('fz proxy keys throws');
      },
      getOwnPropertyDescriptor() {
        throw new Error('fz proxy descriptor throws');
      },
    },
  );
}
const PROTO_JSON = () => JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"x":1}');

/** A value of any JavaScript type. `cloneable`: only what Node-RED's cloneMessage copies safely. */
function anyValue(r, { cloneable = false } = {}) {
  const roll = r.int(0, 99);
  if (roll < 20) return r.pick([undefined, null, true, false, 0, -0, 1, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53 + 1, -(2 ** 53 + 1), 1e21, Number.MAX_VALUE, 5e-324, 13912345678]);
  if (roll < 45) return r.pick(['', ' ', '\t\n', '\u3000', '０１２３４', ...ODD_TEXTS, ...SURROGATES, BIG, `${BIG}@demo.cc`]);
  if (roll < 60) return r.pick([[], ['8001@demo.cc'], [1, [2, [3]]], {}, { a: { b: [1] } }, Object.create(null), PROTO_JSON()]);
  if (roll < 72) return r.pick([Buffer.from('13912345678'), Buffer.alloc(0), new Date(0), new Date(Number.NaN), new Date('2025-03-01T00:00:00Z'), new Map([['a', 1]]), new Set([1]), /re/g]);
  if (cloneable) return r.pick(['', null, 7, { deep: { deeper: { deepest: 'x' } } }]);
  return r.pick([throwingGetter('x'), throwingConversions(), throwingProxy(), 10n, Symbol('fz'), () => 1]);
}

/** How a value reads in a failure message. */
function show(v) {
  try {
    const s = util.inspect(v, { depth: 2, breakLength: Infinity, maxStringLength: 40, maxArrayLength: 5, getters: false });
    return s.length > 120 ? `${s.slice(0, 120)}…` : s;
  } catch (e) {
    return `<${e.message}>`;
  }
}

// ---------------------------------------------------------------------------------------------
// verdicts: what the documented rules make of one field's value

/** Not given: the dialog (or the default) applies. */
const ABSENT = Object.freeze({ absent: true });
/** Accepted, sent as `v` (undefined: left out of the request). */
const ok = (v, platform) => (platform ? { ok: true, v, platform } : { ok: true, v });
/** Refused before anything is sent, naming the field. */
const BAD = Object.freeze({ bad: true });
/** Either of the two (the rules do not say): refused naming the field, or accepted as `v` when `known`. */
const either = (v, known = false) => ({ either: true, v, known });

const isGiven = (v) => v !== undefined && v !== null && v !== '';

function isPlainObject(v) {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

/** The object whose fields override the dialog: msg.payload when it is an object (not an array or a Buffer). */
function payloadObject(p) {
  return p !== null && typeof p === 'object' && !Array.isArray(p) && !Buffer.isBuffer(p) ? p : {};
}

/** Reads a property the way a user's getter or proxy may make throw: {threw} or {v}. */
function peek(obj, key) {
  try {
    return { v: obj[key] };
  } catch (e) {
    return { threw: e };
  }
}

/**
 * A text parameter: a string (trimmed, not blank) or a number that is exact (a safe integer, or a
 * finite fraction); a lone surrogate cannot be sent. Blank is missing for a required field and
 * nothing for an optional one.
 */
function judgeText(v, { required = true } = {}) {
  if (!isGiven(v)) return ABSENT;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || (Number.isInteger(v) && !Number.isSafeInteger(v))) return BAD;
    return ok(String(v));
  }
  if (typeof v !== 'string') return BAD;
  const s = v.trim();
  if (!s) return required ? BAD : ok(undefined);
  if (!s.isWellFormed()) return BAD;
  return ok(s);
}

/**
 * Invisible characters (Unicode Cc and Cf: a zero-width space, an RTL mark, a soft hyphen, a control
 * character) are never part of an extension or an id: the client refuses them in a deviceId, a callId
 * and a recordingId (README, "Validated first") rather than have the platform look for them.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}]/u;

function judgeDeviceId(v) {
  const t = judgeText(v);
  if (!t.ok) return t;
  if (!/^[^\s@]+@[^\s@]+$/.test(t.v)) return BAD;
  if (INVISIBLE.test(t.v)) return BAD;
  if (t.v.length > 200) return either(t.v, true);
  return ok(t.v, t.v.endsWith(`@${DEMO_DOMAIN}`) ? undefined : ['14005']);
}

function judgePhone(v, opts) {
  const t = judgeText(v, opts);
  if (!t.ok || t.v === undefined) return t;
  return /^\+?[0-9]{3,20}$/.test(t.v) ? t : BAD;
}

function judgePrefix(v) {
  const t = judgeText(v);
  if (!t.ok) return t;
  return /^[0-9*#]+$/.test(t.v) ? t : BAD;
}

/** What JSON makes of a value (what the platform receives), or undefined when JSON cannot carry it. */
function jsonOf(v) {
  try {
    const s = JSON.stringify(v);
    return s === undefined ? undefined : { v: JSON.parse(s) };
  } catch {
    return undefined;
  }
}

/** An object parameter (userData, data): a plain object JSON can carry. */
function judgeObject(v) {
  if (!isGiven(v)) return ABSENT;
  if (!isPlainObject(v)) return BAD;
  const j = jsonOf(v);
  return j ? ok(j.v) : BAD;
}

function judgeBoolText(v) {
  if (!isGiven(v)) return ABSENT;
  if (typeof v === 'boolean') return ok(String(v));
  if (typeof v === 'string' && ['true', 'false'].includes(v.trim().toLowerCase())) return ok(v.trim().toLowerCase());
  return BAD;
}

function judgeInt(v, min, max) {
  if (!isGiven(v) || (typeof v === 'string' && !v.trim())) return ABSENT;
  const n = typeof v === 'string' && /^[+-]?[0-9]+$/.test(v.trim()) ? Number(v.trim()) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max ? ok(n) : BAD;
}

// ---------------------------------------------------------------------------------------------
// dialog typedInputs: generated per deployed node; msg/flow/global/env values come per message

const ENV_PREFIX = 'WELLCLOUD_FZ_';

/**
 * One typedInput of a dialog. Returns {props, dynamic, fixed}: `props` for the node definition;
 * `dynamic` when the value is read per message ({type, key}); else `fixed`, the verdict input
 * ({value} or {threw}) the evaluation gives.
 */
function dialogInput(r, name, goodTexts, { jsonTexts = [], allowed = ['str', 'msg', 'flow', 'global', 'env', 'jsonata', 'num', 'json'], odd = r.chance(0.2) } = {}) {
  if (!odd) {
    // a dialog as a user fills it in: a fixed value, or a place the value is read from
    const type = r.pick(allowed.filter((t) => t !== 'num' && (t !== 'json' || jsonTexts.length)));
    if (type === 'str' || (type === 'jsonata' && r.chance(0.5))) {
      const v = r.pick(goodTexts);
      return type === 'jsonata' ? { props: { [name]: JSON.stringify(v), [`${name}Type`]: 'jsonata' }, fixed: { value: v } } : { props: { [name]: v, [`${name}Type`]: 'str' }, fixed: { value: v === '' ? undefined : v } };
    }
    if (type === 'json') {
      const text = r.pick(jsonTexts);
      return { props: { [name]: text, [`${name}Type`]: 'json' }, fixed: { value: text === '' ? undefined : JSON.parse(text) } };
    }
    if (type === 'jsonata') return { props: { [name]: `$string(fz.${name}Text)`, [`${name}Type`]: 'jsonata' }, dynamic: { type: 'jsonataText', key: name } };
    if (type === 'msg') return { props: { [name]: `fz.${name}`, [`${name}Type`]: 'msg' }, dynamic: { type: 'msg', key: name, path: `fz.${name}` } };
    if (type === 'env') return { props: { [name]: `${ENV_PREFIX}${name.toUpperCase()}`, [`${name}Type`]: 'env' }, dynamic: { type: 'env', key: name } };
    return { props: { [name]: `fz_${name}`, [`${name}Type`]: type }, dynamic: { type, key: name, path: `fz_${name}` } };
  }
  const type = r.chance(0.15) ? 'unset' : r.pick(allowed);
  const props = (value, t) => ({ [name]: value, [`${name}Type`]: t });
  switch (type) {
    case 'unset':
      return { props: props('', 'str'), fixed: { value: undefined } };
    case 'str': {
      const v = r.chance(0.7) ? r.pick(goodTexts) : r.pick(['', ' ', ...ODD_TEXTS, '１２３']);
      return { props: props(v, 'str'), fixed: { value: v === '' ? undefined : v } };
    }
    case 'num': {
      const text = r.pick(['13912345678', '9', '8001', '1e21', 'abc', '-0', '0x10', ' 7 ', '9007199254740993']);
      return { props: props(text, 'num'), fixed: { value: Number(text) } };
    }
    case 'json': {
      const text = r.pick([...jsonTexts, '{bad', '[1]', '12', 'null', '"x"', '{"__proto__":{"polluted":"yes"}}', '{"a":{"b":[1,2]}}']);
      try {
        return { props: props(text, 'json'), fixed: { value: JSON.parse(text) } };
      } catch (e) {
        return { props: props(text, 'json'), fixed: { threw: e } };
      }
    }
    case 'msg': {
      const p = r.pick([`fz.${name}`, `fz.${name}`, `fz["${name}"]`, 'fz..x', 'fz[', 'fz.missing.deeper']);
      return { props: props(p, 'msg'), dynamic: { type: 'msg', key: name, path: p } };
    }
    case 'flow':
    case 'global': {
      const key = r.chance(0.9) ? `fz_${name}` : '#:(nostore)::fz_x';
      return { props: props(key, type), dynamic: { type, key: name, path: key } };
    }
    case 'env':
      return { props: props(`${ENV_PREFIX}${name.toUpperCase()}`, 'env'), dynamic: { type: 'env', key: name } };
    case 'jsonata': {
      const exprs = [
        [JSON.stringify(goodTexts[0]), { value: goodTexts[0] }],
        ['$error("fz JSONata error")', { threw: true }],
        ['1/0', { value: Infinity }],
        ['{"a": 1}', { value: { a: 1 } }],
        ['42', { value: 42 }],
        ['$nothing', { value: undefined }],
        ['(', { threw: true }],
        [`$string(fz.${name}Text)`, { text: true }],
      ];
      const [expr, outcome] = r.pick(exprs);
      if (outcome.text) return { props: props(expr, 'jsonata'), dynamic: { type: 'jsonataText', key: name } };
      return { props: props(expr, 'jsonata'), fixed: outcome };
    }
    default:
      throw new Error(type);
  }
}

/**
 * Gives a dynamic typedInput its value for one message (in msg.fz, the context or the environment)
 * and returns what the evaluation yields: {value} or {threw}, or {either} when Node-RED's own
 * handling decides (an unknown context store).
 */
function feedDynamic(r, dyn, msg, node, value) {
  switch (dyn.type) {
    case 'msg':
      // Node-RED refuses a malformed path, and one through a missing object
      if (dyn.path === 'fz..x' || dyn.path === 'fz[' || dyn.path === 'fz.missing.deeper') return { threw: true };
      msg.fz[dyn.key] = value;
      // read at once, or through a promise once an earlier field needed one: a thenable or proxy is
      // refused either as a dialog value or by the field's own check
      return promiseProof(value) ? { value } : { either: true };
    case 'flow':
    case 'global':
      if (dyn.path.startsWith('#:')) return { either: true };
      node.context()[dyn.type].set(`fz_${dyn.key}`, value);
      // read asynchronously: a value a promise cannot carry (a thenable, a proxy) is refused as such
      return promiseProof(value) ? { value } : { threw: true };
    case 'env': {
      const name = `${ENV_PREFIX}${dyn.key.toUpperCase()}`;
      if (value === undefined || value === null) {
        delete process.env[name];
        return { value: undefined };
      }
      // the environment holds text only
      const text = typeof value === 'string' ? value : String(r.pick(['8001@demo.cc', '13912345678', ' ', '中文', '１２３']));
      if (text.includes('\u0000') || !text.isWellFormed()) {
        delete process.env[name];
        return { value: undefined };
      }
      process.env[name] = text;
      // Node-RED reads an empty variable as "not set"
      return { value: text === '' ? undefined : text };
    }
    case 'jsonataText': {
      const text = typeof value === 'string' && value.isWellFormed() ? value : 'fz-text';
      msg.fz[`${dyn.key}Text`] = text;
      return { value: text };
    }
    default:
      throw new Error(dyn.type);
  }
}

/** False for a value a promise would not carry as it is (a thenable, or an object whose `then` cannot be read). */
function promiseProof(v) {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return true;
  try {
    return typeof v.then !== 'function';
  } catch {
    return false;
  }
}

/**
 * The verdict of one field: msg.payload's value when given, else the dialog's (its evaluation may
 * throw: then refused naming the field). `judge` applies the documented rules to a value.
 */
function fieldVerdict(fromPayload, dialogOutcome, judge) {
  if (fromPayload.threw) return BAD;
  if (isGiven(fromPayload.v)) return judge(fromPayload.v);
  if (!dialogOutcome) return judge(undefined);
  if (dialogOutcome.threw) return BAD;
  if (dialogOutcome.either) return either(undefined);
  return judge(dialogOutcome.value);
}

// ---------------------------------------------------------------------------------------------
// API.md, as a checker of the requests the sandbox received

const PLATFORM_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

function platformTimeMs(text) {
  const m = PLATFORM_TIME.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const wallAsUtc = new Date(0);
  wallAsUtc.setUTCFullYear(y, mo - 1, d);
  wallAsUtc.setUTCHours(h, mi, s);
  if (wallAsUtc.getUTCFullYear() !== y || wallAsUtc.getUTCMonth() !== mo - 1 || wallAsUtc.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return undefined;
  // (China's offset was not always 8 h: only the order of two texts matters here)
  return wallAsUtc.getTime();
}

const nonBlank = (v) => typeof v === 'string' && v.trim() !== '' && v.isWellFormed();

/** Problems of one request against API.md (empty when it is valid). */
function apiProblems(req, tokens) {
  const p = [];
  const need = (cond, what) => {
    if (!cond) p.push(what);
  };
  need(tokens.includes(req.headers.wellcloud_token), 'wellcloud_token header missing or unknown');
  const q = req.query;
  const onlyKeys = (obj, keys, where) => {
    for (const k of Object.keys(obj)) need(keys.includes(k), `${where}: unexpected ${k}`);
  };
  const seg = (prefix, suffix = '') => {
    if (!req.path.startsWith(prefix) || !req.path.endsWith(suffix)) return undefined;
    const raw = req.path.slice(prefix.length, req.path.length - suffix.length);
    if (!raw || raw.includes('/')) return undefined;
    try {
      return decodeURIComponent(raw);
    } catch {
      return undefined;
    }
  };
  const idOk = (id) => nonBlank(id) && id === id.trim() && id !== '.' && id !== '..';
  if (req.method === 'POST' && req.path === '/api/ext/v2/calls/uc') {
    const b = req.body;
    need(isPlainObject(b), 'dual call: no JSON object body');
    if (!isPlainObject(b)) return p;
    onlyKeys(b, ['deviceId', 'prefix', 'customerPhone', 'userData', 'options'], 'dual call body');
    need(typeof b.deviceId === 'string' && /^[^\s@]+@[^\s@]+$/.test(b.deviceId), 'dual call: deviceId');
    need(typeof b.prefix === 'string' && /^[0-9*#]+$/.test(b.prefix), 'dual call: prefix');
    need(typeof b.customerPhone === 'string' && /^\+?[0-9]{3,20}$/.test(b.customerPhone), 'dual call: customerPhone');
    if ('userData' in b) need(isPlainObject(b.userData), 'dual call: userData');
    if ('options' in b) {
      need(isPlainObject(b.options) && Object.keys(b.options).length > 0, 'dual call: options');
      if (isPlainObject(b.options)) {
        onlyKeys(b.options, ['bindPhone', 'displayOrigin', 'cpa', 'displayDest'], 'dual call options');
        for (const k of Object.keys(b.options)) need(nonBlank(b.options[k]), `dual call: options.${k}`);
        if ('cpa' in b.options) need(['true', 'false'].includes(b.options.cpa), 'dual call: options.cpa');
        for (const k of ['bindPhone', 'displayOrigin']) if (k in b.options) need(/^\+?[0-9]{3,20}$/.test(b.options[k]), `dual call: options.${k}`);
      }
    }
  } else if (req.method === 'POST' && req.path === '/api/ocm/instant/smart') {
    const b = req.body;
    need(isPlainObject(b), 'outbound: no JSON object body');
    if (!isPlainObject(b)) return p;
    onlyKeys(b, ['activityId', 'callee', 'caller', 'data', 'domain', 'id', 'rosterId', 'tenantId'], 'outbound body');
    for (const k of ['activityId', 'caller', 'domain', 'rosterId', 'tenantId']) need(nonBlank(b[k]), `outbound: ${k}`);
    need(typeof b.callee === 'string' && /^\+?[0-9]{3,20}$/.test(b.callee), 'outbound: callee');
    need(isPlainObject(b.data), 'outbound: data');
    if ('id' in b) need(nonBlank(b.id), 'outbound: id');
  } else if (req.method === 'POST' && req.path === '/api/ros/2.0/batches') {
    onlyKeys(q, ['alias', 'templateId'], 'roster query');
    for (const k of Object.keys(q)) need(nonBlank(q[k]), `roster: ${k}`);
    need(/^multipart\/form-data; ?boundary=/.test(req.headers['content-type'] || ''), 'roster: not multipart');
    // (a body the sandbox did not read, after refusing the templateId, is not logged)
    const b = req.body;
    if (b !== undefined) {
      need(typeof b.filename === 'string' && /\.(txt|csv|dat)$/i.test(b.filename), `roster: file name ${b.filename}`);
      need(typeof b.size === 'number' && b.size > 0 && b.size <= 10_000_000, 'roster: size');
      if (typeof b.text === 'string') need(readRosterText(Buffer.from(b.text)).rows?.length > 0, 'roster: a line the platform cannot read');
    }
  } else if (req.method === 'GET' && req.path.startsWith('/api/cdr/2.0/calls/open/call/')) {
    need(idOk(seg('/api/cdr/2.0/calls/open/call/')), 'cdr call: callId');
    onlyKeys(q, [], 'cdr call query');
  } else if (req.method === 'GET' && (req.path === '/api/cdr/2.0/calls/open' || req.path === '/api/cdr/2.0/open/calls/robot')) {
    const robot = req.path.endsWith('robot');
    const base = ['beginTime', 'endTime', 'isOrder', 'domain', 'p', 's', 'ani', 'dnis'];
    onlyKeys(q, robot ? [...base, 'campaignId', 'isDownload', 'resultCode', 'groupCampaignId', 'batchId', 'batchName', 'rosterId', 'uuiKey', 'uuiValue', 'isCount'] : base, 'cdr query');
    const b = platformTimeMs(q.beginTime || '');
    const e = platformTimeMs(q.endTime || '');
    need(b !== undefined, `cdr: beginTime ${q.beginTime}`);
    need(e !== undefined, `cdr: endTime ${q.endTime}`);
    if (b !== undefined && e !== undefined) need(b <= e, 'cdr: beginTime after endTime');
    need(['0', '1'].includes(q.isOrder), 'cdr: isOrder');
    need(nonBlank(q.domain), 'cdr: domain');
    need(/^[1-9][0-9]*$/.test(q.p || ''), 'cdr: p');
    need(/^[0-9]+$/.test(q.s || '') && Number(q.s) >= 1 && Number(q.s) <= 100, 'cdr: s');
    for (const k of ['ani', 'dnis', 'groupCampaignId', 'batchId', 'batchName', 'rosterId', 'uuiKey', 'uuiValue']) if (k in q) need(nonBlank(q[k]), `cdr: ${k}`);
    if (robot) {
      need(nonBlank(q.campaignId), 'robot: campaignId');
      need(q.isDownload === '0', 'robot: isDownload');
      if ('resultCode' in q) need(/^-?[0-9]+$/.test(q.resultCode), 'robot: resultCode');
      if ('isCount' in q) need(['true', 'false'].includes(q.isCount), 'robot: isCount');
    }
  } else if (req.method === 'GET' && req.path.startsWith('/api/cdr/2.0/recordings/open/')) {
    const list = seg('/api/cdr/2.0/recordings/open/call/');
    if (list !== undefined) {
      need(idOk(list), 'recordings: callId');
      onlyKeys(q, [], 'recordings query');
    } else {
      const id = seg('/api/cdr/2.0/recordings/open/call/', '/stream') ?? seg('/api/cdr/2.0/recordings/open/recording/', '/stream');
      need(idOk(id), `audio: id in ${req.path}`);
      onlyKeys(q, ['isDownload', 'isWav'], 'audio query');
      need(['1', '2'].includes(q.isDownload), 'audio: isDownload');
      need(['0', '1'].includes(q.isWav), 'audio: isWav');
    }
  } else {
    p.push(`not an API.md request: ${req.method} ${req.path}`);
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// runtime texts: Node-RED's own i18n with our catalogues, in the language of the pass

let catalogues;
async function loadCatalogues() {
  if (catalogues) return catalogues;
  catalogues = Promise.all(NAMES.map((n) => i18n.registerMessageCatalog(`node-red-contrib-wellcloud/${n}`, path.join(__dirname, '..', '..', 'dist', 'nodes', n, 'locales'), `${n}.json`))).then(() => i18n.i.loadLanguages(['en-US', 'zh-CN']));
  return catalogues;
}

/** RED._ as Node-RED gives it to our nodes (the key in the node's own namespace), in `lng`. */
function translator(lng) {
  return (key, vars) => {
    const full = key.includes(':') ? key : `node-red-contrib-wellcloud/${key.split('.')[0]}:${key}`;
    return i18n._(full, { ...(vars || {}), lng });
  };
}

const HAN = /[\u4e00-\u9fff]/;

/** The en-US status texts of every node's catalogue, as patterns (placeholders match anything). */
function englishStatusTexts() {
  const out = [];
  const walk = (v) => {
    if (typeof v === 'string') {
      const literal = v.split(/__\w+__/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      if (literal.join('').replace(/\W/g, '').length >= 4) out.push(new RegExp(`"${literal.join('.*')}"`));
    } else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  for (const n of NAMES) {
    const cat = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'nodes', n, 'locales', 'en-US', `${n}.json`), 'utf8'))[n];
    if (cat.status) walk(cat.status);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// the run: deploy the node a few times, send the messages one at a time, check each

function protoSnapshot() {
  const snap = new Map();
  for (const [name, proto] of [['Object', Object.prototype], ['Array', Array.prototype], ['Function', Function.prototype], ['String', String.prototype]]) {
    for (const k of Reflect.ownKeys(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, k);
      snap.set(`${name}.${String(k)}`, d.value ?? d.get);
    }
  }
  return snap;
}

function textOf(v) {
  try {
    return typeof v === 'string' ? v : `${util.inspect(v, { depth: 6, breakLength: Infinity })} ${JSON.stringify(v) ?? ''}`;
  } catch (e) {
    return String(e && e.message);
  }
}

/**
 * Deploys `spec`'s nodes and sends `count` generated messages, one at a time, in `lang`. `spec`:
 * {name, type, urlParams?, warns?, instances(r, ctx) -> [{id, props, ...}], message(r, i, ctx) -> case,
 * check(case, outcome, ctx)}. A case: {node (instance id), msg, payload, about, ...what check() needs};
 * the outcome: {err, outputs, reqs (the sandbox's log for it), warnings}.
 */
async function fuzz(sandbox, spec, lang, count) {
  // files of the run (rosters, recordings) live below `root`, removed whatever happens
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wellcloud-fz-'));
  try {
    return await run(sandbox, spec, lang, count, root);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function run(sandbox, spec, lang, count, root) {
  await loadCatalogues();
  const r = prng(SEED ^ hashText(`${spec.name}/${lang}`));
  const workDir = path.join(root, 'work');
  fs.mkdirSync(workDir);
  const ctx = { r, lang, sandbox, root, workDir };
  const instances = spec.instances(r, ctx);
  const cfg = (id, extra) => ({ id, type: 'wellcloud-config', name: `fz ${id}`, baseUrl: sandbox.url, domain: DEMO_DOMAIN, tenantId: DEMO_TENANT_ID, timezone: 'Asia/Shanghai', timeout: 5000, tokenStyle: 'json', ...extra });
  const flow = [
    { id: 'fzTab', type: 'tab', label: 'fuzz' },
    cfg('cfgSh'),
    cfg('cfgNy', { timezone: 'America/New_York' }),
    ...instances.map((inst) => ({ id: inst.id, z: 'fzTab', type: spec.type, server: inst.server || 'cfgSh', name: `fz ${inst.id}`, ...inst.props, wires: [['fzOut']] })),
    { id: 'fzOut', z: 'fzTab', type: 'helper' },
  ];
  const _ = translator(lang);
  const modules = [MODULES['wellcloud-config'], MODULES[spec.type]].map((mod) => (RED) => {
    const red = Object.create(RED);
    red._ = _;
    red.settings = Object.assign(Object.create(RED.settings), { fileWorkingDirectory: workDir });
    return mod(red);
  });
  const credentials = { cfgSh: { ...DEMO_CREDENTIALS }, cfgNy: { ...DEMO_CREDENTIALS } };
  await helper.load(modules, flow, credentials);
  for (const id of ['cfgSh', 'cfgNy']) {
    assert.strictEqual(helper.getNode(id).lang, lang, `the config node reads the runtime language ${lang}`);
    await helper.getNode(id).getClient().getToken();
  }
  const secrets = () => [DEMO_CREDENTIALS.appSecret, DEMO_CREDENTIALS.apiKey, ...sandbox.issuedTokens()];

  // what every node does, by message
  const completions = new Map(); // fzid -> [err|null]
  const outputs = new Map(); // fzid -> [msg]
  const statuses = [];
  const warnings = [];
  const waiting = new Map();
  for (const inst of instances) {
    const node = helper.getNode(inst.id);
    const complete = node._complete;
    node._complete = function (msg, err) {
      const id = msg && msg.fzid;
      const list = completions.get(id) || [];
      list.push(err || null);
      completions.set(id, list);
      const w = waiting.get(id);
      if (w) w();
      return complete.call(this, msg, err);
    };
    const warn = node.warn;
    node.warn = function (m) {
      warnings.push({ id: inst.id, text: textOf(m) });
      return warn.call(this, m);
    };
    node.on('call:status', (c) => statuses.push(textOf(c.args[0])));
  }
  helper.getNode('fzOut').on('input', (m) => {
    const list = outputs.get(m.fzid) || [];
    list.push(m);
    outputs.set(m.fzid, list);
  });

  const protoBefore = protoSnapshot();
  const watch = watchProcess();
  const envBefore = Object.keys(process.env).filter((k) => k.startsWith(ENV_PREFIX));
  let failures = [];
  const tally = {};
  try {
    for (let i = 0; i < count; i++) {
      const c = spec.message(r, i, { ...ctx, instances });
      c.msg.fzid = i;
      const node = helper.getNode(c.node);
      sandbox.clearRequests();
      const warnedBefore = warnings.length;
      const finished = new Promise((resolve) => waiting.set(i, resolve));
      let timer;
      const timeout = new Promise((resolve) => {
        timer = setTimeout(() => resolve('timeout'), MESSAGE_TIMEOUT_MS);
      });
      node.receive(c.msg);
      const how = await Promise.race([finished, timeout]);
      clearTimeout(timer);
      waiting.delete(i);
      const where = `seed ${SEED} ${spec.name} ${lang} message ${i} to ${c.node} (${c.about})`;
      if (how === 'timeout') {
        failures.push(`${where}: never completed (${MESSAGE_TIMEOUT_MS} ms)`);
        break;
      }
      // anything still arriving for it (a second send, a late request) arrives by now
      await new Promise((res) => setImmediate(res));
      const errs = completions.get(i);
      const err = errs[0];
      const reqs = sandbox.requests.filter((q) => q.path !== TOKEN_PATH);
      const outcome = { err, outputs: outputs.get(i) || [], reqs, tokens: sandbox.issuedTokens(), urlParams: spec.urlParams, warnings: warnings.slice(warnedBefore).map((w) => w.text) };
      const kind = !err ? 'sent' : err.code === 'INVALID_INPUT' ? 'refused' : 'platform';
      tally[kind] = (tally[kind] || 0) + 1;
      if (outcome.warnings.length) tally.warned = (tally.warned || 0) + 1;
      try {
        assert.strictEqual(errs.length, 1, 'done() called more than once');
        assert.ok(!sandbox.requests.some((q) => q.path === TOKEN_PATH), 'a token was applied for during the run');
        for (const q of reqs) {
          const problems = apiProblems(q, outcome.tokens);
          assert.ok(problems.length === 0, `not as API.md says (${problems.join('; ')}): ${q.method} ${q.path}?${new URLSearchParams(q.query)} ${show(q.body)}`);
        }
        if (err) {
          assert.ok(typeof err.code === 'string' && err.code, `error without a code: ${show(err)}`);
          assert.ok(typeof err.message === 'string' && err.message, 'error without a message');
          assert.notStrictEqual(err.code, 'ERROR', `an unexpected error: ${err.message}`);
          if (err.code === 'INVALID_INPUT') {
            assert.strictEqual(reqs.length, 0, `INVALID_INPUT (${err.field}) but the sandbox received ${reqs.map((q) => q.path)}`);
            assert.ok(typeof err.field === 'string' && err.field, `INVALID_INPUT without a field: ${err.message}`);
            if (lang === 'zh-CN') assert.ok(HAN.test(err.message), `not in Chinese: ${err.message}`);
            else assert.ok(/\b(is|are|must|cannot|not|has|holds|row)\b/i.test(err.message) && !/[必须为项不能无法]/.test(err.message.replace(/"[^"]*"|'[^']*'/g, '')), `not in English: ${err.message}`);
          }
          if (lang === 'zh-CN' && err.code !== 'INVALID_INPUT') assert.ok(HAN.test(err.message), `not in Chinese: ${err.message}`);
        }
        spec.check(c, outcome, ctx);
        // a warning only where one is documented: duplicate roster rows
        if (!spec.warns) assert.deepStrictEqual(outcome.warnings, [], 'a warning');
        const all = `${err ? textOf(err) : ''} ${err ? textOf(err.toJSON ? err.toJSON() : err) : ''}`;
        for (const s of secrets()) assert.ok(!all.includes(s), `a secret shows in the error: ${all.slice(0, 300)}`);
      } catch (e) {
        failures.push(`${where}: ${e.message}\n      outcome: ${err ? `${err.code} ${err.field ?? ''} ${err.message.slice(0, 300)}` : `${outcome.outputs.length} message(s)`}; requests: ${reqs.map((q) => `${q.method} ${q.path} ${q.status}`).join(', ') || 'none'}`);
        if (failures.length >= 8) break;
      }
    }
    // late arrivals: a second done or send for any message
    await sleep(20);
    for (const [id, list] of completions) if (list.length !== 1) failures.push(`seed ${SEED} ${spec.name} ${lang} message ${id}: completed ${list.length} times`);
  } finally {
    watch.stop();
    for (const k of Object.keys(process.env)) if (k.startsWith(ENV_PREFIX) && !envBefore.includes(k)) delete process.env[k];
  }
  // eslint-disable-next-line no-console
  if (process.env.WELLCLOUD_FUZZ_VERBOSE) console.log(`      ${spec.name} ${lang}: ${JSON.stringify(tally)}`);
  assert.deepStrictEqual(failures, [], `\n${failures.join('\n')}\n`);
  assert.deepStrictEqual(watch.seen, [], 'the process reported trouble');
  const protoAfter = protoSnapshot();
  assert.deepStrictEqual([...protoAfter.keys()].sort(), [...protoBefore.keys()].sort(), 'a built-in prototype gained or lost a property');
  for (const [k, v] of protoBefore) assert.ok(protoAfter.get(k) === v, `${k} was replaced`);
  assert.strictEqual({}.polluted, undefined, 'Object.prototype polluted');
  const shown = [...statuses, ...warnings.map((w) => w.text), ...helper.log().getCalls().map((c) => textOf(c.args))];
  for (const text of shown) for (const s of secrets()) assert.ok(!text.includes(s), `a secret shows in a status, warning or log line: ${text.slice(0, 300)}`);
  if (lang === 'zh-CN') {
    // a status text of our own catalogues must be the Chinese one (a callId or the platform's reason may be any text)
    const english = englishStatusTexts();
    for (const text of statuses) for (const re of english) assert.ok(!re.test(text), `a status in English under zh-CN: ${text}`);
  }
  // the pass is no pass if (almost) nothing went through, or nothing was refused; a pass of 100
  // messages of one seed may send as few as 20 %, so the bar is 10 %
  if (count >= 100) assert.ok((tally.sent || 0) + (tally.platform || 0) >= count / 10 && tally.refused >= count / 10, `a lopsided run: ${JSON.stringify(tally)}`);
  return { warnings };
}

// ---------------------------------------------------------------------------------------------
// checking one outcome against the verdicts

/**
 * `verdicts`: {field: verdict}. Returns {mode}: 'invalid' (some field must be refused), 'maybe'
 * (refused naming an undecided field, or accepted), 'accept'; with `platform`, the platform codes a
 * well-formed request may get.
 */
function summarise(verdicts) {
  const bad = [];
  const undecided = [];
  const platform = [];
  for (const [f, v] of Object.entries(verdicts)) {
    if (v.bad) bad.push(f);
    else if (v.either) undecided.push(f);
    if (v.platform) platform.push(...v.platform);
  }
  return { bad, undecided, platform, mode: bad.length ? 'invalid' : undecided.length ? 'maybe' : 'accept' };
}

/** Checks the outcome's error against the verdicts; returns true when the message was accepted. */
function checkRefusal(s, outcome, { platformCodes = [], sentCodes = [] } = {}) {
  const { err } = outcome;
  // a URL too long for the server (an id or a filter of many KB) is refused by its HTTP parser
  // before the platform sees it: documented as HTTP_<status>, and no harm done; a roster upload's
  // body still on its way may meet the closed socket instead (ECONNRESET)
  if (err && /^HTTP_4(14|31)$/.test(err.code) && s.mode !== 'invalid' && outcome.urlParams && outcome.reqs.length === 0) return false;
  if (err && err.code === 'ECONNRESET' && s.mode !== 'invalid' && outcome.longQuery && outcome.reqs.length === 0) return false;
  const named = [...s.bad, ...s.undecided];
  if (s.mode === 'invalid') {
    assert.ok(err, `accepted although ${s.bad.join(', ')} must be refused`);
    assert.strictEqual(err.code, 'INVALID_INPUT', `${err.code} instead of INVALID_INPUT for ${s.bad.join(', ')}: ${err.message}`);
    assert.ok(named.includes(fieldRoot(err.field)), `the error names ${err.field}, expected one of ${named.join(', ')}: ${err.message}`);
    return false;
  }
  if (err && err.code === 'INVALID_INPUT') {
    assert.ok(s.mode === 'maybe' && named.includes(fieldRoot(err.field)), `refused ${err.field} (${err.message}), expected it accepted${s.undecided.length ? ` or one of ${s.undecided.join(', ')} refused` : ''}`);
    return false;
  }
  if (err) {
    const allowed = [...s.platform, ...platformCodes];
    assert.ok(allowed.includes(err.code) || sentCodes.includes(err.code), `failed with ${err.code}: ${err.message} (allowed: ${allowed.join(', ') || 'none'})`);
    assert.ok(outcome.reqs.length > 0 || sentCodes.includes(err.code), `${err.code} without a request`);
    return false;
  }
  assert.deepStrictEqual(s.platform, [], `accepted, but the platform should have answered ${s.platform.join(', ')}`);
  return true;
}

/** `options.cpa` and `data.x` are parts of `options` and `data`; `row 3` errors name their column. */
function fieldRoot(field) {
  return String(field).split('.')[0];
}

// =============================================================================================
// wellcloud-dual-call

const DEVICES = ['8001@demo.cc', '8002@demo.cc', ' 8003@demo.cc ', '8004@demo.cc\t'];
const PHONES = ['13912345678', '+8613912345678', ' 13800000000 ', '400810'];
const OPTION_KEYS = ['bindPhone', 'displayOrigin', 'cpa', 'displayDest'];

const DUAL = {
  name: 'dual call',
  type: 'wellcloud-dual-call',
  instances(r) {
    return Array.from({ length: 6 }, (_, n) => {
      const dialog = {
        deviceId: dialogInput(r, 'deviceId', DEVICES),
        prefix: dialogInput(r, 'prefix', ['9', '0', '*9#']),
        customerPhone: dialogInput(r, 'customerPhone', PHONES),
        userData: dialogInput(r, 'userData', ['{"orderId":"1"}'], { jsonTexts: ['{"orderId":"142459"}', '{}', ''], allowed: ['json', 'json', 'msg', 'flow', 'jsonata'] }),
        bindPhone: dialogInput(r, 'bindPhone', ['918900000000', '4008100001']),
        displayOrigin: dialogInput(r, 'displayOrigin', ['4008100001']),
        displayDest: dialogInput(r, 'displayDest', ['02133255540', 'shown']),
      };
      const cpa = r.pick(['', '', 'true', 'false', 'TRUE', 'maybe']);
      const props = { cpa };
      for (const d of Object.values(dialog)) Object.assign(props, d.props);
      return { id: `dc${n}`, props, dialog, cpa };
    });
  },
  message(r, i, { instances }) {
    const inst = r.pick(instances);
    const msg = { fz: {} };
    const node = helper.getNode(inst.id);
    // the values: good mostly, one or two hostile
    const hostile = new Set(Array.from({ length: r.chance(0.45) ? 0 : r.int(1, 2) }, () => r.pick(['deviceId', 'prefix', 'customerPhone', 'userData', 'options', 'payload', ...OPTION_KEYS])));
    const good = {
      deviceId: () => r.pick(DEVICES),
      prefix: () => r.pick(['9', '0', '*9#', 9, 0]),
      customerPhone: () => r.pick([...PHONES, 13912345678]),
      userData: () => r.pick([{ orderId: '1' }, {}, PROTO_JSON(), { nested: { list: [1, 'two', null] } }, Object.create(null)]),
      bindPhone: () => r.pick(['918900000000', 4008100001]),
      displayOrigin: () => r.pick(['4008100001', ' 4008100001 ']),
      cpa: () => r.pick([true, false, 'true', 'FALSE', ' true ']),
      displayDest: () => r.pick(['02133255540', 'shown', 12345]),
    };
    const value = (f) => (hostile.has(f) ? anyValue(r) : good[f]());
    // the dialog's dynamic inputs get their values
    const dialogOutcome = {};
    for (const [f, d] of Object.entries(inst.dialog)) dialogOutcome[f] = d.dynamic ? feedDynamic(r, d.dynamic, msg, node, value(f)) : d.fixed;
    // msg.payload: an object of some fields, or anything at all
    let payload;
    if (hostile.has('payload') && r.chance(0.5)) payload = anyValue(r);
    else {
      payload = r.chance(0.1) ? PROTO_JSON() : {};
      for (const f of ['deviceId', 'prefix', 'customerPhone', 'userData']) if (r.chance(0.5)) payload[f] = value(f);
      if (r.chance(0.4)) {
        if (hostile.has('options') && r.chance(0.5)) payload.options = anyValue(r);
        else {
          const o = r.chance(0.2) ? JSON.parse('{"__proto__":{"cpa":"true"},"extra":"x"}') : {};
          for (const k of OPTION_KEYS) if (r.chance(0.4)) o[k] = value(k);
          payload.options = o;
        }
      }
      if (hostile.has('payload') && r.chance(0.3)) Object.defineProperty(payload, r.pick(['deviceId', 'customerPhone', 'options']), { enumerable: true, get: () => { throw new Error('fz payload getter'); } });
    }
    msg.payload = payload;
    return { node: inst.id, msg, payload, inst, dialogOutcome, about: `payload ${show(payload)}` };
  },
  check(c, outcome) {
    const { inst, dialogOutcome } = c;
    const p = payloadObject(c.payload);
    const verdicts = {};
    const judges = { deviceId: judgeDeviceId, prefix: judgePrefix, customerPhone: (v) => judgePhone(v), userData: (v) => judgeObject(v) };
    for (const [f, judge] of Object.entries(judges)) {
      const v = fieldVerdict(peek(p, f), dialogOutcome[f], judge);
      verdicts[f] = v.absent && f !== 'userData' ? BAD : v.absent ? ok(undefined) : v;
    }
    // options: the dialog's, the cpa choice, msg.payload.options on top key by key
    const fromMsg = peek(p, 'options');
    const merged = {};
    const optionVerdicts = {};
    for (const k of ['bindPhone', 'displayOrigin', 'displayDest']) {
      // a dialog value that cannot be read is named as the dialog names it
      const d = dialogOutcome[k];
      if (d.threw) verdicts[k] = BAD;
      else if (d.either) verdicts[k] = verdicts[`options.${k}`] = either(undefined);
      else if (isGiven(d.value)) merged[k] = d.value;
    }
    if (['true', 'false'].includes(inst.cpa)) merged.cpa = inst.cpa;
    if (fromMsg.threw) verdicts.options = BAD;
    else if (isGiven(fromMsg.v) || fromMsg.v === '') {
      if (fromMsg.v !== '' && !isPlainObject(fromMsg.v)) verdicts.options = BAD;
      else if (fromMsg.v !== '') {
        for (const k of OPTION_KEYS) {
          const e = peek(fromMsg.v, k);
          if (e.threw) optionVerdicts[k] = BAD;
          else if (isGiven(e.v) && Object.prototype.hasOwnProperty.call(fromMsg.v, k)) merged[k] = e.v;
        }
      }
    }
    const options = {};
    for (const k of OPTION_KEYS) {
      if (optionVerdicts[k]) {
        verdicts[`options.${k}`] = optionVerdicts[k];
        continue;
      }
      const v = merged[k];
      const j = k === 'cpa' ? judgeBoolText(v) : k === 'displayDest' ? judgeText(v, { required: false }) : judgePhone(v, { required: false });
      if (j.bad) verdicts[`options.${k}`] = BAD;
      else if (j.ok && j.v !== undefined) options[k] = j.v;
    }
    const s = summarise(verdicts);
    // `options.cpa` is named as such: compare whole names here
    s.bad = s.bad.map(fieldRoot);
    s.undecided = s.undecided.map(fieldRoot);
    if (!checkRefusal(s, outcome)) return;
    // accepted: exactly one request, the canonical body
    assert.strictEqual(outcome.reqs.length, 1, 'one dual call request');
    assert.strictEqual(outcome.outputs.length, 1, 'one output message');
    const body = outcome.reqs[0].body;
    const expected = {};
    for (const f of ['deviceId', 'prefix', 'customerPhone', 'userData']) {
      const v = verdicts[f];
      if (v.ok && v.v !== undefined) expected[f] = v.v;
      else if (v.either && v.known) expected[f] = v.v;
      else if (v.either) expected[f] = body[f];
    }
    if (Object.keys(options).length) expected.options = options;
    assert.deepStrictEqual(body, expected, 'the request body');
    assert.deepStrictEqual(Object.keys(outcome.outputs[0].payload), ['callId']);
  },
};

// =============================================================================================
// wellcloud-outbound-call

const KNOWN_ACTIVITY = DEMO_CAMPAIGN_ID;

const OUTBOUND = {
  name: 'outbound call',
  type: 'wellcloud-outbound-call',
  instances(r) {
    return Array.from({ length: 6 }, (_, n) => {
      const dialog = {
        activityId: dialogInput(r, 'activityId', [KNOWN_ACTIVITY, ` ${KNOWN_ACTIVITY} `, 'no-such-activity']),
        callee: dialogInput(r, 'callee', PHONES),
        caller: dialogInput(r, 'caller', ['8001', '5001', '中文坐席']),
        rosterId: dialogInput(r, 'rosterId', ['R-1', 'r 2']),
        data: dialogInput(r, 'data', ['{}'], { jsonTexts: ['{}', '{"k":"v"}', '{"n":{"deep":[1,2]}}'], allowed: ['json', 'json', 'json', 'msg', 'flow', 'jsonata'] }),
        domain: r.chance(0.6) ? { props: { domain: '', domainType: 'str' }, fixed: { value: undefined } } : dialogInput(r, 'domain', [DEMO_DOMAIN, 'other.cc']),
        tenantId: r.chance(0.6) ? { props: { tenantId: '', tenantIdType: 'str' }, fixed: { value: undefined } } : dialogInput(r, 'tenantId', [DEMO_TENANT_ID, 'other-tenant']),
        recordId: dialogInput(r, 'recordId', ['rec-1', '42']),
      };
      const props = {};
      for (const d of Object.values(dialog)) Object.assign(props, d.props);
      return { id: `ob${n}`, props, dialog };
    });
  },
  message(r, i, { instances }) {
    const inst = r.pick(instances);
    const msg = { fz: {} };
    const node = helper.getNode(inst.id);
    const fields = ['activityId', 'callee', 'caller', 'rosterId', 'data', 'domain', 'tenantId', 'id'];
    const hostile = new Set(Array.from({ length: r.chance(0.45) ? 0 : r.int(1, 2) }, () => r.pick([...fields, 'payload'])));
    const good = {
      activityId: () => r.pick([KNOWN_ACTIVITY, KNOWN_ACTIVITY, 'no-such-activity']),
      callee: () => r.pick([...PHONES, 13912345678]),
      caller: () => r.pick(['8001', 5001, ' 8002 ', '坐席 A']),
      rosterId: () => r.pick(['R-1', 7, 'r/2?x']),
      data: () => r.pick([{}, { k: 'v' }, PROTO_JSON(), { big: 'y'.repeat(20000) }, Object.create(null)]),
      domain: () => r.pick([DEMO_DOMAIN, ` ${DEMO_DOMAIN}`, 'other.cc', null, '']),
      tenantId: () => r.pick([DEMO_TENANT_ID, 'other-tenant', null, '']),
      id: () => r.pick(['rec-9', 9, ' rec-10 ', '', null]),
      recordId: () => r.pick(['rec-1', 42]),
    };
    const value = (f) => (hostile.has(f) ? anyValue(r) : good[f]());
    const dialogOutcome = {};
    for (const [f, d] of Object.entries(inst.dialog)) dialogOutcome[f] = d.dynamic ? feedDynamic(r, d.dynamic, msg, node, value(f === 'recordId' ? 'id' : f)) : d.fixed;
    let payload;
    if (hostile.has('payload') && r.chance(0.5)) payload = anyValue(r);
    else {
      payload = r.chance(0.1) ? PROTO_JSON() : {};
      for (const f of fields) if (r.chance(0.45)) payload[f] = value(f);
      if (hostile.has('payload') && r.chance(0.3)) Object.defineProperty(payload, r.pick(fields), { enumerable: true, get: () => { throw new Error('fz payload getter'); } });
    }
    msg.payload = payload;
    return { node: inst.id, msg, payload, dialogOutcome, about: `payload ${show(payload)}` };
  },
  check(c, outcome) {
    const { dialogOutcome } = c;
    const p = payloadObject(c.payload);
    const verdicts = {};
    const required = (judge) => (v) => {
      const j = judge(v);
      return j.absent ? BAD : j;
    };
    const judges = {
      activityId: (v) => {
        const j = required(judgeText)(v);
        return j.ok ? ok(j.v, j.v === KNOWN_ACTIVITY ? undefined : ['404']) : j;
      },
      callee: required(judgePhone),
      caller: required(judgeText),
      rosterId: required(judgeText),
      data: (v) => {
        const j = judgeObject(v);
        return j.absent ? BAD : j;
      },
      // domain and tenantId fall back to the config node's
      domain: (v) => {
        const j = judgeText(v);
        const d = j.absent ? ok(DEMO_DOMAIN) : j;
        return d.ok && d.v !== DEMO_DOMAIN ? ok(d.v, ['400']) : d;
      },
      tenantId: (v) => {
        const j = judgeText(v);
        const t = j.absent ? ok(DEMO_TENANT_ID) : j;
        return t.ok && t.v !== DEMO_TENANT_ID ? ok(t.v, ['400']) : t;
      },
    };
    for (const [f, judge] of Object.entries(judges)) verdicts[f] = fieldVerdict(peek(p, f), dialogOutcome[f], judge);
    // the API field id: msg.payload.id, else the dialog's recordId
    const id = fieldVerdict(peek(p, 'id'), dialogOutcome.recordId, (v) => judgeText(v, { required: false }));
    verdicts.id = id.absent ? ok(undefined) : id;
    const s = summarise(verdicts);
    if (!checkRefusal(s, outcome)) return;
    assert.strictEqual(outcome.reqs.length, 1, 'one outbound request');
    assert.strictEqual(outcome.outputs.length, 1, 'one output message');
    const body = outcome.reqs[0].body;
    const expected = {};
    for (const f of ['activityId', 'callee', 'caller', 'data', 'domain', 'id', 'rosterId', 'tenantId']) {
      const v = verdicts[f];
      if (v.ok && v.v !== undefined) expected[f] = v.v;
      else if (v.either && f in body) expected[f] = body[f];
    }
    assert.deepStrictEqual(body, expected, 'the request body');
    assert.deepStrictEqual(outcome.outputs[0].payload, { result: '0', reason: 'success' });
  },
};

// =============================================================================================
// wellcloud-roster-upload

/** A roster field value as the platform's text reads it back (its parser, the sandbox's, keeps what is between the commas). */
const ROW_GOOD = {
  rosterId: () => ['r1', 'R-2', 7, ' padded ', '中文', 'a\u200bb', 'x'.repeat(300)],
  prdType: () => ['S', 'prd', 3],
  number: () => ['13912345678', '+8613912345678', 400810, '001', '12345678901234567890'],
  customerId: () => [undefined, null, '', 'c1', 42, ' ', '客户'],
  data: () => [undefined, null, {}, { k: 'v' }, { a: 1, b: true, c: 'x y' }, JSON.parse('{"__proto__":"p","k":"v"}'), { 中: '文' }],
};

function hostileRowValue(r) {
  return r.pick([anyValue(r), 'a,b', 'line\nbreak', 'cr\rx', '１３９１２３４５６７８', '139 1234 5678', '12', '123456789012345678901', 2 ** 53 + 1, -139, 1.5, 13912345678901234567, ...SURROGATES]);
}

/**
 * The documented rules for one row object: {line, row} (the text line and what the platform reads
 * back) or {bad: [fields]} (the fields at fault, any of which the error may name).
 */
function judgeRow(row) {
  if (row === null || typeof row !== 'object' || Array.isArray(row) || Buffer.isBuffer(row)) return { bad: ['row'] };
  const bad = [];
  const read = (k) => {
    const e = peek(row, k);
    if (e.threw) bad.push(k);
    return e.v;
  };
  const plain = (k, v, required) => {
    let s;
    if (typeof v === 'string') s = v;
    else if (typeof v === 'number' && Number.isFinite(v) && !(Number.isInteger(v) && !Number.isSafeInteger(v))) s = String(v);
    else if (v === undefined || v === null) s = '';
    else return bad.push(k), undefined;
    if (required && !s.trim()) return bad.push(k), undefined;
    if (/[,\r\n]/.test(s) || !s.isWellFormed()) return bad.push(k), undefined;
    return s;
  };
  const rosterId = plain('rosterId', read('rosterId'), true);
  const prdType = plain('prdType', read('prdType'), true);
  const n = read('number');
  let num;
  if (typeof n === 'string' && /^\+?[0-9]{3,20}$/.test(n)) num = n;
  else if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 && /^[0-9]{3,20}$/.test(String(n))) num = String(n);
  else bad.push('number');
  const customerId = plain('customerId', read('customerId'), false);
  const d = read('data');
  let data = null;
  let dataText = '';
  if (d !== undefined && d !== null) {
    if (typeof d !== 'object' || Array.isArray(d) || Buffer.isBuffer(d)) bad.push('data');
    else {
      let keys = [];
      try {
        keys = Object.keys(d);
      } catch {
        bad.push('data');
      }
      const pairs = [];
      for (const k of keys) {
        const e = peek(d, k);
        const v = e.v;
        const text = typeof v === 'string' ? v : (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'boolean' ? String(v) : undefined;
        if (!k || e.threw || text === undefined || /[,:|\r\n]/.test(k) || /[,:|\r\n]/.test(text) || !k.isWellFormed() || !text.isWellFormed()) bad.push('data');
        else pairs.push([k, text]);
      }
      if (pairs.length) {
        data = {};
        for (const [k, v] of pairs) Object.defineProperty(data, k, { value: v, enumerable: true, writable: true, configurable: true });
        dataText = pairs.map(([k, v]) => `${k}:${v}`).join('|');
      }
    }
  }
  if (bad.length) return { bad };
  const head = `${rosterId},${prdType},${num}`;
  const line = dataText ? `${head},${customerId},${dataText}` : customerId ? `${head},${customerId}` : head;
  return { line, row: { rosterId, prdType, number: num, customerId: customerId || null, data } };
}

/**
 * The platform's reading of roster text (guide 5.2.1), after what the documented client does first
 * (a BOM skipped, blank lines left out, CRLF or LF): {rows} or {badLine} (1-based, blank lines counted).
 */
function readRosterText(input) {
  // text given as a string is read as it is: a lone surrogate (no UTF-8 can hold it) fails its line
  const fromString = typeof input === 'string';
  let b = fromString ? Buffer.from(input.replace(/[\ud800-\udfff]/g, (ch, at) => (input.slice(at, at + 2).isWellFormed() || input.slice(at - 1, at + 1).isWellFormed() ? ch : '\u0001LONE\u0001')), 'utf8') : input;
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) b = b.subarray(3);
  const rows = [];
  const lines = [];
  const raw = [];
  let start = 0;
  for (let i = 0; i <= b.length; i++) {
    if (i === b.length || b[i] === 10) {
      raw.push(b.subarray(start, i));
      start = i + 1;
    }
  }
  if (raw.length && raw[raw.length - 1].length === 0) raw.pop();
  for (let n = 0; n < raw.length; n++) {
    let text;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw[n]);
    } catch {
      return { badLine: n + 1 };
    }
    if (fromString && text.includes('\u0001LONE\u0001')) return { badLine: n + 1 };
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (text.includes('\r')) return { badLine: n + 1 };
    if (text.trim() === '') continue;
    const f = text.split(',');
    if (f.length < 3 || f.length > 5) return { badLine: n + 1 };
    const [rosterId, prdType, number, customerId = '', dataText = ''] = f;
    if (!rosterId.trim() || !prdType.trim() || !/^\+?[0-9]{3,20}$/.test(number)) return { badLine: n + 1 };
    let data = null;
    if (dataText !== '') {
      data = {};
      for (const pair of dataText.split('|')) {
        const kv = pair.split(':');
        if (kv.length !== 2 || !kv[0]) return { badLine: n + 1 };
        Object.defineProperty(data, kv[0], { value: kv[1], enumerable: true, writable: true, configurable: true });
      }
    }
    rows.push({ rosterId, prdType, number, customerId: customerId === '' ? null : customerId, data });
    lines.push(text);
  }
  return { rows, lines };
}

/** A line of roster text with a twist. */
function oddLine(r, good) {
  return r.pick([
    good,
    good,
    `${good}\r`,
    '',
    '   ',
    '\u3000',
    `${good},extra,fields`,
    'only,two',
    `r,p,${r.pick(['１３９１２３４５６７８', ' 13912345678', '139-1234', '12', '+', ''])}`,
    `r,p,13912345678,c,${r.pick(['k:v|', 'k', ':v', 'k:v:w', 'k:v|k2:v2', ' : '])}`,
    ` ,p,13912345678`,
    `r,p,13912345678,\u00a0`,
    `r\rx,p,13912345678`,
    `中文,产品,13912345678,客户,键:值`,
  ]);
}

const ROSTER = {
  name: 'roster upload',
  type: 'wellcloud-roster-upload',
  urlParams: true,
  warns: true,
  instances(r, { workDir }) {
    const dialogFile = path.join(workDir, 'dialog-roster.csv');
    fs.writeFileSync(dialogFile, 'd1,S,13912345678\nd2,S,13912345679\n');
    return Array.from({ length: 5 }, (_, n) => {
      const dialog = {
        templateId: dialogInput(r, 'templateId', [DEMO_CAMPAIGN_ID, DEMO_TEMPLATE_IDS[1], 'no-such-template']),
        alias: dialogInput(r, 'alias', ['dialog-alias', '批次', 'a b']),
        filename: r.chance(0.5) ? { props: { filename: '', filenameType: 'str' }, fixed: { value: undefined } } : dialogInput(r, 'filename', [dialogFile, 'dialog-roster.csv', 'missing.csv'], { allowed: ['str', 'str', 'msg', 'env'] }),
      };
      const props = {};
      for (const d of Object.values(dialog)) Object.assign(props, d.props);
      return { id: `up${n}`, props, dialog, dialogFile };
    });
  },
  message(r, i, { instances, workDir }) {
    const inst = r.pick(instances);
    const msg = { fz: {} };
    const node = helper.getNode(inst.id);
    const dialogOutcome = {};
    const good = { templateId: () => r.pick([DEMO_CAMPAIGN_ID, 'no-such-template', 42]), alias: () => r.pick(['alias-1', ' spaced ', 7, '别名']), filename: () => inst.dialogFile };
    for (const [f, d] of Object.entries(inst.dialog)) dialogOutcome[f] = d.dynamic ? feedDynamic(r, d.dynamic, msg, node, r.chance(0.7) ? good[f]() : anyValue(r)) : d.fixed;
    if (r.chance(0.3)) msg.templateId = r.chance(0.6) ? good.templateId() : anyValue(r);
    if (r.chance(0.3)) msg.alias = r.chance(0.6) ? good.alias() : anyValue(r);
    // the roster: rows, text, a Buffer, a file, or anything at all
    const rows = Array.from({ length: r.int(1, 5) }, () => {
      if (r.chance(0.03)) return r.pick([null, 'r,p,13912345678', ['r', 'p', '13912345678'], 5, Buffer.from('x'), new Date(0), throwingProxy()]);
      const row = {};
      for (const k of Object.keys(ROW_GOOD)) {
        if (r.chance(0.04)) row[k] = hostileRowValue(r);
        else {
          const v = r.pick(ROW_GOOD[k]());
          if (v !== undefined || r.chance(0.5)) row[k] = v;
        }
      }
      if (r.chance(0.04)) Object.defineProperty(row, r.pick(Object.keys(ROW_GOOD)), { enumerable: true, get: () => { throw new Error('fz row getter'); } });
      return row;
    });
    if (r.chance(0.15) && rows.length > 1) rows[rows.length - 1] = rows[0]; // a duplicate
    const form = r.pick(['rows', 'rows', 'text', 'buffer', 'file', 'file', 'none', 'hostile']);
    const lines = () => {
      const out = rows.map((row) => {
        const j = judgeRow(row);
        const good = j.line ?? 'r,p,13912345678';
        return r.chance(0.8) ? good : oddLine(r, good);
      });
      if (r.chance(0.1)) out.push(oddLine(r, ''));
      return out;
    };
    let text;
    let bytes;
    if (form === 'text' || form === 'buffer' || form === 'file') {
      text = lines().join(r.pick(['\n', '\r\n'])) + (r.chance(0.5) ? '\n' : '');
      if (r.chance(0.1)) text = `\ufeff${text}`;
      if (form === 'text' && r.chance(0.05)) text += `r,p,13912345678,c,k:${r.pick(SURROGATES)}`;
      bytes = Buffer.from(text, 'utf8');
      if (form !== 'text' && r.chance(0.1)) bytes = Buffer.concat([bytes, Buffer.from([0xff, 0xfe, 0x0a])]);
    }
    let file;
    if (form === 'rows') msg.payload = rows;
    else if (form === 'text') msg.payload = text;
    else if (form === 'buffer') msg.payload = bytes;
    else if (form === 'file') {
      const name = `roster-${i}.${r.pick(['csv', 'txt', 'dat', 'CSV', 'xlsx'])}`;
      fs.writeFileSync(path.join(workDir, name), bytes);
      file = r.pick([path.join(workDir, name), name, `../work/${name}`, ` ${path.join(workDir, name)} `]);
      msg.filename = file;
      if (r.chance(0.3)) msg.payload = r.chance(0.5) ? rows : 'ignored,when,a file is given';
    } else if (form === 'hostile') {
      if (r.chance(0.5)) msg.filename = r.pick([anyValue(r), path.join(workDir, 'missing.csv'), workDir, `${workDir}/a\u0000b.csv`, path.join(workDir, 'x'.repeat(300)), '../../../../../../../../dev/null']);
      else msg.payload = anyValue(r);
    } else msg.payload = r.pick([undefined, null, {}, 12]);
    return { node: inst.id, msg, inst, dialogOutcome, form, rows, bytes, file, payload: msg.payload, about: `${form} ${show(form === 'rows' ? rows : msg.filename ?? msg.payload)}` };
  },
  check(c, outcome, { sandbox, workDir }) {
    const { dialogOutcome, msg } = c;
    const verdicts = {};
    const textParam = (v) => {
      const j = judgeText(v, { required: false });
      return j.absent ? ok(undefined) : j;
    };
    for (const f of ['templateId', 'alias']) verdicts[f] = isGiven(msg[f]) ? textParam(msg[f]) : fieldVerdict({ v: undefined }, dialogOutcome[f], textParam);
    if (verdicts.templateId.ok && verdicts.templateId.v !== undefined && !DEMO_TEMPLATE_IDS.includes(verdicts.templateId.v)) verdicts.templateId = ok(verdicts.templateId.v, ['404']);
    // the roster, and its lines (a line that repeats an earlier one gets a warning)
    let expectedRows;
    let expectedLines;
    const fileVerdict = (name, field) => {
      const j = judgeText(name);
      if (!j.ok) return { verdict: BAD };
      const full = path.resolve(workDir, j.v);
      let st;
      try {
        st = fs.statSync(full);
      } catch {
        return { verdict: BAD };
      }
      if (!st.isFile()) return { verdict: BAD };
      const read = readRosterText(fs.readFileSync(full));
      if (read.badLine || read.rows.length === 0) return { verdict: BAD, field, line: read.badLine };
      return { verdict: ok(full), rows: read.rows, lines: read.lines, file: full };
    };
    let rosterField = 'payload';
    let badLine;
    const payload = c.payload;
    if (isGiven(msg.filename)) {
      rosterField = 'filename';
      const f = fileVerdict(msg.filename, 'filename');
      verdicts.filename = f.verdict;
      expectedRows = f.rows;
      expectedLines = f.lines;
      badLine = f.line;
    } else if (typeof payload === 'string' || Buffer.isBuffer(payload)) {
      const read = readRosterText(payload);
      if (read.badLine || read.rows.length === 0) verdicts.payload = BAD;
      else [expectedRows, expectedLines] = [read.rows, read.lines];
      badLine = read.badLine;
    } else if (Array.isArray(payload)) {
      const judged = payload.map(judgeRow);
      const first = judged.findIndex((j) => j.bad);
      if (first >= 0) {
        for (const f of judged[first].bad) verdicts[`row:${f}`] = BAD;
        badLine = first + 1;
      } else if (judged.length === 0) verdicts.payload = BAD;
      else [expectedRows, expectedLines] = [judged.map((j) => j.row), judged.map((j) => j.line)];
    } else {
      rosterField = 'filename';
      const d = dialogOutcome.filename;
      if (d.threw) verdicts.filename = BAD;
      else if (d.either) verdicts.filename = either(undefined);
      else if (!isGiven(d.value) || (typeof d.value === 'string' && !d.value.trim())) verdicts.payload = BAD;
      else {
        const f = fileVerdict(d.value, 'filename');
        verdicts.filename = f.verdict;
        expectedRows = f.rows;
        expectedLines = f.lines;
        badLine = f.line;
      }
    }
    const s = summarise(verdicts);
    // a bad row is named by its column (or `row`), the empty roster by where it came from
    s.bad = s.bad.map((f) => (f.startsWith('row:') ? f.slice(4) : f));
    if (s.bad.includes('filename') || s.bad.includes('payload')) s.bad.push('row', 'rosterId', 'prdType', 'number', 'customerId', 'data', rosterField);
    const { err } = outcome;
    if (err && err.code === 'INVALID_INPUT' && badLine !== undefined && err.details && err.details.row !== undefined) assert.strictEqual(err.details.row, badLine, `the error names row ${err.details.row}, the first bad line is ${badLine}`);
    const long = (v) => typeof v === 'string' && v.length > 8000;
    const longQuery = ['alias', 'templateId'].some((f) => long(msg[f]) || long(dialogOutcome[f] && dialogOutcome[f].value));
    const repeated = expectedLines ? expectedLines.filter((line, k) => expectedLines.indexOf(line) !== k).length : 0;
    if (repeated) assert.ok(outcome.warnings.every((w) => w.includes(`: ${repeated} (rows`) || w.includes(`有 ${repeated} 行`)), `the warning counts ${repeated} repeated rows: ${outcome.warnings}`);
    if (!checkRefusal(s, { ...outcome, longQuery })) {
      // (a failure after the roster was read, e.g. an unknown templateId, comes after its warning)
      assert.ok(outcome.warnings.length <= (repeated ? 1 : 0), `warnings for a roster of ${repeated} repeated rows: ${outcome.warnings}`);
      return;
    }
    assert.strictEqual(outcome.warnings.length, repeated ? 1 : 0, `warnings for ${repeated} repeated rows: ${outcome.warnings}`);
    assert.strictEqual(outcome.reqs.length, 1, 'one upload');
    assert.strictEqual(outcome.outputs.length, 1, 'one output message');
    const up = sandbox.uploads[sandbox.uploads.length - 1];
    assert.deepStrictEqual(up.rows, expectedRows, 'the rows the platform read');
    assert.deepStrictEqual(outcome.reqs[0].query, Object.fromEntries(['alias', 'templateId'].filter((f) => verdicts[f].v !== undefined).map((f) => [f, verdicts[f].v])), 'alias and templateId');
    const out = outcome.outputs[0];
    assert.deepStrictEqual(out.payload, { alias: up.alias, batchId: up.batchId, batchName: up.batchName, rows: expectedRows.length });
    assert.strictEqual(out.parts.count, 1);
  },
};

// =============================================================================================
// wellcloud-cdr

const HOUR = 3600e3;
const DAY = 24 * HOUR;
const CHINA = 8 * HOUR;

/** The wall clock of `ms` in `timeZone`: {y, mo, d, h, mi, s}. */
function wall(ms, timeZone) {
  const f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const o = {};
  for (const part of f.formatToParts(new Date(ms))) o[part.type] = Number(part.value);
  return { y: o.year, mo: o.month, d: o.day, h: o.hour, mi: o.minute, s: o.second };
}
const pad = (n, w = 2) => String(n).padStart(w, '0');
const wallText = (w, sep = ' ') => `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)}${sep}${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}`;
/** The platform's text of an instant (China time, whole seconds). */
const chinaText = (ms) => wallText(wall(ms, 'Asia/Shanghai'));

/** True when the wall clock text of `ms` in `timeZone` names one instant only (not in a DST overlap). */
function unambiguous(ms, timeZone) {
  const w = wallText(wall(ms, timeZone));
  return wallText(wall(ms - HOUR, timeZone)) !== w && wallText(wall(ms + HOUR, timeZone)) !== w;
}

/**
 * A time value for `ms` in one of the documented forms: [value, instant] (instant: what it means,
 * or undefined when only the rules' outer limits are known).
 */
function timeForm(r, ms, timeZone) {
  const iso = new Date(ms).toISOString();
  const local = wallText(wall(ms, timeZone));
  const offsetText = (mins) => {
    const w = wall(ms + mins * 60e3, 'UTC');
    const sign = mins < 0 ? '-' : '+';
    const a = Math.abs(mins);
    return `${wallText(w, 'T')}${sign}${pad(Math.floor(a / 60))}:${pad(a % 60)}`;
  };
  const forms = [
    () => [new Date(ms), ms],
    () => [ms, ms],
    () => [String(ms), ms],
    () => [iso, ms],
    () => [iso.replace('Z', 'z'), ms],
    () => [offsetText(480), Math.floor(ms / 1000) * 1000],
    () => [offsetText(-300).replace(/:(\d\d)$/, '$1'), Math.floor(ms / 1000) * 1000],
    () => [offsetText(345), Math.floor(ms / 1000) * 1000],
    () => [` ${local} `, unambiguous(ms, timeZone) ? Math.floor(ms / 1000) * 1000 : undefined],
    () => [local.replace(' ', 'T'), unambiguous(ms, timeZone) ? Math.floor(ms / 1000) * 1000 : undefined],
    () => [`${local}.123456789`, unambiguous(ms, timeZone) ? Math.floor(ms / 1000) * 1000 + 123 : undefined],
  ];
  // texts hold four-digit years (AD) only: far instants come as a Date or epoch ms
  const y = new Date(ms).getUTCFullYear();
  return (y < 1 || y > 9998 ? r.pick(forms.slice(0, 3)) : r.pick(forms))();
}

/** Time values no documented form reads. */
const BAD_TIMES = ['2025/03/01 00:00:00', '2025-3-1 0:0:0', '2025-02-30 00:00:00', '2025-03-01 24:00:00', '2025-03-01 23:60:00', '2025-03-01T00:00:00+24:00', '２０２５-03-01 00:00:00', '\u202e2025-03-01 00:00:00', '2025-03-01\u200b 00:00:00', 'yesterday', '2025-03-01 00:00:00 CST', '1e12', '0x10', '', '   ', NaN, Infinity, -Infinity, new Date(Number.NaN), 8.64e15 + 1, {}, [], true, Buffer.from('2025-03-01'), ['2025-03-01 00:00:00']];

function judgeTimeBad(v) {
  if (!isGiven(v)) return ABSENT;
  return BAD;
}

const RANGE_FIELDS = ['beginTime', 'endTime', 'isOrder', 'domain', 'ani', 'dnis', 'pageSize', 'concurrency', 'maxRecords'];
const ROBOT_FIELDS = ['campaignId', 'resultCode', 'groupCampaignId', 'batchId', 'batchName', 'rosterId', 'uuiKey', 'uuiValue', 'isCount'];
const DATA_FROM = Date.UTC(2025, 0, 2) - CHINA;
const DATA_TO = Date.UTC(2026, 10, 20) - CHINA;

/** A range: [begin, end] instants, short mostly; some cross a China month boundary (14015), a few are far off. */
function rangeOf(r) {
  const roll = r.int(0, 99);
  if (roll < 8) {
    // the documented limits of the text: far years, and what no yyyy text can hold
    const far = r.pick([Date.UTC(1970, 0, 1), Date.UTC(9999, 11, 31, 15, 0, 0), Date.UTC(100, 0, 1), 8.64e15 - DAY, -8.64e15 + DAY, Date.UTC(-1, 0, 1), Date.UTC(10000, 0, 1)]);
    return [far, far + r.pick([0, 1000, HOUR])];
  }
  if (roll < 20) {
    // across a month boundary, China time
    const month = r.int(0, 21);
    const boundary = Date.UTC(2025, month + 1, 1) - CHINA;
    return [boundary - r.int(1, 3 * 3600) * 1000, boundary + r.int(0, 3 * 3600) * 1000];
  }
  const begin = DATA_FROM + Math.floor(r.next() * (DATA_TO - DATA_FROM));
  const span = r.pick([0, 1000, 59e3, 10 * 60e3, HOUR, 3 * HOUR, 9 * HOUR, 30 * HOUR]);
  return [begin, begin + span];
}

const CDR_OPS = [
  ['call', 'all'],
  ['range', 'all'],
  ['range', 'page'],
  ['range', 'record'],
  ['robot', 'all'],
  ['robot', 'page'],
  ['range', 'all'],
];

const CDR = {
  name: 'cdr',
  type: 'wellcloud-cdr',
  urlParams: true,
  instances(r) {
    return CDR_OPS.map(([operation, outputMode], n) => {
      const server = r.chance(0.3) ? 'cfgNy' : 'cfgSh';
      const dialog = {};
      if (operation === 'call') dialog.callId = dialogInput(r, 'callId', [SAMPLE_CALL_ID, UNKNOWN_CALL_ID], { allowed: ['str', 'msg', 'flow', 'global', 'env', 'jsonata'] });
      else {
        // times come with the message mostly; a dialog time is read the same way
        for (const f of ['beginTime', 'endTime']) dialog[f] = { props: { [f]: '', [`${f}Type`]: r.pick(['str', 'msg']) }, fixed: { value: undefined } };
        if (dialog.beginTime.props.beginTimeType === 'msg') {
          dialog.beginTime = { props: { beginTime: 'fz.beginTime', beginTimeType: 'msg' }, dynamic: { type: 'msg', key: 'beginTime', path: 'fz.beginTime' } };
        }
        dialog.domain = r.chance(0.7) ? { props: { domain: '', domainType: 'str' }, fixed: { value: undefined } } : dialogInput(r, 'domain', [DEMO_DOMAIN, 'other.cc'], { allowed: ['str', 'msg', 'flow', 'env', 'jsonata'] });
        for (const f of ['ani', 'dnis']) dialog[f] = r.chance(0.8) ? { props: { [f]: '', [`${f}Type`]: 'str' }, fixed: { value: undefined } } : dialogInput(r, f, ['8001', 'no-match'], { allowed: ['str', 'msg', 'env'] });
        if (operation === 'robot') {
          dialog.campaignId = dialogInput(r, 'campaignId', [DEMO_CAMPAIGN_ID, 'no-such-campaign'], { allowed: ['str', 'str', 'msg', 'flow', 'jsonata'] });
          for (const f of ROBOT_FIELDS.slice(1, -1)) dialog[f] = r.chance(0.85) ? { props: { [f]: '', [`${f}Type`]: 'str' }, fixed: { value: undefined } } : dialogInput(r, f, ['x'], { allowed: ['str', 'msg', 'num'] });
        }
      }
      const props = { operation, outputMode };
      for (const d of Object.values(dialog)) Object.assign(props, d.props);
      // the plain dialog fields (no typedInput): as the editor saves them, or odd
      const plain = {};
      if (operation !== 'call') {
        const odd = (good, bad) => (r.chance(0.15) ? r.pick(bad) : r.pick(good));
        plain.isOrder = odd(['1', '0', '', 'asc', 'desc'], ['sideways']);
        plain.pageSize = odd([100, 100, '', 1, 3, '50'], [0, 101, 'many', 2.5]);
        plain.concurrency = odd([2, '', 1, 8, '4'], [9, -1]);
        plain.maxRecords = odd([100000, '', 5, 10000000], [0, '1e3']);
        if (operation === 'robot') plain.isCount = odd(['', 'true', 'false'], ['maybe']);
        Object.assign(props, plain);
      }
      return { id: `cdr${n}`, props, dialog, plain, operation, outputMode, server, timeZone: server === 'cfgNy' ? 'America/New_York' : 'Asia/Shanghai' };
    });
  },
  message(r, i, { instances }) {
    const inst = r.pick(instances);
    const msg = { fz: {} };
    const node = helper.getNode(inst.id);
    const dialogOutcome = {};
    const payload = r.chance(0.1) ? PROTO_JSON() : {};
    const c = { node: inst.id, msg, inst, dialogOutcome, payload };
    if (inst.operation === 'call') {
      const good = () => r.pick([SAMPLE_CALL_ID, ` ${SAMPLE_CALL_ID} `, UNKNOWN_CALL_ID, '中文', 'a/b?c#d&e=f', '%2e%2e', '.', '..', ' .. ']);
      dialogOutcome.callId = inst.dialog.callId.dynamic ? feedDynamic(r, inst.dialog.callId.dynamic, msg, node, r.chance(0.7) ? good() : anyValue(r, { cloneable: true })) : inst.dialog.callId.fixed;
      if (r.chance(0.6)) payload.callId = r.chance(0.7) ? good() : anyValue(r);
      c.payload = r.chance(0.05) ? anyValue(r) : payload;
      msg.payload = c.payload;
      c.about = `payload ${show(c.payload)}`;
      return c;
    }
    // the range
    const [b, e] = rangeOf(r);
    const tz = inst.timeZone;
    let [bv, bi] = timeForm(r, b, tz);
    let [ev, ei] = timeForm(r, e, tz);
    const hostile = new Set(Array.from({ length: r.chance(0.45) ? 0 : r.int(1, 2) }, () => r.pick(['beginTime', 'endTime', 'swap', 'any', 'any'])));
    if (hostile.has('beginTime')) [bv, bi] = [r.pick(BAD_TIMES), 'bad'];
    if (hostile.has('endTime')) [ev, ei] = [r.pick(BAD_TIMES), 'bad'];
    if (hostile.has('swap')) [bv, bi, ev, ei] = [ev, ei, bv, bi];
    c.times = { beginTime: bi, endTime: ei };
    if (inst.dialog.beginTime.dynamic) dialogOutcome.beginTime = feedDynamic(r, inst.dialog.beginTime.dynamic, msg, node, bv);
    else payload.beginTime = bv;
    dialogOutcome.endTime = inst.dialog.endTime.fixed;
    payload.endTime = ev;
    const good = {
      isOrder: () => r.pick([1, 0, '1', ' 0 ', 'asc', 'desc', 'ASC']),
      domain: () => r.pick([DEMO_DOMAIN, ` ${DEMO_DOMAIN} `, 'other.cc']),
      ani: () => r.pick(['8001', 'no-match', '中文']),
      dnis: () => r.pick(['no-match', '13912345678@demo.cc']),
      pageSize: () => r.pick([100, 1, 7, '20', ' 50 ', '+10']),
      concurrency: () => r.pick([1, 2, 8, '3']),
      maxRecords: () => r.pick([100000, 1, 3, '50', 10000000]),
      campaignId: () => r.pick([DEMO_CAMPAIGN_ID, 'no-such-campaign']),
      resultCode: () => r.pick([0, -4, '12', 2147483647]),
      isCount: () => r.pick([true, false, 'true', ' FALSE ']),
      groupCampaignId: () => 'g-none',
      batchId: () => 'b-none',
      batchName: () => 'n-none',
      rosterId: () => 'r-none',
      uuiKey: () => 'intentTag',
      uuiValue: () => 'none',
    };
    const fields = inst.operation === 'robot' ? [...RANGE_FIELDS.slice(2), ...ROBOT_FIELDS] : RANGE_FIELDS.slice(2);
    for (const f of fields) {
      const d = inst.dialog[f];
      const odd = hostile.has('any') && r.chance(0.15);
      if (d) dialogOutcome[f] = d.dynamic ? feedDynamic(r, d.dynamic, msg, node, odd ? anyValue(r, { cloneable: true }) : good[f]()) : d.fixed;
      const chanceOf = ['pageSize', 'concurrency', 'maxRecords', 'isOrder', 'campaignId'].includes(f) ? 0.4 : 0.12;
      if (r.chance(chanceOf)) payload[f] = odd && r.chance(0.7) ? anyValue(r) : good[f]();
    }
    // few records per page need a short range
    const small = ['pageSize'].some((f) => typeof payload[f] === 'number' && payload[f] < 10) || (typeof inst.plain.pageSize === 'number' && inst.plain.pageSize < 10);
    if (small && typeof bi === 'number' && typeof ei === 'number' && ei - bi > HOUR) {
      [ev, ei] = timeForm(r, bi + HOUR, tz);
      payload.endTime = ev;
      c.times.endTime = ei;
    }
    if (hostile.has('any') && r.chance(0.1)) Object.defineProperty(payload, r.pick(fields), { enumerable: true, get: () => { throw new Error('fz payload getter'); } });
    msg.payload = payload;
    c.about = `payload ${show(payload)}`;
    return c;
  },
  check(c, outcome, { sandbox }) {
    const { inst, dialogOutcome } = c;
    const p = payloadObject(c.payload);
    if (inst.operation === 'call') {
      const judgeCallId = (v) => {
        const j = judgeText(v);
        if (j.absent) return BAD;
        if (j.ok && (j.v === '.' || j.v === '..' || INVISIBLE.test(j.v))) return BAD;
        return j.ok ? ok(j.v, j.v === SAMPLE_CALL_ID ? undefined : ['14011']) : j;
      };
      const verdicts = { callId: fieldVerdict(peek(p, 'callId'), dialogOutcome.callId, judgeCallId) };
      const s = summarise(verdicts);
      if (!checkRefusal(s, outcome)) return;
      assert.strictEqual(outcome.reqs.length, 1);
      assert.strictEqual(decodeURIComponent(outcome.reqs[0].path.split('/').pop()), verdicts.callId.v);
      assert.strictEqual(outcome.outputs.length, 1);
      assert.strictEqual(outcome.outputs[0].payload.callId, verdicts.callId.v);
      return;
    }
    const robot = inst.operation === 'robot';
    const verdicts = {};
    // times: the instant the form means (when known), or refused
    const tz = inst.timeZone;
    const timeVerdict = (f, form) => {
      const src = inst.dialog[f].dynamic ? dialogOutcome[f] : undefined;
      const given = src ? (src.threw ? { threw: true } : { v: src.value }) : peek(p, f);
      if (given.threw) return BAD;
      if (!isGiven(given.v)) return BAD;
      if (form === 'bad') return BAD;
      return { ok: true, v: form, time: true };
    };
    const bt = timeVerdict('beginTime', c.times.beginTime);
    const et = timeVerdict('endTime', c.times.endTime);
    verdicts.beginTime = bt;
    verdicts.endTime = et;
    // what the platform's text can write: years 0000 to 9999 in China time
    for (const [f, v] of [['beginTime', bt], ['endTime', et]]) {
      if (v.ok && typeof v.v === 'number') {
        const y = new Date(v.v + CHINA).getUTCFullYear();
        if (y < 0 || y > 9999) verdicts[f] = BAD;
      }
    }
    if (bt.ok && et.ok && typeof bt.v === 'number' && typeof et.v === 'number' && Math.floor(bt.v / 1000) > Math.floor(et.v / 1000)) verdicts.beginTime = BAD;
    const plainOr = (f, judge) => {
      const e = peek(p, f);
      if (e.threw) return BAD;
      if (isGiven(e.v)) return judge(e.v);
      const d = dialogOutcome[f];
      if (d) return fieldVerdict({ v: undefined }, d, judge);
      const plain = inst.plain[f];
      return judge(plain === '' || plain === undefined ? undefined : String(plain));
    };
    const orderOf = (v) => {
      if (!isGiven(v)) return ABSENT;
      const t = typeof v === 'string' ? v.trim() : v;
      if (t === 1 || t === '1' || t === 'asc') return ok(1);
      if (t === 0 || t === '0' || t === 'desc') return ok(0);
      return BAD;
    };
    verdicts.isOrder = plainOr('isOrder', orderOf);
    verdicts.domain = plainOr('domain', (v) => {
      const j = judgeText(v);
      const d = j.absent ? ok(DEMO_DOMAIN) : j;
      return d.ok && d.v !== DEMO_DOMAIN ? ok(d.v, ['400']) : d;
    });
    for (const f of ['ani', 'dnis']) verdicts[f] = plainOr(f, (v) => judgeText(v, { required: false }));
    verdicts.pageSize = plainOr('pageSize', (v) => judgeInt(v, 1, 100));
    verdicts.concurrency = plainOr('concurrency', (v) => judgeInt(v, 1, 8));
    verdicts.maxRecords = plainOr('maxRecords', (v) => judgeInt(v, 1, 10000000));
    if (robot) {
      verdicts.campaignId = plainOr('campaignId', (v) => {
        const j = judgeText(v);
        return j.absent ? BAD : j;
      });
      verdicts.resultCode = plainOr('resultCode', (v) => judgeInt(v, -2147483648, 2147483647));
      for (const f of ROBOT_FIELDS.slice(2, -1)) verdicts[f] = plainOr(f, (v) => judgeText(v, { required: false }));
      verdicts.isCount = plainOr('isCount', judgeBoolText);
    }
    for (const [f, v] of Object.entries(verdicts)) if (v.absent) verdicts[f] = ok(undefined);
    const s = summarise(verdicts);
    const { err } = outcome;
    if (err && ['MAX_RECORDS', 'SPLIT_LIMIT'].includes(err.code)) {
      assert.strictEqual(s.mode !== 'invalid', true, `${err.code} although ${s.bad.join(', ')} must be refused`);
      assert.ok(outcome.reqs.length > 0);
    }
    if (!checkRefusal(s, outcome, { sentCodes: ['MAX_RECORDS'] })) {
      if (err && err.code === 'MAX_RECORDS') {
        assert.strictEqual(inst.outputMode, 'all', 'MAX_RECORDS outside all mode');
        if (typeof bt.v === 'number' && typeof et.v === 'number' && !robot) {
          const n = expectedCalls(sandbox, bt.v, et.v, verdicts).length;
          assert.ok(n > verdicts.maxRecords.v, `MAX_RECORDS with ${n} records and maxRecords ${verdicts.maxRecords.v}`);
        }
      }
      return;
    }
    // accepted: every request within the range, with the query the verdicts give
    const want = { isOrder: String(verdicts.isOrder.v ?? 1), domain: verdicts.domain.v ?? DEMO_DOMAIN, s: String(verdicts.pageSize.v ?? 100) };
    for (const f of ['ani', 'dnis', ...(robot ? ROBOT_FIELDS : [])]) if (verdicts[f] && verdicts[f].v !== undefined) want[f] = String(verdicts[f].v);
    if (robot) want.isDownload = '0';
    const pageSize = Number(want.s);
    for (const q of outcome.reqs) {
      for (const [k, v] of Object.entries(want)) assert.strictEqual(q.query[k], v, `query ${k}`);
      if (pageSize < 100 && !robot) assert.ok(Number(q.query.s) === pageSize || q.query.p === '1', 'the page size');
    }
    if (typeof bt.v === 'number' && typeof et.v === 'number') {
      const first = chinaText(bt.v);
      const last = chinaText(et.v);
      const begins = outcome.reqs.map((q) => q.query.beginTime).sort();
      const ends = outcome.reqs.map((q) => q.query.endTime).sort();
      assert.strictEqual(begins[0], first, 'the range starts at beginTime');
      assert.strictEqual(ends[ends.length - 1], last, 'the range ends at endTime');
      for (const q of outcome.reqs) assert.ok(q.query.beginTime >= first && q.query.endTime <= last, `a piece outside the range: ${q.query.beginTime} .. ${q.query.endTime}`);
    }
    // the records: each once, in order, as the sandbox holds them (when the filters allow knowing)
    const records = collect(inst.outputMode, outcome.outputs);
    const ids = records.map((x) => x.callId);
    assert.strictEqual(new Set(ids).size, ids.length, 'a record came twice');
    const filtered = robot ? ROBOT_FIELDS.slice(1).some((f) => f !== 'isCount' && verdicts[f].v !== undefined) : false;
    if (typeof bt.v === 'number' && typeof et.v === 'number' && !filtered) {
      const calls = expectedCalls(sandbox, bt.v, et.v, verdicts, robot);
      const order = verdicts.isOrder.v === 0 ? calls.reverse() : calls;
      assert.deepStrictEqual(ids, order.map((x) => x.callId), 'the records');
    }
  },
};

/** The calls the sandbox holds for a range query, in ascending order. */
function expectedCalls(sandbox, b, e, verdicts, robot = false) {
  const from = Math.floor(b / 1000) * 1000;
  const to = Math.floor(e / 1000) * 1000;
  return sandbox.calls.range(from, to).filter((v) => {
    if (robot) return v.robot && v.robot.campaignId === verdicts.campaignId.v && (verdicts.ani.v === undefined || v.robot.ani === verdicts.ani.v) && (verdicts.dnis.v === undefined || v.robot.dnis === verdicts.dnis.v);
    return (verdicts.ani.v === undefined || v.listItem.ani === verdicts.ani.v) && (verdicts.dnis.v === undefined || v.listItem.dnis === verdicts.dnis.v);
  });
}

/** The records a CDR node sent, from its messages, checking the sequence's parts. */
function collect(mode, outputs) {
  if (mode === 'all') {
    assert.strictEqual(outputs.length, 1, 'one message in all mode');
    assert.ok(Array.isArray(outputs[0].payload));
    assert.strictEqual(outputs[0].count, outputs[0].payload.length, 'msg.count');
    return outputs[0].payload;
  }
  const n = outputs.length;
  if (mode === 'page') assert.ok(n >= 1, 'page mode sends at least one message');
  outputs.forEach((m, k) => {
    assert.strictEqual(m.parts.index, k, 'parts.index');
    if (m.parts.count !== undefined) assert.strictEqual(m.parts.count, n, 'parts.count');
    assert.strictEqual(m.parts.id, outputs[0].parts.id, 'parts.id');
  });
  if (n) assert.strictEqual(outputs[n - 1].parts.count, n, 'the last message carries the count');
  return mode === 'page' ? outputs.flatMap((m) => m.payload) : outputs.map((m) => m.payload);
}

// =============================================================================================
// wellcloud-recording

const REC_OPS = [
  ['list', 'buffer'],
  ['callAudio', 'buffer'],
  ['audio', 'buffer'],
  ['callAudio', 'file'],
  ['audio', 'file'],
  ['audio', 'url'],
  ['callAudio', 'file'],
];
const CALL_IDS = [SAMPLE_CALL_ID, ` ${SAMPLE_CALL_ID} `, NO_RECORDING_CALL_ID, UNKNOWN_CALL_ID, '中文', 'a/b?c', '..'];
const RECORDING_IDS = [SAMPLE_RECORDING_ID, OLD_RECORDING_ID, ` ${SAMPLE_RECORDING_ID}`, UNKNOWN_CALL_ID, 'x/y'];

const RECORDING = {
  name: 'recording',
  type: 'wellcloud-recording',
  urlParams: true,
  instances(r, { workDir }) {
    fs.writeFileSync(path.join(workDir, 'a-file'), 'not a directory');
    return REC_OPS.map(([operation, output], n) => {
      const dialog = {};
      if (operation === 'audio') dialog.recordingId = dialogInput(r, 'recordingId', RECORDING_IDS, { allowed: ['str', 'msg', 'flow', 'env', 'jsonata'] });
      else dialog.callId = dialogInput(r, 'callId', CALL_IDS, { allowed: ['str', 'msg', 'flow', 'env', 'jsonata'] });
      if (output === 'file') dialog.filename = r.chance(0.4) ? { props: { filename: '', filenameType: 'str' }, fixed: { value: undefined } } : dialogInput(r, 'filename', ['recordings/', 'out.mp3', workDir], { allowed: ['str', 'msg', 'env'] });
      const format = r.pick(['mp3', 'mp3', 'wav', '', 'WAV', 'flac']);
      const props = { operation, output, format };
      for (const d of Object.values(dialog)) Object.assign(props, d.props);
      return { id: `rec${n}`, props, dialog, operation, output, format };
    });
  },
  message(r, i, { instances, workDir }) {
    const inst = r.pick(instances);
    const msg = { fz: {} };
    const node = helper.getNode(inst.id);
    const dialogOutcome = {};
    const hostile = r.chance(0.4);
    const goodName = () =>
      r.pick([`call-${i}.mp3`, `sub/dir-${i}/`, path.join(workDir, `abs-${i}.wav`), `../up-${i}.mp3`, ` spaced-${i}.mp3 `, `${'x'.repeat(240)}.mp3`, `${'文'.repeat(80)}.mp3`, workDir, 'a-file/x.mp3', `${'y'.repeat(300)}.mp3`, `z${i}\\`, `名字-${i}.mp3`, `a\u0000b-${i}.mp3`, `s${i}\ud800.mp3`]);
    const goodId = () => r.pick(inst.operation === 'audio' ? RECORDING_IDS : CALL_IDS);
    for (const [f, d] of Object.entries(inst.dialog)) dialogOutcome[f] = d.dynamic ? feedDynamic(r, d.dynamic, msg, node, hostile && r.chance(0.3) ? anyValue(r) : f === 'filename' ? goodName() : goodId()) : d.fixed;
    const payload = r.chance(0.1) ? PROTO_JSON() : {};
    const idField = inst.operation === 'audio' ? 'recordingId' : 'callId';
    if (r.chance(0.6)) payload[idField] = hostile && r.chance(0.5) ? anyValue(r) : goodId();
    if (inst.operation === 'audio' && r.chance(0.25)) payload.id = hostile && r.chance(0.5) ? anyValue(r) : goodId();
    if (r.chance(0.3)) payload.format = hostile && r.chance(0.5) ? anyValue(r) : r.pick(['mp3', 'wav', ' WAV ', 'Mp3', '', 'ogg']);
    if (inst.output === 'file' && r.chance(0.6)) msg.filename = hostile && r.chance(0.4) ? anyValue(r) : goodName();
    if (hostile && r.chance(0.1)) Object.defineProperty(payload, idField, { enumerable: true, get: () => { throw new Error('fz payload getter'); } });
    msg.payload = hostile && r.chance(0.1) ? anyValue(r) : payload;
    return { node: inst.id, msg, inst, dialogOutcome, payload: msg.payload, filename: msg.filename, about: `payload ${show(msg.payload)} filename ${show(msg.filename)}` };
  },
  check(c, outcome, { sandbox, workDir, root }) {
    const { inst, dialogOutcome } = c;
    const p = payloadObject(c.payload);
    const blank = (v) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
    const verdicts = {};
    const idJudge = (v) => {
      const j = judgeText(v);
      if (j.absent) return BAD;
      return j.ok && (j.v === '.' || j.v === '..' || INVISIBLE.test(j.v)) ? BAD : j;
    };
    let id;
    if (inst.operation === 'audio') {
      const rid = peek(p, 'recordingId');
      const pid = peek(p, 'id');
      if (rid.threw) verdicts.recordingId = BAD;
      else if (blank(rid.v) && !pid.threw && !blank(pid.v)) verdicts.recordingId = idJudge(pid.v);
      else verdicts.recordingId = fieldVerdict(rid, dialogOutcome.recordingId, idJudge);
      id = verdicts.recordingId;
    } else {
      verdicts.callId = fieldVerdict(peek(p, 'callId'), dialogOutcome.callId, idJudge);
      id = verdicts.callId;
    }
    // format: msg.payload.format, else the dialog's; mp3 when none
    let format = ok('mp3');
    if (inst.operation !== 'list') {
      const f = peek(p, 'format');
      const v = f.threw ? undefined : isGiven(f.v) ? f.v : inst.format === '' ? undefined : inst.format;
      if (f.threw) format = BAD;
      else if (v === undefined) format = ok('mp3');
      else if (typeof v === 'string') format = ['mp3', 'wav', ''].includes(v.trim().toLowerCase()) ? ok(v.trim().toLowerCase() || 'mp3') : BAD;
      else format = BAD;
      verdicts.format = format;
    }
    // what the platform answers a well-formed request
    if (id.ok) {
      const wav = format.ok && format.v === 'wav';
      let code;
      if (inst.operation === 'list') code = id.v === SAMPLE_CALL_ID ? undefined : id.v === NO_RECORDING_CALL_ID ? '14012' : '14011';
      else if (inst.operation === 'callAudio') code = id.v === SAMPLE_CALL_ID ? undefined : '14013';
      else code = id.v === SAMPLE_RECORDING_ID || (id.v === OLD_RECORDING_ID && !wav) ? undefined : '14013';
      if (code) id.platform = [code];
    }
    // the file: msg.filename, else the dialog's
    let target;
    let fsCodes = [];
    if (inst.output === 'file') {
      const given = blank(c.filename) ? dialogOutcome.filename : { value: c.filename };
      let fv;
      if (given.threw) fv = BAD;
      else if (given.either) fv = either(undefined);
      else if (typeof given.value !== 'string' || !given.value.trim() || given.value.includes('\u0000') || !given.value.isWellFormed()) fv = BAD;
      else {
        const name = given.value.trim();
        const full = path.resolve(workDir, name);
        let isDir = false;
        try {
          isDir = fs.statSync(full).isDirectory();
        } catch {
          // not there yet
        }
        target = /[\\/]$/.test(name) || isDir ? path.join(full, `${id.ok ? id.v.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') : 'x'}.${format.ok ? format.v : 'mp3'}`) : full;
        if (target.split(path.sep).some((part) => Buffer.byteLength(part) > 255)) fsCodes = ['ENAMETOOLONG'];
        else if (path.relative(path.join(workDir, 'a-file'), target).split(path.sep)[0] !== '..') fsCodes = ['ENOTDIR', 'EEXIST'];
        fv = ok(target);
      }
      verdicts.filename = fv;
    }
    const s = summarise(verdicts);
    const { err } = outcome;
    // (the file is checked before the client reads the id: a file error may come first)
    if (fsCodes.length && !(err && err.code === 'INVALID_INPUT')) {
      assert.ok(err && fsCodes.includes(err.code), `expected ${fsCodes.join(' or ')} for ${target}, got ${err ? `${err.code}: ${err.message}` : 'a success'}`);
      assert.strictEqual(outcome.reqs.length, 0, `${err.code}, known before the download, but the platform was asked`);
      return;
    }
    if (!checkRefusal(s, outcome)) {
      if (inst.output === 'file') assert.deepStrictEqual(listFiles(root).filter((f) => f.endsWith('.part')), [], 'a partial file left behind');
      return;
    }
    assert.strictEqual(outcome.reqs.length, 1, 'one request');
    const q = outcome.reqs[0];
    const idInPath = decodeURIComponent(inst.operation === 'list' ? q.path.split('/').pop() : q.path.split('/').slice(-2, -1)[0]);
    assert.strictEqual(idInPath, id.v, 'the id in the path');
    assert.strictEqual(outcome.outputs.length, 1, 'one output message');
    const out = outcome.outputs[0];
    if (inst.operation === 'list') {
      assert.deepStrictEqual(out.payload.map((x) => x.id), sandbox.calls.get(SAMPLE_CALL_ID).recordings.map((x) => x.id));
      return;
    }
    assert.deepStrictEqual(q.query, { isDownload: inst.output === 'url' ? '2' : '1', isWav: format.v === 'wav' ? '1' : '0' }, 'the audio query');
    const type = format.v === 'wav' ? 'audio/wav' : 'audio/mpeg';
    if (inst.output === 'url') assert.ok(typeof out.payload === 'string' && out.payload.startsWith(`${sandbox.url}/files/`), `a URL: ${out.payload}`);
    else if (inst.output === 'buffer') {
      assert.ok(Buffer.isBuffer(out.payload) && out.payload.length > 0, 'a Buffer');
      assert.ok(out.contentType.startsWith(type), out.contentType);
    } else {
      assert.strictEqual(out.payload.path, target, 'the file written');
      assert.strictEqual(fs.statSync(target).size, out.payload.bytes, 'the bytes written');
      assert.ok(out.payload.contentType.startsWith(type), out.payload.contentType);
      assert.deepStrictEqual(listFiles(root).filter((f) => f.endsWith('.part')), [], 'a partial file left behind');
      fs.rmSync(target);
    }
  },
};

// =============================================================================================

describe('action nodes: seeded input fuzz', function () {
  this.timeout(120000);
  const sandbox = useNodeSuite();

  for (const spec of [DUAL, OUTBOUND, ROSTER, CDR, RECORDING]) {
    it(`${spec.name}: ${COUNT} odd messages, each refused naming the field or sent as API.md says (seed ${SEED})`, async function () {
      await fuzz(sandbox(), spec, 'en-US', COUNT);
    });
    it(`${spec.name}: ${Math.ceil(COUNT / 4)} odd messages under Node-RED's lang zh-CN, errors in Chinese (seed ${SEED})`, async function () {
      await fuzz(sandbox(), spec, 'zh-CN', Math.ceil(COUNT / 4));
    });
  }
});
