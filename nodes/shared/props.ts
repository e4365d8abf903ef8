/** typedInput helpers: read a dialog value (str/num/json/msg/flow/global/env/...) for a message. */
import type { Node, NodeAPI, NodeMessage } from './types';

/** Evaluates a typedInput value. Empty `str` values give undefined so msg.payload or defaults can fill them. */
export function evaluateProperty(RED: NodeAPI, node: Node, msg: NodeMessage, value: unknown, type: string | undefined): Promise<unknown> {
  const t = type || 'str';
  if (value === undefined || value === null) return Promise.resolve(undefined);
  if ((t === 'str' || t === 'num' || t === 'json') && value === '') return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    RED.util.evaluateNodeProperty(value, t, node, msg, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

/** `msg.payload` when it is a plain object, else an empty object. */
export function payloadObject(msg: NodeMessage): Record<string, unknown> {
  const p = msg.payload;
  return p !== null && typeof p === 'object' && !Array.isArray(p) && !Buffer.isBuffer(p) ? (p as Record<string, unknown>) : {};
}

/**
 * Merges the dialog's typed properties with the same-named fields of msg.payload (message wins).
 * `fields` lists the property names; the dialog keeps each as `config[name]` with `config[name + 'Type']`.
 */
export async function resolveFields(
  RED: NodeAPI,
  node: Node,
  msg: NodeMessage,
  config: Record<string, unknown>,
  fields: readonly string[],
): Promise<Record<string, unknown>> {
  const fromMsg = payloadObject(msg);
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (fromMsg[f] !== undefined && fromMsg[f] !== null && fromMsg[f] !== '') {
      out[f] = fromMsg[f];
      continue;
    }
    const v = await evaluateProperty(RED, node, msg, config[f], config[`${f}Type`] as string | undefined);
    if (v !== undefined && v !== '') out[f] = v;
  }
  return out;
}
