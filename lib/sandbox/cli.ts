#!/usr/bin/env node
/**
 * node dist/lib/sandbox/cli.js [--port 8090] [--host 127.0.0.1] [--latency ms] [--token-ttl s]
 *   [--push-url URL] [--push-retry-unit ms] [--seed n] [--call-duration ms] [--wav-days n] [--token-styles json,query,form]
 *   [--announce-ttl] [--partition month|day|none] [--calls-per-day n] [--data-from date] [--data-to date]
 * Starts the sandbox and prints its URL and the demo credentials (sandbox-only values).
 */
import type { TokenStyle } from '../types';
import { DEMO_CREDENTIALS, SAMPLE_CALL_ID, SAMPLE_RECORDING_ID, startSandbox } from './index';
import { DEFAULT_DATA_FROM } from './options';
import { formatChina } from './time';
import type { Partition, SandboxOptions } from './types';

const HELP = `Usage: wellcloud-sandbox [options]
  --port <n>             port (default 8090; 0 = any free port)
  --host <addr>          address to listen on (default 127.0.0.1)
  --latency <ms>         delay added to every API answer (default 0)
  --token-ttl <s>        token lifetime in seconds (default 86400)
  --announce-ttl         add expiresIn to the token answer
  --token-styles <list>  accepted token styles, comma separated: json,query,form (default json)
  --push-url <url>       subscriber URL for callEnd / agentStateEvent pushes
  --push-retry-unit <ms> unit of the push retry schedule (platform: 60000; retry n after n units)
  --seed <n>             seed of the generated data (default 1)
  --calls-per-day <n>    generated calls per day (default 40)
  --data-from <date>     first day of the generated calls, yyyy-MM-dd China time (default ${DEFAULT_DATA_FROM})
  --data-to <date>       last day of the generated calls (default: 31 December of next year, China time)
  --call-duration <ms>   length of a simulated call (default 3000)
  --wav-days <n>         WAV only for recordings of the last n days (default 30)
  --partition <p>        month (default), day or none: ranges may not cross it (14015)
  --help                 this text`;

type Setter = (o: SandboxOptions, v: string) => void;

function num(name: string, v: string): number {
  const n = Number(v);
  if (v === '' || !Number.isFinite(n) || n < 0) throw new Error(`${name} expects a number >= 0, got "${v}"`);
  return n;
}

const VALUE_OPTIONS: Record<string, Setter> = {
  '--port': (o, v) => (o.port = num('--port', v)),
  '--host': (o, v) => (o.host = v),
  '--latency': (o, v) => (o.latencyMs = num('--latency', v)),
  '--token-ttl': (o, v) => (o.tokenTtlMs = num('--token-ttl', v) * 1000),
  '--token-styles': (o, v) => (o.tokenStyles = v.split(',').map((s) => s.trim()) as TokenStyle[]),
  '--push-url': (o, v) => (o.subscriberUrl = v),
  '--push-retry-unit': (o, v) => (o.pushRetryUnitMs = num('--push-retry-unit', v)),
  '--seed': (o, v) => (o.seed = num('--seed', v)),
  '--calls-per-day': (o, v) => (o.callsPerDay = num('--calls-per-day', v)),
  '--call-duration': (o, v) => (o.callDurationMs = num('--call-duration', v)),
  '--wav-days': (o, v) => (o.wavDays = num('--wav-days', v)),
  '--partition': (o, v) => (o.partition = v as Partition),
  '--data-from': (o, v) => (o.dataFrom = v),
  '--data-to': (o, v) => (o.dataTo = v),
};

export function parseArgs(argv: string[]): SandboxOptions | 'help' {
  const o: SandboxOptions = { port: 8090 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--announce-ttl') {
      o.announceTtl = true;
      continue;
    }
    const [name, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const set = VALUE_OPTIONS[name];
    if (!set) throw new Error(`unknown option ${arg} (see --help)`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${name} needs a value`);
    set(o, value);
  }
  return o;
}

async function main(): Promise<void> {
  const parsed = parseArgs(process.argv.slice(2));
  if (parsed === 'help') {
    console.log(HELP);
    return;
  }
  const sb = await startSandbox(parsed);
  const c = DEMO_CREDENTIALS;
  console.log(`wellcloud sandbox listening on ${sb.url}
  demo credentials (sandbox only): appId=${c.appId} appSecret=${c.appSecret} apiKey=${c.apiKey}
  domain=${sb.options.domain} tenantId=${sb.options.tenantId}
  sample callId=${SAMPLE_CALL_ID} recordingId=${SAMPLE_RECORDING_ID}
  generated calls: ${sb.options.callsPerDay} a day from ${formatChina(sb.options.dataFromMs)} to ${formatChina(sb.options.dataToMs)} (China time)
  event pushes: ${sb.options.subscriberUrl ?? '(none; POST /__sandbox/subscriber {"url": ...})'}
  controls: ${sb.url}/__sandbox/state   Ctrl+C to stop`);
  const stop = (): void => {
    sb.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((e: Error) => {
    console.error(`wellcloud sandbox: ${e.message}`);
    process.exit(1);
  });
}
