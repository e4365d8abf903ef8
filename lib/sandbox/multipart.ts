/**
 * A small streaming multipart/form-data parser (RFC 7578): feed it chunks as they arrive;
 * it calls back per part and keeps at most one delimiter's worth of bytes between chunks.
 */

export interface PartInfo {
  name: string | null;
  filename: string | null;
  contentType: string | null;
}

export interface PartHandlers {
  /** A part starts; return true to receive its data. */
  onPart(part: PartInfo): boolean;
  onData(chunk: Buffer): void;
  onPartEnd(): void;
}

export class MultipartError extends Error {}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 16 * 1024;

type State = 'preamble' | 'afterBoundary' | 'headers' | 'body' | 'done';

/** The boundary of a `multipart/form-data; boundary=...` content type, or null. */
export function boundaryOf(contentType: string | undefined): string | null {
  if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType)) return null;
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const b = m ? m[1] ?? m[2] : undefined;
  return b && b.length <= 70 ? b : null;
}

function headerParam(value: string, name: string): string | null {
  const star = new RegExp(`;\\s*${name}\\*=(?:UTF-8|utf-8)''([^;]+)`).exec(value);
  if (star && star[1]) {
    try {
      return decodeURIComponent(star[1]);
    } catch {
      return star[1];
    }
  }
  const m = new RegExp(`;\\s*${name}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]+))`, 'i').exec(value);
  if (!m) return null;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2] ?? null;
}

export function parsePartHeaders(raw: string): PartInfo {
  const info: PartInfo = { name: null, filename: null, contentType: null };
  for (const line of raw.split('\r\n')) {
    const i = line.indexOf(':');
    if (i <= 0) throw new MultipartError('malformed part header');
    const key = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    if (key === 'content-disposition') {
      if (!/^form-data\s*(;|$)/i.test(value)) throw new MultipartError('part is not form-data');
      info.name = headerParam(value, 'name');
      info.filename = headerParam(value, 'filename');
    } else if (key === 'content-type') {
      info.contentType = value;
    }
  }
  return info;
}

export class MultipartParser {
  private state: State = 'preamble';
  private buf: Buffer = Buffer.alloc(0);
  private readonly dashBoundary: Buffer;
  private readonly delimiter: Buffer;
  private wanted = false;

  constructor(boundary: string, private readonly handlers: PartHandlers) {
    this.dashBoundary = Buffer.from(`--${boundary}`);
    this.delimiter = Buffer.from(`\r\n--${boundary}`);
  }

  write(chunk: Buffer): void {
    if (this.state === 'done') return; // epilogue
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.step()) {
      // each step consumes what it can
    }
  }

  /** The request ended: the closing delimiter must have been seen. */
  end(): void {
    if (this.state !== 'done') throw new MultipartError('multipart body ended before its closing boundary');
  }

  /** Runs one state; returns true when it made progress and may continue. */
  private step(): boolean {
    switch (this.state) {
      case 'preamble':
        return this.stepPreamble();
      case 'afterBoundary':
        return this.stepAfterBoundary();
      case 'headers':
        return this.stepHeaders();
      case 'body':
        return this.stepBody();
      default:
        return false;
    }
  }

  private stepPreamble(): boolean {
    const i = this.buf.indexOf(this.dashBoundary);
    if (i < 0) {
      if (this.buf.length > MAX_HEADER_BYTES) throw new MultipartError('no multipart boundary found');
      return false;
    }
    this.buf = this.buf.subarray(i + this.dashBoundary.length);
    this.state = 'afterBoundary';
    return true;
  }

  private stepAfterBoundary(): boolean {
    if (this.buf.length < 2) return false;
    if (this.buf[0] === 0x2d && this.buf[1] === 0x2d) {
      this.state = 'done';
      this.buf = Buffer.alloc(0);
      return false;
    }
    // transport padding (spaces, tabs) before the CRLF
    let i = 0;
    while (i < this.buf.length && (this.buf[i] === 0x20 || this.buf[i] === 0x09)) i++;
    if (this.buf.length < i + 2) return false;
    if (!this.buf.subarray(i, i + 2).equals(CRLF)) throw new MultipartError('malformed boundary line');
    this.buf = this.buf.subarray(i + 2);
    this.state = 'headers';
    return true;
  }

  private stepHeaders(): boolean {
    // a part without headers starts directly with the empty line
    if (this.buf.length >= 2 && this.buf.subarray(0, 2).equals(CRLF)) {
      this.buf = this.buf.subarray(2);
      this.beginPart({ name: null, filename: null, contentType: null });
      return true;
    }
    const i = this.buf.indexOf(HEADER_END);
    if (i < 0) {
      if (this.buf.length > MAX_HEADER_BYTES) throw new MultipartError('part headers too large');
      return false;
    }
    const info = parsePartHeaders(this.buf.subarray(0, i).toString('utf8'));
    this.buf = this.buf.subarray(i + HEADER_END.length);
    this.beginPart(info);
    return true;
  }

  private beginPart(info: PartInfo): void {
    this.wanted = this.handlers.onPart(info);
    this.state = 'body';
  }

  private stepBody(): boolean {
    const i = this.buf.indexOf(this.delimiter);
    if (i >= 0) {
      if (this.wanted && i > 0) this.handlers.onData(this.buf.subarray(0, i));
      this.handlers.onPartEnd();
      this.buf = this.buf.subarray(i + this.delimiter.length);
      this.state = 'afterBoundary';
      return true;
    }
    // keep a possible partial delimiter at the end
    const keep = Math.min(this.buf.length, this.delimiter.length - 1);
    const emit = this.buf.length - keep;
    if (emit > 0) {
      if (this.wanted) this.handlers.onData(this.buf.subarray(0, emit));
      this.buf = Buffer.from(this.buf.subarray(emit));
    }
    return false;
  }
}
