'use strict';
/*
 * Both languages complete: for every node of package.json `node-red.nodes`, the en-US and zh-CN
 * message catalogues and help files exist and match, zh-CN is really Chinese, and every i18n key
 * the editor (.html) and the runtime (.ts) use exists. Also the client catalogue of lib/i18n.ts.
 */
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { englishWords, helpTextBlocks, htmlProse, zhTypographyProblems } = require('./browser/lib/language');

const root = path.join(__dirname, '..');
const pkg = require('../package.json');
const MODULE = pkg.name;
const LANGS = ['en-US', 'zh-CN'];
const types = Object.keys((pkg['node-red'] && pkg['node-red'].nodes) || {});

/** zh-CN json keys whose value is technical by nature. */
const TECHNICAL_KEYS = [/\.lang$/];

/** zh-CN json keys that translate an operation's code name ("callAudio" -> 整通通话) on purpose. */
const OPERATION_NAMES = /\.short\./;

const sorted = (a) => [...a].sort();

/**
 * What a translation keeps as it is: {placeholders} and __placeholders__, numbers, identifiers
 * (camelCase field names, snake_case, CODE_NAMES). Returns one problem per token only one side has.
 */
function sameTokens(where, en, zh) {
  const tokens = (s) => sorted(String(s).match(/__\w+__|\{\w+\}|(?<![\w.])[a-z]+[A-Z]\w*|\b\w+_\w+\b|\b\d+\b/g) || []);
  const a = tokens(en);
  const b = tokens(zh);
  const problems = [];
  for (const t of new Set([...a, ...b])) {
    const inEn = a.filter((x) => x === t).length;
    const inZh = b.filter((x) => x === t).length;
    if (inEn !== inZh) problems.push(`${where}: "${t}" ${inEn}x in en-US, ${inZh}x in zh-CN`);
  }
  return problems;
}

/** Fails with one line per problem (clearer than a deepStrictEqual diff). */
function noProblems(problems, title) {
  if (problems.length) assert.fail(`${title}:\n  ${problems.join('\n  ')}`);
}

function nodeFiles(type) {
  const files = [path.join(root, 'nodes', type, `${type}.html`), path.join(root, 'nodes', type, `${type}.ts`)];
  for (const lang of LANGS) for (const ext of ['json', 'html']) files.push(localeFile(type, lang, ext));
  return files;
}

function read(file) {
  return fs.readFileSync(file, 'utf8');
}

function localeFile(type, lang, ext) {
  return path.join(root, 'nodes', type, 'locales', lang, `${type}.${ext}`);
}

/** {'a.b.c': value} for every leaf of a nested message object. */
function flatten(obj, prefix = '', out = new Map()) {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
    else out.set(key, v);
  }
  return out;
}

function catalogue(type, lang) {
  return flatten(JSON.parse(read(localeFile(type, lang, 'json'))));
}

/**
 * Does `key` name a leaf or a subtree of the catalogue? A key ending in '.' is the literal start
 * of a key completed at run time (`this._('x.unit.' + u)`): its subtree must exist.
 */
function hasKey(cat, key) {
  if (key.endsWith('.')) return [...cat.keys()].some((k) => k.startsWith(key));
  if (cat.has(key)) return true;
  for (const k of cat.keys()) if (k.startsWith(`${key}.`)) return true;
  return false;
}

const coreCatalogues = {
  'node-red': () => flatten(require(path.join(path.dirname(require.resolve('@node-red/nodes/package.json')), 'locales', 'en-US', 'messages.json'))),
  editor: () => flatten(require(path.join(path.dirname(require.resolve('@node-red/editor-client/package.json')), 'locales', 'en-US', 'editor.json'))),
};

/**
 * en-US -> zh-CN help section headings as Node-RED's core help uses them (Inputs -> 输入, Outputs ->
 * 输出, Details -> 详细), read from its own en-US / zh-CN help files: the heading most often paired.
 */
let helpHeadings;
function coreHelpHeadings() {
  if (helpHeadings) return helpHeadings;
  const dir = path.join(path.dirname(require.resolve('@node-red/nodes/package.json')), 'locales');
  const h3 = (file) => [...read(file).matchAll(/<h3>([^<]*)<\/h3>/g)].map((m) => m[1].trim());
  const counts = new Map();
  for (const group of fs.readdirSync(path.join(dir, 'en-US'), { withFileTypes: true }).filter((e) => e.isDirectory())) {
    for (const f of fs.readdirSync(path.join(dir, 'en-US', group.name)).filter((n) => n.endsWith('.html'))) {
      const zhFile = path.join(dir, 'zh-CN', group.name, f);
      if (!fs.existsSync(zhFile)) continue;
      const en = h3(path.join(dir, 'en-US', group.name, f));
      const zh = h3(zhFile);
      if (en.length !== zh.length) continue; // sections left out in zh-CN: cannot be paired
      en.forEach((e, i) => {
        const key = `${e}\u0000${zh[i]}`;
        counts.set(key, (counts.get(key) || 0) + 1);
      });
    }
  }
  helpHeadings = new Map();
  const best = new Map();
  for (const [key, n] of counts) {
    const [en, zh] = key.split('\u0000');
    if (!best.has(en) || n > best.get(en)) {
      best.set(en, n);
      helpHeadings.set(en, zh);
    }
  }
  return helpHeadings;
}
/** Sections our help has and Node-RED's core help does not (config node properties, links). */
const OWN_HEADINGS = { Properties: '属性', References: '参考' };

/**
 * The i18n keys a node's files use, as {ns, key, where}. `ns` is the node set the key resolves in
 * (a type of ours, 'node-red' or 'editor'), following how Node-RED resolves each call:
 * - editor data-i18n and this._/node._: the node's own set unless prefixed `ns:`;
 * - editor RED._ without prefix: Node-RED's `editor` namespace (not the node's catalogue!);
 * - runtime RED._: the node's own set unless prefixed; sharedText(RED, k): wellcloud-config.
 */
function usedKeys(type) {
  const out = [];
  const add = (raw, defaultNs, where) => {
    const m = /^(?:(?:([\w@/.-]+)\/)?([\w-]+):)?(.+)$/.exec(raw);
    const [, mod, set, key] = m;
    if (set === 'node-red' && !mod) out.push({ ns: 'node-red', key, where });
    else if (set && (mod === MODULE || !mod)) out.push({ ns: set, key, where });
    else if (set) out.push({ ns: `${mod}/${set}`, key, where });
    else out.push({ ns: defaultNs, key, where });
  };
  const html = path.join(root, 'nodes', type, `${type}.html`);
  if (fs.existsSync(html)) {
    const text = read(html);
    for (const m of text.matchAll(/data-i18n="([^"]+)"/g)) {
      for (const part of m[1].split(';')) add(part.replace(/^\[[^\]]+\]/, '').trim(), type, `${type}.html data-i18n`);
    }
    for (const m of text.matchAll(/(\bRED)?\._\(\s*(['"`])([^'"`$]+)\2/g)) add(m[3], m[1] ? 'editor' : type, `${type}.html ${m[1] ? 'RED._' : '._'}('${m[3]}')`);
    // RED._(NS + 'key') with a namespace constant `var NS = '<module>/<set>:'` in the same file
    const ns = /\b(?:var|const|let)\s+NS\s*=\s*(['"])([^'"]*:[^'"]*)\1/.exec(text);
    if (ns) for (const m of text.matchAll(/\._\(\s*NS\s*\+\s*(['"])([^'"]+)\1/g)) add(ns[2] + m[2], type, `${type}.html RED._(NS + '${m[2]}')`);
  }
  const ts = path.join(root, 'nodes', type, `${type}.ts`);
  if (fs.existsSync(ts)) {
    const text = read(ts);
    for (const m of text.matchAll(/\bRED\._\(\s*(['"`])([^'"`$]+)\1/g)) add(m[2], type, `${type}.ts RED._('${m[2]}')`);
    for (const m of text.matchAll(/\bsharedText\(\s*RED\s*,\s*(['"`])([^'"`$]+)\1/g)) out.push({ ns: 'wellcloud-config', key: `wellcloud-config.${m[2]}`, where: `${type}.ts sharedText('${m[2]}')` });
  }
  return out;
}

describe('locales: every node speaks en-US and zh-CN', function () {
  it('package.json lists the nodes', function () {
    assert.ok(types.length > 0, 'package.json node-red.nodes is empty');
  });

  for (const type of types) {
    describe(type, function () {
      it('has its editor, runtime and locales/{en-US,zh-CN}/<type>.{json,html} files', function () {
        noProblems(nodeFiles(type).filter((f) => !fs.existsSync(f)).map((f) => path.relative(root, f)), 'missing files');
      });

      // the checks below need the files; their absence is reported once, above
      beforeEach(function () {
        if (this.currentTest.title.startsWith('has its editor')) return;
        if (!nodeFiles(type).every((f) => fs.existsSync(f))) this.skip();
      });

      it('has exactly the same message keys in en-US and zh-CN', function () {
        const en = catalogue(type, 'en-US');
        const zh = catalogue(type, 'zh-CN');
        const onlyEn = [...en.keys()].filter((k) => !zh.has(k));
        const onlyZh = [...zh.keys()].filter((k) => !en.has(k));
        noProblems([...onlyEn.map((k) => `missing in zh-CN: ${k}`), ...onlyZh.map((k) => `missing in en-US: ${k}`)], 'keys differ');
        assert.ok(en.size > 0, 'the catalogue is empty');
        const top = Object.keys(JSON.parse(read(localeFile(type, 'en-US', 'json'))));
        assert.deepStrictEqual(top, [type], `the catalogue's top-level key must be "${type}" (keys are used as ${type}.<key>)`);
      });

      it('has the one-form of every counted message (i18next _one) agreeing with its plural', function () {
        // Node-RED's i18next picks `<key>_one` for count 1: "1 batch", not "1 batch(es)" or "1 batches"
        const i18next = require('i18next');
        for (const lang of LANGS) {
          const cat = catalogue(type, lang);
          const inst = i18next.createInstance();
          inst.init({ lng: lang, initImmediate: false, resources: { [lang]: { t: JSON.parse(read(localeFile(type, lang, 'json'))) } }, defaultNS: 't', interpolation: { prefix: '__', suffix: '__', escapeValue: false } });
          for (const key of cat.keys()) {
            if (!key.endsWith('_one')) continue;
            const base = key.slice(0, -4);
            assert.ok(cat.has(base), `${lang}: ${key} without ${base}`);
            const one = inst.t(base, { count: 1, rows: 5, records: 5, pages: 1 });
            const many = inst.t(base, { count: 2, rows: 5, records: 5, pages: 1 });
            assert.ok(one.includes('1') && !one.includes('(') && one !== base, `${lang} ${base} for 1: ${one}`);
            assert.ok(many.includes('2') && many !== base, `${lang} ${base} for 2: ${many}`);
            if (lang === 'en-US') assert.notStrictEqual(one.replace('1', '2'), many, `${lang} ${base}: the same words for 1 and 2`);
          }
          for (const [key, text] of cat) assert.ok(!/\w(?<!http)\(e?s\)/.test(text), `${lang} ${key}: "(s)" instead of a _one form: ${text}`);
        }
      });

      it('keeps placeholders, numbers, identifiers and codes of every message in zh-CN (and adds none)', function () {
        const en = catalogue(type, 'en-US');
        const problems = [];
        for (const [key, zh] of catalogue(type, 'zh-CN')) {
          if (TECHNICAL_KEYS.some((re) => re.test(key)) || OPERATION_NAMES.test(key) || !en.has(key)) continue;
          problems.push(...sameTokens(`${type}.json ${key}`, en.get(key), zh));
        }
        // the help: the same numbers (limits, defaults, codes, ports), each at least once
        const numbers = (lang) => sorted(new Set(helpTextBlocks(read(localeFile(type, lang, 'html'))).map((b) => b.text).join(' ').match(/\d+/g) || []));
        if (numbers('en-US').join() !== numbers('zh-CN').join()) problems.push(`help numbers: en-US ${numbers('en-US').join(' ')} / zh-CN ${numbers('zh-CN').join(' ')}`);
        // and the same field names (camelCase, code included), as often: "<callId or recordingId>.mp3"
        // is not "<callId 或录音 ID>.mp3"
        const fields = (lang) => {
          const text = read(localeFile(type, lang, 'html')).replace(/<[^>]+>/g, ' ');
          const counts = new Map();
          for (const f of text.match(/(?<![\w./-])[a-z]+[A-Z]\w*/g) || []) counts.set(f, (counts.get(f) || 0) + 1);
          return counts;
        };
        const [enFields, zhFields] = [fields('en-US'), fields('zh-CN')];
        for (const f of new Set([...enFields.keys(), ...zhFields.keys()])) {
          if (enFields.get(f) !== zhFields.get(f)) problems.push(`help: "${f}" ${enFields.get(f) || 0}x in en-US, ${zhFields.get(f) || 0}x in zh-CN`);
        }
        noProblems(problems, 'zh-CN differs from en-US');
      });

      it('does not repeat the palette name in the node label "<palette name> · <operation>"', function () {
        // the editor labels a node paletteLabel + ' · ' + short.<operation> (wellcloud-cdr, wellcloud-recording)
        const problems = [];
        for (const lang of LANGS) {
          const cat = catalogue(type, lang);
          const palette = cat.get(`${type}.paletteLabel`);
          for (const [key, v] of cat) if (key.startsWith(`${type}.short.`) && palette && String(v).includes(palette)) problems.push(`${lang} ${key}: "${palette} · ${v}"`);
        }
        noProblems(problems, 'node label');
      });

      it('ends a zh-CN run-in heading (<p><b>…</b>) with a full-width colon, not a full stop', function () {
        const html = read(localeFile(type, 'zh-CN', 'html'));
        const problems = [...html.matchAll(/<p>\s*<b>([^<]*[。.])<\/b>/g)].map((m) => `<b>${m[1]}</b>`);
        noProblems(problems, 'run-in headings');
      });

      it('has no empty or non-string message in en-US', function () {
        const bad = [...catalogue(type, 'en-US')].filter(([, v]) => typeof v !== 'string' || !v.trim()).map(([k]) => k);
        noProblems(bad, 'empty en-US messages');
      });

      it('has Chinese zh-CN messages (technical tokens aside)', function () {
        const english = [...catalogue(type, 'zh-CN')]
          .filter(([k]) => !TECHNICAL_KEYS.some((re) => re.test(k)))
          .filter(([, v]) => typeof v !== 'string' || !v.trim() || englishWords(v).length > 0)
          .map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
        noProblems(english, 'zh-CN messages still in English');
      });

      for (const lang of LANGS) {
        it(`has ${lang} help for data-help-name="${type}" opening with a tooltip paragraph`, function () {
          const html = read(localeFile(type, lang, 'html'));
          const script = new RegExp(`<script\\s+type="text/(?:html|x-red)"\\s+data-help-name="${type}"\\s*>([\\s\\S]*?)</script>`).exec(html);
          assert.ok(script, `locales/${lang}/${type}.html has no <script type="text/html" data-help-name="${type}">`);
          assert.match(script[1].trim(), /^<p>[\s\S]*?\S[\s\S]*?<\/p>/, 'the help must start with a <p> (the palette tooltip)');
        });
      }

      it('has the same help sections in en-US and zh-CN', function () {
        const shape = (lang) => {
          const html = read(localeFile(type, lang, 'html'));
          return {
            headings: (html.match(/<h3\b/g) || []).length,
            properties: (html.match(/<dt\b/g) || []).length,
            ports: (html.match(/<ol\s+class="node-ports"/g) || []).length,
          };
        };
        assert.deepStrictEqual(shape('zh-CN'), shape('en-US'), 'zh-CN help has other sections (h3), properties (dt) or port lists than en-US');
      });

      it('names its zh-CN help sections as Node-RED\'s own zh-CN help does (输入 / 输出 / 详细)', function () {
        const headings = (lang) => [...read(localeFile(type, lang, 'html')).matchAll(/<h3>([^<]*)<\/h3>/g)].map((m) => m[1].trim());
        const problems = [];
        headings('en-US').forEach((en, i) => {
          const want = coreHelpHeadings().get(en) || OWN_HEADINGS[en];
          const zh = headings('zh-CN')[i];
          if (!want) problems.push(`en-US heading "${en}" has no known zh-CN name (add it to OWN_HEADINGS)`);
          else if (zh !== want) problems.push(`heading ${i + 1}: "${zh}" instead of "${want}" (en-US "${en}")`);
        });
        noProblems(problems, 'zh-CN help headings');
      });

      it('has Chinese zh-CN help (code and property types aside)', function () {
        const english = helpTextBlocks(read(localeFile(type, 'zh-CN', 'html')))
          .filter((b) => b.tag !== 'dt' || englishWords(b.text).length > 1)
          .filter((b) => englishWords(b.text).length > 0)
          .map((b) => `<${b.tag}> ${b.text}`);
        noProblems(english, 'zh-CN help still in English');
      });

      it('quotes names in zh-CN help with Chinese quotation marks (“…”), not ASCII "…"', function () {
        // code and property types aside; a quoted single character (",") stays as it is
        const ascii = helpTextBlocks(read(localeFile(type, 'zh-CN', 'html')))
          .filter((b) => /"[^"]{2,}"/.test(b.text))
          .map((b) => `<${b.tag}> ${b.text}`);
        noProblems(ascii, 'ASCII quotation marks in zh-CN help');
      });

      it('defines every i18n key its editor and runtime use', function () {
        const cats = {};
        const lookup = (ns) => {
          if (!(ns in cats)) {
            if (coreCatalogues[ns]) cats[ns] = coreCatalogues[ns]();
            else if (types.includes(ns)) cats[ns] = LANGS.map((l) => catalogue(ns, l));
            else cats[ns] = null;
          }
          return cats[ns];
        };
        const problems = [];
        for (const u of usedKeys(type)) {
          const cat = lookup(u.ns);
          if (cat === null) problems.push(`${u.where}: unknown namespace ${u.ns}`);
          else if (Array.isArray(cat)) cat.forEach((c, i) => hasKey(c, u.key) || problems.push(`${u.where}: ${u.key} missing in ${LANGS[i]}`));
          else if (!hasKey(cat, u.key)) {
            const hint = u.ns === 'editor' && /^wellcloud-/.test(u.key) ? ' (RED._ in the editor looks in Node-RED\'s own catalogue: use this._ / node._, or prefix the key with the node set)' : '';
            problems.push(`${u.where}: ${u.key} is not in the ${u.ns} catalogue${hint}`);
          }
        }
        noProblems([...new Set(problems)], 'undefined i18n keys');
      });
    });
  }
});

describe('locales: lib/i18n client catalogue', function () {
  let i18n;
  before(function () {
    i18n = require('../dist/lib/i18n');
    // modules register their own texts with addMessages() when they are loaded
    const libDir = path.join(root, 'dist', 'lib');
    for (const f of fs.readdirSync(libDir)) if (f.endsWith('.js')) require(path.join(libDir, f));
  });

  /** Literal keys passed to t(lang, 'key') or invalidInput(lang, field, 'key') in lib/ and nodes/. */
  function libKeys() {
    const keys = new Map();
    const walk = (dir) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) {
          const text = read(p);
          const found = [
            ...text.matchAll(/\bt\(\s*[\w.?]+\s*,\s*['"]([\w.-]+)['"]/g),
            ...text.matchAll(/\binvalidInput\(\s*[\w.?]+\s*,\s*(?:'[^']*'|"[^"]*"|`[^`]*`|[\w.[\]]+)\s*,\s*['"]([\w.-]+)['"]/g),
          ];
          for (const m of found) if (!keys.has(m[1])) keys.set(m[1], path.relative(root, p));
        }
      }
    };
    walk(path.join(root, 'lib'));
    walk(path.join(root, 'nodes'));
    return keys;
  }

  it('has every literal key used by t() / invalidInput() in both languages, zh-CN in Chinese', function () {
    const problems = [];
    const keys = libKeys();
    assert.ok(keys.size > 0, 'found no t() key in lib/: the scan is broken');
    for (const [key, where] of keys) {
      if (!i18n.hasMessage(key)) {
        problems.push(`${key} (${where}): not in en-US`);
        continue;
      }
      const en = i18n.t('en-US', key);
      const zh = i18n.t('zh-CN', key);
      if (zh === en && englishWords(en).length > 0) problems.push(`${key} (${where}): not in zh-CN (falls back to en-US)`);
      else if (englishWords(zh).length > 0) problems.push(`${key} (${where}): zh-CN text is English: ${JSON.stringify(zh)}`);
    }
    noProblems(problems, 'client messages');
  });

  it('keeps placeholders, numbers, identifiers and codes of every client message in zh-CN (and adds none)', function () {
    require('../dist/lib/index'); // every module that adds messages
    const problems = [];
    for (const key of i18n.catalogueKeys('zh-CN')) problems.push(...sameTokens(key, i18n.t('en-US', key), i18n.t('zh-CN', key)));
    noProblems(problems, 'zh-CN client messages differ from en-US');
  });

  it('names in each zh-CN roster row message the row field its en-US text is about', function () {
    require('../dist/lib/index');
    const problems = [];
    for (const key of i18n.catalogueKeys('en-US').filter((k) => k.startsWith('roster.row.'))) {
      // "row {row}: data must be ..." is about the field data
      const m = /^row \{row\}: (rosterId|prdType|number|customerId|data)\b/.exec(i18n.t('en-US', key, { row: '{row}' }));
      if (m && !new RegExp(`\\b${m[1]}\\b`).test(i18n.t('zh-CN', key))) problems.push(`${key}: zh-CN does not name ${m[1]}: ${i18n.t('zh-CN', key)}`);
    }
    noProblems(problems, 'roster row messages');
  });

  it('names the CDR output modes in the MAX_RECORDS message as the dialog labels them', function () {
    const problems = [];
    for (const lang of LANGS) {
      const text = i18n.t(lang, 'cdr.maxRecords');
      for (const mode of ['page', 'record']) {
        // the option text without its "(msg.parts)" note
        const label = catalogue('wellcloud-cdr', lang).get(`wellcloud-cdr.outputMode.${mode}`).replace(/\s*[(（][^)）]*[)）]\s*$/, '');
        if (!text.includes(label)) problems.push(`${lang}: "${label}" not in ${JSON.stringify(text)}`);
      }
    }
    noProblems(problems, 'cdr.maxRecords');
  });

  it('says what to do for 403, 14002, 14003, 14013, ETIMEDOUT and ECONNRESET, in both languages', function () {
    const wants = {
      // the platform's own call to a service behind it timed out, not ours (that is ETIMEDOUT)
      'platform.14002.query': { 'en-US': /GET request timed out upstream/, 'zh-CN': /平台内部调用的 GET 服务超时/ },
      'platform.14003': { 'en-US': /POST request timed out upstream/, 'zh-CN': /平台内部调用的 POST 服务超时/ },
      // the answer was not passed on to the next node: the call may be placed all the same
      'call.answerAfterStop': { 'en-US': /before it could send the platform's answer on/, 'zh-CN': /传给下一个节点之前已停止/ },
      'platform.403': { 'en-US': /wellcloud_token header/, 'zh-CN': /wellcloud_token 请求头/ },
      'platform.14013': { 'en-US': /ask for mp3/, 'zh-CN': /改用 mp3/ },
      // a call that timed out may have been placed: never advise a plain retry
      'net.ETIMEDOUT': { 'en-US': /timeout of the config node.*check whether the call was placed/, 'zh-CN': /超时时间.*确认呼叫是否已发出/ },
      'net.ECONNRESET': { 'en-US': /check whether the call was placed/, 'zh-CN': /确认呼叫是否已发出/ },
    };
    const problems = [];
    for (const [key, byLang] of Object.entries(wants)) {
      for (const [lang, re] of Object.entries(byLang)) {
        const text = i18n.t(lang, key, { timeout: 30000 });
        if (!re.test(text)) problems.push(`${key} ${lang}: ${JSON.stringify(text)} does not match ${re}`);
      }
    }
    noProblems(problems, 'advice missing');
  });

  it('writes counted en-US messages without "(s)" (the client catalogue has no plural forms)', function () {
    require('../dist/lib/index'); // every module that adds messages (roster, cdr, events, ...)
    const problems = i18n.catalogueKeys('en-US').filter((k) => /\w(?<!http)\(e?s\)/.test(i18n.t('en-US', k)));
    noProblems(problems.map((k) => `${k}: ${i18n.t('en-US', k)}`), '"(s)" in client messages');
  });

  it('has the same keys in en-US and zh-CN (needs an exported key list)', function () {
    const list = i18n.catalogueKeys || i18n.messageKeys;
    if (typeof list !== 'function') {
      // lib/i18n.ts does not export its catalogues yet; asked for `catalogueKeys(lang): string[]`.
      this.skip();
    }
    const en = new Set(list('en-US'));
    const zh = new Set(list('zh-CN'));
    const onlyEn = [...en].filter((k) => !zh.has(k));
    const onlyZh = [...zh].filter((k) => !en.has(k));
    assert.ok(onlyEn.length + onlyZh.length === 0, `missing in zh-CN: [${onlyEn.join(', ')}]; missing in en-US: [${onlyZh.join(', ')}]`);
    const english = [...zh].filter((k) => englishWords(i18n.t('zh-CN', k)).length > 0);
    noProblems(english, 'zh-CN client messages in English');
  });
});

describe('locales: the same dialog field has the same label in every node', function () {
  for (const lang of LANGS) {
    it(`labels shared fields (server, name, callId, domain, …) alike in every ${lang} dialog`, function () {
      const problems = [];
      for (const field of ['server', 'name', 'callId', 'domain', 'tenantId', 'rosterId', 'batchId', 'filename', 'data']) {
        const labels = new Map();
        for (const type of types) {
          const v = catalogue(type, lang).get(`${type}.label.${field}`);
          if (v !== undefined) labels.set(type, v);
        }
        if (new Set(labels.values()).size > 1) problems.push(`label.${field}: ${[...labels].map(([t, v]) => `${t}=${JSON.stringify(v)}`).join(', ')}`);
      }
      noProblems(problems, 'labels differ');
    });
  }
});

describe('locales: core node options named as the zh-CN editor shows them', function () {
  const nodesDir = path.dirname(require.resolve('@node-red/nodes/package.json'));
  const coreLabel = (lang, key) => flatten(require(path.join(nodesDir, 'locales', lang, 'messages.json'))).get(key);
  /** Where our zh-CN texts tell the reader to tick the `http in` option "Do not parse request body". */
  const places = [localeFile('wellcloud-event-in', 'zh-CN', 'html'), path.join(root, 'examples', 'Event receiver - routing, dedupe and secret.json')];

  it('quotes the http in "Do not parse request body" label the zh-CN editor displays', function () {
    // Node-RED's zh-CN catalogue has no httpin.label.parsing: the editor falls back to the en-US label
    const shown = coreLabel('zh-CN', 'httpin.label.parsing') || coreLabel('en-US', 'httpin.label.parsing');
    assert.ok(shown, 'httpin.label.parsing is not in the Node-RED catalogue any more');
    noProblems(places.filter((f) => !read(f).includes(shown)).map((f) => `${path.relative(root, f)} does not name "${shown}"`), 'option label');
  });
});

/**
 * Every zh-CN text the package shows, as {where, text}: the nodes' zh-CN catalogues and help, the
 * client catalogue of lib/ (lib/i18n.ts and the modules' addMessages), README.md's 中文快速上手
 * section, and the Chinese part of the example flows (comment and tab texts, function comments).
 */
function zhTexts() {
  const out = [];
  for (const type of types) {
    for (const [k, v] of catalogue(type, 'zh-CN')) out.push({ where: `${type} zh-CN ${k}`, text: String(v) });
    out.push({ where: `${type} zh-CN help`, text: read(localeFile(type, 'zh-CN', 'html')) });
  }
  const i18n = require('../dist/lib/i18n');
  require('../dist/lib/index'); // every module that adds messages
  for (const k of i18n.catalogueKeys('zh-CN')) out.push({ where: `lib zh-CN ${k}`, text: i18n.t('zh-CN', k) });
  const readme = read(path.join(root, 'README.md'));
  const start = readme.indexOf('## 中文快速上手');
  assert.ok(start >= 0, 'README.md has no "## 中文快速上手" section');
  const end = readme.indexOf('\n## ', start + 1);
  out.push({ where: 'README.md 中文快速上手', text: readme.slice(start, end < 0 ? undefined : end) });
  const CJK_RE = /[\u4e00-\u9fff]/;
  for (const file of fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.json'))) {
    for (const n of JSON.parse(read(path.join(root, 'examples', file)))) {
      for (const prop of ['name', 'info', 'func']) {
        const v = n[prop];
        if (typeof v !== 'string' || !CJK_RE.test(v)) continue;
        // bilingual: "EN: ... 中文：..." (info), "English / 中文" (name), Chinese comment lines (func)
        let zh = v.includes('中文：') ? v.slice(v.indexOf('中文：')) : v.split('\n').filter((l) => CJK_RE.test(l)).join('\n');
        if (prop === 'name' && zh.includes(' / ')) zh = zh.slice(zh.lastIndexOf(' / ') + 3);
        out.push({ where: `examples/${file} ${n.type} ${n.id} ${prop}`, text: zh });
      }
    }
  }
  return out;
}

/**
 * One name per thing in every zh-CN text. `avoid` is what was written (or could be) instead of `use`;
 * `nodeRed` points at the Node-RED zh-CN text that uses the term (checked, so a change there shows).
 * Platform terms follow the guide (reference/seed/wellcloud-user-integration.zh.txt, line numbers).
 */
const GLOSSARY = [
  // Node-RED's own zh-CN words
  { avoid: /调试侧栏|调试栏/, use: '调试侧边栏', nodeRed: { help: 'common/21-debug.html', has: '调试侧边栏' } },
  { avoid: /捕获（Catch）节点|捕获节点/, use: 'Catch 节点', nodeRed: { messages: 'httpin.senderr', has: 'Catch 节点' } },
  { avoid: /（Split）节点|（Join）节点|拆分节点|合并节点/, use: 'Split 节点 / Join 节点 (the palette names)' },
  { avoid: /注入节点|函数节点/, use: 'inject 节点 / function 节点 (the palette names)' },
  { avoid: /状态栏/, use: '节点状态', nodeRed: { editor: 'menu.label.displayStatus', has: '节点状态' } },
  { avoid: /菜单“面板管理”/, use: '菜单“节点管理”', nodeRed: { editor: 'menu.label.editPalette', has: '节点管理' } },
  // the platform's words (guide line numbers)
  { avoid: /子活动(?!组)/, use: '活动 (campaignId: 活动id l.861, campaignName 活动 l.437; groupCampaignId 活动组ID l.694)' },
  { avoid: /即时外呼/, use: '即时自动外呼 (5.1, l.888)' },
  { avoid: /座席/, use: '坐席 (l.19, l.1349, l.1373, ...; 座席 only once, l.1351)' },
];

describe('locales: zh-CN terms (Node-RED\'s zh-CN words, the platform guide\'s words)', function () {
  const nodesDir = path.dirname(require.resolve('@node-red/nodes/package.json'));
  const editorDir = path.dirname(require.resolve('@node-red/editor-client/package.json'));
  const nodeRedText = (ref) => {
    if (ref.help) return read(path.join(nodesDir, 'locales', 'zh-CN', ref.help));
    if (ref.messages) return flatten(require(path.join(nodesDir, 'locales', 'zh-CN', 'messages.json'))).get(ref.messages);
    return flatten(require(path.join(editorDir, 'locales', 'zh-CN', 'editor.json'))).get(ref.editor);
  };

  it('uses the glossary\'s term wherever a zh-CN text names the thing', function () {
    const problems = [];
    for (const { where, text } of zhTexts()) {
      for (const g of GLOSSARY) {
        const m = g.avoid.exec(text);
        if (m) problems.push(`${where}: "${m[0]}" -> ${g.use}`);
      }
    }
    noProblems(problems, 'zh-CN terms');
  });

  it('writes Chinese punctuation in Chinese sentences, and a space between Chinese and Latin text', function () {
    const problems = [];
    for (const { where, text } of zhTexts()) {
      const prose = /zh-CN help$/.test(where) ? htmlProse(text) : text;
      for (const p of zhTypographyProblems(prose)) problems.push(`${where}: ${p}`);
    }
    noProblems(problems, 'zh-CN typography');
  });

  it('takes its Node-RED words from Node-RED\'s zh-CN texts', function () {
    const problems = GLOSSARY.filter((g) => g.nodeRed && !String(nodeRedText(g.nodeRed) || '').includes(g.nodeRed.has)).map((g) => `${JSON.stringify(g.nodeRed)} no longer says "${g.nodeRed.has}"`);
    noProblems(problems, 'Node-RED zh-CN');
  });
});

module.exports = { flatten, usedKeys };
