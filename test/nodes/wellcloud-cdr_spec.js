'use strict';
/*
 * wellcloud-cdr in a running flow against the sandbox: the three operations, the three output
 * modes (a Join node in automatic mode rebuilds the sequences), the accepted time forms, input
 * errors before any request, the Catch node view of failures, retries, and close.
 */
const assert = require('assert');
const { helper, dist, useNodeSuite, configNode, demoCredentials, nextMessage, sleep } = require('../helpers');

const configModule = dist('nodes/wellcloud-config/wellcloud-config.js');
const cdrModule = dist('nodes/wellcloud-cdr/wellcloud-cdr.js');
const sequenceModule = require('@node-red/nodes/core/sequence/17-split.js');
const catchModule = require('@node-red/nodes/core/common/25-catch.js');
const { SAMPLE_CALL_ID, SAMPLE_ROBOT_CALL_ID, NO_RECORDING_CALL_ID, UNKNOWN_CALL_ID, DEMO_CAMPAIGN_ID } = dist('lib/sandbox');

const CALLS_PATH = '/api/cdr/2.0/calls/open';
const ROBOT_PATH = '/api/cdr/2.0/open/calls/robot';

function cdrNode(props = {}) {
  return { id: 'cdr', type: 'wellcloud-cdr', server: 'cfg', operation: 'range', outputMode: 'all', isOrder: '1', pageSize: 100, concurrency: 2, maxRecords: 100000, wires: [['out']], ...props };
}

/** cfg + cdr -> out, plus a catch node -> caught, plus optional extra nodes. */
function flow(sandbox, props, extra = []) {
  const nodes = [
    cdrNode(props),
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
    ...extra,
  ];
  return [configNode(sandbox), ...nodes.map((n) => ({ z: 'f1', ...n }))];
}

async function load(sandbox, props, extra) {
  await helper.load([configModule, cdrModule, sequenceModule, catchModule], flow(sandbox, props, extra), demoCredentials());
  return { cdr: helper.getNode('cdr'), out: helper.getNode('out'), caught: helper.getNode('caught') };
}

/** Collects messages until one with parts.count arrives and all `count` are there. */
function sequence(node, timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    const got = [];
    let count;
    const t = setTimeout(() => reject(new Error(`sequence incomplete: ${got.length}/${count}`)), timeoutMs);
    node.on('input', (msg) => {
      got.push(msg);
      if (msg.parts && msg.parts.count !== undefined) count = msg.parts.count;
      if (count !== undefined && got.length === count) {
        clearTimeout(t);
        resolve(got);
      }
    });
  });
}

const rangeRequests = (sb, path = CALLS_PATH) => sb.requests.filter((r) => r.path === path);

describe('wellcloud-cdr node', function () {
  const sandbox = useNodeSuite();

  describe('call', function () {
    it('outputs the record of one call, msg.payload.callId overriding the dialog', async () => {
      const { cdr, out } = await load(sandbox(), { operation: 'call', callId: UNKNOWN_CALL_ID, callIdType: 'str' });
      const got = nextMessage(out);
      cdr.receive({ payload: { callId: SAMPLE_CALL_ID }, topic: 'keep me' });
      const msg = await got;
      assert.strictEqual(msg.payload.callId, SAMPLE_CALL_ID);
      assert.strictEqual(msg.payload.beginTime, sandbox().calls.get(SAMPLE_CALL_ID).beginTime);
      assert.strictEqual(msg.topic, 'keep me');
    });

    it('reads callId from a msg property set in the dialog', async () => {
      const { cdr, out } = await load(sandbox(), { operation: 'call', callId: 'call.id', callIdType: 'msg' });
      const got = nextMessage(out);
      cdr.receive({ call: { id: SAMPLE_CALL_ID } });
      assert.strictEqual((await got).payload.callId, SAMPLE_CALL_ID);
    });

    it('sends an unknown callId to the Catch node with code 14011 and msg.wellcloud', async () => {
      const { cdr, caught } = await load(sandbox(), { operation: 'call' });
      const got = nextMessage(caught);
      cdr.receive({ payload: { callId: UNKNOWN_CALL_ID } });
      const msg = await got;
      assert.strictEqual(msg.error.code, '14011');
      assert.strictEqual(msg.wellcloud.status, 400);
      assert.strictEqual(String(msg.wellcloud.errorCode), '14011');
      assert.ok(!JSON.stringify(msg).includes(dist('lib/sandbox').DEMO_CREDENTIALS.appSecret));
    });

    it('reports a JSONata callId that does not parse as INVALID_INPUT naming callId, before any request', async () => {
      const { cdr, caught } = await load(sandbox(), { operation: 'call', callId: '$$$(', callIdType: 'jsonata' });
      const got = nextMessage(caught);
      cdr.receive({ payload: {} });
      const msg = await got;
      assert.strictEqual(msg.error.code, 'INVALID_INPUT');
      assert.match(msg.error.message, /^callId in the node's dialog cannot be read: /);
      assert.ok(sandbox().requests.every((r) => !r.path.startsWith('/api/')));
    });

    it('refuses a callId given as a number too large to be exact, before any request', async () => {
      // 2^60 + 1 reads back as 1152921504606847000 once it is a number: that other call was asked for
      const { cdr, caught } = await load(sandbox(), { operation: 'call' });
      const got = nextMessage(caught);
      cdr.receive({ payload: { callId: 2 ** 60 + 1 } });
      const msg = await got;
      assert.strictEqual(msg.error.code, 'INVALID_INPUT');
      assert.strictEqual(msg.error.message, 'callId is a number too large to be exact (1152921504606847000: over 2^53, its last digits are lost); give it as text.');
      assert.ok(sandbox().requests.every((r) => !r.path.startsWith('/api/')));
    });

    it('refuses a callId holding half of a surrogate pair, before any request (was an unexpected URIError)', async () => {
      const { cdr, caught } = await load(sandbox(), { operation: 'call' });
      const got = nextMessage(caught);
      cdr.receive({ payload: { callId: `call-${'😀'.slice(0, 1)}` } });
      const msg = await got;
      assert.strictEqual(msg.error.code, 'INVALID_INPUT');
      assert.match(msg.error.message, /^callId holds a broken character/);
      assert.ok(sandbox().requests.every((r) => !r.path.startsWith('/api/')));
    });

    it('fails without a callId before any request', async () => {
      const { cdr, caught } = await load(sandbox(), { operation: 'call' });
      const got = nextMessage(caught);
      cdr.receive({ payload: {} });
      const msg = await got;
      assert.strictEqual(msg.error.code, 'INVALID_INPUT');
      assert.strictEqual(msg.error.message, "callId is required. Set it in the node's dialog or give it as msg.payload.callId.");
      assert.ok(sandbox().requests.every((r) => !r.path.startsWith('/api/')));
    });
  });

  describe('range', function () {
    it('outputs every record in one message (all) with msg.count, other msg fields kept', async () => {
      const { cdr, out } = await load(sandbox(), { beginTime: '2025-03-14 00:00:00', beginTimeType: 'str', endTime: '2025-03-14 23:59:59', endTimeType: 'str' });
      const got = nextMessage(out);
      cdr.receive({ payload: 'anything', topic: 't' });
      const msg = await got;
      const held = sandbox().calls.range('2025-03-14 00:00:00', '2025-03-14 23:59:59').map((c) => c.callId);
      assert.deepStrictEqual(msg.payload.map((r) => r.callId), held);
      assert.strictEqual(msg.count, held.length);
      assert.strictEqual(msg.topic, 't');
      assert.strictEqual(msg.parts, undefined);
      const req = rangeRequests(sandbox())[0];
      assert.deepStrictEqual([req.query.domain, req.query.isOrder, req.query.s], ['demo.cc', '1', '100']);
    });

    it('a 40-day range across a month boundary, one message per record: a Join rebuilds every record once', async () => {
      const join = { id: 'joiner', type: 'join', mode: 'auto', wires: [['joined']] };
      const { cdr } = await load(sandbox(), { outputMode: 'record', wires: [['out', 'joiner']] }, [join, { id: 'joined', type: 'helper' }]);
      const joined = nextMessage(helper.getNode('joined'), 15000);
      const seq = sequence(helper.getNode('out'));
      const range = { beginTime: '2025-05-10 10:00:00', endTime: '2025-06-19 10:00:00' };
      cdr.receive({ payload: range });
      const [msgs, msg] = await Promise.all([seq, joined]);
      const held = sandbox().calls.range(range.beginTime, range.endTime).map((c) => c.callId);
      const ids = msg.payload.map((r) => r.callId);
      assert.strictEqual(new Set(ids).size, ids.length, 'a record came twice');
      assert.deepStrictEqual(ids, held);
      assert.ok(msg.payload.some((r) => r.beginTime === '2025-06-01 00:00:00'), 'the record on the month boundary is there');
      assert.deepStrictEqual(msgs.map((m) => m.parts.index), msgs.map((_, i) => i));
      assert.ok(msgs.every((m) => m.parts.type === 'array' && m.parts.id === msgs[0].parts.id));
      assert.strictEqual(msgs.at(-1).parts.count, held.length);
      assert.strictEqual(msgs[0].parts.count, undefined, 'a split range does not know its count in advance');
      assert.ok(rangeRequests(sandbox()).some((r) => r.status === 400), 'the platform refused and the node split the range');
    });

    it('one message per page: count known in advance, a Join concatenates the pages', async () => {
      const join = { id: 'joiner', type: 'join', mode: 'auto', wires: [['joined']] };
      const { cdr } = await load(sandbox(), { outputMode: 'page', pageSize: 7, wires: [['out', 'joiner']] }, [join, { id: 'joined', type: 'helper' }]);
      const joined = nextMessage(helper.getNode('joined'));
      const seq = sequence(helper.getNode('out'));
      const range = { beginTime: '2025-03-14 00:00:00', endTime: '2025-03-14 23:59:59' };
      cdr.receive({ payload: range });
      const [pages, msg] = await Promise.all([seq, joined]);
      const held = sandbox().calls.range(range.beginTime, range.endTime).map((c) => c.callId);
      assert.deepStrictEqual(msg.payload.map((r) => r.callId), held);
      assert.strictEqual(pages.length, Math.ceil(held.length / 7));
      assert.ok(pages.every((p) => p.parts.count === pages.length && p.parts.len === 7 && Array.isArray(p.payload)));
    });

    it('one message per page when page 1 overstated the total: the pages left come empty, so the announced count holds and a Join completes', async () => {
      const join = { id: 'joiner', type: 'join', mode: 'auto', wires: [['joined']] };
      const { cdr } = await load(sandbox(), { outputMode: 'page', pageSize: 7, wires: [['out', 'joiner']] }, [join, { id: 'joined', type: 'helper' }]);
      const range = { beginTime: '2025-03-14 09:00:00', endTime: '2025-03-14 12:59:59' };
      const held = sandbox().calls.range(range.beginTime, range.endTime).map((c) => c.callId);
      assert.ok(held.length > 7 && held.length <= 14, `${held.length} calls in the range`);
      // page 1 as the platform would send it, but with a total of 50 (8 pages of 7); pages 2.. are the sandbox's own
      const first = sandbox().calls.range(range.beginTime, range.endTime).slice(0, 7);
      sandbox().failNext({ method: 'GET', path: CALLS_PATH }, { status: 200, body: { total: 50, list: first } });
      const joined = nextMessage(helper.getNode('joined'));
      const seq = sequence(helper.getNode('out'));
      cdr.receive({ payload: range });
      const [pages, msg] = await Promise.all([seq, joined]);
      assert.strictEqual(pages.length, 8);
      assert.ok(pages.every((p) => p.parts.count === 8 && p.parts.len === 7 && Array.isArray(p.payload)));
      assert.deepStrictEqual(pages.map((p) => p.parts.index), [0, 1, 2, 3, 4, 5, 6, 7]);
      assert.deepStrictEqual(pages.slice(2).map((p) => p.payload.length), [0, 0, 0, 0, 0, 0]);
      assert.deepStrictEqual(msg.payload.map((r) => r.callId), held);
      // an empty page (3) ended the range: of the pages announced beyond it, at most the one fetched
      // ahead (concurrency 2) was asked for
      const asked = rangeRequests(sandbox()).map((r) => Number(r.query.p));
      assert.ok(asked.length <= 4 && [1, 2, 3].every((p) => asked.includes(p)), JSON.stringify(asked));
    });

    it('one message per page of pageSize 1: a Join still concatenates the pages into the records (not [[r], [r]])', async () => {
      const join = { id: 'joiner', type: 'join', mode: 'auto', wires: [['joined']] };
      const { cdr } = await load(sandbox(), { outputMode: 'page', pageSize: 1, wires: [['out', 'joiner']] }, [join, { id: 'joined', type: 'helper' }]);
      const joined = nextMessage(helper.getNode('joined'));
      const range = { beginTime: '2025-03-14 09:00:00', endTime: '2025-03-14 12:59:59' };
      cdr.receive({ payload: range });
      const msg = await joined;
      const held = sandbox().calls.range(range.beginTime, range.endTime).map((c) => c.callId);
      assert.ok(held.length > 1);
      assert.deepStrictEqual(msg.payload.map((r) => r.callId), held);
    });

    it('accepts every time form from msg.payload and sends China time', async () => {
      const { cdr, out } = await load(sandbox(), { outputMode: 'all' });
      const china = sandbox().calls.get(SAMPLE_CALL_ID).beginTime; // yyyy-MM-dd HH:mm:ss
      const at = Date.parse(`${china.replace(' ', 'T')}+08:00`);
      const iso = new Date(at).toISOString();
      const forms = [new Date(at), at, iso, `${china.replace(' ', 'T')}+08:00`, china];
      for (const beginTime of forms) {
        sandbox().clearRequests();
        const got = nextMessage(out);
        cdr.receive({ payload: { beginTime, endTime: at + 3600 * 1000 } });
        const msg = await got;
        assert.ok(msg.payload.some((r) => r.callId === SAMPLE_CALL_ID), `form ${String(beginTime)}`);
        const req = rangeRequests(sandbox())[0];
        assert.strictEqual(req.query.beginTime, china, `form ${String(beginTime)}`);
      }
    });

    it('reads yyyy-MM-dd HH:mm:ss in the config time zone', async () => {
      const flowNodes = flow(sandbox(), { beginTime: '2025-03-14 03:30:00', endTime: '2025-03-14 04:30:00', endTimeType: 'str' });
      flowNodes[0].timezone = 'Europe/Berlin'; // UTC+1 in March: 03:30 Berlin = 10:30 China
      await helper.load([configModule, cdrModule, catchModule], flowNodes, demoCredentials());
      const got = nextMessage(helper.getNode('out'));
      helper.getNode('cdr').receive({ payload: {} });
      await got;
      assert.strictEqual(rangeRequests(sandbox())[0].query.beginTime, '2025-03-14 10:30:00');
    });

    it('fails begin after end, and a bad field, with INVALID_INPUT before any request', async () => {
      const { cdr, caught } = await load(sandbox(), {});
      for (const [payload, field] of [
        [{ beginTime: '2025-03-15 00:00:00', endTime: '2025-03-14 00:00:00' }, 'beginTime'],
        [{ beginTime: 'yesterday', endTime: '2025-03-14 00:00:00' }, 'beginTime'],
        [{ beginTime: '2025-03-14 00:00:00', endTime: '2025-03-15 00:00:00', pageSize: 500 }, 'pageSize'],
        [{ beginTime: '2025-03-14 00:00:00', endTime: '2025-03-15 00:00:00', concurrency: 0 }, 'concurrency'],
        // a getter that throws was "Unexpected error in the node" with code ERROR
        [
          Object.defineProperty({ beginTime: '2025-03-14 00:00:00', endTime: '2025-03-15 00:00:00' }, 'pageSize', {
            get() {
              throw new Error('no access');
            },
          }),
          'msg.payload.pageSize cannot be read (reading it threw: no access)',
        ],
      ]) {
        const got = nextMessage(caught);
        cdr.receive({ payload });
        const msg = await got;
        assert.strictEqual(msg.error.code, 'INVALID_INPUT');
        assert.strictEqual(msg.error.source.id, 'cdr');
        assert.ok(msg.error.message.includes(field), `${msg.error.message} names ${field}`);
      }
      assert.strictEqual(sandbox().requests.length, 0, 'nothing was sent');
    });

    it('splits a range before the year 1000 that crosses a month (the platform answers 14015)', async () => {
      // the month boundary was written "500-02-01 00:00:00" and read back as no time: INVALID_INPUT after the requests
      const { cdr, out, caught } = await load(sandbox(), {});
      const got = Promise.race([nextMessage(out), nextMessage(caught).then((m) => assert.fail(`${m.error.code}: ${m.error.message}`))]);
      cdr.receive({ payload: { beginTime: '0500-01-31 20:00:00', endTime: '0500-02-01 04:00:00' } });
      const msg = await got;
      assert.deepStrictEqual(msg.payload, []);
      const asked = rangeRequests(sandbox()).map((r) => `${r.query.beginTime}..${r.query.endTime} ${r.status}`);
      assert.ok(asked.some((a) => a.endsWith(' 200') && a.startsWith('0500-02-01')), asked.join('; '));
    });

    it('refuses times beyond year 9999 (valid epoch ms, but no yyyy text holds them) before any request', async () => {
      // sent as beginTime=275760-09-13 07:00:00 before, and refused by the platform with 400
      const { cdr, caught } = await load(sandbox(), {});
      const got = nextMessage(caught);
      cdr.receive({ payload: { beginTime: 8.64e15 - 3600e3, endTime: 8.64e15 } });
      const msg = await got;
      assert.strictEqual(msg.error.code, 'INVALID_INPUT');
      assert.strictEqual(msg.error.message, "beginTime (+275760-09-12T23:00:00.000Z) is outside the years 0000 to 9999 that the platform's times (yyyy-MM-dd HH:mm:ss) can hold.");
      assert.strictEqual(rangeRequests(sandbox()).length, 0, 'nothing was sent');
    });

    it('fails with MAX_RECORDS in all mode when the result is larger, sending nothing', async () => {
      const { cdr, out, caught } = await load(sandbox(), { maxRecords: 5 });
      let sent = 0;
      out.on('input', () => sent++);
      const got = nextMessage(caught);
      cdr.receive({ payload: { beginTime: '2025-03-14 00:00:00', endTime: '2025-03-14 23:59:59' } });
      const msg = await got;
      assert.strictEqual(msg.error.code, 'MAX_RECORDS');
      await sleep(50);
      assert.strictEqual(sent, 0);
    });

    it('retries a GET answered 503 and still returns every record', async () => {
      const { cdr, out } = await load(sandbox(), {});
      sandbox().failNext({ method: 'GET', path: CALLS_PATH }, { status: 503, times: 1 });
      const got = nextMessage(out);
      cdr.receive({ payload: { beginTime: '2025-03-14 00:00:00', endTime: '2025-03-14 23:59:59' } });
      const msg = await got;
      assert.strictEqual(msg.payload.length, sandbox().calls.range('2025-03-14 00:00:00', '2025-03-14 23:59:59').length);
      assert.ok(rangeRequests(sandbox()).some((r) => r.status === 503));
    });

    it('returns the same records in the same order with concurrency 1 and 6, both orders', async () => {
      const { cdr, out } = await load(sandbox(), { pageSize: 10 });
      const run = async (payload) => {
        const got = nextMessage(out);
        cdr.receive({ payload: { beginTime: '2025-07-25 00:00:00', endTime: '2025-08-05 00:00:00', ...payload } });
        return (await got).payload.map((r) => r.callId);
      };
      const seq = await run({ concurrency: 1 });
      assert.ok(seq.length > 100);
      assert.deepStrictEqual(await run({ concurrency: 6 }), seq);
      assert.deepStrictEqual(await run({ concurrency: 6, isOrder: 0 }), seq.slice().reverse());
    });

    it('stops fetching when the node is closed during a range query', async () => {
      sandbox().setLatency(80);
      const { cdr, out, caught } = await load(sandbox(), { pageSize: 5, concurrency: 2, outputMode: 'record' });
      let outputs = 0;
      out.on('input', () => outputs++);
      let errors = 0;
      caught.on('input', () => errors++);
      cdr.receive({ payload: { beginTime: '2025-03-01 00:00:00', endTime: '2025-03-20 00:00:00' } });
      await sleep(400);
      assert.ok(rangeRequests(sandbox()).length > 0);
      await helper.unload();
      const asked = rangeRequests(sandbox()).length;
      await sleep(400);
      assert.strictEqual(rangeRequests(sandbox()).length, asked, 'no request after close');
      assert.ok(asked < 100, `${asked} pages were asked for before close`);
      assert.strictEqual(errors, 0);
      assert.ok(outputs < 400);
    });
  });

  describe('robot', function () {
    it('sends every robot filter from the dialog and isDownload=0', async () => {
      const { cdr, out } = await load(sandbox(), {
        operation: 'robot',
        beginTime: '2025-03-14 00:00:00', beginTimeType: 'str',
        endTime: '2025-03-14 23:59:59', endTimeType: 'str',
        campaignId: DEMO_CAMPAIGN_ID, campaignIdType: 'str',
        uuiKey: 'currentCallLevel', uuiKeyType: 'str',
        uuiValue: 'F', uuiValueType: 'str',
        resultCode: '', resultCodeType: 'num',
        batchName: 'batch', batchNameType: 'str',
        isCount: 'true',
      });
      const got = nextMessage(out);
      cdr.receive({ payload: { batchName: '', groupCampaignId: 'g-1', rosterId: '15', batchId: 'b-1', ani: 'a', dnis: 'd', resultCode: 0 } });
      await got;
      const q = rangeRequests(sandbox(), ROBOT_PATH)[0].query;
      assert.deepStrictEqual(
        { campaignId: q.campaignId, uuiKey: q.uuiKey, uuiValue: q.uuiValue, isCount: q.isCount, isDownload: q.isDownload, groupCampaignId: q.groupCampaignId, rosterId: q.rosterId, batchId: q.batchId, batchName: q.batchName, ani: q.ani, dnis: q.dnis, resultCode: q.resultCode },
        { campaignId: DEMO_CAMPAIGN_ID, uuiKey: 'currentCallLevel', uuiValue: 'F', isCount: 'true', isDownload: '0', groupCampaignId: 'g-1', rosterId: '15', batchId: 'b-1', batchName: 'batch', ani: 'a', dnis: 'd', resultCode: '0' },
      );
    });

    it('returns the robot calls of a campaign', async () => {
      const { cdr, out } = await load(sandbox(), { operation: 'robot' });
      const day = sandbox().calls.get(SAMPLE_ROBOT_CALL_ID).beginTime.slice(0, 10);
      const got = nextMessage(out);
      cdr.receive({ payload: { beginTime: `${day} 00:00:00`, endTime: `${day} 23:59:59`, campaignId: DEMO_CAMPAIGN_ID, uuiKey: 'currentCallLevel', uuiValue: 'F' } });
      const msg = await got;
      assert.ok(msg.payload.some((r) => r.callId === SAMPLE_ROBOT_CALL_ID));
      assert.ok(msg.payload.every((r) => r.campaignId === DEMO_CAMPAIGN_ID));
    });

    it('requires campaignId', async () => {
      const { cdr, caught } = await load(sandbox(), { operation: 'robot' });
      const got = nextMessage(caught);
      cdr.receive({ payload: { beginTime: '2025-03-14 00:00:00', endTime: '2025-03-14 23:59:59' } });
      const msg = await got;
      assert.strictEqual(msg.error.code, 'INVALID_INPUT');
      assert.ok(msg.error.message.includes('campaignId'));
      assert.strictEqual(rangeRequests(sandbox(), ROBOT_PATH).length, 0);
    });
  });
});

describe('example flow: Export yesterday\'s calls to CSV', function () {
  const sandbox = useNodeSuite();
  const fs = require('fs');
  const os = require('os');
  const path = require('path');
  const core = (p) => require(`@node-red/nodes/core/${p}`);
  const modules = [configModule, cdrModule, catchModule, core('common/20-inject.js'), core('common/21-debug.js'), core('common/90-comment.js'),
    core('function/10-function.js'), core('parsers/70-CSV.js'), core('storage/10-file.js')];
  let dir;

  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Deploys the example against the sandbox, presses the inject node whose name matches `button`, and gives the CSV's lines. */
  async function runExample(button) {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wellcloud-csv-'));
    const flowNodes = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'examples', "Export yesterday's calls to CSV.json"), 'utf8'));
    const cfg = flowNodes.find((n) => n.type === 'wellcloud-config');
    const credentials = { [cfg.id]: cfg.credentials };
    cfg.baseUrl = sandbox().url;
    delete cfg.credentials;
    // the example writes into Node-RED's working directory; the test writes into a temporary one
    const file = flowNodes.find((n) => n.type === 'file');
    const target = path.join(dir, 'calls.csv');
    Object.assign(file, { filename: target, filenameType: 'str' });
    await helper.load(modules, flowNodes, credentials);
    // the file node passes the message on to the "file written" debug node once the file is written
    const written = nextMessage(helper.getNode(flowNodes.find((n) => n.type === 'debug' && n.name === 'file written').id));
    helper.getNode(flowNodes.find((n) => n.type === 'inject' && button.test(n.name)).id).receive({});
    await written;
    return fs.readFileSync(target, 'utf8').trim().split(/\r\n/);
  }

  it('writes the sandbox day to a CSV file with a header and one line per call', async () => {
    const lines = await runExample(/sandbox day/);
    const held = sandbox().calls.range('2025-03-14 00:00:00', '2025-03-14 23:59:59');
    assert.strictEqual(lines[0].split(',')[0], 'callId');
    assert.strictEqual(lines.length, held.length + 1);
    assert.deepStrictEqual(lines.slice(1).map((l) => l.split(',')[0]), held.map((c) => c.callId));
    // a field the platform leaves null is an empty cell, not the text "null" the csv node would write
    const header = lines[0].split(',');
    const campaign = header.indexOf('campaignName');
    assert.ok(held.some((c) => c.listItem.campaignName === null) && held.some((c) => c.listItem.campaignName), 'the day has calls with and without a campaign');
    const rows = lines.slice(1).map((l) => l.split(','));
    assert.deepStrictEqual(rows.filter((cells) => cells.includes('null')), [], 'cells with the text "null"');
    assert.deepStrictEqual(rows.map((cells) => cells[campaign]), held.map((c) => c.listItem.campaignName ?? ''));
  });

  it("exports yesterday, China time, when the daily inject starts it: all of that day's calls, the generated ones included", async () => {
    const chinaDay = (ms) => new Date(ms + 8 * 3600e3 - 24 * 3600e3).toISOString().slice(0, 10);
    const before = chinaDay(Date.now());
    sandbox().clearRequests();
    const lines = await runExample(/every day/);
    const asked = sandbox().requests.filter((r) => r.path === CALLS_PATH).map((r) => r.query);
    assert.ok(asked.length > 0, 'no range request');
    const day = asked[0].beginTime.slice(0, 10);
    // the day is yesterday of the clock (read before and after, in case the run crosses midnight in China)
    assert.ok([before, chinaDay(Date.now())].includes(day), `asked for ${day}, yesterday is ${before}`);
    assert.deepStrictEqual(asked.map((q) => [q.beginTime, q.endTime])[0], [`${day} 00:00:00`, `${day} 23:59:59`]);
    const held = sandbox().calls.range(`${day} 00:00:00`, `${day} 23:59:59`);
    assert.deepStrictEqual(lines.slice(1).map((l) => l.split(',')[0]), held.map((c) => c.callId));
    // the sandbox generates 40 calls every day (README); a day of only its few sample calls means it ran out of data
    const samples = [SAMPLE_CALL_ID, SAMPLE_ROBOT_CALL_ID, NO_RECORDING_CALL_ID];
    assert.strictEqual(held.filter((c) => !samples.includes(c.callId)).length, 40, `generated calls on ${day}`);
  });
});
