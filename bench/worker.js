'use strict';
/**
 * Runs one scenario in a fresh process (so memory peaks, JIT state and leftovers of one scenario
 * never reach another) and sends its result to bench/run.js over IPC.
 *   node --expose-gc bench/worker.js <scenario> '<json context>'
 */
const path = require('path');

async function main() {
  const [name, json] = process.argv.slice(2);
  if (!/^[a-z0-9-]+$/.test(name || '')) throw new Error(`bad scenario name ${name}`);
  const ctx = JSON.parse(json || '{}');
  const scenario = require(path.join(__dirname, 'scenarios', `${name}.js`));
  const result = await scenario.run(ctx);
  await new Promise((resolve) => process.send({ type: 'result', result }, resolve));
}

main().then(
  () => process.exit(0),
  (e) => {
    const message = e && e.stack ? e.stack : String(e);
    if (process.send) process.send({ type: 'failed', message }, () => process.exit(1));
    else {
      console.error(message);
      process.exit(1);
    }
  },
);
