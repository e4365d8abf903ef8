'use strict';
// The shared input wrapper, through a minimal action node defined here on top of it.
const assert = require('assert');
const { helper, dist, useNodeSuite, configNode, demoCredentials, nextMessage, sleep, watchWarnings, watchProcess } = require('../../helpers');

const configModule = dist('nodes/wellcloud-config/wellcloud-config.js');
const { setupActionNode } = dist('nodes/shared/action.js');
const catchModule = require('@node-red/nodes/core/common/25-catch.js');

// Looks a call up by msg.payload.callId; "throw" makes the handler throw a plain Error, "sync-throw"
// throws it before the handler has returned a promise.
function testActionModule(RED) {
  RED.nodes.registerType('wellcloud-test-action', function (config) {
    RED.nodes.createNode(this, config);
    setupActionNode(RED, this, config, (ctx) => {
      if (ctx.payload.callId === 'sync-throw') throw new Error('thrown before any promise');
      return handle(ctx);
    });
    const handle = async (ctx) => {
      if (ctx.payload.callId === 'throw') throw new Error('plain failure');
      if (ctx.payload.callId === 'self') {
        ctx.send({ payload: 'one' });
        ctx.send({ payload: 'two' });
        return { sent: true, status: '2 sent' };
      }
      const record = await ctx.client.getCall(String(ctx.payload.callId), { signal: ctx.signal });
      return { payload: record, set: { looked: true }, status: record.callId };
    };
  });
}

// Answers only once the node is being stopped ("late"), as a call's answer can; `placesCalls` as
// the dual call and outbound call nodes set it, or not.
function lateAnswerModule(RED) {
  for (const [type, placesCalls] of [['wellcloud-test-call', true], ['wellcloud-test-query', false]]) {
    RED.nodes.registerType(type, function (config) {
      RED.nodes.createNode(this, config);
      setupActionNode(
        RED,
        this,
        config,
        async (ctx) => {
          await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }));
          return { payload: { callId: 'c-late-1' }, status: 'c-late-1' };
        },
        { placesCalls },
      );
    });
  }
}

function flow(sandbox, extra = {}) {
  // every flow node sits on a tab: a node without `z` is taken for a config node
  return [
    { id: 'f1', type: 'tab' },
    configNode(sandbox),
    { id: 'act', type: 'wellcloud-test-action', z: 'f1', server: 'cfg', wires: [['out']], ...extra },
    { id: 'out', type: 'helper', z: 'f1' },
    { id: 'catcher', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'f1' },
  ];
}

describe('shared input wrapper (setupActionNode)', function () {
  const sandbox = useNodeSuite();
  let sampleCallId;
  before(() => {
    sampleCallId = dist('lib/sandbox').SAMPLE_CALL_ID;
  });

  it('replaces msg.payload with the result, keeps other fields, sets status', async () => {
    await helper.load([configModule, testActionModule, catchModule], flow(sandbox()), demoCredentials());
    const act = helper.getNode('act');
    const statuses = [];
    act.on('call:status', (call) => statuses.push(call.args[0]));
    const got = nextMessage(helper.getNode('out'));
    act.receive({ payload: { callId: sampleCallId }, topic: 'keep-me', _ctx: 42 });
    const msg = await got;
    assert.strictEqual(msg.payload.callId, sampleCallId);
    assert.strictEqual(msg.topic, 'keep-me');
    assert.strictEqual(msg._ctx, 42);
    assert.strictEqual(msg.looked, true);
    await sleep(20);
    assert.deepStrictEqual(statuses.find((s) => s.fill), { fill: 'blue', shape: 'ring', text: 'node-red-contrib-wellcloud/wellcloud-config:wellcloud-config.status.requesting' });
    assert.deepStrictEqual(statuses[statuses.length - 1], { fill: 'green', shape: 'dot', text: sampleCallId });
  });

  it('lets a handler that sent its own messages set the final status, and sends nothing more', async () => {
    await helper.load([configModule, testActionModule, catchModule], flow(sandbox()), demoCredentials());
    const act = helper.getNode('act');
    const statuses = [];
    act.on('call:status', (call) => statuses.push(call.args[0]));
    const got = [];
    helper.getNode('out').on('input', (m) => got.push(m.payload));
    act.receive({ payload: { callId: 'self' } });
    await sleep(100);
    assert.deepStrictEqual(got, ['one', 'two']);
    assert.deepStrictEqual(statuses[statuses.length - 1], { fill: 'green', shape: 'dot', text: '2 sent' });
  });

  it('sends a platform error to the Catch node with code and msg.wellcloud, red status', async () => {
    await helper.load([configModule, testActionModule, catchModule], flow(sandbox()), demoCredentials());
    const act = helper.getNode('act');
    const statuses = [];
    act.on('call:status', (call) => statuses.push(call.args[0]));
    let sent = false;
    helper.getNode('out').on('input', () => (sent = true));
    const got = nextMessage(helper.getNode('caught'));
    act.receive({ payload: { callId: 'no-such-call' } });
    const msg = await got;
    assert.strictEqual(msg.error.code, '14011');
    assert.match(msg.error.message, /14011/);
    assert.strictEqual(msg.wellcloud.status, 400);
    assert.strictEqual(String(msg.wellcloud.errorCode), '14011');
    assert.ok('instanceId' in msg.wellcloud);
    await sleep(20);
    assert.strictEqual(sent, false);
    assert.deepStrictEqual(statuses[statuses.length - 1], { fill: 'red', shape: 'ring', text: '14011' });
  });

  it('turns a plain thrown error into a reported error, never a lost message', async () => {
    await helper.load([configModule, testActionModule, catchModule], flow(sandbox()), demoCredentials());
    const got = nextMessage(helper.getNode('caught'));
    helper.getNode('act').receive({ payload: { callId: 'throw' } });
    const msg = await got;
    assert.strictEqual(msg.error.code, 'ERROR');
    assert.strictEqual(msg.error.message, 'Unexpected error in the node: plain failure');
    assert.strictEqual(msg.wellcloud, undefined);
  });

  it('reports a handler that throws before returning its promise, and goes on working', async () => {
    await helper.load([configModule, testActionModule, catchModule], flow(sandbox()), demoCredentials());
    const act = helper.getNode('act');
    const statuses = [];
    act.on('call:status', (c) => statuses.push(c.args[0]));
    const got = nextMessage(helper.getNode('caught'));
    act.receive({ payload: { callId: 'sync-throw' } });
    const msg = await got;
    assert.strictEqual(msg.error.code, 'ERROR');
    assert.strictEqual(msg.error.message, 'Unexpected error in the node: thrown before any promise');
    assert.deepStrictEqual(statuses.at(-1), { fill: 'red', shape: 'ring', text: 'ERROR' });
    const next = nextMessage(helper.getNode('out'));
    act.receive({ payload: { callId: sampleCallId } });
    assert.strictEqual((await next).payload.callId, sampleCallId);
  });

  it('reports a dialog value Node-RED cannot evaluate as INVALID_INPUT naming the field, in the runtime language', () => {
    const { toWellcloudError } = dist('nodes/shared/action.js');
    const { PropertyError } = dist('nodes/shared/props.js');
    const en = toWellcloudError(new PropertyError('userData', 'Unexpected end of JSON input'), 'en-US');
    assert.strictEqual(en.code, 'INVALID_INPUT');
    assert.strictEqual(en.field, 'userData');
    assert.strictEqual(en.message, "userData in the node's dialog cannot be read: Unexpected end of JSON input. Fix the value (JSON, JSONata expression or msg path) in the dialog.");
    const zh = toWellcloudError(new PropertyError('userData', 'Unexpected end of JSON input'), 'zh-CN');
    assert.strictEqual(zh.message, '无法读取节点对话框中的 userData：Unexpected end of JSON input。请修正对话框中的值（JSON、JSONata 表达式或 msg 属性路径）。');
  });

  it('fails with INVALID_INPUT naming "server" when no config node is set', async () => {
    await helper.load([configModule, testActionModule, catchModule], flow(sandbox(), { server: '' }), demoCredentials());
    const got = nextMessage(helper.getNode('caught'));
    helper.getNode('act').receive({ payload: { callId: sampleCallId } });
    const msg = await got;
    assert.strictEqual(msg.error.code, 'INVALID_INPUT');
    // names the field and says what to do, not just "server is required."
    assert.strictEqual(msg.error.message, 'No wellcloud config node is selected (server). Open this node, choose or add a wellcloud config node, and deploy.');
  });

  it('treats a server id naming a node of another type as no server (INVALID_INPUT, red status, nothing stuck)', async () => {
    await helper.load([configModule, testActionModule, catchModule], flow(sandbox(), { server: 'out' }), demoCredentials());
    const act = helper.getNode('act');
    const statuses = [];
    act.on('call:status', (call) => statuses.push(call.args[0]));
    const got = nextMessage(helper.getNode('caught'));
    act.receive({ payload: { callId: sampleCallId } });
    const msg = await got;
    assert.strictEqual(msg.error.code, 'INVALID_INPUT');
    assert.match(msg.error.message, /server/);
    assert.deepStrictEqual(statuses[statuses.length - 1], { fill: 'red', shape: 'ring', text: 'node-red-contrib-wellcloud/wellcloud-config:wellcloud-config.status.noServer' });
  });

  it('warns about a call answer that arrives while the node stops (not sent); other nodes stay silent', async () => {
    for (const [type, lang, expected] of [
      ['wellcloud-test-call', 'en-US', /stopped before it could send the platform's answer on \(c-late-1\); check that call before placing it again/],
      ['wellcloud-test-call', 'zh-CN', /节点在把平台的应答（c-late-1）传给下一个节点之前已停止/],
      ['wellcloud-test-query', 'en-US', null],
    ]) {
      await helper.load([configModule, lateAnswerModule, catchModule], flow(sandbox(), { type }), demoCredentials());
      helper.getNode('cfg').lang = lang;
      let outputs = 0;
      helper.getNode('out').on('input', () => outputs++);
      helper.getNode('caught').on('input', () => outputs++);
      const act = helper.getNode('act');
      const warnings = watchWarnings(act);
      act.receive({ payload: {} });
      await sleep(20);
      await helper.unload();
      await sleep(20);
      assert.strictEqual(outputs, 0);
      if (expected) {
        assert.strictEqual(warnings.length, 1, type);
        assert.match(warnings[0], expected);
      } else assert.deepStrictEqual(warnings, []);
    }
  });

  it('reports a send or done that throws as a node error, leaves no unhandled rejection and goes on working', async () => {
    await helper.load([configModule, testActionModule, catchModule], flow(sandbox()), demoCredentials());
    const act = helper.getNode('act');
    const errors = [];
    act.on('call:error', (c) => errors.push(c.args[0]));
    const watch = watchProcess();
    try {
      // the answer's path: Node-RED's send throws
      const send = act.send;
      act.send = () => {
        throw new Error('send broke');
      };
      act.receive({ payload: { callId: sampleCallId } });
      await sleep(150);
      act.send = send;
      // the failure's path: done(err) throws (Node-RED completes the message through _complete)
      const complete = act._complete;
      act._complete = () => {
        throw new Error('done broke');
      };
      act.receive({ payload: { callId: 'throw' } });
      await sleep(50);
      act._complete = complete;
      assert.deepStrictEqual(
        errors.map((e) => e && e.message),
        ['send broke', 'done broke'],
      );
      assert.deepStrictEqual(watch.seen, []);
      const next = nextMessage(helper.getNode('out'));
      act.receive({ payload: { callId: sampleCallId } });
      assert.strictEqual((await next).payload.callId, sampleCallId);
    } finally {
      watch.stop();
    }
  });

  it('aborts the request in flight on redeploy and reports nothing', async () => {
    await helper.load([configModule, testActionModule, catchModule], flow(sandbox()), demoCredentials());
    await helper.getNode('cfg').getClient().getToken();
    sandbox().setLatency(2000);
    let outputs = 0;
    helper.getNode('out').on('input', () => outputs++);
    helper.getNode('caught').on('input', () => outputs++);
    const act = helper.getNode('act');
    act.receive({ payload: { callId: sampleCallId } });
    await sleep(150);
    const t0 = Date.now();
    await helper.unload();
    assert.ok(Date.now() - t0 < 1500, 'close waited for the request');
    await sleep(100);
    assert.strictEqual(outputs, 0);
  });
});
