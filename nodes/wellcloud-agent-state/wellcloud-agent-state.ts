/**
 * wellcloud-agent-state: keeps the current state of every agent from agentStateEvent messages
 * (wellcloud-event-in output 2) and reports each change with the tally per state. The board
 * (lib/events-agents.ts) is kept through the context API (../wellcloud-event-in/node-memory.ts):
 * written on change, read back on start, so it survives a redeploy (and a restart with a
 * persistent context store).
 */
import { AGENT_STATE, AgentStateBoard, DEFAULT_MAX_AGENTS, readEvent, topicText, type AgentChange } from '../../lib/events';
import { isObject } from '../../lib/events-legacy';
import type { Lang } from '../../lib/i18n';
import { runtimeLang } from '../shared/action';
import { nodeMemory } from '../wellcloud-event-in/node-memory';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessage, SendFn } from '../shared/types';

const TYPE = 'wellcloud-agent-state';
const CLOSE_WAIT_MS = 5000;
/** States shown in the status, most frequent first. */
const STATUS_STATES = 3;

interface AgentStateDef extends NodeDef {
  maxAgents?: number | string;
  store?: string;
  showStatus?: boolean | string;
}

function positiveInteger(v: unknown, fallback: number): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) && n >= 1 ? Math.floor(n) : fallback;
}

/** The agentStateEvent in msg.payload (a legacy AgentStatusEvent is normalised), else undefined. */
function agentEvent(payload: unknown, lang: Lang): Record<string, unknown> | undefined {
  if (!isObject(payload)) return undefined;
  if (payload.eventName === AGENT_STATE) return payload;
  if (payload.eventName === 'AgentStatusEvent') {
    const read = readEvent(payload, lang);
    return read.ok && !Array.isArray(read.payload) ? read.payload : undefined;
  }
  return undefined;
}

export = function register(RED: NodeAPI): void {
  function WellcloudAgentStateNode(this: Node, def: AgentStateDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const lang = runtimeLang(RED);
    const maxAgents = positiveInteger(def.maxAgents, DEFAULT_MAX_AGENTS);
    const store = typeof def.store === 'string' && def.store.trim() !== '' ? def.store.trim() : undefined;
    const showStatus = def.showStatus === undefined || def.showStatus === '' ? true : def.showStatus === true || def.showStatus === 'true';
    const memory = nodeMemory(node, 'agents', store);
    let board = new AgentStateBoard(maxAgents);
    let dirty = false;
    let saving: Promise<void> | undefined;

    const stateLabel = (state: string): string => {
      const key = `${TYPE}.states.${state}`;
      const label = RED._(key);
      return label && label !== key ? label : state;
    };

    const updateStatus = (): void => {
      if (!showStatus) return;
      const counts = Object.entries(board.counts()).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      if (counts.length === 0) {
        node.status({ fill: 'grey', shape: 'ring', text: RED._(`${TYPE}.status.empty`) });
        return;
      }
      const text = counts.slice(0, STATUS_STATES).map(([s, n]) => `${stateLabel(s)} ${n}`).join(' · ');
      node.status({ fill: 'green', shape: 'dot', text: counts.length > STATUS_STATES ? `${text} …` : text });
    };

    const save = (): Promise<void> => memory.save(board.toJSON());

    /** Writes until no change is left; `saving` is cleared in the same turn the last check sees none. */
    const flush = async (): Promise<void> => {
      try {
        while (dirty) {
          dirty = false;
          try {
            await save();
          } catch (e) {
            node.warn(RED._(`${TYPE}.warn.store`, { detail: e instanceof Error ? e.message : String(e) }));
          }
        }
      } finally {
        saving = undefined;
      }
    };

    /** Writes the board after a change; changes arriving during a write are coalesced into the next one. */
    const persist = (): void => {
      dirty = true;
      if (!saving) saving = flush();
    };

    const ready = memory.load().then(
      (stored) => {
        board = AgentStateBoard.restore(stored, maxAgents);
        updateStatus();
      },
      (e: unknown) => {
        node.warn(RED._(`${TYPE}.warn.store`, { detail: e instanceof Error ? e.message : String(e) }));
        updateStatus();
      },
    );
    let queue: Promise<void> = ready;

    const output = (msg: NodeMessage, change: AgentChange, send: SendFn): void => {
      msg.topic = change.agent;
      msg.payload = change;
      send(msg);
    };

    const handle = (msg: NodeMessage, send: SendFn): void => {
      if (msg.topic === 'reset') {
        board.clear();
        persist();
        updateStatus();
        return;
      }
      if (msg.topic === 'snapshot') {
        msg.payload = board.snapshot();
        send(msg);
        return;
      }
      const ev = agentEvent(msg.payload, lang);
      if (!ev) {
        node.warn(RED._(`${TYPE}.warn.notAgentEvent`, { topic: topicText(msg.topic) }));
        return;
      }
      const result = board.apply(ev);
      if (result.kind === 'invalid') {
        node.warn(RED._(`${TYPE}.warn.invalid`));
        return;
      }
      if (result.kind === 'stale') return;
      persist();
      if (result.kind === 'change') {
        output(msg, result.change, send);
        updateStatus();
      }
    };

    // set when a stop begins: a message Node-RED delivers after that (queued before it) is dropped,
    // or it would save the board again after a deleted node's memory was removed
    let closing = false;

    node.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
      if (closing) {
        done();
        return;
      }
      queue = queue.then(() => {
        try {
          handle(msg, send);
          done();
        } catch (e) {
          done(e instanceof Error ? e : new Error(String(e)));
        }
      });
    });

    node.on('close', (removed: boolean, done: () => void) => {
      closing = true;
      let timer: NodeJS.Timeout | undefined;
      const cap = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_WAIT_MS);
      });
      const flushed = queue.then(() => saving).then(() => (removed ? memory.remove().catch(() => undefined) : undefined));
      void Promise.race([flushed, cap]).then(() => {
        if (timer) clearTimeout(timer);
        node.status({});
        done();
      });
    });
  }

  RED.nodes.registerType(TYPE, WellcloudAgentStateNode);
};
