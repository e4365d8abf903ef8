'use strict';
/**
 * bench-sink: hands every message it receives to the bench harness (bench/lib/bus.js) with the
 * node's `tag`, then calls done(). Loaded by the embedded Node-RED of the bench only (nodesDir).
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
};
