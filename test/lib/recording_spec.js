'use strict';
/*
 * lib/recording.ts: input checks, target paths, and the file writer's promises: the whole file or
 * no file, whatever fails (a cut body, a short body, an abort, the file system), and never an
 * error body saved as audio. Streams here are plain Readables; the sandbox part uses the client.
 */
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { Readable } = require('stream');
const { dist, useSandbox } = require('../helpers');

const rec = dist('lib/recording.js');
const { WellcloudClient } = dist('lib/client.js');

const made = [];
function tmpDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wellcloud-rec-'));
  made.push(dir);
  return dir;
}

/** An AudioStream of `chunks` (Buffers), optionally failing or stalling after them. */
function audio(chunks, { contentLength, fail, stall, contentType = 'audio/mpeg' } = {}) {
  let i = 0;
  const stream = new Readable({
    read() {
      if (i < chunks.length) {
        this.push(chunks[i++]);
        return;
      }
      if (fail) this.destroy(fail);
      else if (!stall) this.push(null);
    },
  });
  const a = { kind: 'stream', status: 200, contentType, stream };
  if (contentLength !== undefined) a.contentLength = contentLength;
  return a;
}

const files = (dir) => fs.readdirSync(dir);

describe('lib/recording', function () {
  after(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('input checks', function () {
    const invalid = (field) => (e) => e.code === 'INVALID_INPUT' && e.field === field;

    it('format: mp3 by default, mp3 or wav in any case, anything else named', function () {
      assert.strictEqual(rec.prepareFormat('en-US', {}), 'mp3');
      assert.strictEqual(rec.prepareFormat('en-US', { format: 'WAV' }), 'wav');
      assert.strictEqual(rec.prepareFormat('en-US', { format: ' mp3 ' }), 'mp3');
      assert.throws(() => rec.prepareFormat('en-US', { format: 'ogg' }), invalid('format'));
    });

    it('recordingId, or the id of a recording record', function () {
      assert.strictEqual(rec.prepareRecordingId('en-US', { recordingId: 'r1', id: 'x' }), 'r1');
      assert.strictEqual(rec.prepareRecordingId('en-US', { id: 'r2', callId: 'c' }), 'r2');
      assert.throws(() => rec.prepareRecordingId('en-US', {}), invalid('recordingId'));
    });

    it('target path: a file, a directory (trailing slash or existing) gets <id>.<format>', async function () {
      const dir = tmpDir();
      const target = { callId: 'e617caaf-1fc6/../x' };
      assert.strictEqual(await rec.resolveTargetPath('en-US', 'a/b.mp3', target, 'mp3', dir), path.join(dir, 'a', 'b.mp3'));
      assert.strictEqual(await rec.resolveTargetPath('en-US', 'new/', target, 'wav', dir), path.join(dir, 'new', 'e617caaf-1fc6_.._x.wav'));
      assert.strictEqual(await rec.resolveTargetPath('en-US', dir, { recordingId: 'r9' }, 'mp3', '/'), path.join(dir, 'r9.mp3'));
      await assert.rejects(rec.resolveTargetPath('en-US', '', target, 'mp3', dir), invalid('filename'));
      await assert.rejects(rec.resolveTargetPath('en-US', 42, target, 'mp3', dir), invalid('filename'));
    });
  });

  describe('saveAudio', function () {
    const chunk = Buffer.alloc(64 * 1024, 7);

    it('keeps the temporary name within 255 bytes, cut at a character', function () {
      for (const base of ['a.mp3', `${'x'.repeat(240)}.mp3`, `${'文'.repeat(84)}.wav`, `${'😀'.repeat(63)}.mp3`]) {
        const tmp = path.basename(rec.tempPathFor(path.join('/some/dir', base)));
        assert.ok(Buffer.byteLength(tmp) <= 255, `${Buffer.byteLength(tmp)} bytes`);
        assert.match(tmp, /^\..+\.[0-9a-f]{12}\.part$/);
        assert.ok(tmp.isWellFormed(), 'no character cut in half');
        assert.ok(base.startsWith(tmp.slice(1, tmp.length - 18)), tmp);
      }
      assert.match(path.basename(rec.tempPathFor('/d/a.mp3')), /^\.a\.mp3\.[0-9a-f]{12}\.part$/);
    });

    it('writes the whole file under its name and leaves nothing else', async function () {
      const dir = tmpDir();
      const out = await rec.saveAudio(audio([chunk, chunk, chunk], { contentLength: 3 * chunk.length }), path.join(dir, 'a.mp3'));
      assert.deepStrictEqual(out, { path: path.join(dir, 'a.mp3'), bytes: 3 * chunk.length, contentType: 'audio/mpeg' });
      assert.strictEqual(fs.statSync(out.path).size, 3 * chunk.length);
      assert.deepStrictEqual(files(dir), ['a.mp3']);
    });

    it('a body cut mid-way leaves no file and keeps an older file untouched', async function () {
      const dir = tmpDir();
      const target = path.join(dir, 'a.mp3');
      fs.writeFileSync(target, 'old');
      const cut = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      await assert.rejects(rec.saveAudio(audio([chunk, chunk], { fail: cut }), target), (e) => e.code === 'ECONNRESET' && e.name === 'WellcloudError');
      assert.deepStrictEqual(files(dir), ['a.mp3']);
      assert.strictEqual(fs.readFileSync(target, 'utf8'), 'old');
    });

    it('a body shorter than its Content-Length leaves no file', async function () {
      const dir = tmpDir();
      await assert.rejects(rec.saveAudio(audio([chunk], { contentLength: 2 * chunk.length }), path.join(dir, 'a.mp3')), (e) => e.code === 'ECONNRESET' && /65536/.test(e.message));
      assert.deepStrictEqual(files(dir), []);
    });

    it('an abort leaves no file and ends with ABORTED', async function () {
      const dir = tmpDir();
      const controller = new AbortController();
      const a = audio([chunk], { stall: true });
      const saving = rec.saveAudio(a, path.join(dir, 'a.mp3'), { signal: controller.signal });
      setTimeout(() => controller.abort(), 30);
      await assert.rejects(saving, (e) => e.code === 'ABORTED');
      assert.deepStrictEqual(files(dir), []);
      assert.ok(a.stream.destroyed);
    });

    it('a file system error is reported with its code and the path, the stream released', async function () {
      const dir = tmpDir();
      const a = audio([chunk]);
      await assert.rejects(rec.saveAudio(a, path.join(dir, 'missing', 'a.mp3')), (e) => e.code === 'ENOENT' && e.message.includes(path.join(dir, 'missing', 'a.mp3')));
      assert.ok(a.stream.destroyed);
    });
  });

  describe('readAudio', function () {
    it('collects the body and checks its length', async function () {
      const got = await rec.readAudio(audio([Buffer.from('ab'), Buffer.from('cd')], { contentLength: 4 }));
      assert.strictEqual(got.buffer.toString(), 'abcd');
      await assert.rejects(rec.readAudio(audio([Buffer.from('ab')], { contentLength: 4 })), (e) => e.code === 'ECONNRESET');
    });
  });

  describe('against the sandbox', function () {
    const sandbox = useSandbox();
    let client;
    let sb;
    before(function () {
      sb = dist('lib/sandbox');
      client = new WellcloudClient({ baseUrl: sandbox().url, ...sb.DEMO_CREDENTIALS, retry: { baseDelayMs: 5, maxDelayMs: 20 } });
    });
    after(() => client.close());

    it('downloads one recording to a file in a new directory, byte for byte', async function () {
      const dir = tmpDir();
      const added = sandbox().addRecording({ bytes: 144 * 1000, format: 'mp3' });
      const out = await rec.downloadToFile(client, { recordingId: added.id }, 'mp3', path.join(dir, 'x', 'y', 'r.mp3'));
      assert.strictEqual(out.bytes, 144 * 1000);
      assert.strictEqual(out.contentType, 'audio/mpeg');
      assert.strictEqual(fs.statSync(out.path).size, out.bytes);
      const mem = await rec.downloadToBuffer(client, { recordingId: added.id }, 'mp3');
      assert.ok(mem.buffer.equals(fs.readFileSync(out.path)));
    });

    it('checks the name and opens the partial file before asking the platform', async function () {
      const dir = tmpDir();
      sandbox().clearRequests();
      const long = path.join(dir, `${'z'.repeat(256)}.mp3`);
      await assert.rejects(rec.downloadToFile(client, { callId: sb.SAMPLE_CALL_ID }, 'mp3', long), (e) => e.name === 'WellcloudError' && e.code === 'ENAMETOOLONG' && e.message.includes(long));
      fs.chmodSync(dir, 0o500);
      try {
        // (root writes anyway: then the download goes through)
        const denied = await rec.downloadToFile(client, { callId: sb.SAMPLE_CALL_ID }, 'mp3', path.join(dir, 'r.mp3')).catch((e) => e);
        if (denied instanceof Error) assert.strictEqual(denied.code, 'EACCES');
        const asked = sandbox().requests.filter((r) => r.path.endsWith('/stream')).length;
        assert.strictEqual(asked, denied instanceof Error ? 0 : 1, 'the platform was asked only for a file that could be written');
      } finally {
        fs.chmodSync(dir, 0o700);
      }
    });

    it('never saves a 14013 error answer as audio (WAV of an old call)', async function () {
      const dir = tmpDir();
      const old = sandbox().calls.range('2025-03-14 00:00:00', '2025-03-14 23:59:59').find((c) => c.recordings.length > 0);
      await assert.rejects(rec.downloadToFile(client, { callId: old.callId }, 'wav', path.join(dir, 'old.wav')), (e) => e.code === '14013' && e.status >= 400);
      assert.deepStrictEqual(files(dir), []);
    });

    it('a target below a regular file fails naming the path before anything is asked of the platform', async function () {
      const dir = tmpDir();
      const file = path.join(dir, 'taken');
      fs.writeFileSync(file, 'x');
      sandbox().clearRequests();
      const target = path.join(file, 'sub', 'r.mp3');
      await assert.rejects(rec.downloadToFile(client, { callId: sb.SAMPLE_CALL_ID }, 'mp3', target), (e) => {
        assert.ok(['ENOTDIR', 'EEXIST'].includes(e.code), e.code);
        assert.ok(e.message.includes(path.join(file, 'sub')), e.message);
        return true;
      });
      assert.deepStrictEqual(sandbox().requests, []);
      assert.strictEqual(fs.readFileSync(file, 'utf8'), 'x');
    });

    it('gives the redirect URL of isDownload=2 without downloading', async function () {
      const url = await rec.audioUrl(client, { callId: sb.SAMPLE_CALL_ID }, 'mp3');
      assert.ok(url.startsWith(`${sandbox().url}/files/`), url);
      assert.ok(sandbox().requests.every((r) => !r.path.startsWith('/files/')));
    });
  });

  describe('a platform stand-in on loopback: relative redirects, compressed answers, answers that are not audio', function () {
    const http = require('http');
    const zlib = require('zlib');
    const GZ_AUDIO = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(60000, 3)]);
    const ODD_LOCATIONS = ['file:///etc/passwd', 'javascript:alert(1)', 'data:audio/mpeg;base64,AAAA', 'ftp://files.example/a.mp3', 'mailto:x@example.com', 'http://[::1'];
    let server;
    let base;
    before(async function () {
      server = http.createServer((req, res) => {
        if (req.url.startsWith('/wc/accesstoken/apply')) {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ token: 'tok-1' }));
        } else if (req.url.startsWith('/wc/api/cdr/2.0/recordings/open/call/c1/stream')) {
          res.writeHead(302, { Location: '/files/c1.mp3?sig=1', 'Content-Length': '0' });
          res.end();
        } else if (req.url.startsWith('/wc/api/cdr/2.0/recordings/open/call/gz/stream')) {
          // like a server or proxy that compresses what the client accepts: Content-Length is the compressed size
          const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] || '');
          const out = gzip ? zlib.gzipSync(GZ_AUDIO) : GZ_AUDIO;
          res.writeHead(200, { 'Content-Type': 'audio/wav', 'Content-Length': String(out.length), ...(gzip ? { 'Content-Encoding': 'gzip' } : {}) });
          res.end(out);
        } else if (req.url.startsWith('/wc/api/cdr/2.0/recordings/open/call/proxy/stream')) {
          // a proxy's login page in front of the platform: 200, but HTML
          res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
          res.end('<html><body>Please sign in</body></html>');
        } else if (req.url.startsWith('/wc/api/cdr/2.0/recordings/open/call/inline/stream')) {
          // a deployment that sends the audio itself even for isDownload=2
          res.writeHead(200, { 'Content-Type': 'audio/mpeg', 'Content-Length': '3' });
          res.end(Buffer.from([0xff, 0xfb, 0x90]));
        } else if (req.url.startsWith('/wc/api/cdr/2.0/recordings/open/call/odd-')) {
          const n = Number(/odd-(\d+)/.exec(req.url)[1]);
          res.writeHead(302, { Location: ODD_LOCATIONS[n], 'Content-Length': '0' });
          res.end();
        } else if (req.url.startsWith('/wc/api/cdr/2.0/recordings/open/recording/forced-')) {
          // a proxy that compresses although the client asked for identity; Content-Length counts the compressed bytes
          const encoding = /forced-(\w+)\//.exec(req.url)[1];
          const out = { gzip: zlib.gzipSync, deflate: zlib.deflateSync, br: zlib.brotliCompressSync }[encoding](GZ_AUDIO);
          res.writeHead(200, { 'Content-Type': 'audio/wav', 'Content-Length': String(out.length), 'Content-Encoding': encoding });
          res.end(out);
        } else if (req.url.startsWith('/wc/api/cdr/2.0/recordings/open/recording/r1/stream')) {
          res.writeHead(302, { Location: '../../files/r1.wav', 'Content-Length': '0' });
          res.end();
        } else {
          res.writeHead(404);
          res.end();
        }
      });
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${server.address().port}`;
    });
    after(() => new Promise((resolve) => server.close(resolve)));

    it('downloads audio whole (Buffer and file) from a server that compresses what the client accepts', async function () {
      const client = new WellcloudClient({ baseUrl: `${base}/wc`, appId: 'a', appSecret: 'stand-in-secret', apiKey: 'stand-in-key' });
      try {
        const got = await rec.downloadToBuffer(client, { callId: 'gz' }, 'wav');
        assert.ok(got.buffer.equals(GZ_AUDIO));
        const dir = tmpDir();
        const saved = await rec.downloadToFile(client, { callId: 'gz' }, 'wav', path.join(dir, 'gz.wav'));
        assert.strictEqual(saved.bytes, GZ_AUDIO.length);
        assert.ok(fs.readFileSync(path.join(dir, 'gz.wav')).equals(GZ_AUDIO));
        assert.deepStrictEqual(files(dir), ['gz.wav']);
      } finally {
        client.close();
      }
    });

    it('never saves a page that is not audio (a 200 text/html from a proxy): BAD_RESPONSE naming what came, in en-US and zh-CN', async function () {
      for (const [lang, text] of [['en-US', 'The platform answered with text/html; charset=utf-8 instead of audio; nothing was saved.'], ['zh-CN', '平台返回的是 text/html; charset=utf-8 而不是音频，未保存任何内容。']]) {
        const client = new WellcloudClient({ baseUrl: `${base}/wc`, appId: 'a', appSecret: 'stand-in-secret', apiKey: 'stand-in-key', lang });
        try {
          const dir = tmpDir();
          await assert.rejects(rec.downloadToFile(client, { callId: 'proxy' }, 'mp3', path.join(dir, 'p.mp3'), { lang }), (e) => e.code === 'BAD_RESPONSE' && e.status === 200 && e.message === text);
          assert.deepStrictEqual(files(dir), []);
          await assert.rejects(rec.downloadToBuffer(client, { callId: 'proxy' }, 'mp3', { lang }), (e) => e.code === 'BAD_RESPONSE' && e.message === text);
        } finally {
          client.close();
        }
      }
    });

    it('a URL asked for (isDownload=2) but the audio itself sent: BAD_RESPONSE saying there is no URL, the audio not read', async function () {
      const client = new WellcloudClient({ baseUrl: `${base}/wc`, appId: 'a', appSecret: 'stand-in-secret', apiKey: 'stand-in-key' });
      try {
        await assert.rejects(rec.audioUrl(client, { callId: 'inline' }, 'mp3'), (e) => e.code === 'BAD_RESPONSE' && /instead of a redirect \(isDownload=2\)/.test(e.message));
        await assert.rejects(rec.audioUrl(client, { callId: 'inline' }, 'mp3', { lang: 'zh-CN' }), (e) => e.code === 'BAD_RESPONSE' && /平台直接返回了音频而不是重定向/.test(e.message));
      } finally {
        client.close();
      }
    });

    it('downloads audio whole from a proxy that compresses it although identity was asked for', async function () {
      const client = new WellcloudClient({ baseUrl: `${base}/wc`, appId: 'a', appSecret: 'stand-in-secret', apiKey: 'stand-in-key' });
      try {
        for (const encoding of ['gzip', 'deflate', 'br']) {
          const got = await rec.downloadToBuffer(client, { recordingId: `forced-${encoding}` }, 'wav');
          assert.ok(got.buffer.equals(GZ_AUDIO), encoding);
          const dir = tmpDir();
          const saved = await rec.downloadToFile(client, { recordingId: `forced-${encoding}` }, 'wav', path.join(dir, 'a.wav'));
          assert.strictEqual(saved.bytes, GZ_AUDIO.length, encoding);
          assert.ok(fs.readFileSync(path.join(dir, 'a.wav')).equals(GZ_AUDIO), encoding);
          assert.deepStrictEqual(files(dir), ['a.wav']);
        }
      } finally {
        client.close();
      }
    });

    it('gives no redirect to an address other than http(s): BAD_RESPONSE naming it', async function () {
      const client = new WellcloudClient({ baseUrl: `${base}/wc`, appId: 'a', appSecret: 'stand-in-secret', apiKey: 'stand-in-key' });
      try {
        for (const [n, location] of ODD_LOCATIONS.entries()) {
          await assert.rejects(rec.audioUrl(client, { callId: `odd-${n}` }, 'mp3'), (e) => {
            assert.strictEqual(e.code, 'BAD_RESPONSE', `${location}: ${e.code} ${e.message}`);
            assert.strictEqual(e.message, `The platform redirected to ${JSON.stringify(location)}, which is no http(s) address to download the recording from.`);
            return true;
          });
        }
      } finally {
        client.close();
      }
    });

    it('gives the absolute URL of a relative redirect, resolved against the request', async function () {
      const client = new WellcloudClient({ baseUrl: `${base}/wc`, appId: 'a', appSecret: 'stand-in-secret', apiKey: 'stand-in-key' });
      try {
        assert.strictEqual(await rec.audioUrl(client, { callId: 'c1' }, 'mp3'), `${base}/files/c1.mp3?sig=1`);
        assert.strictEqual(await rec.audioUrl(client, { recordingId: 'r1' }, 'wav'), `${base}/wc/api/cdr/2.0/recordings/open/files/r1.wav`);
      } finally {
        client.close();
      }
    });
  });
});
