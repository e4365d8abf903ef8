/**
 * Real audio bytes, generated on the fly in chunks (never a whole file in memory):
 * - MP3: MPEG-1 Layer III, 32 kbit/s, 32 kHz, mono, 144-byte frames without CRC, 36 ms a frame;
 *   a sine tone of 277.8..666.7 Hz (derived from the id, next to its left WAV tone) at 0.3 of
 *   full scale. Hand-encoded: every frame is the same, two long-block granules whose only nonzero
 *   quantised spectral line is the tone's (Huffman table 1, no scalefactors, no bit reservoir).
 * - WAV: RIFF/WAVE, PCM 16-bit little endian, 2 channels (two tracks), 8 kHz; a different
 *   sine tone on each channel, the frequencies derived from the id (deterministic).
 */
import { Readable } from 'stream';
import { hashString } from './random';

export const MP3_FRAME_BYTES = 144;
export const MP3_FRAME_MS = 36;
export const WAV_HEADER_BYTES = 44;
export const WAV_RATE = 8000;
export const WAV_CHANNELS = 2;
export const WAV_BLOCK_ALIGN = 4;

/** MPEG-1 Layer III at 32 kHz: 1152 samples (two granules of 576 spectral lines) a frame. */
const MP3_RATE = 32000;
const MP3_LINES = 576;
/** Width of one of a granule's 576 spectral lines (line k spans k..k+1 times it). */
export const MP3_LINE_HZ = MP3_RATE / 2 / MP3_LINES; // 27.78 Hz
/**
 * A quantised line of 1 is 2^((global_gain - 210) / 4) before the synthesis filterbank; with 203,
 * 2^(-7/4) = 0.297, which comes out as the tone's amplitude (RMS 0.21), like the WAV's 0.3.
 */
export const MP3_GLOBAL_GAIN = 203;
const MP3_HEADER = [0xff, 0xfb, 0x18, 0xc4]; // sync; MPEG-1 Layer III, no CRC; 32 kbit/s, 32 kHz, no padding; mono, original
const MP3_SIDE_INFO_BYTES = 17; // mono

/**
 * The spectral line of an id's MP3 tone. A line whose value is the same in every granule gives a
 * signal that repeats every granule (576 samples, 18 ms): a pure tone at a multiple of 55.6 Hz.
 * An even line k gives k * MP3_LINE_HZ (the lower edge of its band; measured in Chromium's
 * decoder, test/browser/mp3_spec.js). The line is the even one nearest the left WAV tone:
 * lines 10..24, 277.8..666.7 Hz, one for each of the eight left tones.
 */
export function mp3ToneLine(key: string): number {
  return 2 * Math.round(toneFrequencies(key)[0] / (2 * MP3_LINE_HZ));
}

/** The frequency (Hz) of an id's MP3 tone: an integral number of cycles a granule. */
export function mp3ToneFrequency(key: string): number {
  return mp3ToneLine(key) * MP3_LINE_HZ;
}

/** Writes bits most significant first. */
class BitWriter {
  private pos: number;
  constructor(private readonly buf: Buffer, byteOffset: number) {
    this.pos = byteOffset * 8;
  }

  write(value: number, bits: number): void {
    for (let i = bits - 1; i >= 0; i--) {
      if ((value >>> i) & 1) this.buf[this.pos >> 3] |= 0x80 >> (this.pos & 7);
      this.pos++;
    }
  }

  get bitPos(): number {
    return this.pos;
  }
}

/**
 * Huffman-codes 576 quantised lines with table 1 (values -1..1, no linbits): pairs up to the last
 * nonzero line (the big_values region), then nothing (an empty count1 region). Codes of table 1:
 * (0,0) 1, (0,1) 001, (1,0) 01, (1,1) 000, each nonzero value followed by its sign (1 = negative).
 * Returns the number of pairs (big_values) and of bits (part2_3_length); `w` null counts only.
 */
function table1Pairs(lines: number[], w: BitWriter | null): { pairs: number; bits: number } {
  let last = -1;
  for (let i = 0; i < lines.length; i++) if (lines[i] !== 0) last = i;
  const pairs = (last >> 1) + 1;
  let bits = 0;
  const put = (v: number, n: number): void => {
    bits += n;
    if (w) w.write(v, n);
  };
  for (let p = 0; p < pairs; p++) {
    const x = lines[2 * p];
    const y = lines[2 * p + 1];
    if (Math.abs(x) > 1 || Math.abs(y) > 1) throw new Error('table 1 codes values -1..1 only');
    if (x === 0 && y === 0) put(0b1, 1);
    else if (x === 0) put(0b001, 3);
    else if (y === 0) put(0b01, 2);
    else put(0b000, 3);
    if (x !== 0) put(x < 0 ? 1 : 0, 1);
    if (y !== 0) put(y < 0 ? 1 : 0, 1);
  }
  return { pairs, bits };
}

/**
 * One MPEG-1 Layer III frame (mono, no CRC) of two long-block granules, each holding the given
 * quantised spectrum: main_data_begin 0 (no bit reservoir), scalefac_compress 0 (no scalefactors),
 * table 1 in all three regions, part2_3_length the exact Huffman bits; zero padding after.
 */
export function mp3Frame(granules: [number[], number[]]): Buffer {
  const f = Buffer.alloc(MP3_FRAME_BYTES);
  for (let i = 0; i < MP3_HEADER.length; i++) f[i] = MP3_HEADER[i];
  const side = new BitWriter(f, MP3_HEADER.length);
  side.write(0, 9); // main_data_begin
  side.write(0, 5); // private_bits
  side.write(0, 4); // scfsi
  const coded = granules.map((g) => table1Pairs(g, null));
  for (const { pairs, bits } of coded) {
    side.write(bits, 12); // part2_3_length (part2, the scalefactors, is empty)
    side.write(pairs, 9); // big_values
    side.write(MP3_GLOBAL_GAIN, 8);
    side.write(0, 4); // scalefac_compress: slen1 = slen2 = 0
    side.write(0, 1); // window_switching_flag: long blocks
    side.write(1, 5); // table_select region0
    side.write(1, 5); // table_select region1
    side.write(1, 5); // table_select region2
    side.write(7, 4); // region0_count
    side.write(7, 3); // region1_count
    side.write(0, 1); // preflag
    side.write(0, 1); // scalefac_scale
    side.write(0, 1); // count1table_select
  }
  const main = new BitWriter(f, MP3_HEADER.length + MP3_SIDE_INFO_BYTES);
  for (const g of granules) table1Pairs(g, main);
  if (main.bitPos > MP3_FRAME_BYTES * 8) throw new Error('main data does not fit the frame');
  return f;
}

/** One frame of an id's tone: both granules hold its line at +1, nothing else. */
export function mp3ToneFrame(key: string): Buffer {
  const spectrum = new Array<number>(MP3_LINES).fill(0);
  spectrum[mp3ToneLine(key)] = 1;
  return mp3Frame([spectrum, spectrum]);
}

const FRAMES_PER_CHUNK = 455; // 65 520 bytes
/** A chunk of identical frames per line (eight at most), built on first use. */
const mp3Chunks = new Map<number, Buffer>();

function cachedMp3Chunk(key: string): Buffer {
  const line = mp3ToneLine(key);
  let chunk = mp3Chunks.get(line);
  if (!chunk) {
    const frame = mp3ToneFrame(key);
    chunk = Buffer.concat(Array.from({ length: FRAMES_PER_CHUNK }, () => frame));
    mp3Chunks.set(line, chunk);
  }
  return chunk;
}

export function wavHeader(samples: number): Buffer {
  const dataBytes = samples * WAV_BLOCK_ALIGN;
  const h = Buffer.alloc(WAV_HEADER_BYTES);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + dataBytes, 4);
  h.write('WAVE', 8, 'ascii');
  h.write('fmt ', 12, 'ascii');
  h.writeUInt32LE(16, 16); // fmt chunk size
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(WAV_CHANNELS, 22);
  h.writeUInt32LE(WAV_RATE, 24);
  h.writeUInt32LE(WAV_RATE * WAV_BLOCK_ALIGN, 28); // byte rate
  h.writeUInt16LE(WAV_BLOCK_ALIGN, 32);
  h.writeUInt16LE(16, 34); // bits per sample
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(dataBytes, 40);
  return h;
}

/** Left and right tone frequencies (Hz) for an id: integers, so one second repeats exactly. */
export function toneFrequencies(key: string): [number, number] {
  const h = hashString(key);
  const left = 300 + (h % 8) * 50; // 300..650
  const right = left + 150 + ((h >>> 8) % 4) * 100; // always different from left
  return [left, right];
}

/** Two seconds of interleaved stereo PCM for the id's tones. */
function wavChunk(key: string): Buffer {
  const [fl, fr] = toneFrequencies(key);
  const frames = 2 * WAV_RATE;
  const b = Buffer.alloc(frames * WAV_BLOCK_ALIGN);
  const amp = 0.3 * 32767;
  for (let i = 0; i < frames; i++) {
    const t = i / WAV_RATE;
    b.writeInt16LE(Math.round(amp * Math.sin(2 * Math.PI * fl * t)), i * 4);
    b.writeInt16LE(Math.round(amp * Math.sin(2 * Math.PI * fr * t)), i * 4 + 2);
  }
  return b;
}

/** Emits `head` once, then `unit` repeated until `total` bytes (the last one cut). */
class RepeatStream extends Readable {
  private remaining: number;
  private headSent = false;

  constructor(private readonly head: Buffer | null, private readonly unit: Buffer, total: number) {
    super();
    this.remaining = total;
  }

  override _read(): void {
    if (!this.headSent) {
      this.headSent = true;
      if (this.head && this.remaining > 0) {
        const h = this.head.subarray(0, Math.min(this.head.length, this.remaining));
        this.remaining -= h.length;
        if (!this.push(h)) return;
      }
    }
    while (this.remaining > 0) {
      const chunk = this.remaining >= this.unit.length ? this.unit : this.unit.subarray(0, this.remaining);
      this.remaining -= chunk.length;
      if (!this.push(chunk)) return;
    }
    this.push(null);
  }
}

export interface AudioBody {
  contentType: 'audio/mpeg' | 'audio/wav';
  ext: 'mp3' | 'wav';
  length: number;
  open(): Readable;
}

export function mp3Body(frames: number, key: string): AudioBody {
  const length = frames * MP3_FRAME_BYTES;
  return { contentType: 'audio/mpeg', ext: 'mp3', length, open: () => new RepeatStream(null, cachedMp3Chunk(key), length) };
}

const wavChunks = new Map<string, Buffer>();

function cachedWavChunk(key: string): Buffer {
  const [l, r] = toneFrequencies(key);
  const k = `${l}/${r}`;
  let chunk = wavChunks.get(k);
  if (!chunk) {
    chunk = wavChunk(key);
    wavChunks.set(k, chunk);
  }
  return chunk;
}

export function wavBody(samples: number, key: string): AudioBody {
  const length = WAV_HEADER_BYTES + samples * WAV_BLOCK_ALIGN;
  return { contentType: 'audio/wav', ext: 'wav', length, open: () => new RepeatStream(wavHeader(samples), cachedWavChunk(key), length) };
}
