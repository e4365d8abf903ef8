/** Times in pushed events: China-time texts (`2018.06.12 11:33:56.368`) or epoch numbers, as ISO strings. */
import { parseEventTimestamp } from './time';

/** An event or result time as an ISO string (UTC); undefined when absent, zero or unreadable. */
export function eventTimeIso(v: unknown): string | undefined {
  let value = v;
  if (typeof value === 'string' && /^\d{10,13}$/.test(value.trim())) value = Number(value.trim());
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) return undefined;
    if (value < 1e11) value *= 1000; // epoch seconds
  }
  const d = parseEventTimestamp(value);
  return d && !Number.isNaN(d.getTime()) ? d.toISOString() : undefined;
}
