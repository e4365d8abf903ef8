'use strict';
/*
 * Every node type together through repeated redeploys with work in flight: nothing accumulates.
 * No listener warning, no listener added to `process` or to the runtime's events for good, no
 * connection to the sandbox, no socket or file handle of the process and no partial download is
 * left once the flows are stopped. (Memory, routes and node instances over hundreds of redeploys:
 * the bench's `redeploy` scenario.)
 */
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { helper, dist, useNodeSuite, configNode, demoCredentials, sleep } = require('../helpers');

const TYPES = ['config', 'cdr', 'recording', 'roster-upload', 'dual-call', 'outbound-call', 'event-in', 'agent-state'];
const modules = TYPES.map((t) => dist(`nodes/wellcloud-${t}/wellcloud-${t}.js`));
const httpIn = require('@node-red/nodes/core/network/21-httpin.js');
const { DEMO_CAMPAIGN_ID } = dist('lib/sandbox');

/** Listeners per event on an emitter: `process`, or the runtime's event emitter. */
function listenerCounts(emitter) {
  const out = {};
  for (const e of emitter.eventNames()) out[String(e)] = emitter.listenerCount(e);
  return out;
}

/** Handles of the process that a leak would leave: sockets and file handles. */
function handles() {
  return process.getActiveResourcesInfo().filter((r) => /^(TCPSocketWrap|FSReqCallback|FileHandle|FSReqPromise)$/.test(r)).length;
}

async function until(test, what, ms = 3000) {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('redeploys with work in flight', function () {
  this.timeout(60000);
  const sandbox = useNodeSuite({ callDurationMs: 20 });
  const dirs = [];
  after(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it('30 redeploys leave no warning, listener, connection, handle or partial file behind', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wellcloud-redeploy-'));
    dirs.push(dir);
    const sb = sandbox();
    const big = sb.addRecording({ bytes: 8 * 1024 * 1024, format: 'mp3' });
    const warnings = [];
    const onWarning = (w) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    const baseline = handles();
    // taken after the first flow stopped: the runtime's first start adds listeners of its own
    let listenersAfterFirst;
    try {
      for (let i = 0; i < 30; i++) {
        sb.clearRequests();
        sb.setLatency(20);
        await helper.load([...modules, httpIn], [
          { id: 'f1', type: 'tab' },
          configNode(sb),
          { id: 'cdr', z: 'f1', type: 'wellcloud-cdr', server: 'cfg', operation: 'range', outputMode: 'record', isOrder: '1', pageSize: 5, concurrency: 4, wires: [[]] },
          { id: 'rec', z: 'f1', type: 'wellcloud-recording', server: 'cfg', operation: 'audio', output: 'file', filename: `${dir}/`, filenameType: 'str', wires: [[]] },
          { id: 'dual', z: 'f1', type: 'wellcloud-dual-call', server: 'cfg', wires: [[]] },
          { id: 'ob', z: 'f1', type: 'wellcloud-outbound-call', server: 'cfg', wires: [[]] },
          { id: 'ros', z: 'f1', type: 'wellcloud-roster-upload', server: 'cfg', templateId: DEMO_CAMPAIGN_ID, templateIdType: 'str', wires: [[]] },
          { id: 'hin', z: 'f1', type: 'http in', url: '/wellcloud-events', method: 'post', wires: [['ev']] },
          { id: 'ev', z: 'f1', type: 'wellcloud-event-in', wires: [[], ['ag'], []] },
          { id: 'ag', z: 'f1', type: 'wellcloud-agent-state', wires: [[]] },
        ], demoCredentials());
        helper.getNode('cdr').receive({ payload: { beginTime: '2025-03-01 00:00:00', endTime: '2025-03-20 00:00:00' } });
        helper.getNode('rec').receive({ payload: { recordingId: big.id } });
        helper.getNode('dual').receive({ payload: { deviceId: '8001@demo.cc', prefix: '9', customerPhone: '13912345678' } });
        helper.getNode('ros').receive({ payload: 'r1,S,13900000001\nr2,S,13900000002\n' });
        helper.getNode('ev').receive({ payload: { eventName: 'agentStateEvent', serial: `s${i}`, id: '5001', acState: 'Aux', timestamp: '2025.03.01 09:00:00.000' } });
        // stop while the range query and the download are under way
        await until(() => sb.requests.some((r) => r.path.endsWith('/stream')) && sb.requests.filter((r) => r.path === '/api/cdr/2.0/calls/open').length > 1, 'the work to start');
        await helper.unload();
        assert.deepStrictEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.part')), [], `partial file after stop ${i + 1}`);
        if (i === 0) listenersAfterFirst = { process: listenerCounts(process), runtime: listenerCounts(helper._events) };
      }
      assert.deepStrictEqual({ process: listenerCounts(process), runtime: listenerCounts(helper._events) }, listenersAfterFirst, 'listeners added by a flow outlive it');
      sb.setLatency(0);
      await until(() => sb.sockets.size === 0, 'the connections to the sandbox to close');
      await until(() => handles() <= baseline, `the handles to go (${process.getActiveResourcesInfo().join()})`);
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      assert.deepStrictEqual(warnings, []);
    } finally {
      process.off('warning', onWarning);
      sb.setLatency(0);
    }
  });
});
