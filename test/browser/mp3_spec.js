'use strict';
/*
 * The sandbox's MP3 recordings through a real decoder (npm run test:browser): the bytes a
 * download gives are decoded by headless Debian chromium's decodeAudioData, and the PCM must be
 * the intended tone: as long as its frames, clearly audible without clipping, and at the
 * frequency derived from the id. The frame syntax itself is checked in test/lib/sandbox-mp3_spec.js.
 */
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const ed = require('./lib/editor');

const root = path.join(__dirname, '..', '..');
const dist = (p) => require(path.join(root, 'dist', p));

const RATE = 32000;
const FRAME_SAMPLES = 1152;
const FRAME_BYTES = 144;
const REC_STREAM = (id) => `/api/cdr/2.0/recordings/open/recording/${id}/stream`;
const CALL_STREAM = (id) => `/api/cdr/2.0/recordings/open/call/${id}/stream`;

/**
 * Runs in the page: decodes the MP3 bytes with an OfflineAudioContext at 32 kHz and measures the
 * PCM after the first four frames (the filterbank's start) and before the last two: RMS, peak,
 * the frequency from upward zero crossings, and the DFT amplitude at every multiple of 13.89 Hz
 * (32000 / 2304) up to 4 kHz over a whole number of 2304-sample periods, so that no bin leaks.
 */
async function inDecode({ b64, rate }) {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const ctx = new OfflineAudioContext(1, 1, rate);
  const buf = await ctx.decodeAudioData(bytes.buffer);
  const x = buf.getChannelData(0);
  const start = 4 * 1152;
  const n = Math.floor((x.length - 2 * 1152 - start) / 2304) * 2304;
  let sum = 0;
  let peak = 0;
  let up = 0;
  for (let i = start; i < start + n; i++) {
    sum += x[i] * x[i];
    peak = Math.max(peak, Math.abs(x[i]));
    if (i > start && x[i - 1] < 0 && x[i] >= 0) up++;
  }
  const bins = [];
  for (let m = 1; m * (rate / 2304) <= 4000; m++) {
    const w = (2 * Math.PI * m) / 2304;
    const coeff = 2 * Math.cos(w);
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const s0 = x[start + i] + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
    }
    const re = s1 - s2 * Math.cos(w);
    const im = s2 * Math.sin(w);
    bins.push({ hz: m * (rate / 2304), amp: (2 * Math.hypot(re, im)) / n });
  }
  return { sampleRate: buf.sampleRate, channels: buf.numberOfChannels, length: buf.length, analysed: n, rms: Math.sqrt(sum / Math.max(1, n)), peak, zeroCrossHz: n ? (up * rate) / n : 0, bins };
}

describe('MP3 recordings in a real decoder (chromium)', function () {
  this.timeout(60000);
  let sandbox;
  let browser;
  let page;
  let token;
  let audio;

  before(async function () {
    assert.ok(fs.existsSync(path.join(root, 'dist', 'lib', 'sandbox', 'index.js')), 'dist/ is missing: npm run build');
    const { startSandbox, DEMO_CREDENTIALS } = dist('lib/sandbox');
    audio = dist('lib/sandbox/audio');
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`${sandbox.url}/accesstoken/apply`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(DEMO_CREDENTIALS) });
    token = (await res.json()).token;
    browser = await ed.launchBrowser();
    page = await browser.newPage();
  });

  after(async function () {
    if (browser) await browser.close();
    if (sandbox) await sandbox.close();
  });

  async function download(urlPath) {
    const res = await fetch(`${sandbox.url}${urlPath}?isDownload=1&isWav=0`, { headers: { wellcloud_token: token } });
    assert.strictEqual(res.status, 200);
    assert.strictEqual(res.headers.get('content-type'), 'audio/mpeg');
    return Buffer.from(await res.arrayBuffer());
  }

  /** Decodes `body` in chromium and checks it is the tone of `key`; returns the measures. */
  async function checkTone(body, key, what) {
    const frames = body.length / FRAME_BYTES;
    const r = await page.evaluate(inDecode, { b64: body.toString('base64'), rate: RATE });
    const want = audio.mp3ToneFrequency(key);
    const top = [...r.bins].sort((a, b) => b.amp - a.amp);
    const facts = `${what}: ${frames} frames, decoded ${r.length} samples at ${r.sampleRate} Hz, RMS ${r.rms.toFixed(4)}, peak ${r.peak.toFixed(4)}, zero crossings ${r.zeroCrossHz.toFixed(1)} Hz, strongest ${top.slice(0, 3).map((b) => `${b.hz.toFixed(1)} Hz ${b.amp.toFixed(4)}`).join(', ')}; wanted ${want.toFixed(1)} Hz`;
    assert.strictEqual(r.sampleRate, RATE, facts);
    assert.strictEqual(r.channels, 1, facts);
    assert.ok(Math.abs(r.length - frames * FRAME_SAMPLES) <= 2 * FRAME_SAMPLES, `duration within two frames of ${frames} frames: ${facts}`);
    assert.ok(r.analysed >= 2304, facts);
    assert.ok(r.rms > 0.1, `well above silence: ${facts}`);
    assert.ok(r.rms < 0.5 && r.peak < 0.9, `below clipping: ${facts}`);
    assert.ok(Math.abs(r.zeroCrossHz - want) / want < 0.03, `zero crossings within 3 %: ${facts}`);
    assert.ok(Math.abs(top[0].hz - want) / want < 0.03, `dominant frequency within 3 %: ${facts}`);
    assert.ok(top[0].amp > 5 * top[1].amp, `one tone, everything else at least 14 dB lower: ${facts}`);
    return { ...r, bins: undefined, top: top.slice(0, 3), want };
  }

  it("the sample recording decodes to its id's tone, as long as its frames", async function () {
    const { SAMPLE_RECORDING_ID } = dist('lib/sandbox');
    const m = await checkTone(await download(REC_STREAM(SAMPLE_RECORDING_ID)), SAMPLE_RECORDING_ID, 'sample recording');
    this.test.title += ` (${m.want.toFixed(1)} Hz; RMS ${m.rms.toFixed(3)}, peak ${m.peak.toFixed(3)}, ${m.zeroCrossHz.toFixed(1)} Hz by zero crossings)`;
  });

  it("a call's merged audio decodes to the call id's tone", async function () {
    const { SAMPLE_CALL_ID } = dist('lib/sandbox');
    await checkTone(await download(CALL_STREAM(SAMPLE_CALL_ID)), SAMPLE_CALL_ID, 'sample call');
  });

  it('each of the eight tones an id can get decodes to its frequency', async function () {
    const seen = new Set();
    for (let i = 0; seen.size < 8 && i < 2000; i++) {
      const id = `tone-${i}`;
      const line = audio.mp3ToneLine(id);
      if (seen.has(line)) continue;
      seen.add(line);
      const rec = sandbox.addRecording({ id, bytes: 100 * FRAME_BYTES, format: 'mp3' });
      await checkTone(await download(REC_STREAM(rec.id)), id, `line ${line}`);
    }
    assert.strictEqual(seen.size, 8);
  });
});
