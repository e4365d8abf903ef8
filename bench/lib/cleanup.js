'use strict';
/**
 * Temporary files and directories of a bench process, removed however the process ends: normal
 * exit, an error, Ctrl+C / SIGTERM, or bench/run.js going away (IPC disconnect).
 */
const fs = require('fs');

const paths = new Set();

function removeAll() {
  for (const p of paths) {
    try {
      fs.rmSync(p, { recursive: true, force: true });
    } catch {
      // best effort: nothing else can be done while exiting
    }
  }
  paths.clear();
}

process.on('exit', removeAll);
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));
if (process.send) process.once('disconnect', () => process.exit(130));

/** Removes `p` at exit unless `release(p)` ran first. */
function removeAtExit(p) {
  paths.add(p);
  return p;
}

/** Removes `p` now and forgets it. */
function release(p) {
  paths.delete(p);
  fs.rmSync(p, { recursive: true, force: true });
}

module.exports = { removeAtExit, release };
