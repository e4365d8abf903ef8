/**
 * Simulated calls started by dual call and instant outbound. A call runs for
 * `callDurationMs` in real time; agents change state on the way (agentStateEvent), and at
 * the end the CDR and a recording are stored and 'callEnd' is emitted.
 *
 * Timeline (D = callDurationMs):
 * - dual call: agent rings at 0 (ManualRinging), answers at 0.2 D (ManualTalking), the
 *   customer rings and answers at 0.4 D, the call ends at D.
 * - instant outbound: the customer rings at 0 and answers at 0.3 D, the call is transferred
 *   to `caller`: that agent rings (AgentAutoRinging) and answers at 0.4 D (AgentAutoTalking).
 * - end: Acw, then callEnd; Available after the wrap-up (min(1 s, D / 3)).
 * Agent events exist only when the agent leg is a demo extension (8001-8008, agents 5001-5008).
 */
import type { EventEmitter } from 'events';
import { CallStore } from './data';
import { DEMO_AGENTS, DemoAgent } from './demo';
import { buildCall, CallParams, CampaignParams } from './generate';
import { mulberry32, hashString, uuidFrom } from './random';
import { formatEventTime } from './time';
import { TimerSet } from './timers';
import type { PlatformEvent } from './types';

export interface SimulatorDeps {
  store: CallStore;
  events: EventEmitter;
  timers: TimerSet;
  domain: string;
  callDurationMs: () => number;
}

export interface SimulatedCall {
  kind: 'dual' | 'instant';
  callId: string;
  /** The agent leg, when it is a demo agent. */
  agent: DemoAgent | null;
  /** Device of the agent leg (`8001@demo.cc`, or the caller as given). */
  device: string;
  customerPhone: string;
  ani: string;
  dnis: string;
  displayNumber: string | null;
  userData: Record<string, unknown>;
  campaignInfo: Record<string, unknown> | null;
  campaign: CampaignParams | null;
}

interface AgentState {
  state: string;
  since: number;
}

const RINGING = { dual: 'ManualRinging', instant: 'AgentAutoRinging' } as const;
const TALKING = { dual: 'ManualTalking', instant: 'AgentAutoTalking' } as const;

/** The demo agent on an extension or agent number (`8001`, `8001@demo.cc`, `5001`). */
export function demoAgentFor(device: string, domain: string): DemoAgent | null {
  const m = /^(\d+)(?:@(.+))?$/.exec(device);
  if (!m || (m[2] !== undefined && m[2] !== domain)) return null;
  return DEMO_AGENTS.find((a) => a.ext === m[1] || a.id === m[1]) ?? null;
}

export class Simulator {
  private serial = 0;
  private readonly agentStates = new Map<string, AgentState>();
  private readonly startedAt = Date.now();

  constructor(private readonly deps: SimulatorDeps) {}

  nextSerial(): number {
    return ++this.serial;
  }

  /** Current state of a demo agent (Available when never used). */
  agentState(agentId: string): string {
    return this.agentStates.get(agentId)?.state ?? 'Available';
  }

  start(call: SimulatedCall): void {
    const d = this.deps.callDurationMs();
    const t0 = Date.now();
    const agentRing = call.kind === 'dual' ? 0 : 0.3 * d;
    const agentAnswer = call.kind === 'dual' ? 0.2 * d : 0.4 * d;
    const customerAnswer = call.kind === 'dual' ? 0.4 * d : 0.3 * d;
    const { timers } = this.deps;
    if (call.agent) {
      const agent = call.agent;
      timers.set(() => this.changeState(agent, RINGING[call.kind], call.callId), agentRing);
      timers.set(() => this.changeState(agent, TALKING[call.kind], call.callId), agentAnswer);
    }
    timers.set(() => this.finish(call, t0, t0 + customerAnswer, agentAnswer), d);
  }

  private finish(call: SimulatedCall, beginMs: number, answerMs: number, agentAnswerOffset: number): void {
    const endMs = Date.now();
    const params = this.cdrParams(call, beginMs, answerMs, endMs);
    this.deps.store.put(buildCall(params));
    const agent = call.agent;
    if (agent) {
      const wrapUp = Math.min(1000, this.deps.callDurationMs() / 3);
      this.deps.timers.set(() => this.changeState(agent, 'Available', null), wrapUp);
      this.changeState(agent, 'Acw', call.callId);
    }
    this.deps.events.emit('callEnd', this.callEndEvent(call, params, endMs, agentAnswerOffset));
  }

  private cdrParams(call: SimulatedCall, beginMs: number, answerMs: number, endMs: number): CallParams {
    const rng = mulberry32(hashString(call.callId));
    const ringSec = (answerMs - beginMs) / 1000;
    const talkSec = Math.max(0.001, (endMs - answerMs) / 1000);
    const ud = Object.values(call.userData).map((v) => (v === undefined || v === null ? null : String(v)));
    return {
      callId: call.callId,
      kind: call.kind,
      beginMs,
      domain: this.deps.domain,
      ani: call.ani,
      dnis: call.dnis,
      customerPhone: call.customerPhone,
      displayNumber: call.displayNumber,
      agent: call.agent,
      ringSec,
      queueSec: 0,
      talkSec,
      resultCode: 0,
      endType: 1,
      hangupDevice: call.customerPhone,
      transferred: call.kind === 'instant',
      satisfaction: null,
      relateCall: null,
      campaign: call.campaign,
      userData: [ud[0] ?? null, ud[1] ?? null, ud[2] ?? null],
      recordings: [{ id: uuidFrom(rng), type: '2', format: 'MP3', startMs: answerMs, lengthSec: talkSec }],
    };
  }

  private segment(device: string, start: number, answer: number | null, end: number): Record<string, unknown> {
    return {
      device,
      startTime: formatEventTime(start),
      answerTime: answer === null ? null : formatEventTime(answer),
      endTime: formatEventTime(end),
      ringLength: ((answer ?? end) - start) / 1000,
      talkLength: answer === null ? 0 : (end - answer) / 1000,
    };
  }

  private callEndEvent(call: SimulatedCall, p: CallParams, endMs: number, agentAnswerOffset: number): PlatformEvent {
    const answerMs = p.beginMs + Math.round(p.ringSec * 1000);
    const agentAnswerMs = p.beginMs + agentAnswerOffset;
    const agentRingMs = call.kind === 'dual' ? p.beginMs : answerMs;
    const station = this.segment(call.device, agentRingMs, agentAnswerMs, endMs);
    const customerLeg = this.segment(call.customerPhone, call.kind === 'dual' ? agentAnswerMs : p.beginMs, answerMs, endMs);
    const domain = this.deps.domain;
    return {
      eventName: 'callEnd',
      eventSrc: call.callId,
      timestamp: formatEventTime(endMs),
      serial: this.nextSerial(),
      eventType: 'statEvent',
      namespace: domain,
      instanceId: 'cms_default',
      mediaServer: '127.0.0.1',
      callId: call.callId,
      cid: uuidFrom(mulberry32(hashString(`cid:${call.callId}`))),
      ani: call.ani,
      dnis: call.dnis,
      callType: 'Outbound',
      deviceId: call.device,
      agentId: call.agent ? `${call.agent.id}@${domain}` : null,
      customerPhone: call.customerPhone,
      startTime: formatEventTime(p.beginMs),
      answerTime: formatEventTime(answerMs),
      endTime: formatEventTime(endMs),
      skillId: null,
      queueLength: 0,
      talkLength: Math.round(p.talkSec * 1000) / 1000,
      endReason: 'UserDrop',
      customerRingLength: Math.round(p.ringSec * 1000) / 1000,
      deviceRingLength: (agentAnswerMs - agentRingMs) / 1000,
      displayNumber: call.displayNumber,
      trunkName: 'SCM_021',
      customerAreaCode: '310000',
      customerCityCode: '021',
      resultCode: 0,
      campaignInfo: call.campaignInfo,
      userData: call.userData,
      systemData: { _mobilePhone: 'true' },
      relatedCalls: [],
      hangupDevice: call.customerPhone,
      hangupCause: 'NORMAL_CLEARING',
      conferenced: false,
      transferred: call.kind === 'instant',
      firstRoutePoint: null,
      firstQueue: null,
      firstIVR: null,
      firstStation: station,
      segmentList: call.kind === 'dual' ? [station, customerLeg] : [customerLeg, station],
      topics: ['csta', 'stat'],
      originalCall: null,
    };
  }

  private changeState(agent: DemoAgent, state: string, callId: string | null): void {
    const now = Date.now();
    const prev = this.agentStates.get(agent.id) ?? { state: 'Available', since: this.startedAt };
    this.agentStates.set(agent.id, { state, since: now });
    this.deps.events.emit('agentStateEvent', {
      eventName: 'agentStateEvent',
      serial: this.nextSerial(),
      timestamp: formatEventTime(now),
      eventType: 'agent',
      id: agent.id,
      name: agent.name,
      acState: state,
      stateChangeTime: formatEventTime(now),
      lastACState: prev.state,
      instanceId: 'cms_default',
      namespace: this.deps.domain,
      lastStateLength: String(Math.round((now - prev.since) / 1000)),
      lastStateChangeTime: formatEventTime(prev.since),
      orgId: agent.orgId,
      orgName: agent.orgName,
      orgTreePos: agent.orgTreePos,
      reason: 'AgentOperation',
      channelAddr: agent.ext,
      skills: agent.skills,
      callId,
      workSkill: null,
    } satisfies PlatformEvent);
  }
}
