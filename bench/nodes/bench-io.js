'use strict';
/**
 * Bench-only nodes, loaded by the embedded Node-RED of the bench only (nodesDir):
 *   bench-sink      hands every message it receives to the bench harness (bench/lib/bus.js)
 *                   with the node's `tag`, then calls done().
 *   bench-lib-call  the thinnest possible node around the same lib client our nodes use (the
 *                   config node's): on input, one client call with msg.payload, the result as
 *                   msg.payload, send, done. No checks, no typedInputs, no status. Its latency
 *                   over the lib called directly is what crossing Node-RED costs any node.
 */
const bus = require('../lib/bus');

module.exports = function register(RED) {
  function BenchSinkNode(config) {
    RED.nodes.createNode(this, config);
    const tag = config.tag || this.id;
    this.on('input', (msg, _send, done) => {
      bus.emit('sink', tag, msg);
      done();
    });
  }
  RED.nodes.registerType('bench-sink', BenchSinkNode);

  const CALLS = {
    dualCall: (client, payload) => client.dualCall(payload),
    getCall: (client, payload) => client.getCall(payload.callId),
  };
  function BenchLibCallNode(config) {
    RED.nodes.createNode(this, config);
    const server = RED.nodes.getNode(config.server);
    const call = CALLS[config.op];
    this.on('input', (msg, send, done) => {
      call(server.getClient(), msg.payload).then(
        (result) => {
          msg.payload = result;
          send(msg);
          done();
        },
        (err) => done(err),
      );
    });
  }
  RED.nodes.registerType('bench-lib-call', BenchLibCallNode);
};
