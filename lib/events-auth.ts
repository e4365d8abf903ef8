/**
 * Who may push events: the shared secret (query `key` or header `x-wellcloud-key`) and the
 * legacy signature (sha1 of the sorted token, timestamp and nonce, reference/legacy-open-api/event.md).
 * Both compare fixed-length digests with crypto.timingSafeEqual, so the time taken says
 * nothing about how much of a guess was right.
 */
import { createHash, timingSafeEqual } from 'crypto';

/** The parts of an HTTP request the checks read (Express' req, as `http in` puts it on msg.req). */
export interface EventRequest {
  method?: string;
  query?: Record<string, unknown>;
  headers?: Record<string, unknown>;
}

export type AuthFailure = 'UNAUTHORIZED' | 'BAD_SIGNATURE';

export interface AuthOptions {
  /** Shared secret the request must carry; empty or undefined = no check. */
  secret?: string;
  /** Legacy signature token; empty or undefined = no check. */
  signToken?: string;
}

/** First string value of a query or header field (Express gives arrays for repeated fields). */
export function firstString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && typeof v[0] === 'string') return v[0];
  return undefined;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Constant-time equality of two strings (compares equal-length SHA-256 digests). */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** sha1 hex of the lexicographically sorted token, timestamp and nonce, concatenated. */
export function legacySignature(token: string, timestamp: string, nonce: string): string {
  const joined = [token, timestamp, nonce].sort().join('');
  return createHash('sha1').update(joined, 'utf8').digest('hex');
}

export function checkSecret(secret: string, req: EventRequest): boolean {
  const fromQuery = firstString(req.query?.key);
  const fromHeader = firstString(req.headers?.['x-wellcloud-key']);
  const given = fromHeader ?? fromQuery;
  // compare even when nothing was given, so a missing key costs the same as a wrong one
  return safeEqual(given ?? '', secret) && given !== undefined;
}

export function checkSignature(token: string, req: EventRequest): boolean {
  const signature = firstString(req.query?.signature);
  const timestamp = firstString(req.query?.timestamp);
  const nonce = firstString(req.query?.nonce);
  if (signature === undefined || timestamp === undefined || nonce === undefined) return false;
  return safeEqual(signature.toLowerCase(), legacySignature(token, timestamp, nonce));
}

/** Runs the configured checks; undefined when the request passes them all. */
export function authenticate(opts: AuthOptions, req: EventRequest): AuthFailure | undefined {
  if (opts.secret && !checkSecret(opts.secret, req)) return 'UNAUTHORIZED';
  if (opts.signToken && !checkSignature(opts.signToken, req)) return 'BAD_SIGNATURE';
  return undefined;
}
