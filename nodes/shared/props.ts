/** typedInput helpers: read a dialog value (str/num/json/msg/flow/global/env/...) for a message. */
import { thrownText } from '../../lib/validate';
import type { Node, NodeAPI, NodeMessage } from './types';

/** typedInput types that Node-RED evaluates synchronously (flow/global/jsonata may need a callback). */
const SYNC_TYPES: ReadonlySet<string> = new Set(['str', 'num', 'json', 're', 'date', 'bin', 'msg', 'bool', 'env']);

/** Marks a value that needs the asynchronous path (see evaluatePropertyNow). */
export const NOT_NOW: unique symbol = Symbol('wellcloud.notNow');

/**
 * A dialog value Node-RED could not evaluate (bad JSON, a JSONata error, bad binary...), or a field
 * of the message whose read threw (`source` 'message': a getter or a proxy). The input wrapper
 * reports it as INVALID_INPUT naming `field`, in the runtime's language.
 */
export class PropertyError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
    readonly source: 'dialog' | 'message' = 'dialog',
  ) {
    super(`${field}: ${reason}`);
    this.name = 'PropertyError';
  }
}

function propertyError(field: string | undefined, e: unknown): PropertyError {
  // JSONata throws plain objects {code, position, token, message}, not Errors
  return new PropertyError(field ?? 'property', thrownText(e));
}

/**
 * Evaluates a typedInput value synchronously when its type allows it; NOT_NOW for flow, global and
 * jsonata values (use evaluateProperty). Throws what Node-RED's evaluation throws (bad JSON etc.).
 * Empty `str`/`num`/`json` values give undefined so msg.payload or defaults can fill them.
 */
export function evaluatePropertyNow(RED: NodeAPI, node: Node, msg: NodeMessage, value: unknown, type: string | undefined, field?: string): unknown {
  const t = type || 'str';
  if (value === undefined || value === null) return undefined;
  if ((t === 'str' || t === 'num' || t === 'json') && value === '') return undefined;
  if (!SYNC_TYPES.has(t)) return NOT_NOW;
  // Node-RED calls back before returning for these types
  let called = false;
  let error: Error | null = null;
  let result: unknown;
  try {
    RED.util.evaluateNodeProperty(value, t, node, msg, (err, r) => {
      called = true;
      error = err;
      result = r;
    });
  } catch (e) {
    throw propertyError(field, e);
  }
  if (!called) return NOT_NOW;
  if (error) throw propertyError(field, error);
  return result;
}

/**
 * A PropertyError when `v` cannot travel through a promise as it is: a Promise or other thenable
 * (resolving with it would wait for it, maybe forever) or an object whose `then` cannot be read (a
 * proxy: resolving with it would throw). Undefined for every other value.
 */
function thenableError(field: string | undefined, v: unknown): PropertyError | undefined {
  if (v === null || (typeof v !== 'object' && typeof v !== 'function')) return undefined;
  let then: unknown;
  try {
    then = (v as { then?: unknown }).then;
  } catch (e) {
    return propertyError(field, e);
  }
  return typeof then === 'function' ? new PropertyError(field ?? 'property', 'it is a Promise, not a value') : undefined;
}

/**
 * Evaluates a typedInput value. Empty `str` values give undefined so msg.payload or defaults can fill them.
 * A value that cannot be evaluated, or that is a Promise, rejects with a PropertyError naming `field`.
 */
export function evaluateProperty(RED: NodeAPI, node: Node, msg: NodeMessage, value: unknown, type: string | undefined, field?: string): Promise<unknown> {
  const t = type || 'str';
  let now: unknown;
  try {
    now = evaluatePropertyNow(RED, node, msg, value, t, field);
  } catch (e) {
    return Promise.reject(e);
  }
  const settle = (result: unknown, resolve: (v: unknown) => void, reject: (e: unknown) => void): void => {
    const bad = thenableError(field, result);
    if (bad) reject(bad);
    else resolve(result);
  };
  if (now !== NOT_NOW) return new Promise((resolve, reject) => settle(now, resolve, reject));
  return new Promise((resolve, reject) => {
    try {
      RED.util.evaluateNodeProperty(value, t, node, msg, (err, result) => (err ? reject(propertyError(field, err)) : settle(result, resolve, reject)));
    } catch (e) {
      reject(propertyError(field, e));
    }
  });
}

/** `msg.payload` when it is a plain object, else an empty object. */
export function payloadObject(msg: NodeMessage): Record<string, unknown> {
  const p = msg.payload;
  return p !== null && typeof p === 'object' && !Array.isArray(p) && !Buffer.isBuffer(p) ? (p as Record<string, unknown>) : {};
}

/**
 * `payload[key]` (payload as payloadObject gives it); a read that throws (a getter, a proxy) is a
 * PropertyError naming `field`, reported as INVALID_INPUT.
 */
export function payloadField(payload: Record<string, unknown>, key: string, field: string = key): unknown {
  try {
    return payload[key];
  } catch (e) {
    throw new PropertyError(field, thrownText(e), 'message');
  }
}

/** A msg.payload field that overrides the dialog: anything but undefined, null and ''. */
export function isGiven(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

/** A typedInput field of a node's dialog, read once when the node is created. */
export interface DialogField {
  readonly name: string;
  /** `config[name]` and `config[name + 'Type']`. */
  readonly value: unknown;
  readonly type: string | undefined;
  /** Nothing is set in the dialog (no value, or an empty `str`/`num`/`json`): only msg.payload can give it. */
  readonly empty: boolean;
}

/**
 * The dialog's fields `names` of a node's `config` (each kept as `config[name]` with its typedInput type
 * in `config[name + 'Type']`), read when the node is created: the config of a deployed node does not
 * change, so no message needs to look them up again.
 */
export function dialogFields(config: Record<string, unknown>, names: readonly string[]): readonly DialogField[] {
  return names.map((name) => {
    const value = config[name];
    const type = config[`${name}Type`] as string | undefined;
    const t = type || 'str';
    // the values evaluatePropertyNow gives undefined for, whatever the message
    const empty = value === undefined || value === null || (value === '' && (t === 'str' || t === 'num' || t === 'json'));
    return { name, value, type, empty };
  });
}

/**
 * Merges the dialog's typed properties with the same-named fields of msg.payload (message wins).
 * `fields` come from dialogFields. With `fromPayload` false only the dialog's values are read.
 *
 * Returns the merged object itself when every value needed is synchronous (the common case: no
 * promise per message), else a promise of it. A bad value (JSON, msg path) throws, or rejects, a
 * PropertyError naming the field before anything is sent. Callers `await` it either way.
 */
export function resolveFields(
  RED: NodeAPI,
  node: Node,
  msg: NodeMessage,
  fields: readonly DialogField[],
  fromPayload = true,
): Record<string, unknown> | Promise<Record<string, unknown>> {
  const fromMsg = fromPayload ? payloadObject(msg) : {};
  const out: Record<string, unknown> = {};
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const m = payloadField(fromMsg, f.name);
    if (isGiven(m)) {
      out[f.name] = m;
      continue;
    }
    if (f.empty) continue;
    const now = evaluatePropertyNow(RED, node, msg, f.value, f.type, f.name);
    // flow, global and jsonata values: the rest goes the asynchronous way
    if (now === NOT_NOW) return resolveRest(RED, node, msg, fields, i, fromMsg, out);
    // null (an unset context value, JSON null) is no value either: defaults and the config node's apply
    if (isGiven(now)) out[f.name] = now;
  }
  return out;
}

async function resolveRest(
  RED: NodeAPI,
  node: Node,
  msg: NodeMessage,
  fields: readonly DialogField[],
  from: number,
  fromMsg: Record<string, unknown>,
  out: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  for (let i = from; i < fields.length; i++) {
    const f = fields[i];
    const m = payloadField(fromMsg, f.name);
    if (isGiven(m)) {
      out[f.name] = m;
      continue;
    }
    if (f.empty) continue;
    const v = await evaluateProperty(RED, node, msg, f.value, f.type, f.name);
    if (isGiven(v)) out[f.name] = v;
  }
  return out;
}
