'use strict';
/**
 * The request core and token manager against a tiny throwaway server on 127.0.0.1, for the
 * behaviours the sandbox cannot show (other token answer shapes, Retry-After as an HTTP date,
 * text error bodies, stalled streams, a platform that echoes secrets). The client is real.
 */
const assert = require('assert');
const http = require('http');
const util = require('util');
const zlib = require('zlib');
const { WellcloudClient } = require('../../dist/lib/client');
const { parseRetryAfter, backoffDelay, buildQuery, splitPointOf, MAX_ANSWER_BYTES } = require('../../dist/lib/http');

const CREDS = { appId: 'app-core-1', appSecret: 'SECRET-core-abc123', apiKey: 'KEY-core-xyz789' };
const TOKEN = 'TOKEN-core-0123456789';

function startServer(handler) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url, 'http://localhost');
      const entry = {
        method: req.method,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(entry);
      handler(entry, res, requests);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        requests,
        apiRequests: () => requests.filter((r) => r.path !== '/accesstoken/apply'),
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

function json(res, status, body, headers = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Answers the token application with `tokenBody`; other paths go to `api`. */
function platform(api, tokenBody = { token: TOKEN }) {
  return (req, res, all) => {
    if (req.path === '/accesstoken/apply') {
      if (typeof tokenBody === 'function') return tokenBody(req, res, all);
      return json(res, 200, tokenBody);
    }
    return api(req, res, all);
  };
}

function ok(req, res) {
  json(res, 200, { callId: 'c-1' });
}

function assertNoSecret(err, secrets) {
  const texts = [err.message, err.stack, JSON.stringify(err), util.inspect(err, { depth: 10, showHidden: true })];
  for (const text of texts) {
    for (const s of secrets) assert.ok(!String(text).includes(s), `secret ${s} leaked in: ${text}`);
  }
}

describe('lib/client request core (local server)', function () {
  let srv;
  let client;
  const unhandled = [];
  const onUnhandled = (e) => unhandled.push(e);

  before(() => process.on('unhandledRejection', onUnhandled));
  after(() => {
    process.removeListener('unhandledRejection', onUnhandled);
    assert.deepStrictEqual(unhandled, [], 'no unhandled rejections');
  });

  afterEach(async () => {
    if (client) client.close();
    client = undefined;
    if (srv) await srv.close();
    srv = undefined;
  });

  function makeClient(extra = {}) {
    client = new WellcloudClient({ baseUrl: srv.url, ...CREDS, retry: { baseDelayMs: 5 }, ...extra });
    return client;
  }

  describe('token answers', function () {
    const shapes = [
      ['text/plain body', (req, res) => { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end(`${TOKEN}\n`); }],
      ['token', { token: TOKEN }],
      ['accessToken', { accessToken: TOKEN }],
      ['access_token', { access_token: TOKEN, token_type: 'bearer' }],
      ['data.token', { data: { token: TOKEN } }],
      ['data.accessToken', { data: { accessToken: TOKEN } }],
    ];
    for (const [name, body] of shapes) {
      it(`reads the token from ${name}`, async function () {
        srv = await startServer(platform(ok, body));
        const c = makeClient();
        const before = Date.now();
        const info = await c.applyToken();
        assert.strictEqual(info.token, TOKEN);
        // no expiry announced: 24 h
        assert.ok(info.expiresAt >= before + 24 * 3600e3 - 1000 && info.expiresAt <= Date.now() + 24 * 3600e3);
        await c.dualCall({ deviceId: '8001@test.cc', prefix: '9', customerPhone: '13912345678' });
        assert.strictEqual(srv.apiRequests()[0].headers.wellcloud_token, TOKEN);
      });
    }

    it('uses expires_in / expiresIn (seconds) for the expiry', async function () {
      srv = await startServer(platform(ok, { access_token: TOKEN, expires_in: 7200 }));
      const info = await makeClient().applyToken();
      assert.ok(Math.abs(info.expiresAt - (Date.now() + 7200e3)) < 5000);
      await srv.close();
      client.close();
      srv = await startServer(platform(ok, { data: { token: TOKEN, expiresIn: '60' } }));
      const info2 = await makeClient().applyToken();
      assert.ok(Math.abs(info2.expiresAt - (Date.now() + 60e3)) < 5000);
    });

    it('takes the 24 h default for an expiresIn that is no lifetime (0, negative, text, over a year, 1e300)', async function () {
      let expiresIn;
      srv = await startServer((req, res) => (req.path === '/accesstoken/apply' ? json(res, 200, { token: TOKEN, expiresIn }) : ok(req, res)));
      const day = 24 * 3600e3;
      const cases = [[0, day], [-60, day], ['abc', day], [1e300, day], ['1e13', day], [86_400_000, day], [366 * 24 * 3600 + 1, day], [366 * 24 * 3600, 366 * day], ['3600', 3600e3]];
      for (const [value, lifetime] of cases) {
        expiresIn = value;
        const c = new WellcloudClient({ baseUrl: srv.url, ...CREDS });
        try {
          const before = Date.now();
          const info = await c.applyToken();
          assert.ok(info.expiresAt >= before + lifetime && info.expiresAt <= Date.now() + lifetime, `expiresIn ${value}: ${info.expiresAt - before}`);
          assert.deepStrictEqual(await c.dualCall({ deviceId: '8001@test.cc', prefix: '9', customerPhone: '10086' }), { callId: 'c-1' });
        } finally {
          c.close();
        }
      }
    });

    it('fails with BAD_RESPONSE when a 200 answer holds no token', async function () {
      srv = await startServer(platform(ok, { result: 'ok' }));
      await assert.rejects(makeClient().dualCall({ deviceId: '8001@test.cc', prefix: '9', customerPhone: '10086' }), (e) => {
        assert.strictEqual(e.code, 'BAD_RESPONSE');
        assert.match(e.message, /holds no token/);
        return true;
      });
      assert.strictEqual(srv.apiRequests().length, 0);
    });

    it('refuses a token the wellcloud_token header cannot carry as it is, or too short to keep out of messages', async function () {
      const answers = [
        [{ token: 'ab' }], [{ token: 'a b c d' }], [{ token: 'tab\tinside' }], [{ token: 'nl\nX-Evil: 1' }], [{ data: { accessToken: 't\u00f6k\u00e9n-01' } }],
        [{ access_token: 'x'.repeat(4097) }], ['ab', 'text/plain'], ['\u001f\u008b\u0008garbage', 'text/plain'], ['tok\u0000en-1', 'text/plain'],
      ];
      let answer;
      srv = await startServer(
        platform(ok, (req, res) => {
          const [body, type] = answer;
          res.writeHead(200, { 'Content-Type': type || 'application/json' });
          res.end(type ? body : JSON.stringify(body));
        }),
      );
      for (answer of answers) {
        const c = new WellcloudClient({ baseUrl: srv.url, ...CREDS });
        try {
          await assert.rejects(c.dualCall({ deviceId: '8001@test.cc', prefix: '9', customerPhone: '10086' }), (e) => {
            assert.strictEqual(e.code, 'BAD_RESPONSE', `${JSON.stringify(answer)}: ${e.code} ${e.message}`);
            assert.match(e.message, /holds no token/);
            return true;
          });
        } finally {
          c.close();
        }
      }
      assert.strictEqual(srv.apiRequests().length, 0, 'nothing sent with such a token');
      // 4 and 4096 visible ASCII characters are fine
      for (answer of [[{ token: 'a+/=' }], [{ token: 'x'.repeat(4096) }], [' tok-1 \n', 'text/plain']]) {
        const c = new WellcloudClient({ baseUrl: srv.url, ...CREDS });
        try {
          assert.deepStrictEqual(await c.dualCall({ deviceId: '8001@test.cc', prefix: '9', customerPhone: '10086' }), { callId: 'c-1' });
        } finally {
          c.close();
        }
      }
    });

    it('maps a rejected application (platform body) and scrubs the secrets', async function () {
      srv = await startServer(
        platform(ok, (req, res) => json(res, 401, { errorCode: 401, errorMessage: `bad secret ${CREDS.appSecret} / ${CREDS.apiKey}`, instanceId: 'auth-1' })),
      );
      await assert.rejects(makeClient({ lang: 'zh-CN' }).getToken(), (e) => {
        assert.strictEqual(e.code, '401');
        assert.strictEqual(e.status, 401);
        assert.match(e.message, /平台拒绝了 token 申请/);
        assert.match(e.message, /（平台：bad secret \*\*\* \/ \*\*\*）$/);
        assert.deepStrictEqual(e.platformAnswer(), { status: 401, errorCode: 401, errorMessage: 'bad secret *** / ***', instanceId: 'auth-1' });
        assertNoSecret(e, [CREDS.appSecret, CREDS.apiKey]);
        return true;
      });
    });

    it('maps a rejected application without a body to HTTP_<status>', async function () {
      srv = await startServer(platform(ok, (req, res) => { res.writeHead(425); res.end(); }));
      await assert.rejects(makeClient().applyToken(), (e) => e.code === 'HTTP_425' && /rejected the token application \(HTTP 425\)/.test(e.message));
    });

    for (const field of ['appId', 'appSecret', 'apiKey']) {
      it(`refuses to apply without ${field}, sending nothing`, async function () {
        srv = await startServer(platform(ok));
        const c = makeClient({ [field]: '' });
        await assert.rejects(c.getToken(), (e) => e.code === 'INVALID_INPUT' && e.field === field && e.message.includes(`missing: ${field}`));
        await assert.rejects(c.dualCall({ deviceId: '8001@test.cc', prefix: '9', customerPhone: '10086' }), (e) => e.code === 'INVALID_INPUT' && e.field === field);
        assert.strictEqual(srv.requests.length, 0);
      });
    }
  });

  describe('token styles', function () {
    it('json: POST with a JSON body', async function () {
      srv = await startServer(platform(ok));
      await makeClient({ tokenStyle: 'json' }).applyToken();
      const r = srv.requests[0];
      assert.strictEqual(r.method, 'POST');
      assert.strictEqual(r.path, '/accesstoken/apply');
      assert.match(r.headers['content-type'], /^application\/json/);
      assert.deepStrictEqual(JSON.parse(r.body), CREDS);
      assert.deepStrictEqual(r.query, {});
      assert.strictEqual(r.headers.wellcloud_token, undefined);
    });

    it('query: POST with the three as query parameters and an empty body', async function () {
      srv = await startServer(platform(ok));
      await makeClient({ tokenStyle: 'query' }).applyToken();
      const r = srv.requests[0];
      assert.strictEqual(r.method, 'POST');
      assert.deepStrictEqual(r.query, CREDS);
      assert.strictEqual(r.body, '');
    });

    it('form: POST application/x-www-form-urlencoded', async function () {
      srv = await startServer(platform(ok));
      await makeClient({ tokenStyle: 'form' }).applyToken();
      const r = srv.requests[0];
      assert.strictEqual(r.method, 'POST');
      assert.match(r.headers['content-type'], /^application\/x-www-form-urlencoded/);
      assert.deepStrictEqual(Object.fromEntries(new URLSearchParams(r.body)), CREDS);
    });

    it('keeps a base URL path prefix', async function () {
      srv = await startServer(platform(ok));
      client = new WellcloudClient({ baseUrl: `${srv.url}/gw/`, ...CREDS });
      await assert.rejects(client.applyToken());
      assert.strictEqual(srv.requests[0].path, '/gw/accesstoken/apply');
    });
  });

  describe('retries', function () {
    it('honours Retry-After given as an HTTP date', async function () {
      srv = await startServer(
        platform((req, res, all) => {
          if (srv.apiRequests().length === 1) {
            res.writeHead(503, { 'Retry-After': new Date(Date.now() + 1500).toUTCString() });
            return res.end();
          }
          return json(res, 200, { total: 0, list: [] });
        }),
      );
      const c = makeClient({ retry: { baseDelayMs: 1, maxDelayMs: 1 } });
      await c.getToken();
      const t0 = Date.now();
      const page = await c.queryCalls({ beginTime: '2024-01-01 00:00:00', endTime: '2024-01-01 01:00:00', isOrder: 1, domain: 'test.cc' });
      assert.deepStrictEqual(page, { total: 0, list: [] });
      assert.strictEqual(srv.apiRequests().length, 2);
      // the HTTP date has a 1 s resolution: at least ~0.5 s must have been waited, not the 1 ms backoff
      assert.ok(Date.now() - t0 >= 400, 'Retry-After was honoured');
    });

    it('gives up after the configured attempts and maps the last answer', async function () {
      srv = await startServer(platform((req, res) => json(res, 503, { errorCode: 503, errorMessage: 'busy' })));
      await assert.rejects(makeClient({ retry: { attempts: 4, baseDelayMs: 1 } }).getCall('c-1'), (e) => {
        assert.strictEqual(e.code, '503');
        assert.strictEqual(e.status, 503);
        assert.match(e.message, /Internal error on the platform \(HTTP 503\)/);
        return true;
      });
      assert.strictEqual(srv.apiRequests().length, 4);
    });

    it('retries a GET after a reset connection', async function () {
      srv = await startServer(
        platform((req, res) => {
          if (srv.apiRequests().length === 1) return res.socket.destroy();
          return json(res, 200, { callId: 'c-9' });
        }),
      );
      const rec = await makeClient().getCall('c-9');
      assert.strictEqual(rec.callId, 'c-9');
      assert.strictEqual(srv.apiRequests().length, 2);
    });

    it('never retries a POST after a reset connection', async function () {
      srv = await startServer(platform((req, res) => res.socket.destroy()));
      await assert.rejects(makeClient().dualCall({ deviceId: '8001@test.cc', prefix: '9', customerPhone: '10086' }), (e) => e.code === 'ECONNRESET');
      assert.strictEqual(srv.apiRequests().length, 1);
    });

    it('computes full-jitter backoff and reads Retry-After', function () {
      const policy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 250 };
      assert.strictEqual(backoffDelay(1, policy, () => 0.999), 99);
      assert.strictEqual(backoffDelay(2, policy, () => 0.5), 100);
      assert.strictEqual(backoffDelay(5, policy, () => 0.999), 249);
      assert.strictEqual(backoffDelay(3, policy, () => 0), 0);
      assert.strictEqual(parseRetryAfter('2'), 2000);
      assert.strictEqual(parseRetryAfter('3600'), 30000);
      assert.strictEqual(parseRetryAfter(new Date(Date.now() - 5000).toUTCString()), 0);
      assert.strictEqual(parseRetryAfter('soon'), undefined);
      assert.strictEqual(parseRetryAfter(undefined), undefined);
    });

    it('builds queries without undefined values, numbers and booleans as text', function () {
      assert.strictEqual(buildQuery({ a: undefined, b: 1, c: false, d: '2024-01-01 00:00:00', e: null }), '?b=1&c=false&d=2024-01-01%2000%3A00%3A00');
      assert.strictEqual(buildQuery({}), '');
    });

    it('reads the split point of a 14015 message', function () {
      assert.strictEqual(splitPointOf('请以2021-10-01 00:00:00时间点分为两次查询'), '2021-10-01 00:00:00');
      assert.strictEqual(splitPointOf('split at 2021/9/1 8:00'), '2021-09-01 08:00:00');
      assert.strictEqual(splitPointOf('不得跨库查询'), undefined);
    });
  });

  describe('errors', function () {
    it('maps a text error body to HTTP_<status> with the text', async function () {
      srv = await startServer(platform((req, res) => { res.writeHead(418, { 'Content-Type': 'text/plain' }); res.end(`teapot ${TOKEN}`); }));
      await assert.rejects(makeClient().getCall('c-1'), (e) => {
        assert.strictEqual(e.code, 'HTTP_418');
        assert.strictEqual(e.message, 'The platform answered HTTP 418: teapot ***.');
        assertNoSecret(e, [TOKEN]);
        return true;
      });
    });

    it('scrubs a token the platform echoes in its error message', async function () {
      srv = await startServer(platform((req, res) => json(res, 400, { errorCode: 14011, errorMessage: `callId不存在 token=${req.headers.wellcloud_token}`, instanceId: 'cdr-1', exceptionName: 'X' })));
      await assert.rejects(makeClient().getCall('nope'), (e) => {
        assert.strictEqual(e.code, '14011');
        assert.match(e.message, /^The callId does not exist \(14011\)\. Check the callId\. — platform: callId不存在 token=\*\*\*$/);
        assert.strictEqual(e.errorMessage, 'callId不存在 token=***');
        assertNoSecret(e, [TOKEN, CREDS.appSecret, CREDS.apiKey]);
        return true;
      });
    });

    it('treats a 2xx answer carrying a platform error body as that error', async function () {
      srv = await startServer(platform((req, res) => json(res, 200, { errorCode: 12008, errorMessage: 'cms没有可用的服务实例' })));
      await assert.rejects(makeClient().dualCall({ deviceId: '8001@test.cc', prefix: '9', customerPhone: '10086' }), (e) => e.code === '12008' && e.status === 200);
    });

    it('reports a dual call answer without callId as BAD_RESPONSE', async function () {
      srv = await startServer(platform((req, res) => json(res, 200, { ok: true })));
      await assert.rejects(makeClient().dualCall({ deviceId: '8001@test.cc', prefix: '9', customerPhone: '10086' }), (e) => e.code === 'BAD_RESPONSE' && /without callId/.test(e.message));
    });

    it('rejects a bad base URL on every call, without throwing in the constructor', async function () {
      client = new WellcloudClient({ baseUrl: 'ftp://x', ...CREDS });
      await assert.rejects(client.getCall('a'), (e) => e.code === 'INVALID_INPUT' && e.field === 'baseUrl');
      await assert.rejects(client.applyToken(), (e) => e.code === 'INVALID_INPUT' && e.field === 'baseUrl');
    });

    it('rejects an empty path parameter before sending anything', async function () {
      srv = await startServer(platform(ok));
      const c = makeClient();
      await assert.rejects(c.getCall(''), (e) => e.code === 'INVALID_INPUT' && e.field === 'callId');
      await assert.rejects(c.getRecordingAudio('  ', {}), (e) => e.code === 'INVALID_INPUT' && e.field === 'recordingId');
      // a number whose digits are lost names another call
      await assert.rejects(c.getCall(2 ** 60 + 1), (e) => e.code === 'INVALID_INPUT' && e.field === 'callId' && /too large to be exact/.test(e.message));
      // half a surrogate pair: a URIError escaped getCall before, and a query failed as "Network error"
      await assert.rejects(c.getCall('c\ud800'), (e) => e.name === 'WellcloudError' && e.code === 'INVALID_INPUT' && e.field === 'callId' && /broken character/.test(e.message));
      await assert.rejects(c.queryCalls({ beginTime: '2024-01-01 00:00:00', endTime: '2024-01-01 01:00:00', isOrder: 1, domain: 'test.cc', ani: '\udc00' }), (e) => e.code === 'INVALID_INPUT' && e.field === 'ani');
      await assert.rejects(c.uploadRoster('1,S,13900000001\n', { alias: 'a\ud800' }), (e) => e.code === 'INVALID_INPUT' && e.field === 'alias');
      // an invisible character pasted with an id would reach the platform as part of it
      await assert.rejects(c.getCall('e617caaf-1fc6-4998-a8a8-c9313fefde38\u200b'), (e) => e.code === 'INVALID_INPUT' && e.field === 'callId' && /invisible character \(U\+200B, character 37\)/.test(e.message));
      await assert.rejects(c.getRecordingAudio('\ufeffr1', {}), (e) => e.code === 'INVALID_INPUT' && e.field === 'recordingId' && /U\+FEFF, character 1/.test(e.message));
      await assert.rejects(c.listCallRecordings('c\u00ad1'), (e) => e.code === 'INVALID_INPUT' && e.field === 'callId' && /U\+00AD/.test(e.message));
      assert.strictEqual(srv.requests.length, 0);
    });

    it('reports ECONNREFUSED with the host and no secret', async function () {
      srv = await startServer(platform(ok));
      const url = srv.url;
      await srv.close();
      srv = undefined;
      client = new WellcloudClient({ baseUrl: url, ...CREDS, tokenStyle: 'query', retry: { baseDelayMs: 1 } });
      await assert.rejects(client.getCall('c-1'), (e) => {
        assert.strictEqual(e.code, 'ECONNREFUSED');
        assert.ok(e.message.includes(new URL(url).host));
        assert.strictEqual(e.platformAnswer(), undefined);
        assertNoSecret(e, [CREDS.appSecret, CREDS.apiKey]);
        return true;
      });
    });
  });

  describe('hostile answers', function () {
    it('drops a JSON answer of tens of MB (or a gzip bomb) unread: BAD_RESPONSE, the body never held whole', async function () {
      const size = 40 * 1024 * 1024;
      const limit = 16 * 1024 * 1024;
      let complete = false;
      const bomb = zlib.gzipSync(Buffer.concat([Buffer.from('{"list":['), Buffer.alloc(limit + 1024 * 1024, 0x20), Buffer.from(']}')]));
      srv = await startServer(
        platform((req, res) => {
          if (req.path.endsWith('/bomb')) {
            res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': bomb.length });
            return res.end(bomb);
          }
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': size });
          const chunk = Buffer.alloc(1024 * 1024, 0x20);
          let sent = 0;
          const pump = () => {
            if (sent === 0) {
              res.write('{"list":[');
              sent = 9;
            }
            while (sent < size - 2) {
              const n = Math.min(chunk.length, size - 2 - sent);
              sent += n;
              if (!res.write(chunk.subarray(0, n))) return void res.once('drain', pump);
            }
            res.end(']}', () => {
              complete = true;
            });
          };
          pump();
          return undefined;
        }),
      );
      const c = makeClient({ retry: { attempts: 1 } });
      for (const id of ['huge', 'bomb']) {
        await assert.rejects(c.getCall(id), (e) => {
          assert.strictEqual(e.code, 'BAD_RESPONSE', `${id}: ${e.code} ${e.message}`);
          assert.strictEqual(e.message, 'The platform answered with more than 16 MB, far more than any answer of this API; the answer was dropped unread.');
          return true;
        });
      }
      assert.strictEqual(complete, false, 'the client read all 40 MB');
      assert.strictEqual(MAX_ANSWER_BYTES, limit);
    });

    it('reports a body cut short as ECONNRESET: a GET is tried again, a dual call is not', async function () {
      srv = await startServer(
        platform((req, res) => {
          // headers, then part of the body, then the connection closes
          const body = JSON.stringify({ callId: 'c-1', ani: '8001@test.cc' });
          if (req.path.endsWith('/chunked')) res.socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n${body.slice(0, 5)}\r\n`);
          else res.socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
          setTimeout(() => res.socket.end(), 5);
        }),
      );
      const c = makeClient({ retry: { baseDelayMs: 1 } });
      for (const id of ['length', 'chunked']) {
        await assert.rejects(c.getCall(id), (e) => {
          assert.strictEqual(e.code, 'ECONNRESET', `${id}: ${e.code} ${e.message}`);
          assert.strictEqual(e.message, 'The connection to the platform was reset. A download cut short is not saved; after a dual call or outbound call, check whether the call was placed before trying again.');
          return true;
        });
      }
      assert.strictEqual(srv.apiRequests().length, 6, 'each GET tried 3 times');
      await assert.rejects(c.dualCall({ deviceId: '8001@test.cc', prefix: '9', customerPhone: '10086' }), (e) => e.code === 'ECONNRESET');
      assert.strictEqual(srv.apiRequests().filter((r) => r.method === 'POST').length, 1, 'the dual call is sent once');
    });

    it('reports an answer its Content-Encoding does not fit, or no HTTP at all, as BAD_RESPONSE, not tried again', async function () {
      const body = Buffer.from(JSON.stringify({ callId: 'c-1' }));
      const answers = {
        'gzip-plain': ['gzip', body, /incorrect header check/],
        'br-gzip': ['br', zlib.gzipSync(body), /Decompression failed/],
        'deflate-garbage': ['deflate', Buffer.from('not deflate at all, not at all'), /incorrect header check|invalid/],
      };
      srv = await startServer(
        platform((req, res) => {
          const id = req.path.split('/').pop();
          if (id === 'garbage') return res.socket.end('HELLO\r\n\r\n');
          if (id === 'status') return res.socket.end('HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\n{}');
          const [encoding, bytes] = answers[id];
          res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': encoding, 'Content-Length': bytes.length });
          return res.end(bytes);
        }),
      );
      const c = makeClient({ lang: 'en-US' });
      for (const [id, [, , detail]] of Object.entries(answers)) {
        await assert.rejects(c.getCall(id), (e) => {
          assert.strictEqual(e.code, 'BAD_RESPONSE', `${id}: ${e.code} ${e.message}`);
          assert.match(e.message, /^The platform's answer cannot be decoded \(.+\): its Content-Encoding does not match its body\.$/);
          assert.match(e.message, detail);
          return true;
        });
      }
      for (const id of ['garbage', 'status']) {
        await assert.rejects(c.getCall(id), (e) => {
          assert.strictEqual(e.code, 'BAD_RESPONSE', `${id}: ${e.code} ${e.message}`);
          assert.match(e.message, /^The platform's answer is not valid HTTP \(Parse Error: .+\)\. Check that the base URL points at the platform\.$/);
          return true;
        });
      }
      assert.strictEqual(srv.apiRequests().length, 5, 'one request each');
    });

    it('takes no list answer that is not JSON (a proxy page, text, a bare value, nothing) for "no records"', async function () {
      const bodies = { html: ['text/html', '<html><body>Welcome to the proxy</body></html>'], text: ['text/plain', 'OK'], empty: ['application/json', ''], string: ['application/json', '"x"'], number: ['application/json', '42'], null: ['application/json', 'null'] };
      srv = await startServer(
        platform((req, res) => {
          const [type, body] = bodies[req.query.domain || req.path.split('/').pop()] || ['application/json', '{}'];
          res.writeHead(200, { 'Content-Type': type });
          res.end(body);
        }),
      );
      const c = makeClient();
      const range = (domain) => ({ beginTime: '2025-03-01 00:00:00', endTime: '2025-03-01 01:00:00', isOrder: 1, domain, p: 1, s: 10 });
      const notList = (what) => (e) => {
        assert.strictEqual(e.code, 'BAD_RESPONSE', `${what}: ${e.code} ${e.message}`);
        assert.strictEqual(e.message, 'The platform answered HTTP 200 without a list of records (neither a JSON array nor an object); that is not taken for "no records".');
        return true;
      };
      for (const kind of Object.keys(bodies)) {
        await assert.rejects(c.listCallRecordings(kind), notList(`recordings ${kind}`));
        await assert.rejects(c.queryCalls(range(kind)), notList(`calls ${kind}`));
        await assert.rejects(c.queryRobotCalls({ ...range(kind), campaignId: 'k', isDownload: 0 }), notList(`robot ${kind}`));
      }
      // an empty JSON object or array is an answer: no records
      assert.deepStrictEqual(await c.listCallRecordings('other'), []);
      assert.deepStrictEqual(await c.queryCalls(range('other')), { list: [] });
    });

    it('reads no callId or batchId from a number that lost digits, an object, an array or a blank text', async function () {
      let body;
      srv = await startServer(
        platform((req, res) => {
          res.writeHead(req.path.startsWith('/api/ros') ? 201 : 200, { 'Content-Type': 'application/json' });
          res.end(body);
        }),
      );
      const c = makeClient();
      const dual = () => c.dualCall({ deviceId: '8001@test.cc', prefix: '9', customerPhone: '10086' });
      const roster = () => c.uploadRoster('r1,1,13912345678\n', { alias: 'a', templateId: 't' });
      const missing = (field) => (e) => e.code === 'BAD_RESPONSE' && e.message === `The platform answered HTTP ${field === 'callId' ? 200 : 201} without ${field}.`;
      for (const v of ['12345678901234567890', '1e400', '1.5', '{}', '["c-1"]', '"  "', 'true']) {
        body = `{"callId":${v}}`;
        await assert.rejects(dual(), missing('callId'), body);
        body = `{"data":{"batchId":${v},"batchName":"b"}}`;
        await assert.rejects(roster(), missing('batchId'), body);
      }
      body = '{"callId":9007199254740991}';
      assert.deepStrictEqual(await dual(), { callId: '9007199254740991' });
      body = '{"data":{"batchId":77,"batchName":{"x":1},"alias":["a"]}}';
      assert.deepStrictEqual(await roster(), { alias: null, batchId: '77', batchName: '' });
      body = '{"data":{"batchId":"b-1","batchName":20250301,"alias":"a"}}';
      assert.deepStrictEqual(await roster(), { alias: 'a', batchId: 'b-1', batchName: '20250301' });
    });
  });

  describe('audio streams', function () {
    it('reads a JSON answer with status 200 on a stream path as an error, never as audio', async function () {
      srv = await startServer(platform((req, res) => json(res, 200, { errorCode: 14013, errorMessage: '录音文件不存在' })));
      await assert.rejects(makeClient().getRecordingAudio('r-1', { isWav: 0 }), (e) => e.code === '14013' && /recording file does not exist/.test(e.message));
    });

    it('reports JSON without an error code on a stream path as BAD_RESPONSE', async function () {
      srv = await startServer(platform((req, res) => json(res, 200, { hello: 'world' })));
      await assert.rejects(makeClient().getCallAudio('c-1', {}), (e) => e.code === 'BAD_RESPONSE' && /instead of audio/.test(e.message));
    });

    it('emits ETIMEDOUT on the stream when the body stalls (the timeout is idle time)', async function () {
      srv = await startServer(
        platform((req, res) => {
          res.writeHead(200, { 'Content-Type': 'audio/mpeg' });
          res.write(Buffer.alloc(1000, 1));
          // then nothing more
        }),
      );
      const audio = await makeClient({ timeout: 300 }).getCallAudio('c-1', { isDownload: 1, isWav: 0 });
      assert.strictEqual(audio.kind, 'stream');
      const err = await new Promise((resolve) => {
        audio.stream.on('data', () => undefined);
        audio.stream.on('error', resolve);
      });
      assert.strictEqual(err.name, 'WellcloudError');
      assert.strictEqual(err.code, 'ETIMEDOUT');
      assertNoSecret(err, [TOKEN]);
    });

    it('does not time out a slow but steady body', async function () {
      srv = await startServer(
        platform((req, res) => {
          res.writeHead(200, { 'Content-Type': 'audio/mpeg' });
          let n = 0;
          const iv = setInterval(() => {
            res.write(Buffer.alloc(100, n));
            if (++n === 8) {
              clearInterval(iv);
              res.end();
            }
          }, 60);
        }),
      );
      const audio = await makeClient({ timeout: 200 }).getCallAudio('c-1', {});
      let bytes = 0;
      for await (const chunk of audio.stream) bytes += chunk.length;
      assert.strictEqual(bytes, 800);
    });

    it('does not time out while the consumer applies backpressure', async function () {
      const size = 2 * 1024 * 1024;
      srv = await startServer(
        platform((req, res) => {
          res.writeHead(200, { 'Content-Type': 'audio/wav', 'Content-Length': String(size) });
          res.end(Buffer.alloc(size, 7));
        }),
      );
      const audio = await makeClient({ timeout: 150 }).getCallAudio('c-1', { isWav: 1 });
      assert.strictEqual(audio.contentLength, size);
      await new Promise((r) => setTimeout(r, 400));
      let bytes = 0;
      for await (const chunk of audio.stream) bytes += chunk.length;
      assert.strictEqual(bytes, size);
    });

    it('emits ABORTED on the stream when the signal aborts after it was returned', async function () {
      srv = await startServer(
        platform((req, res) => {
          res.writeHead(200, { 'Content-Type': 'audio/mpeg' });
          res.write(Buffer.alloc(10, 1));
        }),
      );
      const ac = new AbortController();
      const audio = await makeClient().getCallAudio('c-1', {}, { signal: ac.signal });
      const got = new Promise((resolve) => audio.stream.on('error', resolve));
      audio.stream.resume();
      ac.abort();
      const err = await got;
      assert.strictEqual(err.code, 'ABORTED');
      assert.strictEqual(err.name, 'WellcloudError');
    });

    it('closes a stream nobody listens to without an uncaught error when the client closes', async function () {
      srv = await startServer(
        platform((req, res) => {
          res.writeHead(200, { 'Content-Type': 'audio/mpeg' });
          res.write(Buffer.alloc(10, 1));
        }),
      );
      const c = makeClient();
      const audio = await c.getCallAudio('c-1', {});
      const closed = new Promise((resolve) => audio.stream.once('close', resolve));
      c.close();
      await closed;
      assert.strictEqual(audio.stream.destroyed, true);
    });

    it('returns the Location of isDownload=2 without following it', async function () {
      srv = await startServer(
        platform((req, res) => {
          if (req.path.startsWith('/files/')) return json(res, 500, {});
          res.writeHead(302, { Location: 'https://files.example.com/a.mp3?sig=1' });
          res.end();
        }),
      );
      const out = await makeClient().getCallAudio('c-1', { isDownload: 2, isWav: 1 });
      assert.deepStrictEqual(out, { kind: 'redirect', status: 302, location: 'https://files.example.com/a.mp3?sig=1' });
      assert.deepStrictEqual(srv.apiRequests()[0].query, { isDownload: '2', isWav: '1' });
    });

    it('does not follow a redirect on isDownload=1 (the token never leaves the base URL)', async function () {
      srv = await startServer(platform((req, res) => { res.writeHead(302, { Location: `${srv.url}/elsewhere` }); res.end(); }));
      await assert.rejects(makeClient().getCallAudio('c-1', { isDownload: 1 }), (e) => e.code === 'HTTP_302');
      assert.strictEqual(srv.apiRequests().length, 1);
    });
  });

  describe('answers of unusual shapes', function () {
    const OUTBOUND = { activityId: 'a-1', callee: '13912345678', caller: '8001@test.cc', data: {}, domain: 'test.cc', rosterId: 'r-1', tenantId: 't-1' };

    it('reads a page wrapped in data, a total sent as text, a bare array, and a JSON object with no list as an empty page; text is no page', async function () {
      const answers = [
        { data: { total: '12', list: [{ callId: 'c-1' }] } },
        [{ callId: 'c-2' }, { callId: 'c-3' }],
        { total: 3, data: [{ callId: 'c-4' }] },
        {},
        'OK',
      ];
      srv = await startServer(platform((req, res) => (typeof answers[0] === 'string' ? res.end(answers.shift()) : json(res, 200, answers.shift()))));
      const c = makeClient();
      const q = { beginTime: '2025-03-01 00:00:00', endTime: '2025-03-01 23:59:59', isOrder: 1, domain: 'test.cc', p: 1, s: 100 };
      assert.deepStrictEqual(await c.queryCalls(q), { total: 12, list: [{ callId: 'c-1' }] });
      assert.deepStrictEqual(await c.queryCalls(q), { list: [{ callId: 'c-2' }, { callId: 'c-3' }] });
      assert.deepStrictEqual(await c.queryRobotCalls({ ...q, campaignId: 'x' }), { total: 3, list: [{ callId: 'c-4' }] });
      assert.deepStrictEqual(await c.queryCalls(q), { list: [] });
      await assert.rejects(c.queryCalls(q), (e) => e.code === 'BAD_RESPONSE' && /without a list of records/.test(e.message));
    });

    it('takes a numeric callId of a dual call answer (inside data) as text', async function () {
      srv = await startServer(platform((req, res) => json(res, 200, { data: { callId: 1234567 } })));
      assert.deepStrictEqual(await makeClient().dualCall({ deviceId: '8001@test.cc', prefix: '9', customerPhone: '10086' }), { callId: '1234567' });
    });

    // a 2xx answer without what the API documents is BAD_RESPONSE naming the missing field, in both languages
    const missing = [
      ['a call record', 'callId', (c) => c.getCall('c-1'), [1, 2]],
      ['an instant outbound result', 'result', (c) => c.instantOutbound(OUTBOUND), 'accepted'],
      ['a roster batch', 'batchId', (c) => c.uploadRoster('1,S,13900000000\n', { templateId: 't' }), { alias: 'a', batchName: 'b' }],
    ];
    for (const [what, field, call, body] of missing) {
      it(`reports a 200 answer without ${what} as BAD_RESPONSE naming ${field}, in en-US and zh-CN`, async function () {
        srv = await startServer(platform((req, res) => json(res, 200, body)));
        await assert.rejects(call(makeClient()), (e) => {
          assert.strictEqual(e.code, 'BAD_RESPONSE');
          assert.strictEqual(e.message, `The platform answered HTTP 200 without ${field}.`);
          return true;
        });
        client.close();
        await assert.rejects(call(makeClient({ lang: 'zh-CN' })), (e) => e.code === 'BAD_RESPONSE' && e.message === `平台返回 HTTP 200，但应答中没有 ${field}。`);
      });
    }

    it('reports a redirect of isDownload=2 without Location as BAD_RESPONSE naming Location', async function () {
      srv = await startServer(platform((req, res) => { res.writeHead(302); res.end(); }));
      await assert.rejects(makeClient().getCallAudio('c-1', { isDownload: 2 }), (e) => e.code === 'BAD_RESPONSE' && /without Location\.$/.test(e.message));
    });

    it('explains an error code it does not know by the HTTP status: 5xx as a platform error to retry, 4xx as the code alone', async function () {
      const answers = [
        [500, { errorCode: 99001, errorMessage: '未知异常' }],
        [409, { errorCode: 99002, errorMessage: '冲突' }],
        [502, { errorCode: 502, errorMessage: 'Bad Gateway' }],
        [400, 'bad things'],
      ];
      srv = await startServer(platform((req, res) => {
        const [status, body] = answers.shift();
        if (typeof body === 'string') return res.writeHead(status, { 'Content-Type': 'text/plain' }).end(body);
        return json(res, status, body);
      }));
      const c = makeClient({ retry: { attempts: 1 } });
      await assert.rejects(c.getCall('c-1'), (e) => {
        assert.strictEqual(e.code, '99001');
        assert.strictEqual(e.message, 'Internal error on the platform (HTTP 500). Retry later. — platform: 未知异常');
        assert.deepStrictEqual(e.platformAnswer(), { status: 500, errorCode: 99001, errorMessage: '未知异常' });
        return true;
      });
      await assert.rejects(c.getCall('c-1'), (e) => e.code === '99002' && e.message === 'The platform answered with error 99002. — platform: 冲突');
      // a body that only repeats the status says no more than the status
      await assert.rejects(c.getCall('c-1'), (e) => e.code === '502' && e.message === 'Internal error on the platform (HTTP 502). Retry later. — platform: Bad Gateway');
      await assert.rejects(c.getCall('c-1'), (e) => e.code === 'HTTP_400' && e.message === 'A parameter has a bad format (400). Fix the parameter.');
    });
  });

  describe('input the client refuses before sending', function () {
    it('a roster content that is neither text, a Buffer nor a stream factory: INVALID_INPUT naming content', async function () {
      srv = await startServer(platform(ok));
      for (const [lang, text] of [['en-US', 'content is required.'], ['zh-CN', 'content 为必填项。']]) {
        await assert.rejects(makeClient({ lang }).uploadRoster({ rows: [] }, { templateId: 't' }), (e) => e.code === 'INVALID_INPUT' && e.field === 'content' && e.message === text);
        client.close();
      }
      assert.strictEqual(srv.requests.length, 0);
    });

    it('a base URL that is no URL at all: INVALID_INPUT naming baseUrl on every call, no throw in the constructor', async function () {
      client = new WellcloudClient({ baseUrl: 'not a url', ...CREDS });
      await assert.rejects(client.getCall('a'), (e) => e.code === 'INVALID_INPUT' && e.field === 'baseUrl');
      await assert.rejects(client.dualCall({ deviceId: '8001@test.cc', prefix: '9', customerPhone: '10086' }), (e) => e.code === 'INVALID_INPUT' && e.field === 'baseUrl');
    });
  });

  describe('connections', function () {
    it('keeps one TCP keep-alive setting per socket, so reused sockets are not reconfigured per request', async function () {
      // axios sets keep-alive on every request's socket and the agent again when it takes the
      // socket back; both with the same delay, Node.js skips the setsockopt call
      const net = require('net');
      const original = net.Socket.prototype.setKeepAlive;
      const delays = [];
      net.Socket.prototype.setKeepAlive = function (enable, delay) {
        delays.push(`${enable}/${delay}`);
        return original.call(this, enable, delay);
      };
      try {
        srv = await startServer(platform(ok));
        const c = makeClient();
        for (let i = 0; i < 5; i++) await c.dualCall({ deviceId: '8001@test.cc', prefix: '9', customerPhone: '10086' });
      } finally {
        net.Socket.prototype.setKeepAlive = original;
      }
      assert.ok(delays.length >= 6, `keep-alive set ${delays.length} times`);
      assert.deepStrictEqual([...new Set(delays)], ['true/60000'], delays.join(', '));
    });
  });

  describe('closing', function () {
    it('close() aborts what is in flight and later calls fail with ABORTED', async function () {
      srv = await startServer(platform(() => undefined));
      const c = makeClient();
      await c.getToken();
      const p = c.getCall('c-1');
      await new Promise((r) => setTimeout(r, 50));
      c.close();
      await assert.rejects(p, (e) => e.code === 'ABORTED');
      await assert.rejects(c.getCall('c-2'), (e) => e.code === 'ABORTED' && /closed/.test(e.message));
    });

    it('a debug hook that throws does not fail the request', async function () {
      srv = await startServer(platform(ok));
      let calls = 0;
      const c = makeClient({ onDebug: () => { calls++; throw new Error('hook broke'); } });
      assert.deepStrictEqual(await c.dualCall({ deviceId: '8001@test.cc', prefix: '9', customerPhone: '10086' }), { callId: 'c-1' });
      assert.ok(calls > 0);
    });

    it('reports to onDebug with secrets scrubbed', async function () {
      const lines = [];
      srv = await startServer(platform(ok));
      await makeClient({ onDebug: (l) => lines.push(l) }).dualCall({ deviceId: '8001@test.cc', prefix: '9', customerPhone: '10086' });
      assert.ok(lines.some((l) => l.includes('POST /api/ext/v2/calls/uc -> 200')), lines.join('\n'));
      for (const l of lines) for (const s of [TOKEN, CREDS.appSecret, CREDS.apiKey]) assert.ok(!l.includes(s));
    });
  });
});
