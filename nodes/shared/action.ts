/**
 * The one input wrapper of every action node: validate → run → status → send/done.
 * A node supplies a handler; this file owns status, cancellation on close and error reporting,
 * so no node writes its own try/catch ladder.
 */
import { WellcloudError, invalidInput, isWellcloudError } from '../../lib/errors';
import type { Lang } from '../../lib/i18n';
import { t } from '../../lib/i18n';
import type { WellcloudClient } from '../../lib/client';
import type { DoneFn, Node, NodeAPI, NodeMessage, SendFn } from './types';
import { setMaxListeners } from 'events';
import { PropertyError, payloadObject } from './props';

/** The runtime face of a `wellcloud-config` node, as action nodes see it. */
export interface WellcloudServer extends Node {
  getClient(): WellcloudClient;
  lang: Lang;
  domain: string;
  tenantId: string;
  timezone: string;
  timeout: number;
}

export interface ActionContext {
  RED: NodeAPI;
  node: Node;
  msg: NodeMessage;
  /** msg.payload when it is a plain object, else {}. */
  payload: Record<string, unknown>;
  server: WellcloudServer;
  client: WellcloudClient;
  lang: Lang;
  /** Aborted when the node is closed (redeploy) while this message runs. */
  signal: AbortSignal;
  /** Sends a message now (for sequences). The wrapper still calls done() at the end. */
  send: SendFn;
  /** Shows progress on the node (blue ring), e.g. "page 3/10". */
  progress(text: string): void;
}

export interface ActionResult {
  /** Becomes msg.payload of the sent message (ignored with `sent`). */
  payload?: unknown;
  /** The handler already sent its messages through ctx.send: only set the status. */
  sent?: boolean;
  /** Other msg fields to set (e.g. count, parts). */
  set?: Record<string, unknown>;
  /** Short text for the green status dot. */
  status?: string;
}

/** A handler returns the result to send, or `{sent: true, status}` / nothing when it sent its messages itself. */
export type ActionHandler = (ctx: ActionContext) => Promise<ActionResult | void>;

/**
 * Where a user gives each field a node requires, so that "deviceId is required." can say where to set
 * it: `payload` (the dialog or msg.payload.<field>), `config` (also the config node), `filename`
 * (the dialog's File or msg.filename).
 */
export type FieldSource = 'payload' | 'config' | 'filename';

export interface ActionOptions {
  fieldSources?: Readonly<Record<string, FieldSource>>;
  /**
   * The node rings phones (dual call, outbound call). An answer that arrives while the node is
   * being stopped is not sent, so it is logged as a warning with the result's status text: the
   * user learns that a call went out. (A request cut on its way warns through the lib's
   * `details.callMayBePlaced`, for any node.)
   */
  placesCalls?: boolean;
}

/** Adds where to set a missing field to an INVALID_INPUT "<field> is required." error. */
function withFieldHint(err: WellcloudError, lang: Lang, sources: Readonly<Record<string, FieldSource>> | undefined): void {
  if (err.code !== 'INVALID_INPUT' || !err.field || !sources) return;
  const source = Object.prototype.hasOwnProperty.call(sources, err.field) ? sources[err.field] : undefined;
  if (!source || err.message !== t(lang, 'input.required', { field: err.field })) return;
  // no space after a Chinese full stop
  err.message = `${err.message}${lang === 'zh-CN' ? '' : ' '}${t(lang, `input.where.${source}`, { field: err.field })}`;
}

const NS = 'node-red-contrib-wellcloud/wellcloud-config:wellcloud-config';
/**
 * How long a close (redeploy, stop) waits for the messages it cancelled to finish their clean-up:
 * a partial download removed, a roster file closed. Node-RED gives a close 15 s in all.
 */
export const CLOSE_WAIT_MS = 5000;

/** Runtime text from the config node's locale (shared status texts). */
export function sharedText(RED: NodeAPI, key: string, vars?: Record<string, unknown>): string {
  return RED._(`${NS}.${key}`, vars);
}

/** The runtime language, read through Node-RED's own i18n (its `lang` setting or the OS locale). */
export function runtimeLang(RED: NodeAPI): Lang {
  const l = RED._(`${NS}.lang`);
  return l === 'zh-CN' ? 'zh-CN' : 'en-US';
}

/** Any thrown value as a WellcloudError that is safe to show. */
export function toWellcloudError(err: unknown, lang: Lang): WellcloudError {
  if (isWellcloudError(err)) return err;
  // a dialog value that could not be evaluated: bad input, not a network error
  if (err instanceof PropertyError) {
    const detail = err.reason.replace(/\.$/, '');
    if (err.source === 'message') return invalidInput(lang, err.field, 'input.unreadable', { field: `msg.payload.${err.field}`, detail });
    return invalidInput(lang, err.field, 'input.property', { detail });
  }
  const e = err as { message?: unknown; code?: unknown } | undefined;
  const detail = e && typeof e.message === 'string' ? e.message : String(err);
  return new WellcloudError({
    code: e && typeof e.code === 'string' ? e.code : 'ERROR',
    // the client throws only WellcloudErrors: anything else is no network error
    message: t(lang, 'error.unexpected', { detail }),
  });
}

/** A controller whose signal every running message of a node listens to (no listener-count warning). */
function sharedController(): AbortController {
  const c = new AbortController();
  setMaxListeners(0, c.signal);
  return c;
}

export function setupActionNode(RED: NodeAPI, node: Node, config: { server?: string }, handler: ActionHandler, options: ActionOptions = {}): void {
  const found = config.server ? RED.nodes.getNode(config.server) : null;
  // an imported or hand-edited flow may name a node of another type: that is no server either
  const server = found && typeof (found as Partial<WellcloudServer>).getClient === 'function' ? (found as WellcloudServer) : null;
  // One controller for every message running on this node (they are all aborted together on
  // close): creating an AbortController and its signal per message cost ~3 us. A close replaces it.
  let controller = sharedController();
  let running = 0;
  let closing = false;
  // messages whose handler has not settled yet (not reset by a close, unlike `running`), and the
  // close waiting for them
  let unsettled = 0;
  let whenSettled: (() => void) | undefined;
  const settled = (): void => {
    unsettled--;
    if (unsettled === 0 && whenSettled) whenSettled();
  };
  // translated once: RED._ (i18next) costs more per call than the rest of the wrapper together
  const texts = { requesting: sharedText(RED, 'status.requesting'), done: sharedText(RED, 'status.done') };

  const idle = (): void => {
    if (!server) node.status({ fill: 'red', shape: 'ring', text: sharedText(RED, 'status.noServer') });
  };
  idle();

  node.on('input', (msg: NodeMessage, send: SendFn, done: DoneFn) => {
    const lang = server ? server.lang : runtimeLang(RED);
    if (!server) {
      const err = new WellcloudError({ code: 'INVALID_INPUT', field: 'server', message: t(lang, 'input.server', { field: 'server' }) });
      node.status({ fill: 'red', shape: 'ring', text: sharedText(RED, 'status.noServer') });
      done(err);
      return;
    }
    if (closing) {
      // delivered after the stop began (Node-RED queued it before): the flow is going away, and
      // a new request now would run on a closed config node
      done();
      return;
    }
    if (controller.signal.aborted) controller = sharedController();
    const mine = controller;
    // Status shows the node, not each message: the ring when the first message of a burst starts,
    // the result when the last one ends, red at once on a failure. Under load this saves two status
    // events (and their editor traffic) per message.
    if (running === 0) node.status({ fill: 'blue', shape: 'ring', text: texts.requesting });
    running++;
    unsettled++;
    /** This message is over: counted off unless a close already reset the count. */
    const finish = (): void => {
      if (mine === controller && running > 0) running--;
    };

    const ctx: ActionContext = {
      RED,
      node,
      msg,
      payload: payloadObject(msg),
      server,
      client: server.getClient(),
      lang,
      signal: mine.signal,
      send: (m) => {
        if (!mine.signal.aborted) send(m);
      },
      progress: (text) => {
        if (!mine.signal.aborted) node.status({ fill: 'blue', shape: 'ring', text });
      },
    };

    let work: Promise<ActionResult | void>;
    try {
      work = handler(ctx);
    } catch (e) {
      work = Promise.reject(e);
    }
    // both handlers catch what they throw themselves: no third promise per message for a .catch
    work.then(
      (result) => {
        try {
          finish();
          if (mine.signal.aborted) {
            // stopped (redeploy) while the answer was on its way: not sent, but a placed call is said
            if (options.placesCalls && result && !result.sent) node.warn(t(lang, 'call.answerAfterStop', { result: result.status ?? '' }));
            done();
            return;
          }
          if (result && !result.sent) {
            msg.payload = result.payload;
            if (result.set) Object.assign(msg, result.set);
            send(msg);
          }
          if (running === 0) node.status({ fill: 'green', shape: 'dot', text: result?.status ?? texts.done });
          done();
        } catch (fatal) {
          // send/done themselves threw: report it, never let it become an unhandled rejection
          node.error(fatal);
        } finally {
          settled();
        }
      },
      (thrown: unknown) => {
        try {
          finish();
          if (closing && mine.signal.aborted) {
            // cancelled by a redeploy: the flow that would catch it is gone; a call request cut on
            // its way may still ring phones, so that one is said
            if (isWellcloudError(thrown) && thrown.details?.callMayBePlaced === true) node.warn(thrown.message);
            done();
            return;
          }
          const err = toWellcloudError(thrown, lang);
          withFieldHint(err, lang, options.fieldSources);
          const answer = err.platformAnswer();
          if (answer) msg.wellcloud = answer;
          if (!closing) node.status({ fill: 'red', shape: 'ring', text: err.code });
          done(err);
        } catch (fatal) {
          node.error(fatal);
        } finally {
          settled();
        }
      },
    );
  });

  node.on('close', (_removed: boolean, done: () => void) => {
    closing = true;
    controller.abort();
    running = 0;
    node.status({});
    if (unsettled === 0) {
      done();
      return;
    }
    // the cancelled handlers are still cleaning up (a partial file, an open roster file): the
    // close is complete when they are, or after CLOSE_WAIT_MS, so a stop that ends the process
    // does not cut the clean-up short
    const end = (): void => {
      clearTimeout(timer);
      whenSettled = undefined;
      done();
    };
    const timer = setTimeout(end, CLOSE_WAIT_MS);
    whenSettled = end;
  });
}
