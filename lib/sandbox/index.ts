/**
 * The wellcloud sandbox: a strict, offline simulator of every endpoint in API.md.
 *
 *   const sb = await startSandbox();            // http://127.0.0.1:<random port>
 *   // ... point a client at sb.url with DEMO_CREDENTIALS ...
 *   await sb.close();
 *
 * See README.md ("The sandbox") for the behaviour, the test controls and the CLI.
 */
import { resolveOptions } from './options';
import { SandboxServer } from './server';
import type { Sandbox, SandboxOptions } from './types';

export * from './types';
export {
  DEMO_CREDENTIALS,
  DEMO_DOMAIN,
  DEMO_TENANT_ID,
  DEMO_AGENTS,
  DEMO_CAMPAIGNS,
  DEMO_CAMPAIGN_ID,
  DEMO_TEMPLATE_IDS,
  DEMO_UUI_KEYS,
  SAMPLE_CALL_ID,
  SAMPLE_RECORDING_ID,
  SAMPLE_RING_RECORDING_ID,
  NO_RECORDING_CALL_ID,
  SAMPLE_ROBOT_CALL_ID,
  GUIDE_EXAMPLE_CALL_ID,
  UNKNOWN_CALL_ID,
  OLD_RECORDING_ID,
} from './demo';
export type { DemoAgent, DemoCampaign } from './demo';
export { INSTANT_OK } from './outbound';
export { CALL_TYPES, RESULTS, END_TYPES } from './generate';
export type { ErrorBody } from './errors';
export { MESSAGES as ERROR_MESSAGES } from './errors';

type PushModule = { attachPushes?: (sandbox: Sandbox) => void };

/**
 * lib/sandbox/pushes (event delivery to `options.subscriberUrl`) is optional: when the
 * module exists and exports `attachPushes(sandbox)`, every sandbox gets it.
 */
function attachPushes(sandbox: Sandbox): void {
  let mod: PushModule;
  try {
    mod = require('./pushes') as PushModule;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'MODULE_NOT_FOUND' && /[\\/]pushes['"]/.test(err.message)) return;
    throw e;
  }
  if (typeof mod.attachPushes === 'function') mod.attachPushes(sandbox);
}

/** Starts a sandbox on 127.0.0.1 (a random port unless `port` is given). */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const sb = new SandboxServer(resolveOptions(opts));
  await sb.listen();
  if (sb.options.pushes) {
    try {
      attachPushes(sb);
    } catch (e) {
      await sb.close();
      throw e;
    }
  }
  return sb;
}
