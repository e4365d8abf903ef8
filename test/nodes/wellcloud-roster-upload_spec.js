'use strict';
// wellcloud-roster-upload against the sandbox: every input form, overrides and typedInputs,
// validation before anything is sent, the 10 MB split with msg.parts, partial failure, close.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { helper, dist, useSandbox, configNode, demoCredentials, nextMessage, messages, sleep, openFds } = require('../helpers');

const configModule = dist('nodes/wellcloud-config/wellcloud-config.js');
const rosterModule = dist('nodes/wellcloud-roster-upload/wellcloud-roster-upload.js');
const catchModule = require('@node-red/nodes/core/common/25-catch.js');
const joinModule = require('@node-red/nodes/core/sequence/17-split.js');
const { DEMO_CAMPAIGN_ID, DEMO_TEMPLATE_IDS } = dist('lib/sandbox');
const { ROSTER_MAX_BYTES } = dist('lib/roster');

const PATH = '/api/ros/2.0/batches';
const coreModules = ['common/20-inject.js', 'common/21-debug.js', 'common/90-comment.js', 'function/15-change.js', 'storage/10-file.js'].map((m) => require(`@node-red/nodes/core/${m}`));

/** Loads an example flow as shipped, its config node pointed at the test sandbox. */
async function loadExample(file, modules, sandboxUrl) {
  const nodes = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', file), 'utf8'));
  const credentials = {};
  for (const n of nodes) {
    if (n.type === 'wellcloud-config') {
      credentials[n.id] = n.credentials;
      delete n.credentials;
      n.baseUrl = sandboxUrl;
    }
  }
  await helper.load(modules, nodes, credentials);
}
const OTHER_TEMPLATE = DEMO_TEMPLATE_IDS.find((id) => id !== DEMO_CAMPAIGN_ID);

function flow(sandbox, props = {}) {
  return [
    { id: 'f1', type: 'tab', label: 'roster' },
    configNode(sandbox),
    {
      id: 'up',
      z: 'f1',
      type: 'wellcloud-roster-upload',
      server: 'cfg',
      templateId: DEMO_CAMPAIGN_ID,
      templateIdType: 'str',
      alias: 'dialog-alias',
      aliasType: 'str',
      filename: '',
      filenameType: 'str',
      wires: [['out', 'joiner']],
      ...props,
    },
    { id: 'out', z: 'f1', type: 'helper' },
    { id: 'joiner', z: 'f1', type: 'join', mode: 'auto', wires: [['joined']] },
    { id: 'joined', z: 'f1', type: 'helper' },
    { id: 'catcher', z: 'f1', type: 'catch', scope: ['up'], uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'f1', type: 'helper' },
  ];
}

/** `n` distinct valid rows, ~40 bytes each. */
function rows(n, prefix = 'r') {
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = { rosterId: `${prefix}${i}`, prdType: 'S', number: `139${String(i % 1e8).padStart(8, '0')}`, customerId: `c${i}` };
  return out;
}

describe('wellcloud-roster-upload', function () {
  this.timeout(30000);
  const sandbox = useSandbox();
  const posts = () => sandbox().requests.filter((r) => r.path === PATH);
  let tmpDir;
  let big; // a roster of about 12 MB as rows, and the same as a file

  before(function (done) {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wellcloud-roster-node-'));
    big = { rows: rows(400000, 'big') };
    big.file = path.join(tmpDir, 'big.csv');
    fs.writeFileSync(big.file, big.rows.map((r) => `${r.rosterId},${r.prdType},${r.number},${r.customerId}`).join('\r\n') + '\r\n');
    assert.ok(fs.statSync(big.file).size > 12 * 1024 * 1024);
    helper.startServer(done);
  });
  after(function (done) {
    fs.rmSync(tmpDir, { recursive: true, force: true });
    helper.stopServer(done);
  });
  beforeEach(() => {
    sandbox().clearRequests();
    sandbox().clearFaults();
  });
  afterEach(async () => {
    await helper.unload();
    sandbox().setLatency(0);
    delete process.env.WELLCLOUD_TEST_TEMPLATE;
  });

  async function load(props) {
    await helper.load([configModule, rosterModule, catchModule, joinModule], flow(sandbox(), props), demoCredentials());
    return { node: helper.getNode('up'), out: helper.getNode('out'), joined: helper.getNode('joined'), caught: helper.getNode('caught') };
  }

  function newUploads(before) {
    return sandbox().uploads.slice(before);
  }

  it('uploads an array of rows as one batch: payload {alias, batchId, batchName, rows} and msg.parts', async function () {
    const { node, out, joined } = await load();
    const before = sandbox().uploads.length;
    const got = nextMessage(out);
    const all = nextMessage(joined);
    node.receive({ payload: [{ rosterId: '1', prdType: 'S', number: '13900000001', data: { name: '张三' } }, { rosterId: '2', prdType: 'S', number: 13900000002 }], topic: 'keep' });
    const msg = await got;
    const [upload] = newUploads(before);
    assert.deepStrictEqual(msg.payload, { alias: 'dialog-alias', batchId: upload.batchId, batchName: upload.batchName, rows: 2 });
    assert.strictEqual(msg.topic, 'keep');
    assert.deepStrictEqual({ ...msg.parts, id: undefined }, { id: undefined, index: 0, count: 1, type: 'array', len: 1 });
    assert.strictEqual(upload.templateId, DEMO_CAMPAIGN_ID);
    assert.deepStrictEqual(upload.rows.map((r) => [r.rosterId, r.number, r.data]), [['1', '13900000001', { name: '张三' }], ['2', '13900000002', null]]);
    const joinedMsg = await all;
    assert.deepStrictEqual(joinedMsg.payload, [msg.payload]);
  });

  it('lets msg.alias and msg.templateId beat the dialog', async function () {
    const { node, out } = await load();
    const before = sandbox().uploads.length;
    const got = nextMessage(out);
    node.receive({ payload: '1,S,13900000001\n', alias: 'msg-alias', templateId: OTHER_TEMPLATE });
    const msg = await got;
    const [upload] = newUploads(before);
    assert.strictEqual(msg.payload.alias, 'msg-alias');
    assert.deepStrictEqual([upload.alias, upload.templateId], ['msg-alias', OTHER_TEMPLATE]);
  });

  it('reads alias, templateId and filename typedInputs from flow, env and global', async function () {
    process.env.WELLCLOUD_TEST_TEMPLATE = OTHER_TEMPLATE;
    const file = path.join(tmpDir, 'typed.txt');
    fs.writeFileSync(file, '7,S,13900000007\n');
    const { node, out } = await load({ alias: 'campaign', aliasType: 'flow', templateId: 'WELLCLOUD_TEST_TEMPLATE', templateIdType: 'env', filename: 'rosterFile', filenameType: 'global' });
    node.context().flow.set('campaign', 'flow-alias');
    node.context().global.set('rosterFile', file);
    const before = sandbox().uploads.length;
    const got = nextMessage(out);
    node.receive({ payload: Date.now() });
    await got;
    const [upload] = newUploads(before);
    assert.deepStrictEqual([upload.alias, upload.templateId, upload.rows[0].rosterId], ['flow-alias', OTHER_TEMPLATE, '7']);
  });

  it('uploads text and Buffers as given (CRLF kept, BOM and blank lines left out)', async function () {
    const { node, out } = await load();
    const before = sandbox().uploads.length;
    const first = nextMessage(out);
    node.receive({ payload: '\ufeff1,S,13900000001,c1,a:1|b:2\r\n\r\n2,S,13900000002\r\n' });
    assert.strictEqual((await first).payload.rows, 2);
    const second = nextMessage(out);
    node.receive({ payload: Buffer.from('3,S,13900000003\n') });
    assert.strictEqual((await second).payload.rows, 1);
    const [a, b] = newUploads(before);
    assert.deepStrictEqual(a.rows.map((r) => r.rosterId), ['1', '2']);
    assert.deepStrictEqual(a.rows[0].data, { a: '1', b: '2' });
    assert.strictEqual(a.bytes, Buffer.byteLength('1,S,13900000001,c1,a:1|b:2\r\n2,S,13900000002\r\n'));
    assert.deepStrictEqual(b.rows.map((r) => r.rosterId), ['3']);
  });

  it('streams a file named by msg.filename (with its known length) and keeps no file open', async function () {
    const file = path.join(tmpDir, 'roster-small.csv');
    fs.writeFileSync(file, rows(1000).map((r) => `${r.rosterId},S,${r.number}`).join('\n'));
    const { node, out } = await load();
    const before = sandbox().uploads.length;
    const got = nextMessage(out);
    node.receive({ payload: 'ignored when a file is named', filename: file });
    const msg = await got;
    assert.strictEqual(msg.payload.rows, 1000);
    const [upload] = newUploads(before);
    assert.strictEqual(upload.filename, 'roster-small.csv');
    assert.strictEqual(upload.bytes, fs.statSync(file).size);
    assert.deepStrictEqual(upload.rows.map((r) => r.rosterId), rows(1000).map((r) => r.rosterId));
    assert.ok(Number(posts()[0].headers['content-length']) > upload.bytes, 'sent with a Content-Length (known length)');
    await sleep(50);
    assert.strictEqual(openFds(file), 0, 'the file was left open');
  });

  it('splits a 12 MB roster given as rows into uploads of at most 10 MB, every row once and in order', async function () {
    const { node, out, joined } = await load();
    const before = sandbox().uploads.length;
    const count = 2;
    const got = messages(out, count, 20000);
    const all = nextMessage(joined, 20000);
    node.receive({ payload: big.rows });
    const msgs = await got;
    const uploads = newUploads(before);
    assert.strictEqual(uploads.length, count);
    for (const u of uploads) assert.ok(u.bytes <= ROSTER_MAX_BYTES, `an upload of ${u.bytes} bytes`);
    assert.ok(uploads.every((u) => u.alias === 'dialog-alias'));
    const uploaded = uploads.flatMap((u) => u.rows.map((r) => r.rosterId));
    assert.strictEqual(uploaded.length, big.rows.length);
    assert.ok(uploaded.every((id, i) => id === big.rows[i].rosterId), 'rows out of order, missing or repeated');
    // one message per batch, in order, with msg.parts for a Join node
    assert.deepStrictEqual(msgs.map((m) => m.payload.batchId), uploads.map((u) => u.batchId));
    assert.deepStrictEqual(msgs.map((m) => m.payload.rows), uploads.map((u) => u.rows.length));
    assert.deepStrictEqual(msgs.map((m) => [m.parts.index, m.parts.count, m.parts.type]), [[0, 2, 'array'], [1, 2, 'array']]);
    assert.strictEqual(msgs[0].parts.id, msgs[1].parts.id);
    const joinedMsg = await all;
    assert.deepStrictEqual(joinedMsg.payload.map((p) => p.batchId), uploads.map((u) => u.batchId));
  });

  it('splits a 12 MB file the same way, streaming it', async function () {
    const { node, out } = await load({ filename: big.file });
    const before = sandbox().uploads.length;
    const got = messages(out, 2, 20000);
    node.receive({ payload: null });
    const msgs = await got;
    const uploads = newUploads(before);
    assert.strictEqual(uploads.length, 2);
    assert.ok(uploads.every((u) => u.bytes <= ROSTER_MAX_BYTES));
    assert.strictEqual(uploads[0].bytes + uploads[1].bytes, fs.statSync(big.file).size);
    const uploaded = uploads.flatMap((u) => u.rows.map((r) => r.rosterId));
    assert.ok(uploaded.length === big.rows.length && uploaded.every((id, i) => id === big.rows[i].rosterId));
    assert.deepStrictEqual(msgs.map((m) => m.parts.index), [0, 1]);
  });

  it('nests an incoming msg.parts so that the outer sequence survives', async function () {
    const { node, out } = await load();
    const got = nextMessage(out);
    const outer = { id: 'outer', index: 3, count: 5, type: 'array' };
    node.receive({ payload: '1,S,13900000001\n', parts: outer });
    const msg = await got;
    assert.deepStrictEqual(msg.parts.parts, outer);
    assert.notStrictEqual(msg.parts.id, 'outer');
  });

  it('fails on a bad row naming row and field, and uploads nothing', async function () {
    const { node, out, caught } = await load();
    let sent = 0;
    out.on('input', () => sent++);
    const got = nextMessage(caught);
    const list = rows(50000);
    list[49999] = { ...list[49999], number: '' };
    node.receive({ payload: list });
    const msg = await got;
    assert.strictEqual(msg.error.code, 'INVALID_INPUT');
    assert.strictEqual(msg.error.message, 'row 50000: number is required.');
    await sleep(20);
    assert.strictEqual(posts().length, 0);
    assert.strictEqual(sent, 0);
  });

  it('fails on a bad line of a 12 MB file before anything is uploaded', async function () {
    const file = path.join(tmpDir, 'bad-at-end.csv');
    fs.copyFileSync(big.file, file);
    fs.appendFileSync(file, '1,S,13900000000,c,name\r\n');
    const { node, caught } = await load();
    const got = nextMessage(caught);
    node.receive({ filename: file });
    const msg = await got;
    assert.strictEqual(msg.error.code, 'INVALID_INPUT');
    assert.ok(msg.error.message.includes(`row ${big.rows.length + 1}: data must be key:value pairs`), msg.error.message);
    assert.strictEqual(posts().length, 0);
  });

  it("reads a relative file name from Node-RED's working directory (fileWorkingDirectory), as the file nodes do", async function () {
    // it was read from the directory the process was started in, whatever the setting said
    fs.writeFileSync(path.join(tmpDir, 'relative.csv'), '1,S,13900000001\n');
    const withWorkDir = (RED) => rosterModule(Object.assign(Object.create(RED), { settings: Object.assign(Object.create(RED.settings), { fileWorkingDirectory: tmpDir }) }));
    await helper.load([configModule, withWorkDir, catchModule, joinModule], flow(sandbox(), { filename: 'relative.csv', filenameType: 'str' }), demoCredentials());
    const before = sandbox().uploads.length;
    // msg.filename, then the dialog's File (42 is no roster)
    for (const input of [{ filename: 'relative.csv' }, { payload: 42 }]) {
      const got = Promise.race([nextMessage(helper.getNode('out')), nextMessage(helper.getNode('caught')).then((m) => assert.fail(m.error.message))]);
      helper.getNode('up').receive(input);
      assert.strictEqual((await got).payload.rows, 1);
    }
    assert.deepStrictEqual(newUploads(before).map((u) => u.filename), ['relative.csv', 'relative.csv']);
  });

  const invalid = [
    ['no roster anywhere', { payload: 42 }, 'payload must be roster text'],
    ['a missing file', { filename: '/nonexistent/roster.csv' }, 'Cannot read the roster file /nonexistent/roster.csv: ENOENT'],
    ['an empty roster', { payload: [] }, 'The roster has no rows.'],
    ['an alias that is an object', { payload: '1,S,13900000001', alias: { a: 1 } }, 'alias must be a non-empty string'],
    // numbers whose digits are lost: uploaded as 13912345678901234000 (someone else) and "1e+21" before
    ['a row number too large to be exact', { payload: [{ rosterId: '1', prdType: 'S', number: 13912345678901234567 }] }, 'row 1: number is a number too large to be exact (13912345678901234000'],
    ['a rosterId too large to be exact', { payload: [{ rosterId: 2 ** 53 + 2, prdType: 'S', number: '13900000001' }] }, 'row 1: rosterId is a number too large to be exact'],
    ['an alias too large to be exact', { payload: '1,S,13900000001', alias: 1e21 }, 'alias is a number too large to be exact (1e+21'],
    // half of a surrogate pair: "Network error ... URI malformed" (ENETWORK) for the alias, U+FFFD uploaded for the text
    ['an alias cut in the middle of an emoji', { payload: '1,S,13900000001', alias: `batch-${'😀'.slice(0, 1)}` }, 'alias holds a broken character'],
    ['text cut in the middle of an emoji', { payload: `1,S,13900000001\n2,S,13900000002,${'😀'.slice(0, 1)}` }, 'row 2: the text holds a broken character'],
    // a getter or proxy that throws was "Unexpected error in the node" with code ERROR
    [
      'a row whose number getter throws',
      { payload: [{ rosterId: '1', prdType: 'S', number: '13900000001' }, Object.defineProperty({ rosterId: '2', prdType: 'S' }, 'number', { get: () => assert.fail('no access') })] },
      'row 2: number cannot be read (reading it threw: no access)',
    ],
  ];
  for (const [name, input, text] of invalid) {
    it(`fails on ${name} with INVALID_INPUT, sending nothing`, async function () {
      const { node, caught } = await load();
      const got = nextMessage(caught);
      node.receive(input);
      const msg = await got;
      assert.strictEqual(msg.error.code, 'INVALID_INPUT');
      assert.ok(msg.error.message.includes(text), msg.error.message);
      assert.strictEqual(posts().length, 0);
    });
  }

  it('warns about duplicate rows and still uploads them', async function () {
    const { node, out } = await load();
    const warnings = [];
    node.on('call:warn', (call) => warnings.push(call.args[0]));
    const before = sandbox().uploads.length;
    const got = nextMessage(out);
    node.receive({ payload: '1,S,13900000001\n2,S,13900000002\n1,S,13900000001\n' });
    assert.strictEqual((await got).payload.rows, 3);
    assert.strictEqual(warnings.length, 1);
    assert.match(String(warnings[0]), /^Rows that repeat an earlier row: 1 \(rows 3\)/);
    assert.strictEqual(newUploads(before)[0].rows.length, 3);
  });

  it('reports a platform error (unknown activity) at a Catch node with msg.wellcloud', async function () {
    const { node, caught } = await load({ templateId: 'no-such-activity' });
    const got = nextMessage(caught);
    node.receive({ payload: '1,S,13900000001\n' });
    const msg = await got;
    assert.strictEqual(msg.error.code, '404');
    assert.strictEqual(msg.wellcloud.status, 404);
    assert.ok(msg.error.message.includes('templateId'), msg.error.message);
  });

  it('when a later batch fails, says which batches were created (message and msg.uploadedBatches); no retry', async function () {
    const { node, out, caught } = await load();
    node.on('call:status', (call) => {
      const s = call.args[0];
      if (s && /status\.uploading/.test(String(s.text)) && posts().length === 1) {
        sandbox().failNext({ method: 'POST', path: PATH }, { status: 503, body: 'busy' });
      }
    });
    const sent = [];
    out.on('input', (m) => sent.push(m));
    const before = sandbox().uploads.length;
    const got = nextMessage(caught, 20000);
    node.receive({ payload: big.rows });
    const msg = await got;
    const uploads = newUploads(before);
    assert.strictEqual(uploads.length, 1);
    assert.strictEqual(msg.error.code, 'HTTP_503');
    assert.strictEqual(msg.wellcloud.status, 503);
    assert.ok(msg.error.message.includes('batch 2 of 2') && msg.error.message.includes(uploads[0].batchId), msg.error.message);
    assert.deepStrictEqual(msg.uploadedBatches.map((b) => b.batchId), [uploads[0].batchId]);
    assert.strictEqual(msg.uploadedBatches[0].rows, uploads[0].rows.length);
    assert.strictEqual(posts().length, 2);
    await sleep(20);
    assert.deepStrictEqual(sent.map((m) => m.payload.batchId), [uploads[0].batchId]);
  });

  it('aborts the upload when the flow is stopped, leaving no file open and uploading no further part', async function () {
    const { node, out, caught } = await load();
    sandbox().setLatency(1000);
    let got = 0;
    out.on('input', () => got++);
    caught.on('input', () => got++);
    const before = sandbox().uploads.length;
    node.receive({ filename: big.file });
    const deadline = Date.now() + 10000;
    while (posts().length === 0 && Date.now() < deadline) await sleep(20);
    assert.strictEqual(posts().length, 1, 'the first part never started');
    await helper.unload();
    // the stop is complete only once the file is closed
    assert.strictEqual(openFds(big.file), 0, 'the file was left open after the stop');
    sandbox().setLatency(0);
    await sleep(1500);
    assert.strictEqual(got, 0);
    assert.strictEqual(posts().length, 1, 'a further part was uploaded after close');
    assert.ok(sandbox().uploads.length - before <= 1);
    assert.strictEqual(openFds(big.file), 0, 'the file was left open');
  });

  describe('example flow "Upload a roster"', function () {
    it('uploads rows, text and a file, and reports a bad row', async function () {
      await loadExample('Upload a roster.json', [configModule, rosterModule, catchModule, joinModule, ...coreModules], sandbox().url);
      const before = sandbox().uploads.length;
      const all = helper.getNode('wcRosAll');
      for (const [inject, expected] of [
        ['wcRosRows', ['10001', '10002', '10003']],
        ['wcRosText', ['20001', '20002', '20003']],
        ['wcRosFileGo', ['20001', '20002', '20003']],
      ]) {
        const got = nextMessage(all);
        helper.getNode(inject).receive({});
        const msg = await got;
        assert.strictEqual(msg.payload.length, 1);
        const upload = sandbox().uploads[sandbox().uploads.length - 1];
        assert.deepStrictEqual([msg.payload[0].batchId, msg.payload[0].alias, msg.payload[0].rows], [upload.batchId, '2021-11-名单', 3]);
        assert.deepStrictEqual(upload.rows.map((r) => r.rosterId), expected);
      }
      assert.strictEqual(sandbox().uploads[sandbox().uploads.length - 1].filename, 'wellcloud-roster-demo.csv');
      const bad = nextMessage(helper.getNode('wcRosErr'));
      helper.getNode('wcRosBad').receive({});
      const err = await bad;
      assert.strictEqual(err.error.message, 'row 2: number is required.');
      assert.strictEqual(sandbox().uploads.length - before, 3);
    });
    after(() => fs.rmSync('/tmp/wellcloud-roster-demo.csv', { force: true }));
  });
});
