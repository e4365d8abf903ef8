/**
 * Sends a message sequence in the Split node's convention (`msg.parts`: id, index, count,
 * type "array"), so a Join node in automatic mode rebuilds it. The count is put on every message
 * once it is known; when it is known only at the end, the last message carries it (one message is
 * held back for that). Every message is a copy of the input message with its own payload.
 */
import type { NodeAPI, NodeMessage } from '../shared/types';

export interface Parts {
  id: string;
  index: number;
  count?: number;
  type: 'array';
  /** Elements per message (page mode): lets the Join node concatenate the pages. */
  len?: number;
  /** The input message's own parts (nested sequences). */
  parts?: unknown;
}

const NOTHING: unique symbol = Symbol('nothing');

export class SequenceSender {
  private readonly id: string;
  private readonly template: NodeMessage;
  private held: unknown = NOTHING;
  private sent = 0;
  private count?: number;

  constructor(
    private readonly RED: NodeAPI,
    msg: NodeMessage,
    private readonly send: (m: NodeMessage) => void,
    private readonly len?: number,
  ) {
    this.id = RED.util.generateId();
    const { payload: _payload, ...rest } = msg;
    void _payload;
    this.template = rest as NodeMessage;
  }

  /** Messages sent or held so far. */
  get size(): number {
    return this.sent + (this.held === NOTHING ? 0 : 1);
  }

  /** Fixes the total number of messages; every message sent from now on carries it. */
  knowCount(count: number): void {
    this.count = count;
  }

  add(payload: unknown): void {
    if (this.held !== NOTHING) this.emit(this.held);
    this.held = payload;
  }

  /** Sends the held message with the final count. Returns the number of messages sent. */
  finish(): number {
    if (this.held !== NOTHING) {
      this.count = this.sent + 1;
      const last = this.held;
      this.held = NOTHING;
      this.emit(last);
    }
    return this.sent;
  }

  private emit(payload: unknown): void {
    const m = this.RED.util.cloneMessage(this.template);
    const parts: Parts = { id: this.id, index: this.sent, type: 'array' };
    if (this.count !== undefined) parts.count = this.count;
    if (this.len !== undefined) parts.len = this.len;
    if (this.template.parts !== undefined) parts.parts = this.template.parts;
    m.parts = parts;
    m.payload = payload;
    this.sent++;
    this.send(m);
  }
}
