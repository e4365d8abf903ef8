'use strict';
// wellcloud-dual-call against the sandbox: dialog values, msg overrides, typedInputs, validation
// before sending, platform error codes at a Catch node, and no retry.
const assert = require('assert');
const fs = require('fs');
const http = require('http');
const path = require('path');
const { helper, dist, useNodeSuite, configNode, demoCredentials, nextMessage, sleep, stopWhileRunning } = require('../helpers');

const configModule = dist('nodes/wellcloud-config/wellcloud-config.js');
const dualCallModule = dist('nodes/wellcloud-dual-call/wellcloud-dual-call.js');
const catchModule = require('@node-red/nodes/core/common/25-catch.js');
const httpModule = require('@node-red/nodes/core/network/21-httpin.js');
const changeModule = require('@node-red/nodes/core/function/15-change.js');
const switchModule = require('@node-red/nodes/core/function/10-switch.js');
const debugModule = require('@node-red/nodes/core/common/21-debug.js');
const commentModule = require('@node-red/nodes/core/common/90-comment.js');
const EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'Click to call from a CRM.json');

const PATH = '/api/ext/v2/calls/uc';

/** `obj` with a `key` whose getter throws (not enumerable: the Catch node's copy of the message skips it, the node reads it). */
function throwingField(obj, key) {
  return Object.defineProperty(obj, key, {
    get() {
      throw new Error('no access to this field');
    },
  });
}

function flow(sandbox, props = {}) {
  return [
    { id: 'f1', type: 'tab', label: 'dual call' },
    configNode(sandbox),
    {
      id: 'dc',
      z: 'f1',
      type: 'wellcloud-dual-call',
      server: 'cfg',
      deviceId: '8001@demo.cc',
      deviceIdType: 'str',
      prefix: '9',
      prefixType: 'str',
      customerPhone: '13912345678',
      customerPhoneType: 'str',
      userData: '',
      userDataType: 'json',
      cpa: '',
      wires: [['out']],
      ...props,
    },
    { id: 'out', z: 'f1', type: 'helper' },
    { id: 'catcher', z: 'f1', type: 'catch', scope: ['dc'], uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'f1', type: 'helper' },
  ];
}

describe('wellcloud-dual-call', function () {
  const sandbox = useNodeSuite();
  const posts = () => sandbox().requests.filter((r) => r.path === PATH);

  afterEach(() => {
    delete process.env.WELLCLOUD_TEST_PREFIX;
  });

  async function load(props) {
    await helper.load([configModule, dualCallModule, catchModule], flow(sandbox(), props), demoCredentials());
    return { node: helper.getNode('dc'), out: helper.getNode('out'), caught: helper.getNode('caught') };
  }

  it('places the call with the dialog values and outputs {callId}, other msg fields kept', async function () {
    const { node, out } = await load({ userData: '{"orderId":"142459"}', bindPhone: '918900000000', bindPhoneType: 'str', cpa: 'false' });
    const got = nextMessage(out);
    node.receive({ payload: 'go', topic: 'crm' });
    const msg = await got;
    assert.deepStrictEqual(Object.keys(msg.payload), ['callId']);
    assert.ok(typeof msg.payload.callId === 'string' && msg.payload.callId.length > 0);
    assert.strictEqual(msg.topic, 'crm');
    assert.strictEqual(posts().length, 1);
    assert.deepStrictEqual(posts()[0].body, {
      deviceId: '8001@demo.cc',
      prefix: '9',
      customerPhone: '13912345678',
      userData: { orderId: '142459' },
      options: { bindPhone: '918900000000', cpa: 'false' },
    });
  });

  it('lets msg.payload fields beat the dialog, options merged key by key', async function () {
    const { node, out } = await load({ userData: '{"from":"dialog"}', displayOrigin: '4008100001', displayOriginType: 'str', cpa: 'false' });
    const got = nextMessage(out);
    node.receive({ payload: { deviceId: '8002@demo.cc', customerPhone: '13800000000', userData: { from: 'msg' }, options: { cpa: 'true' } } });
    await got;
    assert.deepStrictEqual(posts()[0].body, {
      deviceId: '8002@demo.cc',
      prefix: '9',
      customerPhone: '13800000000',
      userData: { from: 'msg' },
      options: { displayOrigin: '4008100001', cpa: 'true' },
    });
  });

  it('reads typedInputs from msg, flow, global and env', async function () {
    process.env.WELLCLOUD_TEST_PREFIX = '7';
    const { node, out } = await load({
      deviceId: 'agent',
      deviceIdType: 'flow',
      customerPhone: 'phone',
      customerPhoneType: 'global',
      prefix: 'WELLCLOUD_TEST_PREFIX',
      prefixType: 'env',
      userData: 'extra.data',
      userDataType: 'msg',
    });
    node.context().flow.set('agent', '8003@demo.cc');
    node.context().global.set('phone', '13700000000');
    const got = nextMessage(out);
    node.receive({ payload: {}, extra: { data: { ticket: 'T-1' } } });
    await got;
    assert.deepStrictEqual(posts()[0].body, { deviceId: '8003@demo.cc', prefix: '7', customerPhone: '13700000000', userData: { ticket: 'T-1' } });
  });

  it('lets a msg.payload field beat the dialog also after a field read from flow context', async function () {
    const { node, out } = await load({ deviceId: 'agent', deviceIdType: 'flow', customerPhone: 'phone', customerPhoneType: 'global' });
    node.context().flow.set('agent', '8004@demo.cc');
    node.context().global.set('phone', '13700000000');
    const got = nextMessage(out);
    node.receive({ payload: { prefix: '8', customerPhone: '13600000000' } });
    await got;
    assert.deepStrictEqual(posts()[0].body, { deviceId: '8004@demo.cc', prefix: '8', customerPhone: '13600000000' });
  });

  it('reads option typedInputs from flow and msg, never from a same-named msg.payload field', async function () {
    const { node, out } = await load({
      bindPhone: 'bind',
      bindPhoneType: 'flow',
      displayOrigin: 'shown',
      displayOriginType: 'msg',
      cpa: 'true',
    });
    node.context().flow.set('bind', '918900000001');
    const got = nextMessage(out);
    // top-level bindPhone in msg.payload is not an option: only msg.payload.options overrides options
    node.receive({ payload: { bindPhone: '10000000000', options: { displayDest: '4008100002' } }, shown: '4008100001' });
    await got;
    assert.deepStrictEqual(posts()[0].body.options, { bindPhone: '918900000001', displayOrigin: '4008100001', cpa: 'true', displayDest: '4008100002' });
  });

  it("keeps the dialog's options when msg.payload.options is empty (not given, as for any field)", async function () {
    // '' failed with "options must be an object"
    const { node, out, caught } = await load({ cpa: 'true' });
    const got = Promise.race([nextMessage(out), nextMessage(caught).then((m) => assert.fail(m.error.message))]);
    node.receive({ payload: { options: '' } });
    await got;
    assert.deepStrictEqual(posts()[0].body.options, { cpa: 'true' });
  });

  it('merges msg.payload.options holding a "__proto__" key (JSON.parse keeps it as an own key) like any other', async function () {
    // before: the key became the prototype of the merged options, which then failed as "options must be an object"
    const { node, out, caught } = await load({ cpa: 'false' });
    const got = Promise.race([nextMessage(out), nextMessage(caught).then((m) => assert.fail(m.error.message))]);
    node.receive({ payload: { options: JSON.parse('{"__proto__":{"cpa":"true"},"bindPhone":"918900000000","other":"x"}') } });
    await got;
    assert.deepStrictEqual(posts()[0].body.options, { cpa: 'false', bindPhone: '918900000000' });
  });

  const invalid = [
    ['a deviceId without domain', { deviceId: '8001' }, 'deviceId'],
    ['a missing customerPhone', { customerPhone: '' }, 'customerPhone', { customerPhone: '' }],
    ['a customerPhone with letters', { customerPhone: '139-abc' }, 'customerPhone'],
    // the sandbox, like the roster's number column, takes 3 to 20 digits: nothing it would refuse is sent
    ['a customerPhone of 2 digits', { customerPhone: '12' }, 'customerPhone'],
    ['a customerPhone of 21 digits', { customerPhone: '1'.repeat(21) }, 'customerPhone'],
    ['a prefix with a letter', { prefix: '9a' }, 'prefix'],
    ['a customerPhone given as a number too large to be exact', { customerPhone: 13912345678901234567 }, 'customerPhone'],
    ['cpa not "true"/"false"', { options: { cpa: 'yes' } }, 'options.cpa'],
    ['options that are not an object', { options: 'cpa' }, 'options'],
    ['userData that is not an object', { userData: [1, 2] }, 'userData'],
    ['a dialog userData that is not valid JSON', {}, 'userData', { userData: '{"orderId":', userDataType: 'json' }],
    ['a dialog deviceId JSONata expression that does not parse', {}, 'deviceId', { deviceId: '$substring(', deviceIdType: 'jsonata' }],
    ['userData holding a BigInt (no JSON for it)', { userData: { orderId: 142459n } }, 'userData'],
    ['userData holding a circular reference', { userData: (() => { const u = { orderId: '1' }; u.self = u; return u; })() }, 'userData'],
    // a getter that throws (a class instance, a proxy) was "Unexpected error in the node" with code ERROR
    ['a msg.payload.customerPhone whose getter throws', throwingField({}, 'customerPhone'), 'customerPhone'],
    ['a msg.payload.options.cpa whose getter throws', { options: throwingField({}, 'cpa') }, 'options.cpa'],
    // half of a surrogate pair passed the deviceId pattern and was sent
    ['a deviceId holding half of a surrogate pair', { deviceId: `8001${'😀'.slice(0, 1)}@demo.cc` }, 'deviceId'],
  ];
  for (const [name, payload, field, dialog] of invalid) {
    it(`fails on ${name} with INVALID_INPUT naming ${field}, sending nothing`, async function () {
      const { node, caught } = await load(dialog);
      const got = nextMessage(caught);
      node.receive({ payload });
      const msg = await got;
      assert.strictEqual(msg.error.code, 'INVALID_INPUT');
      assert.ok(msg.error.message.includes(field), msg.error.message);
      assert.strictEqual(msg.wellcloud, undefined);
      await sleep(20);
      assert.strictEqual(posts().length, 0);
    });
  }

  it('refuses a dialog value read from the context that is a Promise or a proxy, instead of waiting for it or failing unexpectedly', async function () {
    for (const [value, detail] of [
      // never settles: the message used to wait for it forever
      [new Promise(() => {}), 'it is a Promise, not a value'],
      [new Proxy({}, { get: () => assert.fail('no reads') }), 'no reads'],
    ]) {
      const { node, caught } = await load({ deviceId: 'agent', deviceIdType: 'flow' });
      node.context().flow.set('agent', value);
      const got = nextMessage(caught, 2000);
      node.receive({ payload: {} });
      const msg = await got;
      assert.strictEqual(msg.error.code, 'INVALID_INPUT');
      assert.strictEqual(msg.error.message, `deviceId in the node's dialog cannot be read: ${detail}. Fix the value (JSON, JSONata expression or msg path) in the dialog.`);
      await helper.unload();
    }
    assert.strictEqual(posts().length, 0);
  });

  it('says which msg.payload field could not be read, in both languages', async function () {
    for (const [lang, text] of [
      ['en-US', 'msg.payload.customerPhone cannot be read (reading it threw: no access to this field).'],
      ['zh-CN', '无法读取 msg.payload.customerPhone（读取时出错：no access to this field）。'],
    ]) {
      const { node, caught } = await load();
      helper.getNode('cfg').lang = lang;
      const got = nextMessage(caught);
      node.receive({ payload: throwingField({ deviceId: '8001@demo.cc' }, 'customerPhone') });
      const msg = await got;
      assert.deepStrictEqual([msg.error.code, msg.error.message], ['INVALID_INPUT', text]);
      await helper.unload();
    }
    assert.strictEqual(posts().length, 0);
  });

  it('reports a dialog value that is not valid JSON as INVALID_INPUT naming it, sending nothing', async function () {
    const { node, caught } = await load({ userData: '{bad', userDataType: 'json' });
    const got = nextMessage(caught);
    node.receive({ payload: {} });
    const msg = await got;
    assert.strictEqual(msg.error.code, 'INVALID_INPUT');
    // not "Network error talking to the platform"
    assert.match(msg.error.message, /^userData in the node's dialog cannot be read: .*JSON.*\. Fix the value/);
    await sleep(20);
    assert.strictEqual(posts().length, 0);
  });

  it('says where to set a missing field (dialog or msg.payload)', async function () {
    const { node, caught } = await load({ customerPhone: '' });
    const got = nextMessage(caught);
    node.receive({ payload: {} });
    const msg = await got;
    assert.strictEqual(msg.error.message, "customerPhone is required. Set it in the node's dialog or give it as msg.payload.customerPhone.");
  });

  for (const [code, text] of [
    [14001, 'deviceId is empty'],
    [14002, 'customerPhone is empty'],
    [14005, 'must include the domain'],
    [12008, 'No CMS service instance'],
  ]) {
    it(`explains platform error ${code} at a Catch node, with msg.wellcloud`, async function () {
      const { node, out, caught } = await load();
      sandbox().failNext({ method: 'POST', path: PATH }, { status: 400, errorCode: code });
      let sent = false;
      out.on('input', () => (sent = true));
      const got = nextMessage(caught);
      node.receive({ payload: {} });
      const msg = await got;
      assert.strictEqual(msg.error.code, String(code));
      assert.ok(msg.error.message.includes(text), msg.error.message);
      assert.strictEqual(msg.wellcloud.status, 400);
      assert.strictEqual(Number(msg.wellcloud.errorCode), code);
      assert.strictEqual(typeof msg.wellcloud.errorMessage, 'string');
      assert.strictEqual(sent, false);
      assert.strictEqual(posts().length, 1);
    });
  }

  it('does not retry a 503 (exactly one request)', async function () {
    const { node, caught } = await load();
    sandbox().failNext({ method: 'POST', path: PATH }, { status: 503, times: 3, body: 'unavailable' });
    const got = nextMessage(caught);
    node.receive({ payload: {} });
    const msg = await got;
    assert.strictEqual(msg.error.code, 'HTTP_503');
    assert.strictEqual(msg.wellcloud.status, 503);
    await sleep(300);
    assert.strictEqual(posts().length, 1);
  });

  it('does not retry a dropped connection either', async function () {
    const { node, caught } = await load();
    sandbox().failNext({ method: 'POST', path: PATH }, { status: 0, destroySocket: true, times: 3 });
    const got = nextMessage(caught);
    node.receive({ payload: {} });
    const msg = await got;
    assert.ok(/^E[A-Z]+/.test(msg.error.code), msg.error.code);
    await sleep(300);
    assert.strictEqual(posts().length, 1);
  });

  it('repeats once after a 401 with a renewed token', async function () {
    const { node, out } = await load();
    const first = nextMessage(out);
    node.receive({ payload: {} });
    await first;
    const applied = sandbox().tokenApplications;
    sandbox().expireTokens();
    sandbox().clearRequests();
    const second = nextMessage(out);
    node.receive({ payload: {} });
    const msg = await second;
    assert.ok(msg.payload.callId);
    assert.strictEqual(sandbox().tokenApplications, applied + 1);
    assert.deepStrictEqual(posts().map((r) => r.status), [401, 200]);
  });

  it('sends nothing and reports nothing when closed while the request runs', async function () {
    const { node, out, caught } = await load();
    const { sent, warnings } = await stopWhileRunning(sandbox(), node, [out, caught], { thenMs: 500 });
    assert.strictEqual(sent, 0);
    // stopped while the token was being applied for: the call never went out, nothing to say
    assert.strictEqual(posts().length, 0);
    assert.deepStrictEqual(warnings, []);
  });

  it('warns when a redeploy cuts the call request on its way: the phone may ring, and the answer is lost', async function () {
    for (const lang of ['en-US', 'zh-CN']) {
      sandbox().clearRequests();
      const { node, out, caught } = await load();
      helper.getNode('cfg').lang = lang;
      await helper.getNode('cfg').getClient().getToken();
      const { sent, warnings } = await stopWhileRunning(sandbox(), node, [out, caught]);
      assert.strictEqual(sent, 0);
      assert.strictEqual(posts().length, 1, 'the platform got the call request');
      assert.strictEqual(warnings.length, 1);
      assert.match(warnings[0], lang === 'en-US' ? /the call may have been placed\. Check before calling again/ : /呼叫可能已经发出/);
    }
  });

  describe('example flow "Click to call from a CRM"', function () {
    let server;
    let base;
    afterEach(async () => {
      if (server) await new Promise((r) => server.close(r));
      server = undefined;
    });

    /** Loads the example as shipped, its config node pointed at the test sandbox, and serves its http in. */
    async function loadExample() {
      const nodes = JSON.parse(fs.readFileSync(EXAMPLE, 'utf8'));
      const credentials = {};
      for (const n of nodes) {
        if (n.type === 'wellcloud-config') {
          credentials[n.id] = n.credentials;
          delete n.credentials;
          n.baseUrl = sandbox().url;
        }
      }
      let nodeApp;
      const httpNodes = (RED) => {
        nodeApp = RED.httpNode;
        return httpModule(RED);
      };
      await helper.load([configModule, dualCallModule, catchModule, httpNodes, changeModule, switchModule, debugModule, commentModule], nodes, credentials);
      server = http.createServer(nodeApp);
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${server.address().port}`;
    }

    const post = (body) =>
      fetch(`${base}/crm/click-to-call`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));

    it('answers 200 {callId} and places the dual call', async function () {
      await loadExample();
      const r = await post({ agent: '8001@demo.cc', phone: 13800000000 });
      assert.strictEqual(r.status, 200);
      assert.deepStrictEqual(Object.keys(r.body), ['callId']);
      assert.deepStrictEqual(posts()[0].body, { deviceId: '8001@demo.cc', prefix: '9', customerPhone: '13800000000', userData: { source: 'crm' } });
    });

    it('answers 400 {code, message} to a bad request, sending nothing', async function () {
      await loadExample();
      const r = await post({ agent: '8001', phone: '13800000000' });
      assert.strictEqual(r.status, 400);
      assert.deepStrictEqual(r.body, { code: 'INVALID_INPUT', message: 'deviceId must include the domain, e.g. 8001@test.cc.' });
      assert.strictEqual(posts().length, 0);
    });

    it('answers 502 {code, message} to a platform error', async function () {
      await loadExample();
      sandbox().failNext({ method: 'POST', path: PATH }, { status: 400, errorCode: 12008 });
      const r = await post({ agent: '8001@demo.cc', phone: '13800000000' });
      assert.strictEqual(r.status, 502);
      assert.strictEqual(r.body.code, '12008');
      assert.ok(r.body.message.startsWith('No CMS service instance is available (12008).'), r.body.message);
    });
  });
});
