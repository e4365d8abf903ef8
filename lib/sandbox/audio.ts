/**
 * Real audio bytes, generated on the fly in chunks (never a whole file in memory):
 * - MP3: MPEG-1 Layer III, 32 kbit/s, 32 kHz, mono, 144-byte frames without CRC whose side
 *   information is zero (no main data): every decoder plays them as silence. 36 ms a frame.
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

/** One silent MPEG-1 Layer III frame: FF FB 18 C4 + 17 zero bytes of side info + zero padding. */
function mp3Frame(): Buffer {
  const f = Buffer.alloc(MP3_FRAME_BYTES);
  f[0] = 0xff; // sync
  f[1] = 0xfb; // sync, MPEG-1, Layer III, no CRC
  f[2] = 0x18; // bitrate index 1 (32 kbit/s), 32 kHz, no padding
  f[3] = 0xc4; // mono, original
  return f;
}

const FRAMES_PER_CHUNK = 455; // 65 520 bytes
const MP3_CHUNK: Buffer = Buffer.concat(Array.from({ length: FRAMES_PER_CHUNK }, mp3Frame));

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

export function mp3Body(frames: number): AudioBody {
  const length = frames * MP3_FRAME_BYTES;
  return { contentType: 'audio/mpeg', ext: 'mp3', length, open: () => new RepeatStream(null, MP3_CHUNK, length) };
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
