'use strict';
// wellcloud-outbound-call against the sandbox: dialog values, msg overrides, config defaults,
// typedInputs, validation before sending, platform errors at a Catch node, and no retry.
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { helper, dist, useNodeSuite, configNode, demoCredentials, nextMessage, sleep, stopWhileRunning } = require('../helpers');

const configModule = dist('nodes/wellcloud-config/wellcloud-config.js');
const outboundModule = dist('nodes/wellcloud-outbound-call/wellcloud-outbound-call.js');
const catchModule = require('@node-red/nodes/core/common/25-catch.js');
const { DEMO_CAMPAIGN_ID, DEMO_TENANT_ID, DEMO_DOMAIN, INSTANT_OK } = dist('lib/sandbox');

const PATH = '/api/ocm/instant/smart';

/** `obj` with a `key` whose getter throws (not enumerable: the Catch node's copy of the message skips it, the node reads it). */
function throwingField(obj, key) {
  return Object.defineProperty(obj, key, {
    get() {
      throw new Error('no access to this field');
    },
  });
}
const coreModules = ['common/20-inject.js', 'common/21-debug.js', 'common/90-comment.js'].map((m) => require(`@node-red/nodes/core/${m}`));

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

function flow(sandbox, props = {}, config = {}) {
  return [
    { id: 'f1', type: 'tab', label: 'outbound' },
    configNode(sandbox, { tenantId: DEMO_TENANT_ID, ...config }),
    {
      id: 'ob',
      z: 'f1',
      type: 'wellcloud-outbound-call',
      server: 'cfg',
      activityId: DEMO_CAMPAIGN_ID,
      activityIdType: 'str',
      callee: '13912345678',
      calleeType: 'str',
      caller: '8001',
      callerType: 'str',
      rosterId: 'R-1',
      rosterIdType: 'str',
      recordId: '',
      recordIdType: 'str',
      data: '{}',
      dataType: 'json',
      domain: '',
      domainType: 'str',
      tenantId: '',
      tenantIdType: 'str',
      wires: [['out']],
      ...props,
    },
    { id: 'out', z: 'f1', type: 'helper' },
    { id: 'catcher', z: 'f1', type: 'catch', scope: ['ob'], uncaught: false, wires: [['caught']] },
    { id: 'caught', z: 'f1', type: 'helper' },
  ];
}

describe('wellcloud-outbound-call', function () {
  const sandbox = useNodeSuite();
  const posts = () => sandbox().requests.filter((r) => r.path === PATH);

  afterEach(() => {
    delete process.env.WELLCLOUD_TEST_CALLER;
  });

  async function load(props, config) {
    await helper.load([configModule, outboundModule, catchModule], flow(sandbox(), props, config), demoCredentials());
    return { node: helper.getNode('ob'), out: helper.getNode('out'), caught: helper.getNode('caught') };
  }

  it('dials with the dialog values, domain and tenantId from the config, and outputs {result, reason}', async function () {
    const { node, out } = await load();
    const got = nextMessage(out);
    node.receive({ payload: 'go', topic: 'keep' });
    const msg = await got;
    assert.deepStrictEqual(msg.payload, { result: INSTANT_OK.result, reason: INSTANT_OK.reason });
    assert.strictEqual(msg.topic, 'keep');
    assert.deepStrictEqual(posts()[0].body, {
      activityId: DEMO_CAMPAIGN_ID,
      callee: '13912345678',
      caller: '8001',
      data: {},
      domain: DEMO_DOMAIN,
      rosterId: 'R-1',
      tenantId: DEMO_TENANT_ID,
    });
  });

  it('lets msg.payload fields beat the dialog and the config defaults', async function () {
    const { node, out, caught } = await load({ data: '{"from":"dialog"}' });
    const got = Promise.race([nextMessage(out), nextMessage(caught)]);
    node.receive({ payload: { callee: '13800000000', data: { from: 'msg' }, id: 'req-7', rosterId: 'R-2', tenantId: 'other-tenant', domain: 'other.cc' } });
    await got;
    assert.deepStrictEqual(posts()[0].body, {
      activityId: DEMO_CAMPAIGN_ID,
      callee: '13800000000',
      caller: '8001',
      data: { from: 'msg' },
      domain: 'other.cc',
      rosterId: 'R-2',
      tenantId: 'other-tenant',
      id: 'req-7',
    });
  });

  it("sends the dialog's recordId as id when msg.payload.id is empty or null (not given)", async function () {
    // an empty msg.payload.id used to hide the dialog's recordId: no id was sent
    const { node, out, caught } = await load({ recordId: 'rec-dialog', recordIdType: 'str' });
    for (const id of ['', null, undefined, 'rec-msg']) {
      const got = Promise.race([nextMessage(out), nextMessage(caught).then((m) => assert.fail(m.error.message))]);
      node.receive({ payload: { id } });
      await got;
    }
    assert.deepStrictEqual(posts().map((r) => r.body.id), ['rec-dialog', 'rec-dialog', 'rec-dialog', 'rec-msg']);
  });

  it('takes domain and tenantId from the config node when the dialog reads null (an unset context value, JSON null)', async function () {
    // before: "tenantId is required" (and domain), although the config node has them
    const { node, out, caught } = await load({ domain: 'where.domain', domainType: 'msg', tenantId: 'null', tenantIdType: 'json' });
    const got = Promise.race([nextMessage(out), nextMessage(caught).then((m) => assert.fail(m.error.message))]);
    node.receive({ payload: {}, where: { domain: null } });
    await got;
    assert.deepStrictEqual([posts()[0].body.domain, posts()[0].body.tenantId], [DEMO_DOMAIN, DEMO_TENANT_ID]);
  });

  it('reads typedInputs from msg, flow, global and env', async function () {
    process.env.WELLCLOUD_TEST_CALLER = '8009';
    const { node, out } = await load({
      activityId: 'activity',
      activityIdType: 'global',
      callee: 'phone',
      calleeType: 'flow',
      caller: 'WELLCLOUD_TEST_CALLER',
      callerType: 'env',
      data: 'crm.data',
      dataType: 'msg',
    });
    node.context().global.set('activity', DEMO_CAMPAIGN_ID);
    node.context().flow.set('phone', '13700000000');
    const got = nextMessage(out);
    node.receive({ crm: { data: { level: 'gold' } } });
    await got;
    const body = posts()[0].body;
    assert.deepStrictEqual([body.activityId, body.callee, body.caller, body.data], [DEMO_CAMPAIGN_ID, '13700000000', '8009', { level: 'gold' }]);
  });

  const invalid = [
    ['a missing activityId', {}, 'activityId', { activityId: '' }],
    ['a callee with letters', { callee: 'abc' }, 'callee'],
    ['a callee of 2 digits', { callee: '12' }, 'callee'],
    ['a missing caller', {}, 'caller', { caller: '' }],
    ['missing data', {}, 'data', { data: '' }],
    ['data that is not an object', { data: 'x' }, 'data'],
    ['a missing rosterId', {}, 'rosterId', { rosterId: '' }],
    ['no tenantId anywhere', {}, 'tenantId', {}, { tenantId: '' }],
    ['no domain anywhere', {}, 'domain', {}, { domain: '' }],
    // a getter that throws was "Unexpected error in the node" with code ERROR
    ['a msg.payload.id whose getter throws', throwingField({}, 'id'), 'id'],
    ['a msg.payload.callee whose getter throws', throwingField({}, 'callee'), 'callee'],
    // numbers whose digits are lost: sent as "9007199254740992" and "1e+21" before
    ['an id given as a number too large to be exact', { id: 2 ** 53 + 1 }, 'id'],
    ['a tenantId given as a number too large to be exact', { tenantId: 1e21 }, 'tenantId'],
  ];
  for (const [name, payload, field, dialog, config] of invalid) {
    it(`fails on ${name} with INVALID_INPUT naming ${field}, sending nothing`, async function () {
      const { node, caught } = await load(dialog, config);
      const got = nextMessage(caught);
      node.receive({ payload });
      const msg = await got;
      assert.strictEqual(msg.error.code, 'INVALID_INPUT');
      assert.ok(msg.error.message.startsWith(`${field} `) || msg.error.message.startsWith(`msg.payload.${field} `), msg.error.message);
      // a missing field says where to set it; domain and tenantId also in the config node
      if (/is required\./.test(msg.error.message)) {
        const where = field === 'domain' || field === 'tenantId' ? "Set it in the node's dialog or in the wellcloud config node, or give it as" : "Set it in the node's dialog or give it as";
        assert.ok(msg.error.message.endsWith(`is required. ${where} msg.payload.${field}.`), msg.error.message);
      }
      await sleep(20);
      assert.strictEqual(posts().length, 0);
    });
  }

  it('reports a platform error at a Catch node with msg.wellcloud', async function () {
    const { node, caught } = await load({ activityId: 'no-such-activity' });
    const got = nextMessage(caught);
    node.receive({ payload: {} });
    const msg = await got;
    assert.strictEqual(msg.wellcloud.status, 404);
    assert.strictEqual(msg.error.code, String(msg.wellcloud.errorCode));
    // says which field to check
    assert.match(msg.error.message, /Unknown activity \(404\): check activityId/);
    assert.strictEqual(posts().length, 1);
  });

  it('warns when a redeploy cuts the request on its way (the customer may be called), sends and reports nothing', async function () {
    const { node, out, caught } = await load();
    await helper.getNode('cfg').getClient().getToken();
    const { sent, warnings } = await stopWhileRunning(sandbox(), node, [out, caught]);
    assert.strictEqual(sent, 0);
    assert.strictEqual(posts().length, 1, 'the platform got the request');
    assert.strictEqual(warnings.length, 1);
    assert.match(warnings[0], /the call may have been placed/);
  });

  it('does not retry a 503 (exactly one request)', async function () {
    const { node, caught } = await load();
    sandbox().failNext({ method: 'POST', path: PATH }, { status: 503, times: 3, body: 'unavailable' });
    const got = nextMessage(caught);
    node.receive({ payload: {} });
    const msg = await got;
    assert.strictEqual(msg.error.code, 'HTTP_503');
    await sleep(300);
    assert.strictEqual(posts().length, 1);
  });

  describe('example flow "Instant outbound call"', function () {
    it('calls the customer, and shows the check made before sending', async function () {
      await loadExample('Instant outbound call.json', [configModule, outboundModule, catchModule, ...coreModules], sandbox().url);
      const ok = nextMessage(helper.getNode('wcObxDbg'));
      helper.getNode('wcObxGo').receive({});
      assert.deepStrictEqual((await ok).payload, { result: INSTANT_OK.result, reason: INSTANT_OK.reason });
      assert.deepStrictEqual(posts()[0].body.data, { name: '张三', orderId: 'A1001' });
      assert.strictEqual(posts()[0].body.tenantId, DEMO_TENANT_ID);
      const bad = nextMessage(helper.getNode('wcObxErr'));
      helper.getNode('wcObxBad').receive({});
      const err = await bad;
      assert.strictEqual(err.error.code, 'INVALID_INPUT');
      assert.ok(err.error.message.includes('callee'), err.error.message);
      assert.strictEqual(posts().length, 1);
    });
  });
});
