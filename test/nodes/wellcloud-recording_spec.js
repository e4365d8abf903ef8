'use strict';
/*
 * wellcloud-recording in a running flow against the sandbox: list, audio as Buffer, file and URL,
 * message overrides, and the failure paths (Catch node view). A connection cut in the middle of
 * the audio, or stalled while the node is closed, goes through a small TCP relay in front of the
 * sandbox; in both cases no file may be left behind.
 */
const assert = require('assert');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { helper, dist, useNodeSuite, configNode, demoCredentials, nextMessage, sleep, showingValues, listFiles } = require('../helpers');

const configModule = dist('nodes/wellcloud-config/wellcloud-config.js');
const recordingModule = dist('nodes/wellcloud-recording/wellcloud-recording.js');
const catchModule = require('@node-red/nodes/core/common/25-catch.js');
const { SAMPLE_CALL_ID, NO_RECORDING_CALL_ID, UNKNOWN_CALL_ID, DEMO_CREDENTIALS } = dist('lib/sandbox');

/** `obj` with a `key` whose getter throws (not enumerable: the Catch node's copy of the message skips it, the node reads it). */
function throwingField(obj, key) {
  return Object.defineProperty(obj, key, {
    get() {
      throw new Error('no access to this field');
    },
  });
}

const made = [];
function tmpDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wellcloud-recnode-'));
  made.push(dir);
  return dir;
}

/** Waits (bounded) until a download into `dir` has written audio into its `.part` file (opened before the request). */
async function downloadStarted(dir) {
  const writing = () => listFiles(dir).some((f) => f.endsWith('.part') && fs.statSync(path.join(dir, f)).size > 0);
  for (let i = 0; i < 100 && !writing(); i++) await sleep(10);
  assert.ok(writing(), 'the download had started');
}

/**
 * A TCP relay to the sandbox that, once a connection has answered more than `after` bytes, either
 * cuts it (`mode: 'cut'`) or stops forwarding it (`mode: 'stall'`).
 */
function relay(target, after, mode) {
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, '127.0.0.1');
    sockets.add(client).add(upstream);
    let answered = 0;
    client.pipe(upstream);
    upstream.on('data', (chunk) => {
      answered += chunk.length;
      if (answered <= after) {
        client.write(chunk);
      } else if (mode === 'cut') {
        client.write(chunk.subarray(0, Math.max(0, chunk.length - (answered - after))));
        client.destroy();
        upstream.destroy();
      } else {
        upstream.pause();
      }
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        close: () => new Promise((r) => {
          for (const s of sockets) s.destroy();
          server.close(() => r());
        }),
      });
    });
  });
}

function recNode(props = {}) {
  return { id: 'rec', z: 'f1', type: 'wellcloud-recording', server: 'cfg', operation: 'callAudio', format: 'mp3', output: 'buffer', wires: [['out']], ...props };
}

async function load(sandboxLike, props, cfgExtra = {}) {
  const flow = [
    configNode(sandboxLike, cfgExtra),
    recNode(props),
    { id: 'out', z: 'f1', type: 'helper' },
    { id: 'catcher', z: 'f1', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'f1', type: 'helper' },
  ];
  await helper.load([configModule, recordingModule, catchModule], flow, demoCredentials());
  return { rec: helper.getNode('rec'), out: helper.getNode('out'), caught: helper.getNode('caught') };
}

const audioRequests = (sb) => sb.requests.filter((r) => r.path.startsWith('/api/cdr/2.0/recordings/'));

describe('wellcloud-recording node', function () {
  const sandbox = useNodeSuite();
  after(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('list', function () {
    it('outputs the recording records of a call as an array', async () => {
      const { rec, out } = await load(sandbox(), { operation: 'list' });
      const got = nextMessage(out);
      rec.receive({ payload: { callId: SAMPLE_CALL_ID }, topic: 'k' });
      const msg = await got;
      assert.ok(Array.isArray(msg.payload));
      assert.deepStrictEqual(msg.payload.map((r) => r.id).sort(), sandbox().calls.get(SAMPLE_CALL_ID).recordings.map((r) => r.id).sort());
      assert.strictEqual(msg.topic, 'k');
    });

    for (const [callId, code] of [[UNKNOWN_CALL_ID, '14011'], [NO_RECORDING_CALL_ID, '14012']]) {
      it(`sends ${code} to the Catch node with msg.wellcloud`, async () => {
        const { rec, caught } = await load(sandbox(), { operation: 'list', callId, callIdType: 'str' });
        const got = nextMessage(caught);
        rec.receive({ payload: null });
        const msg = await got;
        assert.strictEqual(msg.error.code, code);
        assert.strictEqual(String(msg.wellcloud.errorCode), code);
      });
    }
  });

  describe('audio', function () {
    it('callAudio as a Buffer with msg.contentType', async () => {
      const added = sandbox().addRecording({ bytes: 144 * 500, format: 'mp3' });
      const { rec, out } = await load(sandbox(), { callId: added.callId, callIdType: 'str' });
      const got = nextMessage(out);
      rec.receive({ payload: '' });
      const msg = await got;
      assert.ok(Buffer.isBuffer(msg.payload));
      assert.strictEqual(msg.payload.length, 144 * 500);
      assert.strictEqual(msg.contentType, 'audio/mpeg');
      const q = audioRequests(sandbox())[0].query;
      assert.deepStrictEqual([q.isDownload, q.isWav], ['1', '0']);
    });

    it('audio of a record from the list, msg.payload.format overriding the dialog', async () => {
      const { rec, out } = await load(sandbox(), { operation: 'audio', format: 'mp3' });
      const record = sandbox().calls.get(SAMPLE_CALL_ID).recordings[1];
      const got = nextMessage(out);
      rec.receive({ payload: { ...record, format: 'wav' } });
      const msg = await got;
      assert.strictEqual(msg.payload.subarray(0, 4).toString('latin1'), 'RIFF');
      assert.strictEqual(msg.contentType, 'audio/wav');
      const req = audioRequests(sandbox())[0];
      assert.strictEqual(req.path, `/api/cdr/2.0/recordings/open/recording/${record.id}/stream`);
      assert.strictEqual(req.query.isWav, '1');
    });

    it('a record from the list beats the dialog\'s recordingId, which is then not read (a JSONata error there does not fail it)', async () => {
      const { rec, out, caught } = await load(sandbox(), { operation: 'audio', format: 'mp3', recordingId: '(', recordingIdType: 'jsonata' });
      const record = sandbox().calls.get(SAMPLE_CALL_ID).recordings[1];
      const got = nextMessage(out);
      rec.receive({ payload: { ...record } });
      const msg = await got;
      assert.ok(Buffer.isBuffer(msg.payload));
      assert.strictEqual(audioRequests(sandbox())[0].path, `/api/cdr/2.0/recordings/open/recording/${record.id}/stream`);
      // without the record the dialog's value is read, and its error is the message's
      const failed = nextMessage(caught);
      rec.receive({ payload: {} });
      const e = (await failed).error;
      assert.strictEqual(e.code, 'INVALID_INPUT');
      assert.match(e.message, /recordingId/);
    });

    it('msg.payload.id is read only when recordingId is not given, and a read of it that throws names msg.payload.id', async () => {
      const { rec, out, caught } = await load(sandbox(), { operation: 'audio', format: 'mp3' });
      const record = sandbox().calls.get(SAMPLE_CALL_ID).recordings[1];
      // recordingId given: id is not needed, so its getter is not read
      const got = nextMessage(out);
      rec.receive({ payload: throwingField({ recordingId: record.id }, 'id') });
      assert.ok(Buffer.isBuffer((await got).payload));
      assert.strictEqual(audioRequests(sandbox()).length, 1);
      // no recordingId: id is read, and its failure names it (not recordingId, which read fine)
      const failed = nextMessage(caught);
      rec.receive({ payload: throwingField({}, 'id') });
      const e = (await failed).error;
      assert.strictEqual(e.code, 'INVALID_INPUT');
      assert.match(e.message, /^msg\.payload\.id cannot be read/);
      assert.strictEqual(audioRequests(sandbox()).length, 1);
    });

    it('streams to a file in a directory it creates, with {path, bytes, contentType}', async () => {
      const dir = tmpDir();
      const added = sandbox().addRecording({ bytes: 144 * 2000, format: 'mp3' });
      const target = path.join(dir, 'a', 'b', 'call.mp3');
      const { rec, out } = await load(sandbox(), { operation: 'audio', output: 'file', filename: target, filenameType: 'str' });
      const got = nextMessage(out);
      rec.receive({ payload: { recordingId: added.id } });
      const msg = await got;
      assert.deepStrictEqual(msg.payload, { path: target, bytes: 144 * 2000, contentType: 'audio/mpeg' });
      assert.strictEqual(fs.statSync(target).size, 144 * 2000);
      assert.deepStrictEqual(listFiles(dir), [path.join('a', 'b', 'call.mp3')]);
    });

    it('saves under a long name whose temporary name would be too long (the temporary one is cut short)', async () => {
      // 244 bytes is a valid name; ".<name>.<random>.part" was 263 and failed with ENAMETOOLONG after the download
      const dir = tmpDir();
      const { rec, out, caught } = await load(sandbox(), { output: 'file' });
      for (const name of [`${'x'.repeat(240)}.mp3`, `${'文'.repeat(80)}.mp3`]) {
        const got = Promise.race([nextMessage(out), nextMessage(caught).then((m) => assert.fail(`${m.error.code}: ${m.error.message}`))]);
        rec.receive({ payload: { callId: SAMPLE_CALL_ID }, filename: path.join(dir, name) });
        const msg = await got;
        assert.strictEqual(msg.payload.path, path.join(dir, name));
      }
      assert.deepStrictEqual(listFiles(dir).sort(), [`${'x'.repeat(240)}.mp3`, `${'文'.repeat(80)}.mp3`].sort());
    });

    it('fails on a name too long for the file system before asking the platform', async () => {
      const dir = tmpDir();
      const { rec, caught } = await load(sandbox(), { output: 'file' });
      const got = nextMessage(caught);
      rec.receive({ payload: { callId: SAMPLE_CALL_ID }, filename: path.join(dir, `${'y'.repeat(300)}.mp3`) });
      const msg = await got;
      assert.strictEqual(msg.error.code, 'ENAMETOOLONG');
      // the audio was downloaded (and thrown away) before
      assert.strictEqual(audioRequests(sandbox()).length, 0);
      assert.deepStrictEqual(listFiles(dir), []);
    });

    it('msg.filename wins; a directory name gets <callId>.<format>', async () => {
      const dir = tmpDir();
      const { rec, out } = await load(sandbox(), { output: 'file', filename: path.join(dir, 'ignored.mp3'), filenameType: 'str' });
      const got = nextMessage(out);
      rec.receive({ payload: { callId: SAMPLE_CALL_ID }, filename: `${dir}${path.sep}calls${path.sep}` });
      const msg = await got;
      assert.strictEqual(msg.payload.path, path.join(dir, 'calls', `${SAMPLE_CALL_ID}.mp3`));
      assert.deepStrictEqual(listFiles(dir), [path.join('calls', `${SAMPLE_CALL_ID}.mp3`)]);
    });

    it('url: the redirect location of isDownload=2, nothing downloaded', async () => {
      const { rec, out } = await load(sandbox(), { output: 'url' });
      const got = nextMessage(out);
      rec.receive({ payload: { callId: SAMPLE_CALL_ID } });
      const msg = await got;
      assert.strictEqual(typeof msg.payload, 'string');
      assert.ok(msg.payload.startsWith(`${sandbox().url}/files/`), msg.payload);
      assert.strictEqual(audioRequests(sandbox())[0].query.isDownload, '2');
      assert.ok(sandbox().requests.every((r) => !r.path.startsWith('/files/')));
    });

    it('a 14013 answer (WAV of an old call) is an error, never a file', async () => {
      const dir = tmpDir();
      const old = sandbox().calls.range('2025-03-14 00:00:00', '2025-03-14 23:59:59').find((c) => c.recordings.length > 0);
      const { rec, caught } = await load(sandbox(), { output: 'file', format: 'wav', filename: `${dir}/`, filenameType: 'str' });
      const got = nextMessage(caught);
      rec.receive({ payload: { callId: old.callId } });
      const msg = await got;
      assert.strictEqual(msg.error.code, '14013');
      assert.strictEqual(String(msg.wellcloud.errorCode), '14013');
      assert.deepStrictEqual(listFiles(dir), []);
    });

    it('retries a download answered 503 before the body', async () => {
      const dir = tmpDir();
      const { rec, out } = await load(sandbox(), { output: 'file', filename: `${dir}/`, filenameType: 'str' });
      sandbox().failNext({ method: 'GET', path: /\/stream$/ }, { status: 503 });
      const got = nextMessage(out);
      rec.receive({ payload: { callId: SAMPLE_CALL_ID } });
      const msg = await got;
      assert.ok(msg.payload.bytes > 0);
      assert.strictEqual(audioRequests(sandbox()).filter((r) => r.status === 503).length, 1);
    });

    it('a connection cut in the middle of the audio leaves no file', async () => {
      const dir = tmpDir();
      const added = sandbox().addRecording({ bytes: 144 * 20000, format: 'mp3' });
      const cut = await relay(sandbox(), 256 * 1024, 'cut');
      try {
        const { rec, out, caught } = await load({ url: cut.url }, { operation: 'audio', output: 'file', filename: `${dir}/`, filenameType: 'str' });
        let sent = 0;
        out.on('input', () => sent++);
        const got = nextMessage(caught);
        rec.receive({ payload: { recordingId: added.id } });
        const msg = await got;
        assert.strictEqual(msg.error.code, 'ECONNRESET');
        assert.strictEqual(msg.wellcloud, undefined);
        await sleep(20);
        assert.strictEqual(sent, 0);
        assert.deepStrictEqual(listFiles(dir), []);
      } finally {
        await cut.close();
      }
    });

    it('a connection cut in the middle of audio read into a Buffer: ECONNRESET at the Catch node, nothing sent on', async () => {
      const added = sandbox().addRecording({ bytes: 144 * 20000, format: 'mp3' });
      const cut = await relay(sandbox(), 256 * 1024, 'cut');
      try {
        const { rec, out, caught } = await load({ url: cut.url }, { operation: 'audio', output: 'buffer' });
        let sent = 0;
        out.on('input', () => sent++);
        const statuses = [];
        rec.on('call:status', (c) => statuses.push(c.args[0]));
        const got = nextMessage(caught);
        rec.receive({ payload: { recordingId: added.id } });
        const msg = await got;
        assert.strictEqual(msg.error.code, 'ECONNRESET');
        assert.strictEqual(msg.wellcloud, undefined);
        await sleep(20);
        assert.strictEqual(sent, 0);
        assert.deepStrictEqual(statuses.at(-1), { fill: 'red', shape: 'ring', text: 'ECONNRESET' });
      } finally {
        await cut.close();
      }
    });

    it('a file target below a regular file fails naming the path (zh-CN too), before anything is asked of the platform', async () => {
      const dir = tmpDir();
      const file = path.join(dir, 'taken');
      fs.writeFileSync(file, 'x');
      const { rec, caught } = await load(sandbox(), { operation: 'audio', output: 'file', filename: path.join(file, 'r.mp3'), filenameType: 'str' });
      for (const lang of ['en-US', 'zh-CN']) {
        helper.getNode('cfg').lang = lang;
        const got = nextMessage(caught);
        rec.receive({ payload: { recordingId: 'any-recording' } });
        const msg = await got;
        assert.ok(['ENOTDIR', 'EEXIST'].includes(msg.error.code), msg.error.code);
        assert.ok(msg.error.message.startsWith(lang === 'en-US' ? `Cannot write the recording to ${file}:` : `无法将录音写入 ${file}：`), msg.error.message);
      }
      assert.deepStrictEqual(audioRequests(sandbox()), []);
      assert.strictEqual(fs.readFileSync(file, 'utf8'), 'x');
    });

    it('shows the size of what it saved in the status, in B, KB or MB', async () => {
      const flow = [configNode(sandbox()), recNode({ operation: 'audio', output: 'buffer' }), { id: 'out', z: 'f1', type: 'helper' }];
      await helper.load([configModule, showingValues(recordingModule)], flow, demoCredentials());
      const rec = helper.getNode('rec');
      const out = helper.getNode('out');
      const statuses = [];
      rec.on('call:status', (c) => statuses.push(c.args[0]));
      for (const [bytes, size] of [[144 * 5, '720 B'], [144 * 100, '14.1 KB'], [144 * 10000, '1.4 MB']]) {
        const added = sandbox().addRecording({ bytes, format: 'mp3' });
        const got = nextMessage(out);
        rec.receive({ payload: { recordingId: added.id } });
        assert.strictEqual((await got).payload.length, bytes);
        await sleep(5);
        assert.deepStrictEqual(statuses.at(-1), { fill: 'green', shape: 'dot', text: `wellcloud-recording.status.saved ${JSON.stringify({ size })}` });
      }
    });

    it('closing the node during a download stops it and leaves no file', async () => {
      const dir = tmpDir();
      const added = sandbox().addRecording({ bytes: 144 * 20000, format: 'mp3' });
      const stall = await relay(sandbox(), 256 * 1024, 'stall');
      try {
        const { rec, caught } = await load({ url: stall.url }, { operation: 'audio', output: 'file', filename: `${dir}/`, filenameType: 'str' });
        let errors = 0;
        caught.on('input', () => errors++);
        rec.receive({ payload: { recordingId: added.id } });
        await downloadStarted(dir);
        await helper.unload();
        for (let i = 0; i < 100 && listFiles(dir).length > 0; i++) await sleep(10);
        assert.deepStrictEqual(listFiles(dir), []);
        assert.strictEqual(errors, 0);
      } finally {
        await stall.close();
      }
    });

    it('a stop completes only once the partial file is removed (a process ending right after keeps none)', async () => {
      const dir = tmpDir();
      const added = sandbox().addRecording({ bytes: 144 * 20000, format: 'mp3' });
      const stall = await relay(sandbox(), 256 * 1024, 'stall');
      try {
        const { rec, out, caught } = await load({ url: stall.url }, { operation: 'audio', output: 'file', filename: `${dir}/`, filenameType: 'str' });
        let messages = 0;
        out.on('input', () => messages++);
        caught.on('input', () => messages++);
        rec.receive({ payload: { recordingId: added.id } });
        await downloadStarted(dir);
        await helper.unload();
        // no waiting here: Node-RED exits the process as soon as the stop is complete
        assert.deepStrictEqual(listFiles(dir), []);
        assert.strictEqual(messages, 0);
      } finally {
        await stall.close();
      }
    });

    it('a message delivered while the stop waits for a clean-up is dropped, not run', async () => {
      const dir = tmpDir();
      const added = sandbox().addRecording({ bytes: 144 * 20000, format: 'mp3' });
      const stall = await relay(sandbox(), 256 * 1024, 'stall');
      try {
        await helper.load([configModule, recordingModule], [
          configNode({ url: stall.url }),
          { id: 'src', z: 'f1', type: 'helper', wires: [['rec']] },
          recNode({ operation: 'audio', output: 'file', filename: `${dir}/`, filenameType: 'str' }),
          { id: 'out', z: 'f1', type: 'helper' },
        ], demoCredentials());
        let sent = 0;
        helper.getNode('out').on('input', () => sent++);
        const src = helper.getNode('src');
        src.send({ payload: { recordingId: added.id } });
        await downloadStarted(dir);
        const before = sandbox().requests.length;
        // Node-RED delivers this one on its next turn, when the stop below has begun
        src.send({ payload: { recordingId: added.id } });
        await helper.unload();
        await sleep(100);
        assert.deepStrictEqual(sandbox().requests.slice(before).map((r) => r.path), [], 'no request after the stop began');
        assert.deepStrictEqual(listFiles(dir), []);
        assert.strictEqual(sent, 0);
      } finally {
        await stall.close();
      }
    });

    it('checks the input before any request', async () => {
      const { rec, caught } = await load(sandbox(), { output: 'file' });
      for (const [payload, field, filename] of [
        [{}, 'callId'],
        [{ callId: SAMPLE_CALL_ID, format: 'ogg' }, 'format'],
        [{ callId: SAMPLE_CALL_ID }, 'filename'],
        // a getter that throws was "Unexpected error in the node" with code ERROR
        [throwingField({}, 'callId'), 'msg.payload.callId cannot be read'],
        [throwingField({ callId: SAMPLE_CALL_ID }, 'format'), 'msg.payload.format cannot be read'],
        // half of a surrogate pair: the file was written under a name with U+FFFD, another than msg.payload.path said
        [{ callId: SAMPLE_CALL_ID }, 'filename holds a broken character', path.join(tmpDir(), `call-${'😀'.slice(0, 1)}.mp3`)],
        // a Promise as msg.filename was waited for, and the audio written where it pointed
        [{ callId: SAMPLE_CALL_ID }, 'filename', Promise.resolve(path.join(tmpDir(), 'from-a-promise.mp3'))],
      ]) {
        const got = nextMessage(caught);
        rec.receive({ payload, filename });
        const msg = await got;
        assert.strictEqual(msg.error.code, 'INVALID_INPUT');
        assert.ok(msg.error.message.includes(field), `${msg.error.message} names ${field}`);
        if (field === 'filename') assert.match(msg.error.message, /filename is required\. Set the node's File or give msg\.filename\.$/);
        const text = JSON.stringify(msg);
        assert.ok(!text.includes(DEMO_CREDENTIALS.appSecret) && !text.includes(DEMO_CREDENTIALS.apiKey));
      }
      assert.strictEqual(audioRequests(sandbox()).length, 0);
    });

    it('names the File field when its msg property expression cannot be read (en-US and zh-CN), before any request', async () => {
      const { rec, caught } = await load(sandbox(), { output: 'file', filename: 'target[', filenameType: 'msg' });
      for (const [lang, start] of [['en-US', "filename in the node's dialog cannot be read: "], ['zh-CN', '无法读取节点对话框中的 filename：']]) {
        helper.getNode('cfg').lang = lang;
        const got = nextMessage(caught);
        rec.receive({ payload: { callId: SAMPLE_CALL_ID } });
        const msg = await got;
        assert.strictEqual(msg.error.code, 'INVALID_INPUT');
        assert.ok(msg.error.message.startsWith(start), msg.error.message);
      }
      assert.strictEqual(audioRequests(sandbox()).length, 0);
    });

    it('refuses a callId or recordingId of "." or ".." (a URL would read it as a directory step to another path)', async () => {
      for (const [operation, payload, field] of [
        ['list', { callId: '..' }, 'callId'],
        ['callAudio', { callId: '.' }, 'callId'],
        ['audio', { recordingId: ' .. ' }, 'recordingId'],
      ]) {
        const { rec, caught } = await load(sandbox(), { operation });
        const got = nextMessage(caught);
        rec.receive({ payload });
        const msg = await got;
        assert.strictEqual(msg.error.code, 'INVALID_INPUT', msg.error.message);
        assert.ok(msg.error.message.includes(field), `${msg.error.message} names ${field}`);
        await helper.unload();
      }
      assert.deepStrictEqual(sandbox().requests.filter((r) => !r.path.startsWith('/accesstoken')), [], 'nothing was asked');
    });
  });
});

describe('example flow: Save a call\'s recording to disk', function () {
  const sandbox = useNodeSuite();
  const core = (p) => require(`@node-red/nodes/core/${p}`);
  const modules = [configModule, recordingModule, catchModule, core('common/20-inject.js'), core('common/21-debug.js'), core('common/90-comment.js'), core('sequence/17-split.js')];

  after(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('saves the whole call, each recording, and gives the URL', async () => {
    const dir = tmpDir();
    const flowNodes = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', "Save a call's recording to disk.json"), 'utf8'));
    const cfg = flowNodes.find((n) => n.type === 'wellcloud-config');
    const credentials = { [cfg.id]: cfg.credentials };
    cfg.baseUrl = sandbox().url;
    delete cfg.credentials;
    // the example saves below Node-RED's working directory; the test below a temporary one
    for (const n of flowNodes) if (n.type === 'wellcloud-recording' && n.filename) n.filename = path.join(dir, n.filename);
    await helper.load(modules, flowNodes, credentials);
    const byName = (type, name) => helper.getNode(flowNodes.find((n) => n.type === type && n.name === name).id);

    const statuses = [];
    byName('debug', 'saved').on('call:status', (c) => statuses.push(c.args[0]));
    const whole = nextMessage(byName('debug', 'saved'));
    byName('inject', 'whole call (MP3)').receive({ payload: { callId: SAMPLE_CALL_ID } });
    const saved = path.join(dir, 'recordings', `${SAMPLE_CALL_ID}.mp3`);
    assert.strictEqual((await whole).payload.path, saved);
    // the debug node's status shows where the file is (cut by the debug node), not an object
    await sleep(20);
    const shown = String(statuses[statuses.length - 1]?.text);
    assert.ok(shown.length > 3 && saved.startsWith(shown.replace(/\.\.\.$/, '')), shown);

    const recordings = sandbox().calls.get(SAMPLE_CALL_ID).recordings;
    const segments = [];
    const allSaved = new Promise((resolve) => {
      byName('debug', 'segment saved').on('input', (msg) => {
        segments.push(msg.payload);
        if (segments.length === recordings.length) resolve();
      });
    });
    byName('inject', 'each recording').receive({ payload: { callId: SAMPLE_CALL_ID } });
    await allSaved;
    assert.deepStrictEqual(segments.map((s) => path.basename(s.path)).sort(), recordings.map((r) => `${r.id}.mp3`).sort());

    const url = nextMessage(byName('debug', 'URL'));
    byName('inject', 'download URL only').receive({ payload: { callId: SAMPLE_CALL_ID } });
    assert.ok((await url).payload.startsWith(`${sandbox().url}/files/`));
    assert.ok(listFiles(dir).every((f) => !f.endsWith('.part')));
  });
});
