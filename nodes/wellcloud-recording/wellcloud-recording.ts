/**
 * wellcloud-recording: the recording records of a call (`list`), the merged audio of a call
 * (`callAudio`) or one recording (`audio`), as a Buffer, streamed to a file, or as the platform's
 * redirect URL. The work is done by lib/recording.ts; this file reads the dialog and the message.
 */
import { prepareCallId } from '../../lib/cdr';
import {
  type AudioFormat,
  type AudioTarget,
  audioUrl,
  downloadToBuffer,
  downloadToFile,
  listRecordings,
  prepareFormat,
  prepareRecordingId,
  resolveTargetPath,
} from '../../lib/recording';
import { type ActionContext, type ActionResult, setupActionNode } from '../shared/action';
import { dialogFields, evaluateProperty, payloadField, resolveFields } from '../shared/props';
import type { Node, NodeAPI, NodeDef } from '../shared/types';

const TYPE = 'wellcloud-recording';

const OPERATIONS = ['list', 'callAudio', 'audio'] as const;
const OUTPUTS = ['buffer', 'file', 'url'] as const;
type Operation = (typeof OPERATIONS)[number];
type Output = (typeof OUTPUTS)[number];

interface RecordingDef extends NodeDef {
  server?: string;
  operation?: string;
  output?: string;
  format?: string;
  filename?: string;
  filenameType?: string;
}

function pick<T extends string>(v: unknown, values: readonly T[], fallback: T): T {
  return values.includes(v as T) ? (v as T) : fallback;
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

/** 1234567 -> "1.2 MB" (status text only). */
function humanBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

export = function register(RED: NodeAPI): void {
  function WellcloudRecordingNode(this: Node, def: RecordingDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const operation: Operation = pick(def.operation, OPERATIONS, 'callAudio');
    const output: Output = pick(def.output, OUTPUTS, 'buffer');
    const config = def as unknown as Record<string, unknown>;
    const callFields = dialogFields(config, ['callId']);
    const callAudioFields = dialogFields(config, ['callId', 'format']);
    const recordingFields = dialogFields(config, ['recordingId', 'format']);
    const formatFields = dialogFields(config, ['format']);
    const baseDir = (): string => {
      const dir = RED.settings.fileWorkingDirectory;
      return typeof dir === 'string' && dir ? dir : process.cwd();
    };

    /** Which audio, from msg.payload or the dialog; a record of the list operation works as it is. */
    const audioTarget = async (ctx: ActionContext): Promise<{ target: AudioTarget; format: AudioFormat }> => {
      if (operation === 'callAudio') {
        const input = await resolveFields(RED, node, ctx.msg, callAudioFields);
        return { target: { callId: prepareCallId(ctx.lang, input) }, format: prepareFormat(ctx.lang, input) };
      }
      // msg.payload.id (a record of the list operation) beats the dialog like msg.payload.recordingId
      // does: the dialog's value is not read then, so an error in it cannot fail the message.
      // msg.payload.id is read only when recordingId is not given, and a read that throws names it.
      const id = isEmpty(payloadField(ctx.payload, 'recordingId')) ? payloadField(ctx.payload, 'id') : undefined;
      const byRecord = !isEmpty(id);
      const input = await resolveFields(RED, node, ctx.msg, byRecord ? formatFields : recordingFields);
      if (byRecord) input.recordingId = id;
      return { target: { recordingId: prepareRecordingId(ctx.lang, input) }, format: prepareFormat(ctx.lang, input) };
    };

    /**
     * msg.filename wins over the dialog's filename. Boxed: an async function's result is waited for
     * when it is a Promise (or any object with a `then`), and msg.filename may be anything.
     */
    const filename = async (ctx: ActionContext): Promise<{ name: unknown }> => {
      if (!isEmpty(ctx.msg.filename)) return { name: ctx.msg.filename };
      return { name: await evaluateProperty(RED, node, ctx.msg, def.filename, def.filenameType, 'filename') };
    };

    const list = async (ctx: ActionContext): Promise<ActionResult> => {
      const input = await resolveFields(RED, node, ctx.msg, callFields);
      const records = await listRecordings(ctx.client, prepareCallId(ctx.lang, input), { signal: ctx.signal });
      return { payload: records, status: RED._('wellcloud-recording.status.records', { count: records.length }) };
    };

    const audio = async (ctx: ActionContext): Promise<ActionResult> => {
      const { target, format } = await audioTarget(ctx);
      const opts = { signal: ctx.signal, lang: ctx.lang };
      if (output === 'url') {
        return { payload: await audioUrl(ctx.client, target, format, opts), status: RED._('wellcloud-recording.status.url') };
      }
      if (output === 'file') {
        const path = await resolveTargetPath(ctx.lang, (await filename(ctx)).name, target, format, baseDir());
        ctx.progress(RED._('wellcloud-recording.status.downloading'));
        const saved = await downloadToFile(ctx.client, target, format, path, opts);
        return { payload: saved, status: RED._('wellcloud-recording.status.saved', { size: humanBytes(saved.bytes) }) };
      }
      ctx.progress(RED._('wellcloud-recording.status.downloading'));
      const { buffer, contentType } = await downloadToBuffer(ctx.client, target, format, opts);
      return { payload: buffer, set: { contentType }, status: RED._('wellcloud-recording.status.saved', { size: humanBytes(buffer.length) }) };
    };

    setupActionNode(RED, node, def, (ctx) => (operation === 'list' ? list(ctx) : audio(ctx)), {
      fieldSources: { callId: 'payload', recordingId: 'payload', filename: 'filename' },
    });
  }

  RED.nodes.registerType(TYPE, WellcloudRecordingNode);
};
