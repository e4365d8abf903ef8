import { Lang, t } from './i18n';

/** What the platform answered, when it answered. Copied onto `msg.wellcloud` by the nodes. */
export interface PlatformAnswer {
  status?: number;
  errorCode?: number | string;
  errorMessage?: string;
  instanceId?: string;
}

export interface WellcloudErrorInit extends PlatformAnswer {
  /** CONTRACT.md: platform errorCode as a string, else HTTP_<status>, else network code, else INVALID_INPUT. */
  code: string;
  message: string;
  exceptionName?: string;
  /** The input field at fault (INVALID_INPUT), when known. */
  field?: string;
  /** Extra structured detail safe to show (never secrets). */
  details?: Record<string, unknown>;
}

/**
 * The one error class of the client. It never holds request headers, the token or any
 * credential: build it from what is safe to show, and pass texts through `Redactor.scrub`.
 */
export class WellcloudError extends Error {
  readonly code: string;
  readonly status?: number;
  readonly errorCode?: number | string;
  readonly errorMessage?: string;
  readonly instanceId?: string;
  readonly exceptionName?: string;
  readonly field?: string;
  readonly details?: Record<string, unknown>;

  constructor(init: WellcloudErrorInit) {
    super(init.message);
    this.name = 'WellcloudError';
    this.code = init.code;
    if (init.status !== undefined) this.status = init.status;
    if (init.errorCode !== undefined) this.errorCode = init.errorCode;
    if (init.errorMessage !== undefined) this.errorMessage = init.errorMessage;
    if (init.instanceId !== undefined) this.instanceId = init.instanceId;
    if (init.exceptionName !== undefined) this.exceptionName = init.exceptionName;
    if (init.field !== undefined) this.field = init.field;
    if (init.details !== undefined) this.details = init.details;
  }

  /** `{status, errorCode, errorMessage, instanceId}` when the platform answered, else undefined. */
  platformAnswer(): PlatformAnswer | undefined {
    if (this.status === undefined) return undefined;
    const a: PlatformAnswer = { status: this.status };
    if (this.errorCode !== undefined) a.errorCode = this.errorCode;
    if (this.errorMessage !== undefined) a.errorMessage = this.errorMessage;
    if (this.instanceId !== undefined) a.instanceId = this.instanceId;
    return a;
  }

  /**
   * The message alone. Node-RED builds a Catch node's `msg.error.message` and its log line from
   * `err.toString()`: without this they read "WellcloudError: customerPhone must be ...", and flows
   * answering an HTTP request or showing the text had to strip the class name. `name` and `stack`
   * still say WellcloudError.
   */
  override toString(): string {
    return this.message;
  }

  toJSON(): Record<string, unknown> {
    const o: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
    for (const k of ['status', 'errorCode', 'errorMessage', 'instanceId', 'exceptionName', 'field', 'details'] as const) {
      if (this[k] !== undefined) o[k] = this[k];
    }
    return o;
  }
}

/** An INVALID_INPUT error naming the field. Nothing has been sent when this is thrown. */
export function invalidInput(lang: Lang | undefined, field: string, key = 'input.required', vars: Record<string, unknown> = {}): WellcloudError {
  return new WellcloudError({
    code: 'INVALID_INPUT',
    field,
    message: t(lang, key, { field, ...vars }),
  });
}

export function isWellcloudError(e: unknown): e is WellcloudError {
  return e instanceof WellcloudError;
}

/**
 * Removes known secrets from any text. The client registers appSecret, apiKey and every
 * token it holds; errors and logs go through `scrub` before they leave the library.
 */
/**
 * The shortest secret the Redactor blanks out. A shorter one would also blank the same letters in
 * ordinary text, so the client refuses an appSecret or apiKey under this length before sending it.
 */
export const MIN_SECRET_LENGTH = 4;

export class Redactor {
  /** Each secret with the spellings it can take in a quoted request: as sent, URL-encoded, form-encoded, JSON-escaped. */
  private readonly secrets = new Map<string, string[]>();

  add(secret: string | undefined | null): void {
    if (secret && secret.length >= MIN_SECRET_LENGTH && !this.secrets.has(secret)) this.secrets.set(secret, spellings(secret));
  }

  remove(secret: string | undefined | null): void {
    if (secret) this.secrets.delete(secret);
  }

  scrub(text: string): string {
    let out = text;
    for (const forms of this.secrets.values()) {
      for (const f of forms) if (out.includes(f)) out = out.split(f).join('***');
    }
    return out;
  }
}

/**
 * A secret as a platform may quote it back: as given; URL-encoded (query token style); form-encoded
 * (form token style: `+` for a space, `~ ! ' ( )` escaped); JSON-escaped (json token style, `"` and
 * `\` escaped). Longest first, so no spelling is left half replaced by a shorter one.
 */
function spellings(secret: string): string[] {
  const forms = new Set<string>([
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
  ]);
  return [...forms].sort((a, b) => b.length - a.length);
}
