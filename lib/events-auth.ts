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

/** The query parameter and header that carry the shared secret. */
export const SECRET_QUERY = 'key';
export const SECRET_HEADER = 'x-wellcloud-key';

/** True for a query parameter name that the query parser reads as `key` (`key`, `key[]`, `key[0]`, URL-encoded or not). */
function isSecretParam(raw: string): boolean {
  let name = raw;
  try {
    name = decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    // a malformed escape: compare the text as it is
  }
  return name === SECRET_QUERY || name.startsWith(`${SECRET_QUERY}[`);
}

/** `url` without its `key` query parameters. */
export function urlWithoutSecret(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const kept = url
    .slice(q + 1)
    .split('&')
    .filter((part) => part !== '' && !isSecretParam(part.split('=', 1)[0]));
  return kept.length ? `${url.slice(0, q)}?${kept.join('&')}` : url.slice(0, q);
}

/**
 * Removes the shared secret from a request that passed the check, before it travels on as
 * `msg.req` (a Debug node showing the whole message, a log, a context store would show it):
 * the `key` query parameter (from `query`, `url`, `originalUrl` and Express's parsed-URL caches)
 * and the `x-wellcloud-key` header (from `headers` and `rawHeaders`). Changes `req` in place.
 */
export function stripSecret(req: unknown): void {
  if (req === null || typeof req !== 'object') return;
  const r = req as Record<string, unknown>;
  try {
    const query = r.query;
    if (query !== null && typeof query === 'object') {
      for (const k of Object.keys(query)) if (isSecretParam(k)) delete (query as Record<string, unknown>)[k];
    }
    for (const k of ['url', 'originalUrl'] as const) {
      if (typeof r[k] === 'string') r[k] = urlWithoutSecret(r[k] as string);
    }
    // parseurl's caches hold the old query text; they are rebuilt from the url on the next read
    delete r._parsedUrl;
    delete r._parsedOriginalUrl;
    const headers = r.headers;
    if (headers !== null && typeof headers === 'object') delete (headers as Record<string, unknown>)[SECRET_HEADER];
    if (Array.isArray(r.rawHeaders)) {
      const raw = r.rawHeaders as unknown[];
      const kept: unknown[] = [];
      for (let i = 0; i < raw.length; i += 2) {
        if (typeof raw[i] === 'string' && (raw[i] as string).toLowerCase() === SECRET_HEADER) continue;
        kept.push(raw[i], raw[i + 1]);
      }
      if (kept.length !== raw.length) r.rawHeaders = kept;
    }
  } catch {
    // a request object with read-only fields: nothing more can be done here
  }
}
