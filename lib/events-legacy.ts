/**
 * The older event shapes of the vendor's legacy open API (reference/legacy-open-api/event.md),
 * normalised to the shapes of the current guide so one flow handles both:
 * `CallEndEvent` -> a `callEnd`, `AgentStatusEvent` -> an `agentStateEvent`.
 * The original event is kept whole as `original`, and `legacy` names its shape.
 */

type Obj = Record<string, unknown>;

/** Legacy agentStatus -> current acState (API.md list). Unmapped values become Unknown. */
export const LEGACY_AGENT_STATES: Readonly<Record<string, string>> = {
  NotReady: 'Aux',
  WorkNotReady: 'Acw',
  Idle: 'Available',
  Ready: 'Available',
  OnCallIn: 'InboundTalking',
  OnCallOut: 'ManualTalking',
  Logout: 'LogOut',
  Ringing: 'InboundRinging',
  Allocated: 'Allocate',
  OffHook: 'OffHook',
  CallInternal: 'InternalTalking',
  Dailing: 'ManualRinging',
  Ringback: 'ManualRinging',
  Conference: 'Conference',
  OnHold: 'Hold',
  Other: 'Unknown',
  OnCallPreOccupied: 'PreOccupiedTalking',
  OnPreDictive: 'PredictiveTalking',
  OnAgentAutoCall: 'AgentAutoTalking',
  OnPreView: 'PreViewTalking',
};

export function isObject(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v);
}

function mapState(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  // own keys only: `constructor`, `toString`, `__proto__` are not legacy states
  return Object.hasOwn(LEGACY_AGENT_STATES, v) ? LEGACY_AGENT_STATES[v] : 'Unknown';
}

/** Copies the entries whose value is not undefined. */
function defined(o: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}

function countFlag(v: unknown): boolean | undefined {
  if (typeof v === 'number') return v > 0;
  if (typeof v === 'boolean') return v;
  return undefined;
}

/** `CallEndEvent` (with a `call` object) -> a callEnd-shaped event. `call` must be an object. */
export function normaliseLegacyCallEnd(ev: Obj, call: Obj): Obj {
  const attached = isObject(call.attchedData) && isObject(call.attchedData.data) ? call.attchedData.data : undefined;
  return defined({
    eventName: 'callEnd',
    eventSrc: ev.eventSrc,
    timestamp: ev.eventTime ?? ev.timestamp,
    serial: ev.serial,
    eventType: ev.eventType,
    namespace: ev.namespace ?? call.namespace,
    callId: call.id,
    ani: call.ani,
    dnis: call.dnis,
    callType: call.callType,
    deviceId: call.firstStation,
    agentId: call.firstAgentId,
    startTime: call.startTime,
    answerTime: call.answerTime,
    endTime: call.endTime,
    queueLength: call.queuedLength,
    talkLength: call.talkLength,
    endReason: call.endReason,
    resultCode: call.failedCode,
    tenantId: call.tenantId,
    conferenced: countFlag(call.conference),
    transferred: countFlag(call.transferred),
    userData: attached,
    legacy: 'CallEndEvent',
    original: ev,
  });
}

/** `AgentStatusEvent` (with an `agent` object) -> an agentStateEvent-shaped event. */
export function normaliseLegacyAgentStatus(ev: Obj, agent: Obj): Obj {
  return defined({
    eventName: 'agentStateEvent',
    eventSrc: ev.eventSrc,
    timestamp: ev.eventTime ?? ev.timestamp,
    serial: ev.serial,
    eventType: 'agent',
    namespace: ev.namespace ?? agent.namespace,
    id: agent.agentId,
    name: agent.agentName,
    acState: mapState(agent.agentStatus),
    stateChangeTime: agent.agentStatusTimestamp,
    lastACState: mapState(agent.lastStatus),
    lastStateLength: agent.lastStatusLength,
    orgId: agent.org,
    reason: agent.reason,
    channelAddr: agent.extensionId,
    legacyState: agent.agentStatus,
    legacy: 'AgentStatusEvent',
    original: ev,
  });
}
