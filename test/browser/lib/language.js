'use strict';
/*
 * Is this zh-CN text still English? Used on locale files (test/locales_spec.js) and on what the
 * editor shows in zh-CN (test/browser). A text passes when it contains CJK characters, or when
 * every word of it is a technical token that stays as it is in Chinese documentation: API field
 * names (camelCase), acronyms (URL, JSON, CDR), code (msg.payload, 8001@test.cc), units, formats.
 */

const CJK = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/;

/** Lower-case technical words kept in Chinese texts (matched case-insensitively). */
const TECHNICAL_WORDS = new Set([
  'appid', 'appsecret', 'apikey', 'api', 'url', 'uri', 'json', 'xml', 'csv', 'txt', 'http', 'https', 'id', 'ids',
  'token', 'msg', 'payload', 'topic', 'parts', 'callid', 'cdr', 'mp3', 'wav', 'ms', 'mb', 'kb', 'utf-8', 'utf8',
  'true', 'false', 'null', 'get', 'post', 'sip', 'ivr', 'sha1', 'md5', 'wellcloud', 'node-red', 'jd', 'zh-cn', 'en-us',
]);

/** yyyy-MM-dd HH:mm:ss and its parts. */
const DATE_PATTERN = /^(?:yyyy|yy|MM|dd|HH|hh|mm|ss|SSS)(?:[-:/.T]?(?:yyyy|yy|MM|dd|HH|hh|mm|ss|SSS))*$/;

function stripPlaceholders(text) {
  return String(text)
    .replace(/__[\w.]+__/g, ' ') // i18next placeholders
    .replace(/\{[^{}]*\}/g, ' ') // {name} placeholders and {field, field} object shapes
    .replace(/\b[a-z][a-z\d+.-]*:\/\/\S+/gi, ' ') // URLs
    .replace(/&[a-z]+;|&#\d+;/gi, ' '); // HTML entities
}

function isTechnicalToken(token) {
  if (!/[A-Za-z]/.test(token)) return true; // numbers, punctuation, symbols
  if (/^(?:e\.g|i\.e|etc|vs|cf)$/i.test(token)) return false; // English abbreviations
  if (token.length === 1) return true;
  if (TECHNICAL_WORDS.has(token.toLowerCase())) return true;
  if (DATE_PATTERN.test(token)) return true;
  if (/[\d._@/:$#=[\]<>]/.test(token)) return true; // code, paths, addresses, versions: mp3, msg.payload, a@b.cc
  if (/^[a-z]+[A-Z][A-Za-z\d]*$/.test(token)) return true; // camelCase field names: callId, beginTime
  if (/^[A-Z][a-z\d]+(?:[A-Z][a-z\d]*)+$/.test(token)) return true; // PascalCase identifiers: WellcloudError
  if (/^[A-Z][A-Z\d_]+s?$/.test(token)) return true; // acronyms and codes: CDR, URL, INVALID_INPUT, IDs
  if (/^x-[a-z-]+$/i.test(token)) return true; // HTTP header names
  if (/^[a-z\d]+(?:-[a-z\d]+)+$/.test(token) && /^wellcloud-|^node-red/.test(token)) return true; // node type names
  return false;
}

/** The words of `text` that make it English ([] when the text is fine for a zh-CN user). */
function englishWords(text) {
  const s = String(text == null ? '' : text);
  if (CJK.test(s)) return [];
  const tokens = stripPlaceholders(s)
    .split(/[\s,;!?()"'“”‘’«»|…·*+&%]+/)
    .map((t) => t.replace(/^[.:\-/]+|[.:\-/]+$/g, ''))
    .filter(Boolean);
  return tokens.filter((t) => !isTechnicalToken(t));
}

/** English words left inside a text that is otherwise Chinese ("话单 · range" -> ['range']). */
function mixedEnglishWords(text) {
  const s = String(text == null ? '' : text);
  if (!CJK.test(s)) return englishWords(s);
  return englishWords(s.replace(new RegExp(CJK.source, 'g'), ' '));
}

function isEnglish(text) {
  return englishWords(text).length > 0;
}

/** Looks like an untranslated i18n key (what RED._ shows when a key is missing). */
function looksLikeKey(text) {
  return /(^|\s|:)(?:[\w-]+\/)?wellcloud-[\w-]+(?::wellcloud-[\w-]+)?\.[\w-]+(?:\.[\w-]+)*/.test(String(text));
}

/**
 * Texts of a help HTML fragment that a reader sees as prose: headings, paragraphs, list items,
 * definitions, table cells. <code> and span.property-type contents are left out (technical).
 */
function helpTextBlocks(html) {
  const withoutCode = String(html)
    .replace(/<code\b[^>]*>[\s\S]*?<\/code>/gi, ' ')
    .replace(/<pre\b[^>]*>[\s\S]*?<\/pre>/gi, ' ')
    .replace(/<span\s+class="property-type"[^>]*>[\s\S]*?<\/span>/gi, ' ');
  const blocks = [];
  const re = /<(h[1-6]|p|li|dd|dt|td|th)\b[^>]*>([\s\S]*?)<\/\1>/gi;
  let m;
  while ((m = re.exec(withoutCode))) {
    const text = m[2].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
    if (text) blocks.push({ tag: m[1].toLowerCase(), text });
  }
  return blocks;
}

module.exports = { CJK, englishWords, mixedEnglishWords, isEnglish, isTechnicalToken, looksLikeKey, helpTextBlocks, stripPlaceholders };
