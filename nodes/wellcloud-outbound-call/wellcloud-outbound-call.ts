/**
 * wellcloud-outbound-call: instant automatic outbound. The platform dials `callee` and, once
 * answered, transfers the call to `caller`. Dialog values are overridden by the same-named fields
 * of msg.payload; `domain` and `tenantId` fall back to the config node's. Never retried.
 */
import type { InstantOutboundRequest } from '../../lib/types';
import { type ActionResult, setupActionNode } from '../shared/action';
import { dialogFields, evaluateProperty, isGiven, payloadField, resolveFields } from '../shared/props';
import type { Node, NodeAPI, NodeDef } from '../shared/types';

const FIELDS = ['activityId', 'callee', 'caller', 'data', 'domain', 'rosterId', 'tenantId'] as const;
/** The API field `id` is kept in the dialog as `recordId`: Node-RED reserves a node's own `id`. */
const ID_PROPERTY = 'recordId';
/** Where each required field can be given (for the "is required" errors). */
const OUTBOUND_SOURCES = {
  activityId: 'payload',
  callee: 'payload',
  caller: 'payload',
  data: 'payload',
  rosterId: 'payload',
  domain: 'config',
  tenantId: 'config',
} as const;

interface OutboundDef extends NodeDef {
  server?: string;
}

export = function register(RED: NodeAPI): void {
  function WellcloudOutboundCallNode(this: Node, def: OutboundDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const config = def as unknown as Record<string, unknown>;
    const fields = dialogFields(config, FIELDS);

    setupActionNode(RED, node, def, async (ctx): Promise<ActionResult> => {
      const input = await resolveFields(RED, node, ctx.msg, fields);
      // msg.payload.id wins unless it is not given (undefined, null or ''), as for every other field
      const fromMsg = payloadField(ctx.payload, 'id');
      const id = isGiven(fromMsg) ? fromMsg : await evaluateProperty(RED, node, ctx.msg, config[ID_PROPERTY], config[`${ID_PROPERTY}Type`] as string | undefined, 'id');
      if (isGiven(id)) input.id = id;
      if (input.domain === undefined && ctx.server.domain) input.domain = ctx.server.domain;
      if (input.tenantId === undefined && ctx.server.tenantId) input.tenantId = ctx.server.tenantId;
      // the client checks the body first (validateInstantOutbound) and sends nothing when any field is wrong
      const { result, reason } = await ctx.client.instantOutbound(input as unknown as InstantOutboundRequest, { signal: ctx.signal });
      return { payload: { result, reason }, status: `${String(result)} ${String(reason ?? '')}`.trim() };
    }, { fieldSources: OUTBOUND_SOURCES, placesCalls: true });
  }

  RED.nodes.registerType('wellcloud-outbound-call', WellcloudOutboundCallNode);
};
