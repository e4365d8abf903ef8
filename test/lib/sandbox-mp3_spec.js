'use strict';
/*
 * The sandbox's MP3 audio, parsed bit by bit: frame headers, side information and the
 * Huffman-coded spectrum of every frame, with a decoder of table 1 written here from the code
 * table of ISO 11172-3 (not from the encoder). Raw HTTP, no client code of ours. Whether a real
 * decoder turns the frames into the intended tone is checked in test/browser/mp3_spec.js.
 */
const assert = require('assert');
const path = require('path');
const sbx = require('../../dist/lib/sandbox');
const audio = require(path.join(__dirname, '..', '..', 'dist', 'lib', 'sandbox', 'audio'));

const { startSandbox, DEMO_CREDENTIALS, SAMPLE_CALL_ID, SAMPLE_RECORDING_ID } = sbx;
const CALL_STREAM = (id) => `/api/cdr/2.0/recordings/open/call/${id}/stream`;
const REC_STREAM = (id) => `/api/cdr/2.0/recordings/open/recording/${id}/stream`;

const FRAME_BYTES = 144; // 144 * 32 kbit/s / 32 kHz, no padding
const SIDE_INFO_BYTES = 17; // MPEG-1, mono
const LINES = 576;
const LINE_HZ = 32000 / 2 / LINES;

class BitReader {
  constructor(buf, byteOffset) {
    this.buf = buf;
    this.pos = byteOffset * 8;
  }

  bit() {
    const b = (this.buf[this.pos >> 3] >> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return b;
  }

  bits(n) {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.bit();
    return v;
  }
}

/** Huffman table 1 (ISO 11172-3 table B.7), codeword -> [x, y]; no linbits. */
const TABLE1 = { 1: [0, 0], '001': [0, 1], '01': [1, 0], '000': [1, 1] };

/** Reads one pair with table 1, then a sign bit after each nonzero value (1 = negative). */
function readPair(r) {
  let code = '';
  while (!(code in TABLE1)) {
    if (code.length >= 3) throw new Error(`no table 1 codeword starts with ${code}`);
    code += String(r.bit());
  }
  return TABLE1[code].map((v) => (v !== 0 && r.bit() === 1 ? -v : v));
}

/** Parses the frame at `off`: header, side information, the decoded spectrum of each granule. */
function parseFrame(buf, off) {
  const h = new BitReader(buf, off);
  const header = {
    sync: h.bits(11),
    version: h.bits(2),
    layer: h.bits(2),
    noCrc: h.bits(1),
    bitrateIndex: h.bits(4),
    rateIndex: h.bits(2),
    padding: h.bits(1),
    private: h.bits(1),
    mode: h.bits(2),
    modeExtension: h.bits(2),
    copyright: h.bits(1),
    original: h.bits(1),
    emphasis: h.bits(2),
  };
  const s = new BitReader(buf, off + 4);
  const side = { mainDataBegin: s.bits(9), privateBits: s.bits(5), scfsi: s.bits(4), granules: [] };
  for (let g = 0; g < 2; g++) {
    const gr = { part23Length: s.bits(12), bigValues: s.bits(9), globalGain: s.bits(8), scalefacCompress: s.bits(4) };
    gr.windowSwitching = s.bits(1);
    assert.strictEqual(gr.windowSwitching, 0, 'long blocks only');
    gr.tableSelect = [s.bits(5), s.bits(5), s.bits(5)];
    gr.region0Count = s.bits(4);
    gr.region1Count = s.bits(3);
    gr.preflag = s.bits(1);
    gr.scalefacScale = s.bits(1);
    gr.count1Table = s.bits(1);
    side.granules.push(gr);
  }
  assert.strictEqual(s.pos, (off + 4 + SIDE_INFO_BYTES) * 8, 'side information is 17 bytes');
  // main data starts right after the side information (main_data_begin 0), granule after granule
  const m = new BitReader(buf, off + 4 + SIDE_INFO_BYTES);
  const spectra = side.granules.map((gr) => {
    const start = m.pos;
    const spectrum = new Array(LINES).fill(0);
    // scalefac_compress 0: slen1 = slen2 = 0, no part2 bits; every region uses table 1
    for (let p = 0; p < gr.bigValues; p++) [spectrum[2 * p], spectrum[2 * p + 1]] = readPair(m);
    gr.bigValueBits = m.pos - start;
    return spectrum;
  });
  const end = off + FRAME_BYTES;
  assert.ok(m.pos <= end * 8, 'main data fits the frame');
  let padding = 0;
  while (m.pos < end * 8) padding |= m.bit();
  return { header, side, spectra, paddingBits: padding };
}

/** Checks every frame of an MP3 body; returns the spectrum of the first granule. */
function checkFrames(body, expectedLine) {
  assert.ok(body.length > 0);
  assert.strictEqual(body.length % FRAME_BYTES, 0, 'whole frames');
  let first;
  for (let off = 0; off < body.length; off += FRAME_BYTES) {
    const at = `frame ${off / FRAME_BYTES}`;
    const f = parseFrame(body, off);
    assert.deepStrictEqual(f.header, {
      sync: 0x7ff, version: 3, layer: 1, noCrc: 1, bitrateIndex: 1, rateIndex: 2, padding: 0, private: 0,
      mode: 3, modeExtension: 0, copyright: 0, original: 1, emphasis: 0,
    }, `${at}: MPEG-1 Layer III, 32 kbit/s, 32 kHz, mono, no CRC, no padding`);
    assert.strictEqual(f.side.mainDataBegin, 0, `${at}: no bit reservoir`);
    assert.strictEqual(f.side.scfsi, 0, at);
    for (const [g, gr] of f.side.granules.entries()) {
      assert.strictEqual(gr.scalefacCompress, 0, `${at} granule ${g}: no scalefactors`);
      assert.deepStrictEqual(gr.tableSelect, [1, 1, 1], `${at} granule ${g}: table 1`);
      assert.strictEqual(gr.globalGain, 203, `${at} granule ${g}: global_gain`);
      assert.strictEqual(gr.preflag + gr.scalefacScale, 0, at);
      assert.strictEqual(gr.part23Length, gr.bigValueBits, `${at} granule ${g}: part2_3_length is the bits of the big_values region (count1 empty)`);
      assert.strictEqual(gr.bigValues, (expectedLine >> 1) + 1, `${at} granule ${g}: big_values ends at the tone's line`);
      const nonzero = f.spectra[g].map((v, i) => [i, v]).filter(([, v]) => v !== 0);
      assert.deepStrictEqual(nonzero, [[expectedLine, 1]], `${at} granule ${g}: the one nonzero line`);
    }
    assert.strictEqual(f.paddingBits, 0, `${at}: zero padding after the main data`);
    first = first || f.spectra[0];
  }
  return first;
}

async function token(s) {
  const res = await fetch(`${s.url}/accesstoken/apply`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(DEMO_CREDENTIALS) });
  return (await res.json()).token;
}

async function mp3(s, tok, urlPath) {
  const res = await fetch(`${s.url}${urlPath}?isDownload=1&isWav=0`, { headers: { wellcloud_token: tok } });
  assert.strictEqual(res.status, 200);
  assert.strictEqual(res.headers.get('content-type'), 'audio/mpeg');
  const body = Buffer.from(await res.arrayBuffer());
  assert.strictEqual(Number(res.headers.get('content-length')), body.length);
  return body;
}

describe('sandbox MP3 audio (frames parsed)', function () {
  let s;
  let tok;
  before(async function () {
    s = await startSandbox({ port: 0, host: '127.0.0.1' });
    tok = await token(s);
  });
  after(async function () {
    if (s) await s.close();
  });

  it("a recording's frames carry one spectral line, the recording id's tone, Huffman-coded as announced", async function () {
    const body = await mp3(s, tok, REC_STREAM(SAMPLE_RECORDING_ID));
    assert.strictEqual(body.length, Math.ceil(12480 / 36) * FRAME_BYTES);
    checkFrames(body, audio.mp3ToneLine(SAMPLE_RECORDING_ID));
  });

  it("a call's merged audio carries the call id's tone in every frame", async function () {
    const body = await mp3(s, tok, CALL_STREAM(SAMPLE_CALL_ID));
    assert.strictEqual(body.length / FRAME_BYTES, Math.ceil(5200 / 36) + Math.ceil(12480 / 36));
    checkFrames(body, audio.mp3ToneLine(SAMPLE_CALL_ID));
  });

  it('keeps every frame whole and coded across the generator\'s chunks (a 2.5 MB recording)', async function () {
    const frames = 17500; // 38 chunks of 455 frames and a part of one
    const rec = s.addRecording({ bytes: frames * FRAME_BYTES + 100, format: 'mp3' });
    const body = await mp3(s, tok, REC_STREAM(rec.id));
    assert.strictEqual(body.length, frames * FRAME_BYTES, 'rounded down to whole frames');
    checkFrames(body, audio.mp3ToneLine(rec.id));
  });

  it('gives each id a tone next to its left WAV tone: one even line each for the eight left tones, the same bytes every time', async function () {
    const byLeft = new Map();
    for (let i = 0; byLeft.size < 8 && i < 2000; i++) {
      const id = `id-${i}`;
      const left = audio.toneFrequencies(id)[0];
      const line = audio.mp3ToneLine(id);
      assert.strictEqual(line % 2, 0, `${id}: even line`);
      assert.ok(Math.abs(audio.mp3ToneFrequency(id) - left) <= LINE_HZ, `${id}: ${audio.mp3ToneFrequency(id)} Hz next to ${left} Hz`);
      assert.strictEqual(audio.mp3ToneFrequency(id), line * LINE_HZ);
      if (byLeft.has(left)) assert.strictEqual(byLeft.get(left), line);
      byLeft.set(left, line);
    }
    assert.deepStrictEqual([...byLeft.values()].sort((a, b) => a - b), [10, 12, 14, 16, 18, 20, 22, 24]);
    const a = await mp3(s, tok, REC_STREAM(SAMPLE_RECORDING_ID));
    const b = await mp3(s, tok, REC_STREAM(SAMPLE_RECORDING_ID));
    assert.ok(a.equals(b), 'deterministic');
    const c = await mp3(s, tok, CALL_STREAM(SAMPLE_CALL_ID));
    assert.notStrictEqual(audio.mp3ToneLine(SAMPLE_RECORDING_ID), audio.mp3ToneLine(SAMPLE_CALL_ID), 'the two sample ids differ (else pick others)');
    assert.ok(!a.subarray(0, FRAME_BYTES).equals(c.subarray(0, FRAME_BYTES)), 'another id, another tone');
  });

  it('codes any spectrum of -1..1 with table 1 so that it decodes back exactly (all four codewords, both signs)', function () {
    const g0 = new Array(LINES).fill(0);
    const g1 = new Array(LINES).fill(0);
    Object.assign(g0, { 0: 1, 1: 1, 2: -1, 5: 1, 6: -1, 7: -1, 40: 1 }); // (1,1) (-1,0) (0,1) (-1,-1) … (1,0)
    Object.assign(g1, { 3: -1, 575: 1 }); // the last pair (0,1)
    const f = parseFrame(audio.mp3Frame([g0, g1]), 0);
    assert.deepStrictEqual(f.spectra, [g0, g1]);
    assert.deepStrictEqual(f.side.granules.map((g) => [g.bigValues, g.part23Length, g.bigValueBits]), [
      [21, 5 + 3 + 4 + 5 + 16 + 3, 36], // codeword and sign bits, pair by pair; 16 pairs (0,0) of 1 bit
      [288, 1 + 4 + 285 + 4, 294],
    ]);
    assert.throws(() => audio.mp3Frame([Object.assign(new Array(LINES).fill(0), { 9: 2 }), g1]), /-1\.\.1/);
  });
});
