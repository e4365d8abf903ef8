/**
 * wellcloud-roster-upload: uploads a roster (call list) to an automatic-outbound activity.
 * The roster comes as text, a Buffer or an array of rows in msg.payload, or as a file
 * (msg.filename, else the dialog's filename). lib/roster checks every row first, then cuts the
 * roster into uploads within the platform's 10 MB limit; one message per created batch, with
 * msg.parts so that a Join node can put them together.
 */
import * as path from 'path';
import { invalidInput, isWellcloudError } from '../../lib/errors';
import { inexactNumber, isExactNumber } from '../../lib/validate';
import type { Lang } from '../../lib/i18n';
import { duplicatesWarning, prepareRoster, prepareRosterFile, type PreparedRoster, type UploadedBatch, uploadRosterParts } from '../../lib/roster';
import { type ActionContext, type ActionResult, setupActionNode } from '../shared/action';
import { evaluateProperty } from '../shared/props';
import type { Node, NodeAPI, NodeDef, NodeMessage } from '../shared/types';

const TYPE = 'wellcloud-roster-upload';

interface RosterDef extends NodeDef {
  server?: string;
  alias?: string;
  aliasType?: string;
  templateId?: string;
  templateIdType?: string;
  filename?: string;
  filenameType?: string;
}

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '';
}

/** A text parameter: a string or an exact number, '' meaning not given. */
function text(lang: Lang, field: string, v: unknown): string | undefined {
  if (!isSet(v)) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) {
    if (!isExactNumber(v)) throw inexactNumber(lang, field, v);
    return String(v);
  }
  if (typeof v !== 'string') throw invalidInput(lang, field, 'input.string');
  const s = v.trim();
  return s === '' ? undefined : s;
}

function batchPayload(b: UploadedBatch): Record<string, unknown> {
  return { alias: b.alias, batchId: b.batchId, batchName: b.batchName, rows: b.rows };
}

export = function register(RED: NodeAPI): void {
  function WellcloudRosterUploadNode(this: Node, def: RosterDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const status = (key: string, vars?: Record<string, unknown>): string => RED._(`${TYPE}.status.${key}`, vars);
    /** A relative file name is read from Node-RED's working directory (its fileWorkingDirectory setting), as Node-RED's file nodes and wellcloud-recording do. */
    const filePath = (name: string): string => {
      const dir = RED.settings.fileWorkingDirectory;
      return path.resolve(typeof dir === 'string' && dir ? dir : process.cwd(), name);
    };

    /** msg.<name> wins over the dialog's typedInput. */
    const param = async (ctx: ActionContext, name: 'alias' | 'templateId' | 'filename'): Promise<string | undefined> => {
      const fromMsg = ctx.msg[name];
      if (isSet(fromMsg)) return text(ctx.lang, name, fromMsg);
      return text(ctx.lang, name, await evaluateProperty(RED, node, ctx.msg, def[name], def[`${name}Type`], name));
    };

    /** msg.filename, else a roster in msg.payload, else the dialog's filename. */
    const prepare = async (ctx: ActionContext): Promise<PreparedRoster> => {
      const opts = { lang: ctx.lang, signal: ctx.signal };
      const msgFile = ctx.msg.filename;
      const payload = ctx.msg.payload;
      if (isSet(msgFile)) {
        ctx.progress(status('checking'));
        const name = text(ctx.lang, 'filename', msgFile);
        return prepareRosterFile(name === undefined ? '' : filePath(name), opts);
      }
      if (typeof payload === 'string' || Buffer.isBuffer(payload) || Array.isArray(payload)) return prepareRoster(payload, opts);
      const file = await param(ctx, 'filename');
      if (file === undefined) throw invalidInput(ctx.lang, 'payload', 'roster.input');
      ctx.progress(status('checking'));
      return prepareRosterFile(filePath(file), opts);
    };

    setupActionNode(RED, node, def, async (ctx): Promise<ActionResult> => {
      const alias = await param(ctx, 'alias');
      const templateId = await param(ctx, 'templateId');
      const roster = await prepare(ctx);
      const warning = duplicatesWarning(ctx.lang, roster.duplicates);
      if (warning) node.warn(warning);

      const outer = ctx.msg.parts;
      const id = RED.util.generateId();
      const partsOf = (b: UploadedBatch, count: number): Record<string, unknown> => {
        const parts: Record<string, unknown> = { id, index: b.index, count, type: 'array', len: 1 };
        if (outer !== undefined) parts.parts = outer;
        return parts;
      };
      const batches = await uploadRosterParts(ctx.client, roster, {
        alias,
        templateId,
        lang: ctx.lang,
        signal: ctx.signal,
        onProgress: (index, count) => ctx.progress(status('uploading', { index: index + 1, count })),
        onBatch: (b, count) => {
          if (b.index === count - 1) return; // the last one is the node's result (below)
          // a shallow copy first, so that the roster in msg.payload is not cloned
          const out: NodeMessage = RED.util.cloneMessage({ ...ctx.msg, payload: batchPayload(b) });
          out.parts = partsOf(b, count);
          ctx.send(out);
        },
      }).catch((e: unknown) => {
        // A Catch node only sees the error's message and code: the batches already created travel on the message.
        const uploaded = isWellcloudError(e) ? e.details?.uploaded : undefined;
        if (Array.isArray(uploaded)) ctx.msg.uploadedBatches = uploaded;
        throw e;
      });
      const last = batches[batches.length - 1];
      return {
        payload: batchPayload(last),
        set: { parts: partsOf(last, batches.length) },
        status: status('done', { count: batches.length, rows: roster.rows }),
      };
    });
  }

  RED.nodes.registerType(TYPE, WellcloudRosterUploadNode);
};
