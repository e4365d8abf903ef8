/** The public API of node-red-contrib-wellcloud's platform client (usable without Node-RED). */
export { WellcloudClient, DEFAULT_TIMEOUT_MS, TOKEN_HEADER, toPage, toRecordArray } from './client';
export { WellcloudError, invalidInput, isWellcloudError, Redactor } from './errors';
export type { PlatformAnswer, WellcloudErrorInit } from './errors';
export { t, normaliseLang, addMessages, hasMessage } from './i18n';
export type { Lang } from './i18n';
export * from './types';
export { formatPlatformTime, parseTimeInput, parseEventTimestamp, isValidTimeZone, zoneOffsetMs, PLATFORM_TIME_ZONE } from './time';
export {
  requireString,
  optionalString,
  requireObject,
  optionalObject,
  deviceId,
  phone,
  boolString,
  intInRange,
  oneOf,
  readPath,
  isPlainObject,
  validateDualCall,
  validateInstantOutbound,
} from './validate';
export type { Optional } from './validate';
export { DEFAULT_TOKEN_LIFETIME_MS, DEFAULT_RENEW_MARGIN_MS } from './token';
export { startSandbox, DEMO_CREDENTIALS } from './sandbox';
export { catalogueKeys } from './i18n';
export * from './cdr';
export * from './recording';
export * from './roster';
export * from './events';
export { SAMPLE_CALL_ID, SAMPLE_RECORDING_ID, DEMO_DOMAIN, DEMO_TENANT_ID } from './sandbox';
