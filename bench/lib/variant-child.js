'use strict';
/**
 * The process of one throughput variant (see bench/lib/variant.js):
 *   node bench/lib/variant-child.js '<json spec>'
 * Sets the variant up (bench/scenarios/throughput.js, setupVariant), answers 'ready', then runs
 * a closed loop for every {type: 'run', id, count, concurrency} and answers {id, result}.
 */
const { closedLoop } = require('./driver');
const { setupVariant } = require('../scenarios/throughput');

async function main() {
  const spec = JSON.parse(process.argv[2]);
  const variant = await setupVariant(spec);
  let queue = Promise.resolve();
  process.on('message', (m) => {
    if (m.type === 'run') {
      queue = queue.then(async () => {
        try {
          const result = await closedLoop({ count: m.count, concurrency: m.concurrency, op: variant.op, completesOnNewTurn: variant.completesOnNewTurn });
          // the pid, to match this variant with per-process profiles (perf, --logfile=%p)
          process.send({ id: m.id, result: { ...result, pid: process.pid } });
        } catch (e) {
          process.send({ id: m.id, error: e && e.stack ? e.stack : String(e) });
        }
      });
    } else if (m.type === 'close') {
      queue.then(() => variant.close()).finally(() => process.exit(0));
    }
  });
  process.send({ type: 'ready' });
}

main().catch((e) => {
  process.send({ type: 'error', message: e && e.stack ? e.stack : String(e) }, () => process.exit(1));
});
