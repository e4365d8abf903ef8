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

const HAN = '[\\u3400-\\u4dbf\\u4e00-\\u9fff]';
const FULL_WIDTH_PUNCTUATION = '[，。；：？！（）、“”‘’《》—…]';

/**
 * Typography of a Chinese text (a message, or the prose of a help page with its tags removed), as
 * a list of problems with the place they occur ([] when fine):
 * - ASCII , ; : ? ! ( ) next to a Chinese character: the full-width form belongs there;
 * - English list and colon style (", " "; " ": ") in a Chinese text, outside `{a, b}` object shapes;
 * - a space before or after full-width punctuation;
 * Code (Markdown `...`), list markers and quoted English names (“Do not parse request body”) aside.
 * - with `spacing` (default on): a Chinese character right against a Latin letter or a digit (our
 *   one rule is a space between them: "第 2 行", "token 无效"). Off for texts that quote the
 *   platform, whose own messages are written without spaces ("callId不存在").
 */
function zhTypographyProblems(text, { spacing = true } = {}) {
  const problems = [];
  const around = (line, i, n) => JSON.stringify(line.slice(Math.max(0, i - 12), i + n + 12));
  const rules = [
    [new RegExp(`${HAN} ?[,;:?!()]|[,;:?!()] ?${HAN}`, 'g'), 'ASCII punctuation next to Chinese'],
    [/[,;:] (?![^{]*\})/g, 'English ", " / "; " / ": " in a Chinese text'],
    [new RegExp(`${FULL_WIDTH_PUNCTUATION}[ \\t]|[ \\t]${FULL_WIDTH_PUNCTUATION}`, 'g'), 'space next to full-width punctuation'],
  ];
  if (spacing) rules.push([new RegExp(`${HAN}[A-Za-z0-9]|[A-Za-z0-9]${HAN}`, 'g'), 'no space between Chinese and Latin/digits']);
  for (const raw of String(text).split('\n')) {
    const line = raw
      .trim()
      .replace(/^(?:\d+\.|[-*])\s+/, '') // a list item's marker
      .replace(/`[^`\n]+`/g, 'x') // Markdown code
      .replace(/“[^”\n]*[A-Za-z][^”\n]*”/g, '“x”'); // a quoted English name ("Troubleshooting: platform error codes")
    if (!CJK.test(line)) continue;
    for (const [re, what] of rules) for (const m of line.matchAll(re)) problems.push(`${what}: ${around(line, m.index, m[0].length)}`);
  }
  return problems;
}

/**
 * The prose of a help HTML fragment, for zhTypographyProblems: one line per block (p, li, dt, dd,
 * h3...), property types left out, and each <code> reduced to its first and last character (a
 * letter, digit or Chinese character as it is, other ASCII as "x", a closing full-width mark kept),
 * so that the spacing around the code is checked and the punctuation inside it (a literal ",",
 * `type: "array"`) is not.
 */
function htmlProse(html) {
  const edge = (c) => (/[A-Za-z0-9]/.test(c) || CJK.test(c) ? c : 'x');
  const inner = (first, last) => (new RegExp(FULL_WIDTH_PUNCTUATION).test(last) ? first + last : `${edge(first)} ${edge(last)}`);
  return String(html)
    .replace(/<span\s+class="property-type"[^>]*>[\s\S]*?<\/span>/gi, ' ')
    .replace(/<code\b[^>]*>([\s\S]*?)<\/code>/gi, (m, code) => {
      const text = code.replace(/&[a-z]+;|&#\d+;/gi, 'x').trim();
      return text ? (text.length > 1 ? inner(text[0], text[text.length - 1]) : edge(text)) : 'x';
    })
    .replace(/<\/?(?:b|i|em|strong|a|span|br)\b[^>]*>/gi, '')
    .replace(/<[^>]+>/g, '\n')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

module.exports = { zhTypographyProblems, htmlProse, CJK, englishWords, mixedEnglishWords, isEnglish, isTechnicalToken, looksLikeKey, helpTextBlocks, stripPlaceholders };
