'use strict';
/**
 * Child processes started by the tests (the package install test's sandbox and Node-RED, the browser
 * suite's Node-RED): one way to stop them.
 */

/**
 * Stops `child` with SIGINT (Node-RED and the sandbox close cleanly on it) and SIGKILL after `graceMs`
 * if it is still running then. `exited` is a promise of the child's end the caller already holds
 * (one that started listening before the child could end). Does nothing if the child has ended.
 */
async function stopChild(child, exited, graceMs = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

module.exports = { stopChild };
