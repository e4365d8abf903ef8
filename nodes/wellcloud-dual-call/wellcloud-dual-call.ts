/**
 * wellcloud-dual-call: click-to-call. The platform rings the agent's side (deviceId), then the
 * customer. Dialog values are overridden by the same-named fields of msg.payload; the options
 * are merged key by key (msg.payload.options wins). Never retried: it rings real phones.
 */
import { invalidInput } from '../../lib/errors';
import { isPlainObject } from '../../lib/validate';
import type { DualCallRequest } from '../../lib/types';
import { type ActionContext, type ActionResult, setupActionNode } from '../shared/action';
import { dialogFields, isGiven, payloadField, resolveFields } from '../shared/props';
import type { Node, NodeAPI, NodeDef } from '../shared/types';

/** Top-level fields (dialog typedInputs, overridable by msg.payload). */
const FIELDS = ['deviceId', 'prefix', 'customerPhone', 'userData'] as const;
/** Dialog typedInputs that make up `options`. */
const OPTION_FIELDS = ['bindPhone', 'displayOrigin', 'displayDest'] as const;
/** The option keys of API.md 9; msg.payload.options may hold others, which are not sent. */
const OPTION_KEYS = ['bindPhone', 'displayOrigin', 'cpa', 'displayDest'] as const;
const CPA = ['true', 'false'];

interface DualCallDef extends NodeDef {
  server?: string;
  cpa?: string;
}

export = function register(RED: NodeAPI): void {
  function WellcloudDualCallNode(this: Node, def: DualCallDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const config = def as unknown as Record<string, unknown>;
    const fields = dialogFields(config, FIELDS);
    const optionFields = dialogFields(config, OPTION_FIELDS);

    /** msg.payload.options: an object or not given (undefined, null, ''); anything else is refused before anything is sent. */
    const messageOptions = (ctx: ActionContext): Record<string, unknown> | undefined => {
      const fromMsg = payloadField(ctx.payload, 'options');
      if (!isGiven(fromMsg)) return undefined;
      if (!isPlainObject(fromMsg)) throw invalidInput(ctx.lang, 'options', 'input.object');
      return fromMsg;
    };

    /** The dialog's options, the cpa choice, then msg.payload.options on top (key by key); undefined when none. */
    const mergeOptions = (dialog: Record<string, unknown>, fromMsg: Record<string, unknown> | undefined): Record<string, unknown> | undefined => {
      const merged = dialog;
      if (typeof def.cpa === 'string' && CPA.includes(def.cpa)) merged.cpa = def.cpa;
      if (fromMsg) {
        // the API's keys only: any other key is not sent anyway, and one named "__proto__" (JSON.parse
        // makes it an own key) would have become the prototype of `merged`
        for (const k of OPTION_KEYS) {
          const v = payloadField(fromMsg, k, `options.${k}`);
          if (v !== undefined && v !== null && v !== '') merged[k] = v;
        }
      }
      return Object.keys(merged).length > 0 ? merged : undefined;
    };

    setupActionNode(RED, node, def, async (ctx): Promise<ActionResult> => {
      const given = resolveFields(RED, node, ctx.msg, fields);
      const input = given instanceof Promise ? await given : given;
      const fromMsg = messageOptions(ctx);
      // the option typedInputs are the dialog's only: msg.payload.options overrides them, not msg.payload
      const dialog = resolveFields(RED, node, ctx.msg, optionFields, false);
      const opts = mergeOptions(dialog instanceof Promise ? await dialog : dialog, fromMsg);
      if (opts !== undefined) input.options = opts;
      // the client checks the body first (validateDualCall) and sends nothing when any field is wrong
      const { callId } = await ctx.client.dualCall(input as unknown as DualCallRequest, { signal: ctx.signal });
      return { payload: { callId }, status: callId };
    }, { fieldSources: { deviceId: 'payload', prefix: 'payload', customerPhone: 'payload' }, placesCalls: true });
  }

  RED.nodes.registerType('wellcloud-dual-call', WellcloudDualCallNode);
};
