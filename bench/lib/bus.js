'use strict';
/**
 * The one channel between the bench harness and the bench nodes running inside the embedded
 * Node-RED (same process, same module instance): `bus.emit('sink', tag, msg)`.
 */
const { EventEmitter } = require('events');

const bus = new EventEmitter();
bus.setMaxListeners(0);

module.exports = bus;
