'use strict';
// wellcloud-agent-state: changes with counts, out-of-order events, bounds, snapshot/reset,
// persistence across redeploys; and the whole chain from the sandbox's pushes through http in
// and wellcloud-event-in.
const assert = require('assert');
const http = require('http');
const { helper, dist, sleep, showingValues, failingContextStore } = require('../helpers');

const agentStateNode = dist('nodes/wellcloud-agent-state/wellcloud-agent-state.js');
const eventInNode = dist('nodes/wellcloud-event-in/wellcloud-event-in.js');
const httpModule = require('@node-red/nodes/core/network/21-httpin.js');

let ids = 0;
let serial = 5000;

function ev(id, acState, minute, extra = {}) {
  serial++;
  const t = `2024.05.01 09:${String(minute).padStart(2, '0')}:00.000`;
  return { eventName: 'agentStateEvent', serial, timestamp: t, eventType: 'agent', id, name: `agent ${id}`, acState, stateChangeTime: t, ...extra };
}

function flow(props = {}, id = `as${++ids}`) {
  return [
    { id: 'tab1', type: 'tab', label: 'agents' },
    { id, z: 'tab1', type: 'wellcloud-agent-state', name: '', ...props, wires: [['out']] },
    { id: 'out', z: 'tab1', type: 'helper' },
  ];
}

async function load(props, id) {
  const nodes = flow(props, id);
  await helper.load(agentStateNode, nodes);
  const node = helper.getNode(nodes[1].id);
  const out = [];
  helper.getNode('out').on('input', (m) => out.push(m));
  const warnings = [];
  const statuses = [];
  node.on('call:warn', (c) => warnings.push(String(c.args[0])));
  node.on('call:status', (c) => statuses.push(c.args[0]));
  return { node, out, warnings, statuses };
}

const settle = () => sleep(20);

describe('wellcloud-agent-state node', function () {
  afterEach(() => helper.unload());

  it('keeps working on a context store that fails to read and to write, and warns why', async () => {
    const broken = failingContextStore('broken');
    try {
      const nodes = flow({ store: 'broken' });
      await helper.load([broken.loadStores, showingValues(agentStateNode)], nodes);
      const node = helper.getNode(nodes[1].id);
      const out = [];
      helper.getNode('out').on('input', (m) => out.push(m));
      const warnings = [];
      node.on('call:warn', (c) => warnings.push(String(c.args[0])));
      node.receive({ payload: ev('5001', 'Available', 1) });
      node.receive({ payload: ev('5001', 'Aux', 2) });
      await settle();
      assert.deepStrictEqual(out.map((m) => [m.payload.agent, m.payload.state]), [['5001', 'Available'], ['5001', 'Aux']]);
      assert.ok(broken.calls.get >= 1 && broken.calls.set >= 1, JSON.stringify(broken.calls));
      assert.ok(warnings.length >= 2, warnings.join('\n'));
      for (const w of warnings) assert.strictEqual(w, 'wellcloud-agent-state.warn.store {"detail":"context store broken is offline"}');
    } finally {
      broken.restore();
    }
  });

  it('sends {agent, state, previous, counts} on each change, topic = agent', async () => {
    const { node, out } = await load();
    node.receive({ payload: ev('5001', 'Available', 1, { lastACState: 'LogOut' }) });
    node.receive({ payload: ev('5002', 'Aux', 2) });
    node.receive({ payload: ev('5001', 'ManualRinging', 3) });
    await settle();
    assert.strictEqual(out.length, 3);
    assert.strictEqual(out[0].topic, '5001');
    assert.deepStrictEqual(out[0].payload, {
      agent: '5001',
      name: 'agent 5001',
      state: 'Available',
      previous: 'LogOut',
      since: '2024-05-01T01:01:00.000Z',
      counts: { Available: 1 },
      total: 1,
    });
    assert.strictEqual(out[2].payload.previous, 'Available');
    assert.deepStrictEqual(out[2].payload.counts, { Aux: 1, ManualRinging: 1 });
  });

  it('sends nothing for a newer event in the same state, nor for older or repeated events', async () => {
    const { node, out } = await load();
    const first = ev('5001', 'Acw', 10);
    node.receive({ payload: first });
    node.receive({ payload: ev('5001', 'Acw', 11, { reason: 'SessionTimeout' }) });
    node.receive({ payload: ev('5001', 'ManualTalking', 5) }); // a late retry of an older change
    node.receive({ payload: first }); // the same event again
    node.receive({ payload: ev('5001', 'Available', 12) });
    await settle();
    assert.deepStrictEqual(out.map((m) => m.payload.state), ['Acw', 'Available']);
    assert.strictEqual(out[1].payload.previous, 'Acw');
  });

  it('accepts the legacy AgentStatusEvent shape', async () => {
    const { node, out } = await load();
    node.receive({ payload: { eventName: 'AgentStatusEvent', serial: 1, eventTime: '2018.06.21 21:06:23', agent: { agentId: '5102@zhen04.cc', agentStatus: 'Idle', agentStatusTimestamp: '2018.06.21 21:06:23' } } });
    await settle();
    assert.strictEqual(out[0].payload.agent, '5102@zhen04.cc');
    assert.strictEqual(out[0].payload.state, 'Available');
  });

  it('warns about other messages and keeps working', async () => {
    const { node, out, warnings } = await load();
    node.receive({ topic: 'callEnd', payload: { eventName: 'callEnd', callId: 'x' } });
    node.receive({ payload: 'hello' });
    node.receive({ payload: { eventName: 'agentStateEvent', serial: 1 } });
    node.receive({ payload: ev('5003', 'Aux', 1) });
    await settle();
    assert.strictEqual(warnings.length, 3);
    assert.strictEqual(out.length, 1);
    // the helper shows keys; the texts say what to wire instead
    assert.strictEqual(warnings[0], 'wellcloud-agent-state.warn.notAgentEvent');
    for (const [lang, re] of [['en-US', /Wire output 2 \(agentStateEvent\) of wellcloud-event-in/], ['zh-CN', /wellcloud-event-in 的输出 2/]]) {
      const text = require(`../../nodes/wellcloud-agent-state/locales/${lang}/wellcloud-agent-state.json`)['wellcloud-agent-state'].warn.notAgentEvent;
      assert.match(text, re);
    }
  });

  it('counts and lists an agent or a state named __proto__ or constructor like any other', async () => {
    const { node, out } = await load();
    node.receive({ payload: ev('__proto__', '__proto__', 1) });
    node.receive({ payload: ev('constructor', 'Available', 1) });
    node.receive({ topic: 'snapshot' });
    await settle();
    assert.deepStrictEqual(Object.entries(out[0].payload.counts), [['__proto__', 1]]);
    assert.strictEqual(out[1].payload.total, 2);
    const snap = out[2].payload;
    assert.deepStrictEqual(Object.keys(snap.agents), ['__proto__', 'constructor']);
    assert.strictEqual(snap.agents['__proto__'].state, '__proto__');
    assert.deepStrictEqual(Object.entries(snap.counts), [['__proto__', 1], ['Available', 1]]);
  });

  it('warns about a message whose topic cannot be turned into text, without failing it', async () => {
    const { node, out, warnings } = await load();
    const errors = [];
    node.on('call:error', (c) => errors.push(String(c.args[0])));
    node.receive({ topic: JSON.parse('{"toString":1}'), payload: 1 });
    node.receive({ topic: Object.create(null), payload: 'x' });
    node.receive({ payload: ev('5001', 'Aux', 1) });
    await settle();
    assert.deepStrictEqual(errors, []);
    assert.deepStrictEqual(warnings, ['wellcloud-agent-state.warn.notAgentEvent', 'wellcloud-agent-state.warn.notAgentEvent']);
    assert.strictEqual(out.length, 1);
  });

  it('holds at most maxAgents', async () => {
    const { node, out } = await load({ maxAgents: 3 });
    for (let i = 1; i <= 6; i++) node.receive({ payload: ev(String(6000 + i), 'Available', i) });
    await settle();
    assert.strictEqual(out[5].payload.total, 3);
    assert.deepStrictEqual(out[5].payload.counts, { Available: 3 });
    node.receive({ topic: 'snapshot' });
    await settle();
    assert.deepStrictEqual(Object.keys(out[6].payload.agents), ['6004', '6005', '6006']);
  });

  it('answers a snapshot and forgets everything on reset', async () => {
    const { node, out } = await load();
    node.receive({ payload: ev('5001', 'Available', 1) });
    node.receive({ payload: ev('5002', 'Aux', 1) });
    node.receive({ topic: 'snapshot' });
    await settle();
    const snap = out[2];
    assert.strictEqual(snap.topic, 'snapshot');
    assert.deepStrictEqual(snap.payload.counts, { Available: 1, Aux: 1 });
    assert.strictEqual(snap.payload.agents['5002'].state, 'Aux');
    node.receive({ topic: 'reset' });
    node.receive({ topic: 'snapshot' });
    await settle();
    assert.deepStrictEqual(out[3].payload, { agents: {}, counts: {}, total: 0 });
  });

  it('shows the most frequent states in the status', async () => {
    const { node, statuses } = await load();
    node.receive({ payload: ev('5001', 'Available', 1) });
    node.receive({ payload: ev('5002', 'Available', 1) });
    node.receive({ payload: ev('5003', 'Aux', 1) });
    await settle();
    const last = statuses[statuses.length - 1];
    // RED._ returns the key in the test helper; the label falls back to the state name
    assert.strictEqual(last.text, 'Available 2 · Aux 1');
    assert.strictEqual(last.fill, 'green');
  });

  it('keeps the board across a redeploy and restores it on start', async () => {
    const { node, out } = await load({}, 'asKeep');
    node.receive({ payload: ev('5001', 'Available', 1) });
    node.receive({ payload: ev('5002', 'Aux', 1) });
    await settle();
    assert.strictEqual(out.length, 2);
    await helper.setFlows(flow({}, 'asKeep'), 'full');
    const again = helper.getNode('asKeep');
    const out2 = [];
    helper.getNode('out').on('input', (m) => out2.push(m));
    again.receive({ payload: ev('5001', 'Available', 0) }); // older than what was held: ignored
    again.receive({ payload: ev('5003', 'Acw', 2) });
    await settle();
    assert.strictEqual(out2.length, 1);
    assert.deepStrictEqual(out2[0].payload.counts, { Available: 1, Aux: 1, Acw: 1 });
    // deleting the node deletes what it kept
    const global = again.context().global;
    assert.ok(global.get('wellcloud_agents_asKeep'));
    await helper.setFlows([{ id: 'tab1', type: 'tab', label: 'agents' }], 'full');
    assert.strictEqual(global.get('wellcloud_agents_asKeep'), undefined);
  });

  it('drops a message delivered after its stop began: a deleted node\'s board does not come back', async () => {
    const { node, out } = await load({}, 'asLate');
    node.receive({ payload: ev('5001', 'Available', 1) });
    await settle();
    const global = node.context().global;
    assert.ok(global.get('wellcloud_agents_asLate'));
    const closed = node.close(true);
    // Node-RED queued it before the stop
    node.receive({ payload: ev('5002', 'Aux', 2) });
    await closed;
    await settle();
    assert.strictEqual(global.get('wellcloud_agents_asLate'), undefined);
    assert.strictEqual(out.length, 1);
  });

  it('restores a stored board before handling the first message', async () => {
    const nodes = flow({}, 'asPre');
    await helper.load(agentStateNode, nodes);
    const pre = helper.getNode('asPre');
    pre.context().global.set('wellcloud_agents_asPre', { v: 1, agents: [['7001', { s: 'Aux', n: 'x', q: 1 }]] });
    await helper.setFlows(flow({}, 'asPre'), 'full');
    const node = helper.getNode('asPre');
    const out = [];
    helper.getNode('out').on('input', (m) => out.push(m));
    node.receive({ payload: ev('7001', 'Available', 1) });
    await settle();
    assert.strictEqual(out[0].payload.previous, 'Aux');
    assert.strictEqual(out[0].payload.total, 1);
  });
});

describe('sandbox -> http in -> wellcloud-event-in -> wellcloud-agent-state', function () {
  let sb;
  afterEach(async () => {
    await helper.unload();
    if (sb) await sb.close();
    sb = undefined;
  });

  it('turns the pushes of a simulated dual call into callEnd and agent state changes', async function () {
    this.timeout(15000);
    const { startSandbox, DEMO_CREDENTIALS } = dist('lib/sandbox');
    const { pushesOf } = dist('lib/sandbox/pushes');
    const { WellcloudClient } = dist('lib/client');
    // the app http in registers on (RED.httpNode), served on loopback like Node-RED serves it
    let nodeApp;
    const httpNodes = (RED) => {
      nodeApp = RED.httpNode;
      return httpModule(RED);
    };
    const nodes = [
      { id: 'tab1', type: 'tab', label: 'live' },
      { id: 'in', z: 'tab1', type: 'http in', url: '/wellcloud/events', method: 'post', wires: [['evin']] },
      { id: 'evin', z: 'tab1', type: 'wellcloud-event-in', wires: [['ends'], ['agents'], []] },
      { id: 'agents', z: 'tab1', type: 'wellcloud-agent-state', wires: [['changes']] },
      { id: 'ends', z: 'tab1', type: 'helper' },
      { id: 'changes', z: 'tab1', type: 'helper' },
    ];
    await helper.load([httpNodes, eventInNode, agentStateNode], nodes);
    const server = http.createServer(nodeApp);
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    try {
      sb = await startSandbox({ subscriberUrl: `http://127.0.0.1:${server.address().port}/wellcloud/events`, callDurationMs: 300 });
      const ends = [];
      const changes = [];
      helper.getNode('ends').on('input', (m) => ends.push(m));
      helper.getNode('changes').on('input', (m) => changes.push(m));
      const client = new WellcloudClient({ baseUrl: sb.url, ...DEMO_CREDENTIALS, timeout: 5000 });
      let callId;
      try {
        ({ callId } = await client.dualCall({ deviceId: '8002@demo.cc', prefix: '9', customerPhone: '13800000002' }));
      } finally {
        client.close();
      }
      const deadline = Date.now() + 8000;
      while ((ends.length === 0 || !changes.some((c) => c.payload.state === 'Available')) && Date.now() < deadline) await sleep(25);
      assert.strictEqual(ends.length, 1);
      assert.strictEqual(ends[0].payload.callId, callId);
      assert.ok(ends[0].payload.endTimeIso);
      assert.deepStrictEqual(changes.map((c) => c.payload.state), ['ManualRinging', 'ManualTalking', 'Acw', 'Available']);
      assert.ok(changes.every((c) => c.payload.agent === '5002'));
      await pushesOf(sb).whenIdle();
      assert.ok(pushesOf(sb).log.every((r) => r.state === 'delivered' && r.attempts.length === 1), JSON.stringify(pushesOf(sb).log));
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
