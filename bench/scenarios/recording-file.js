'use strict';
/**
 * A 1 GiB recording (synthetic MP3 streamed on the fly by the sandbox child) saved to a file in
 * os.tmpdir(), two ways in the same process, rounds interleaved:
 *   node      wellcloud-recording (operation audio, output file, msg.filename) in the embedded
 *             Node-RED: token, temporary file, rename, length check
 *   pipeline  the hand-written minimum: stream.pipeline(http.get(url, token header) -> fs.createWriteStream)
 * Targets: node >= 80 % of the pipeline's throughput (median of the per-round ratios); peak RSS
 * growth <= 64 MB. Every file is checked for its size and deleted at once; `sync` runs before
 * each timed download (not timed) so each starts from the same page-cache state.
 */
const { execFileSync } = require('child_process');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { pipeline } = require('stream/promises');
const { redCaller } = require('../lib/driver');
const { removeAtExit, release } = require('../lib/cleanup');
const { measurePeak } = require('../lib/memory');
const { startRed } = require('../lib/red');
const { controls } = require('../lib/sandbox');
const { nowMs, round, median, mib, MiB } = require('../lib/stats');
const flows = require('../lib/flows');

const GiB = 1024 * MiB;
/** The sandbox cuts MP3 bodies to whole 144-byte frames. */
const frameBytes = (n) => Math.floor(n / 144) * 144;

function flow(sandboxUrl) {
  return [
    flows.tab(),
    flows.configNode(sandboxUrl, 'bench-cfg', { timeout: 60000 }),
    {
      id: 'rec-node',
      type: 'wellcloud-recording',
      z: flows.TAB,
      name: '',
      server: 'bench-cfg',
      operation: 'audio',
      format: 'mp3',
      output: 'file',
      callId: '',
      callIdType: 'str',
      recordingId: '',
      recordingIdType: 'str',
      filename: '',
      filenameType: 'str',
      x: 300,
      y: 40,
      wires: [['rec-sink']],
    },
    flows.sink('rec-sink', 'saved'),
    ...flows.catchAll(),
  ];
}

/** The baseline: GET with the token header piped straight into a file. */
function pipelineDownload(sandboxUrl, token, recordingId, file) {
  return new Promise((resolve, reject) => {
    const u = new URL(`/api/cdr/2.0/recordings/open/recording/${encodeURIComponent(recordingId)}/stream?isDownload=1&isWav=0`, sandboxUrl);
    const req = http.get(u, { headers: { wellcloud_token: token } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`baseline: HTTP ${res.statusCode}`));
        return;
      }
      pipeline(res, fs.createWriteStream(file)).then(resolve, reject);
    });
    req.on('error', reject);
  });
}

/** Flushes dirty pages first (not timed), so every run starts from the same page-cache state. */
function flushDisk() {
  try {
    execFileSync('sync');
  } catch {
    // no sync(1): the runs are still interleaved
  }
}

async function timed(file, fn) {
  flushDisk();
  const t0 = nowMs();
  await fn();
  const ms = nowMs() - t0;
  const bytes = fs.statSync(file).size;
  fs.rmSync(file, { force: true });
  return { ms, bytes };
}

async function run(ctx) {
  const size = ctx.quick ? 128 * MiB : GiB;
  const rounds = ctx.rounds || (ctx.quick ? 1 : 3);
  const sb = controls(ctx.sandboxUrl);
  const dir = removeAtExit(fs.mkdtempSync(path.join(os.tmpdir(), 'wellcloud-bench-rec-')));
  const { WellcloudClient } = flows.dist('lib/client');
  const client = new WellcloudClient(flows.clientOptions(ctx.sandboxUrl));
  const red = await startRed();
  let caller;
  try {
    const rec = await sb.addRecording({ bytes: size, format: 'mp3' });
    const warm = await sb.addRecording({ bytes: 4 * MiB, format: 'mp3' });
    await red.deploy(flow(ctx.sandboxUrl));
    caller = redCaller(red, 'rec-node', { okTag: 'saved' });
    const token = await client.getToken();
    const variants = {
      node: (id, file) =>
        timed(file, async () => {
          const m = await caller.call({ recordingId: id }, { filename: file });
          if (m.payload.path !== file) throw new Error(`node saved to ${m.payload.path}`);
        }),
      pipeline: (id, file) => timed(file, () => pipelineDownload(ctx.sandboxUrl, token, id, file)),
    };
    for (const [name, v] of Object.entries(variants)) await v(warm.id, path.join(dir, `warm-${name}.mp3`));
    const runs = { node: [], pipeline: [] };
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? ['pipeline', 'node'] : ['node', 'pipeline'];
      for (const name of order) {
        const file = path.join(dir, `${name}-${r}.mp3`);
        const m = await measurePeak(() => variants[name](rec.id, file));
        runs[name].push({ ...m.result, mibPerSecond: m.result.bytes / MiB / (m.result.ms / 1000), rssGrowth: m.growth });
      }
    }
    const expected = frameBytes(size);
    const complete = [...runs.node, ...runs.pipeline].every((x) => x.bytes === expected);
    const nodeRate = median(runs.node.map((x) => x.mibPerSecond));
    const pipeRate = median(runs.pipeline.map((x) => x.mibPerSecond));
    // paired: the two runs of a round are back to back, so the disk's mood hits both
    const ratio = median(runs.node.map((x, i) => x.mibPerSecond / runs.pipeline[i].mibPerSecond));
    return {
      bytes: expected,
      complete,
      nodeMiBps: round(nodeRate, 0),
      pipelineMiBps: round(pipeRate, 0),
      ratio: round(ratio, 3),
      peakRssGrowthMiB: { node: mib(Math.max(...runs.node.map((x) => x.rssGrowth))), pipeline: mib(Math.max(...runs.pipeline.map((x) => x.rssGrowth))) },
      runs: Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v.map((x) => ({ seconds: round(x.ms / 1000, 2), MiBps: round(x.mibPerSecond, 0), rssGrowthMiB: mib(x.rssGrowth) }))])),
    };
  } finally {
    caller?.dispose();
    client.close();
    await red.stop();
    release(dir);
  }
}

module.exports = { run };
