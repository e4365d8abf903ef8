/**
 * What wellcloud-event-in (dedupe memory) and wellcloud-agent-state (agent board) keep between
 * messages and across redeploys, through Node-RED's context API in a store the user names.
 *
 * It is kept in the *global* context under a key made from the node id, not in the node context:
 * with Node-RED's default settings (no `contextStorage` configured) the node context is deleted
 * every time the node stops, i.e. on every redeploy. The key is removed when the node is deleted
 * from the flow. Several instances running the same flow (same node ids) share the key through a
 * shared store.
 */
import type { Node } from '../shared/types';

export interface NodeMemory {
  /** The context key, e.g. `wellcloud_dedupe_1a2b3c4d5e6f7a8b`. */
  readonly key: string;
  load(): Promise<unknown>;
  save(value: unknown): Promise<void>;
  /** Deletes the key (the node was removed from the flow). */
  remove(): Promise<void>;
}

/** A context key from the node id (ids of old flows may hold `.`, which context keys read as a path). */
export function memoryKey(kind: string, nodeId: string): string {
  return `wellcloud_${kind}_${nodeId.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

export function nodeMemory(node: Node, kind: string, store: string | undefined): NodeMemory {
  const global = node.context().global;
  const key = memoryKey(kind, node.id);
  const set = (value: unknown): Promise<void> =>
    new Promise((resolve, reject) => global.set(key, value, store, (err) => (err ? reject(err) : resolve())));
  return {
    key,
    load: () => new Promise((resolve, reject) => global.get(key, store, (err, v) => (err ? reject(err) : resolve(v)))),
    save: set,
    remove: () => set(undefined),
  };
}
