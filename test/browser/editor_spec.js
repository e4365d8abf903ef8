'use strict';
/*
 * The editor in a real browser (npm run test:browser): a real Node-RED per language with this
 * package, driven in headless Debian chromium through playwright-core, against the sandbox.
 * Data-driven from package.json `node-red.nodes`: a new node is covered without a change here.
 *
 * Per language: every node is in the `wellcloud` palette category and is dragged onto the canvas;
 * its dialog shows and initialises every field of its template, renders its typedInputs, outlines
 * a missing/bad required value in red, and saves with Done; the config node's Test connection
 * succeeds with the demo credentials and fails clearly with wrong ones; the help sidebar shows the
 * node's help; the flow deploys and GET /flows holds it (without secrets); no console errors.
 * Every file of examples/ is listed under menu → Import → Examples → node-red-contrib-wellcloud and
 * imports from there (known types, drawn on its tab, `server` resolved, no error notification); all
 * of them deploy at once with the Deploy button without a node error; the flows are then restored.
 * In zh-CN, every text a user reads in our dialogs, palette, help headings, labels and port labels
 * must be Chinese (or technical tokens). Screenshots: test-artifacts/screenshots/<lang>/.
 *
 * Environment: WELLCLOUD_BROWSER_LANGS=en-US,zh-CN (default both); NODE_RED_RED=<red.js> to run
 * another Node-RED; WELLCLOUD_DEMO_SCREENSHOT=1 writes docs/demo-flow.png from the live demo flow.
 */
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { startNodeRed } = require('./lib/nodered');
const ed = require('./lib/editor');
const { englishWords, mixedEnglishWords, looksLikeKey } = require('./lib/language');

const root = path.join(__dirname, '..', '..');
const pkg = require('../../package.json');
const TYPES = Object.keys(pkg['node-red'].nodes);
const CONFIG = 'wellcloud-config';
const LANGS = (process.env.WELLCLOUD_BROWSER_LANGS || 'en-US,zh-CN').split(',').map((s) => s.trim()).filter(Boolean);
const SHOTS = path.join(root, 'test-artifacts', 'screenshots');
const dist = (p) => require(path.join(root, 'dist', p));
/** The example flows Node-RED lists under Import → Examples → <package name>: one per .json file. */
const EXAMPLES = fs
  .readdirSync(path.join(root, 'examples'))
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => ({ name: file.slice(0, -'.json'.length), nodes: JSON.parse(fs.readFileSync(path.join(root, 'examples', file), 'utf8')) }));
const V2 = { 'Node-RED-API-Version': 'v2' };

/** Fails listing every problem, one per line. */
function noProblems(problems, title) {
  if (problems.length) assert.fail(`${title}:\n  ${problems.join('\n  ')}`);
}

/** The first paragraph of a node's help file in `lang`, as text. */
function helpFirstParagraph(type, lang) {
  const html = fs.readFileSync(path.join(root, 'nodes', type, 'locales', lang, `${type}.html`), 'utf8');
  const p = /<p>([\s\S]*?)<\/p>/.exec(html);
  return p ? p[1].replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim() : '';
}

/** Grid position on the canvas (page coordinates) for the i-th dropped node. */
function dropPoint(box, i) {
  const col = i % 3;
  const row = Math.floor(i / 3);
  return { x: box.x + 160 + col * 260, y: box.y + 90 + row * 90 };
}

describe('editor in a real browser', function () {
  this.timeout(120000);
  let sandbox;
  let browser;

  before(async function () {
    assert.ok(fs.existsSync(path.join(root, 'dist', 'lib', 'sandbox', 'index.js')), 'dist/ is missing: npm run build');
    const { startSandbox } = dist('lib/sandbox');
    sandbox = await startSandbox({ port: 0, host: '127.0.0.1' });
    browser = await ed.launchBrowser();
  });

  after(async function () {
    if (browser) await browser.close();
    if (sandbox) await sandbox.close();
  });

  for (const lang of LANGS) {
    describe(lang, function () {
      const zh = lang === 'zh-CN';
      const shots = path.join(SHOTS, lang);
      /** What a user reads, for the language check: {where, text}. */
      const texts = [];
      const ids = {}; // type -> node id on the canvas
      let red;
      let context;
      let page;
      let watch;
      let configId;

      const seen = (where, text) => {
        if (text !== undefined && text !== null && String(text).trim()) texts.push({ where, text: String(text).replace(/\s+/g, ' ').trim() });
      };
      const pageProblems = (title) => noProblems(watch.take(), `${title}: console errors / failed requests in the editor`);

      before(async function () {
        red = await startNodeRed({ lang });
        context = await browser.newContext({ locale: lang, viewport: { width: 1440, height: 900 }, timezoneId: 'Asia/Shanghai' });
        page = await context.newPage();
        watch = ed.watchPage(page);
        await ed.openEditor(page, red.url);
      });

      after(async function () {
        if (context) await context.close();
        if (red) await red.stop();
      });

      it(`opens the editor in ${lang}`, async function () {
        const editorLang = await page.evaluate(() => RED.i18n.lang());
        assert.strictEqual(editorLang, lang, 'the editor follows the browser locale');
        pageProblems('loading the editor');
      });

      it('lists every node under the wellcloud palette category', async function () {
        const palette = await page.evaluate(ed.inPalette, TYPES);
        const problems = [];
        for (const p of palette) {
          if (!p.registered) {
            const sets = (await red.request('GET', '/nodes', undefined, { Accept: 'application/json' })).json();
            const set = sets.find((s) => s.types && s.types.includes(p.type));
            problems.push(`${p.type}: not registered in the editor (runtime: ${set ? `enabled=${set.enabled} err=${set.err}` : 'not loaded'}; log: ${red.errors().join(' | ') || 'nothing'})`);
            continue;
          }
          if (p.type === CONFIG) {
            if (p.category !== 'config') problems.push(`${p.type}: category ${p.category}, expected config`);
            continue;
          }
          if (!p.inPalette || !p.inWellcloud) problems.push(`${p.type}: not in the palette's wellcloud category (category "${p.category}")`);
          if (!p.label) problems.push(`${p.type}: empty palette label`);
          if (p.declaredIcon && !p.icon.endsWith(`icons/${pkg.name}/${p.declaredIcon}`)) problems.push(`${p.type}: icon ${p.declaredIcon} is not served by Node-RED (editor fell back to ${p.icon})`);
          seen(`palette label of ${p.type}`, p.label);
        }
        await ed.screenshot(page, shots, '00-palette');
        noProblems(problems, 'palette');
        pageProblems('palette');
      });

      it('drops every node on the canvas by dragging it from the palette', async function () {
        const box = await page.locator('#red-ui-workspace-chart').boundingBox();
        const problems = [];
        let i = 0;
        for (const type of TYPES) {
          if (type === CONFIG) continue;
          const at = dropPoint(box, i++);
          try {
            ids[type] = await ed.dragFromPalette(page, type, at.x, at.y);
          } catch (e) {
            problems.push(`${type}: drag and drop failed (${e.message.split('\n')[0]})`);
          }
        }
        await ed.screenshot(page, shots, '01-canvas');
        noProblems(problems, 'drag from palette');
        pageProblems('dropping nodes');
      });

      /**
       * Checks the open dialog of `type` and returns nothing; problems go into `problems`.
       * Leaves every value as it found it.
       */
      async function checkDialog(type, problems) {
        const d = await page.evaluate(ed.inDialog, type);
        for (const f of d.fields) {
          if (!f.exists) problems.push(`${type}: #${f.id} of the template is not in the dialog`);
          else if (f.initialised !== null && f.initialised !== true) problems.push(`${type}: #${f.id} not initialised from the node: ${f.initialised}`);
          if (f.kind === 'typedInput' && f.typedTypes && f.typedTypes.length === 0) problems.push(`${type}: typedInput #${f.id} has no types`);
          if (f.typeFieldDefault && f.kind !== 'typedInput' && f.kind !== 'hidden') problems.push(`${type}: #${f.id} has a ${f.prop}Type property but is not rendered as a typedInput`);
        }
        const union = await page.evaluate(ed.inVisibilityUnion, type);
        for (const f of d.fields) {
          if (f.exists && f.kind !== 'hidden' && !union.visible.includes(f.id)) problems.push(`${type}: #${f.id} is never visible (tried ${union.controls.map((c) => `${c.id}=${c.values.join('|')}`).join(', ') || 'no choice controls'})`);
        }
        const v = await page.evaluate(ed.inValidationProbe, type);
        for (const p of v.probes) {
          if (p.expected !== p.red) problems.push(`${type}: ${p.prop}=${JSON.stringify(p.value)} is ${p.expected ? 'invalid' : 'valid'} but the dialog shows ${p.red ? 'a red outline' : 'no red outline'}`);
          if (p.message) {
            seen(`validation message of ${type}.${p.prop}`, p.message);
            if (looksLikeKey(p.message)) problems.push(`${type}: validation message of ${p.prop} is an untranslated key: ${p.message}`);
          }
        }
        if (v.server && !v.server.redWhenMissing) problems.push(`${type}: no red outline on the server select when no config is chosen`);
        const anyRed = v.probes.some((p) => p.red) || (v.server && v.server.redWhenMissing);
        if (!anyRed) problems.push(`${type}: no required or validated field showed a red outline (nothing to validate?)`);
        const dialogTexts = await page.evaluate(ed.inDialogTexts, type);
        for (const t of dialogTexts) {
          if (t.kind === 'empty') {
            problems.push(`${type}: data-i18n="${t.key}" shows nothing (the key does not resolve)`);
            continue;
          }
          seen(`${type} dialog ${t.kind}`, t.text);
          if (looksLikeKey(t.text)) problems.push(`${type}: dialog shows an i18n key instead of a text: "${t.text}"`);
        }
        return d;
      }

      async function openConfigDialog(hostType) {
        if (hostType) {
          const add = page.locator('#node-input-btn-server-add, #node-input-lookup-server').first();
          await add.click();
        } else {
          await page.evaluate(() => RED.editor.editConfig('', 'wellcloud-config', '_ADD_', 'node-input'));
        }
        await page.waitForFunction(() => $('#node-config-dialog-edit-form').is(':visible'), null, { timeout: 10000 });
        await ed.settle(page);
      }

      async function testConnection() {
        await page.evaluate(() => $('#wellcloud-config-test-result').removeClass('wellcloud-test-ok wellcloud-test-failed').text(''));
        await page.locator('#wellcloud-config-test').click();
        const h = await page.waitForFunction(
          () => {
            const r = $('#wellcloud-config-test-result');
            if (r.hasClass('wellcloud-test-ok')) return { ok: true, text: r.text() };
            if (r.hasClass('wellcloud-test-failed')) return { ok: false, text: r.text() };
            return null;
          },
          null,
          { timeout: 15000 },
        );
        return h.jsonValue();
      }

      it('config node: dialog, validation, Test connection with good and wrong credentials, Add', async function () {
        const { DEMO_CREDENTIALS } = dist('lib/sandbox');
        const host = TYPES.find((t) => t !== CONFIG && ids[t] && pkgHasServer(t));
        if (host) {
          await ed.openNodeDialog(page, ids[host]);
        }
        await openConfigDialog(host);
        const problems = [];
        await checkDialog(CONFIG, problems);
        await ed.screenshot(page, shots, `10-${CONFIG}`);
        await page.locator('#node-config-input-name').fill('sandbox');
        await page.locator('#node-config-input-baseUrl').fill(sandbox.url);
        await page.locator('#node-config-input-domain').fill('demo.cc');
        await page.locator('#node-config-input-appId').fill(DEMO_CREDENTIALS.appId);
        await page.locator('#node-config-input-appSecret').fill(DEMO_CREDENTIALS.appSecret);
        await page.locator('#node-config-input-apiKey').fill(DEMO_CREDENTIALS.apiKey);

        const good = await testConnection();
        seen('Test connection success', good.text);
        if (!good.ok) problems.push(`Test connection with the demo credentials failed: ${good.text}`);
        await ed.screenshot(page, shots, `11-${CONFIG}-test-ok`);

        await page.locator('#node-config-input-appSecret').fill('wrong-secret');
        const bad = await testConnection();
        seen('Test connection failure', bad.text);
        if (bad.ok) problems.push('Test connection with a wrong appSecret reported success');
        if (!/\S{2,}/.test(bad.text) || looksLikeKey(bad.text)) problems.push(`Test connection failure text is not clear: "${bad.text}"`);
        if (bad.text.includes('wrong-secret') || bad.text.includes(DEMO_CREDENTIALS.apiKey)) problems.push('Test connection failure text shows a secret');
        await ed.screenshot(page, shots, `12-${CONFIG}-test-failed`);

        await page.locator('#node-config-input-appSecret').fill(DEMO_CREDENTIALS.appSecret);
        await page.locator('#node-config-dialog-ok').click();
        await page.waitForFunction(() => !$('#node-config-dialog-edit-form').is(':visible'), null, { timeout: 10000 });
        configId = await page.evaluate(() => {
          let id = null;
          RED.nodes.eachConfig((n) => {
            if (n.type === 'wellcloud-config') id = n.id;
          });
          return id;
        });
        if (!configId) problems.push('the config node was not added');
        if (host) {
          const chosen = await page.evaluate(() => $('#node-input-server').val());
          if (chosen !== configId) problems.push(`${host}: the new config is not selected after Add (select has ${chosen})`);
          await page.locator('#node-dialog-cancel').click();
          await page.waitForFunction(() => RED.editor.getEditStack().length === 0, null, { timeout: 10000 });
        }
        noProblems([...new Set(problems)], 'config node');
        pageProblems('config node');
      });

      function pkgHasServer(type) {
        const html = path.join(root, 'nodes', type, `${type}.html`);
        return fs.existsSync(html) && /\bserver\s*:\s*\{[^}]*type\s*:\s*['"]wellcloud-config['"]/.test(fs.readFileSync(html, 'utf8'));
      }

      TYPES.filter((t) => t !== CONFIG).forEach((type, index) => {
        it(`${type}: dialog fields, typedInputs, validation, Done`, async function () {
          assert.ok(ids[type], `${type} is not on the canvas (the drop failed)`);
          await ed.openNodeDialog(page, ids[type]);
          const problems = [];
          const d = await checkDialog(type, problems);
          await ed.screenshot(page, shots, `${String(20 + index).padStart(2, '0')}-${type}`);
          if (d.defaults.includes('server') && configId) {
            const stillRed = await page.evaluate((id) => $('#node-input-server').val(id).trigger('change').hasClass('input-error'), configId);
            if (stillRed) problems.push(`${type}: server select stays red with the config chosen`);
          }
          await page.locator('#node-dialog-ok').click();
          await page.waitForFunction(() => RED.editor.getEditStack().length === 0, null, { timeout: 10000 });
          const facts = await page.evaluate(ed.inNodeFacts, ids[type]);
          if (facts.valid === false) problems.push(`${type}: invalid after Done with its defaults and a config: ${JSON.stringify(facts.validationErrors)}`);
          seen(`${type} canvas label`, facts.label);
          seen(`${type} palette label`, facts.paletteLabel);
          facts.inputLabels.forEach((l, i) => seen(`${type} input label ${i + 1}`, l));
          facts.outputLabels.forEach((l, i) => seen(`${type} output label ${i + 1}`, l));
          if (facts.outputs > 0 && facts.outputLabels.some((l) => !l)) problems.push(`${type}: missing output port labels (${JSON.stringify(facts.outputLabels)})`);
          if (facts.inputs > 0 && facts.inputLabels.some((l) => !l)) problems.push(`${type}: missing input port label`);
          for (const l of [facts.label, facts.paletteLabel, ...facts.inputLabels, ...facts.outputLabels]) {
            if (typeof l === 'string' && (looksLikeKey(l) || l.startsWith('!error'))) problems.push(`${type}: label is "${l}"`);
          }
          noProblems([...new Set(problems)], `${type} dialog`);
          pageProblems(`${type} dialog`);
        });
      });

      it("shows each node's help in the sidebar", async function () {
        const problems = [];
        for (const type of TYPES) {
          const help = await page.evaluate(ed.inHelp, type);
          const want = helpFirstParagraph(type, lang);
          if (!want) problems.push(`${type}: the ${lang} help file has no first paragraph`);
          else if (help.firstParagraph !== want) problems.push(`${type}: help sidebar shows "${help.firstParagraph.slice(0, 80)}", expected "${want.slice(0, 80)}"`);
          await ed.screenshot(page, shots, `80-help-${type}`);
          help.headings.forEach((h) => seen(`${type} help heading`, h));
          seen(`${type} help title`, help.title);
          seen(`${type} help first paragraph`, help.firstParagraph);
        }
        noProblems(problems, 'help sidebar');
        pageProblems('help sidebar');
      });

      it('deploys the flow: GET /flows holds every node, and no secret', async function () {
        const problems = [];
        await ed.deploy(page);
        await ed.screenshot(page, shots, '90-deployed');
        const r = await red.request('GET', '/flows', undefined, { 'Node-RED-API-Version': 'v2' });
        assert.strictEqual(r.status, 200, `GET /flows: HTTP ${r.status}`);
        const flows = r.json().flows;
        for (const type of TYPES) {
          const n = flows.find((f) => f.type === type);
          if (!n) problems.push(`${type}: not in the deployed flows`);
        }
        const cfg = flows.find((f) => f.type === CONFIG);
        if (cfg && cfg.baseUrl !== sandbox.url) problems.push(`config baseUrl is ${cfg.baseUrl}`);
        const { DEMO_CREDENTIALS } = dist('lib/sandbox');
        for (const secret of [DEMO_CREDENTIALS.appSecret, DEMO_CREDENTIALS.apiKey]) if (r.text.includes(secret)) problems.push('GET /flows contains a secret');
        await page.waitForTimeout(500);
        noProblems(red.errors(), 'Node-RED logged errors');
        noProblems(problems, 'deploy');
        pageProblems('deploy');
      });

      it('shows no untranslated i18n key anywhere we looked', function () {
        noProblems([...new Set(texts.filter((t) => looksLikeKey(t.text)).map((t) => `${t.where}: "${t.text}"`))], 'i18n keys shown to the user');
      });

      if (zh) {
        it('leaves no English text in zh-CN (labels, placeholders, options, palette, help headings)', function () {
          const english = texts.filter((t) => englishWords(t.text).length > 0).map((t) => `${t.where}: "${t.text}" (English: ${englishWords(t.text).join(', ')})`);
          const unique = [...new Set(english)];
          // Chinese texts that still carry English words: reported for review, not failed
          const mixed = [...new Set(texts.filter((t) => !englishWords(t.text).length && mixedEnglishWords(t.text).length).map((t) => `${t.where}: "${t.text}" (${mixedEnglishWords(t.text).join(', ')})`))];
          fs.mkdirSync(SHOTS, { recursive: true });
          fs.writeFileSync(
            path.join(SHOTS, 'zh-CN-english.txt'),
            `English texts (fail):\n${unique.join('\n') || '(none)'}\n\nChinese texts with English words (review):\n${mixed.join('\n') || '(none)'}\n`,
          );
          if (mixed.length) console.log(`      note: ${mixed.length} Chinese texts keep English words; see test-artifacts/screenshots/zh-CN-english.txt`);
          noProblems(unique, `English left in the zh-CN editor (${unique.length})`);
        });
      }

      it('lists every example under menu → Import → Examples → our package (screenshot)', async function () {
        const listed = await ed.openImportExamples(page, pkg.name);
        await ed.screenshot(page, shots, '95-import-examples');
        await page.locator('#red-ui-clipboard-dialog-cancel').click();
        await page.waitForFunction(() => !$('#red-ui-clipboard-dialog').is(':visible'), null, { timeout: 10000 });
        const want = EXAMPLES.map((e) => e.name);
        noProblems(
          [...want.filter((n) => !listed.includes(n)).map((n) => `examples/${n}.json is not listed`), ...listed.filter((n) => !want.includes(n)).map((n) => `"${n}" is listed but is no file of examples/`)],
          'Import → Examples',
        );
        assert.strictEqual(listed.length, new Set(listed).size, `an example is listed twice: ${listed.join(', ')}`);
        pageProblems('Import → Examples');
      });

      /**
       * After the examples were deployed: the runtime started them (its runtime-deploy notice for this
       * revision), the editor said so, no wellcloud node shows a red status, the debug sidebar shows no
       * error or warning, and GET /flows holds every imported node, their config references resolve
       * there, no two http in nodes share a method and path, and no credentials are given out.
       */
      async function checkDeployedExamples(importedIds, { notes, notesOf, debugMark, problems }) {
        const rev = await page.evaluate(() => RED.nodes.version());
        // the runtime announces the deploy once every node has started (statuses sent before it)
        await page.waitForFunction((r) => window.__wellcloudDeploys.includes(r), rev, { timeout: 15000 });
        const deployNotes = await notes.take();
        notesOf(deployNotes, 'deploying the examples');
        if (!deployNotes.some((n) => n.type === 'success')) problems.push(`deploying the examples: no success notification (saw: ${deployNotes.map((n) => `${n.type}: ${n.text}`).join(' | ') || 'none'})`);
        const runtime = await page.evaluate(
          ({ ids, mark }) => ({
            red: ids
              .map((id) => RED.nodes.node(id))
              .filter((n) => n && /^wellcloud-/.test(n.type) && n.status && n.status.fill === 'red')
              .map((n) => `${n.type} ${n.id}: red status "${n.status.text}"`),
            debug: $('.red-ui-debug-msg-level-20, .red-ui-debug-msg-level-30').slice(mark).map((i, e) => $(e).text().replace(/\s+/g, ' ').trim()).get(),
          }),
          { ids: importedIds, mark: debugMark },
        );
        problems.push(...runtime.red.map((t) => `after deploy: ${t}`), ...runtime.debug.map((t) => `debug sidebar: ${t}`));
        await ed.screenshot(page, shots, '96-examples-deployed');

        const r = await red.request('GET', '/flows', undefined, V2);
        assert.strictEqual(r.status, 200, `GET /flows: HTTP ${r.status}`);
        const flows = r.json().flows;
        const byId = new Map(flows.map((n) => [n.id, n]));
        for (const id of importedIds) if (!byId.has(id)) problems.push(`GET /flows: imported node ${id} was not deployed`);
        for (const n of flows) {
          if (!importedIds.includes(n.id) || !/^wellcloud-/.test(n.type) || n.server === undefined) continue;
          if (!byId.has(n.server) || byId.get(n.server).type !== CONFIG) problems.push(`GET /flows: ${n.type} ${n.id} has server ${n.server}, which is no deployed ${CONFIG}`);
        }
        // two example flows listening on the same method and path would take each other's requests
        const endpoints = new Map();
        for (const n of flows.filter((f) => f.type === 'http in' && !f.d)) {
          const key = `${String(n.method).toUpperCase()} ${n.url}`;
          if (endpoints.has(key)) problems.push(`GET /flows: ${key} is served by two http in nodes (${endpoints.get(key)} and ${n.id})`);
          else endpoints.set(key, n.id);
        }
        if (r.text.includes('"credentials"') || r.text.includes('demo-app-secret')) problems.push('GET /flows contains credentials');
      }

      it('imports each example from Import → Examples, deploys them all with Deploy, then restores the flows', async function () {
        const problems = [];
        const before = (await red.request('GET', '/flows', undefined, V2)).json();
        const logMark = red.errors().length;
        const notes = await ed.watchNotifications(page);
        await notes.take();
        const debugMark = await page.evaluate(() => {
          window.__wellcloudDeploys = [];
          RED.comms.subscribe('notification/runtime-deploy', (topic, msg) => window.__wellcloudDeploys.push(msg && msg.revision));
          return $('.red-ui-debug-msg-level-20, .red-ui-debug-msg-level-30').length;
        });
        const notesOf = (list, at) => {
          for (const n of list) if (!['plain', 'success'].includes(n.type)) problems.push(`${at}: ${n.type} notification: ${n.text}`);
        };
        const imported = [];
        try {
          for (const ex of EXAMPLES) {
            const at = `"${ex.name}"`;
            const ids = ex.nodes.map((n) => n.id);
            const tabs = ex.nodes.filter((n) => n.type === 'tab').map((n) => n.id);
            const state = await page.evaluate((all) => ({ active: RED.workspaces.active(), existing: all.filter((id) => RED.nodes.node(id) || RED.nodes.workspace(id)) }), ids);
            if (state.existing.length) problems.push(`${at}: ids already in the editor before its import (an earlier example uses them): ${state.existing.join(', ')}`);
            const listed = await ed.openImportExamples(page, pkg.name);
            assert.ok(listed.includes(ex.name), `${at} is not listed under Import → Examples → ${pkg.name}`);
            const { disabledBefore } = await ed.importSelectedExample(page, ex.name);
            if (!disabledBefore) problems.push(`${at}: Import was enabled before an example was selected`);
            // every node of the file is in the editor, or a notification tells why not
            const arrived = await page
              .waitForFunction(
                (all) => all.every((id) => RED.nodes.node(id) || RED.nodes.workspace(id)) || window.__wellcloudNotes.some((n) => !['plain', 'success'].includes(n.type)),
                ids,
                { timeout: 10000 },
              )
              .then(() => page.evaluate((all) => all.every((id) => RED.nodes.node(id) || RED.nodes.workspace(id)), ids))
              .catch(() => false);
            notesOf(await notes.take(), `importing ${at}`);
            if (!arrived) {
              const missing = await page.evaluate((all) => all.filter((id) => !RED.nodes.node(id) && !RED.nodes.workspace(id)), ids);
              problems.push(`${at}: not imported: ${missing.length} of ${ids.length} nodes missing from the editor`);
              problems.push(...watch.take().map((p) => `importing ${at}: ${p}`));
              continue;
            }
            imported.push(ex);
            // its tab: a new one as in the file (Node-RED keeps the open tab active), else the open one
            const tab = tabs[0] || state.active;
            if (tabs.length) await ed.showWorkspaceTab(page, tab);
            const onCanvas = ex.nodes.filter((n) => n.z !== undefined).map((n) => n.id);
            await page
              .waitForFunction(({ tab, onCanvas }) => RED.workspaces.active() === tab && onCanvas.every((id) => document.getElementById(id)), { tab, onCanvas }, { timeout: 10000 })
              .catch(() => {});
            if (await page.evaluate(() => RED.editor.getEditStack().length > 0)) {
              problems.push(`${at}: an edit tray opened on switching to its tab`);
              await page.locator('#node-dialog-cancel').click();
            }
            const facts = await page.evaluate(ed.inImportedNodes, ex.nodes.map(({ id, type, z }) => ({ id, type, z })));
            for (const f of facts) {
              const what = `${at}: ${f.type} ${f.id}`;
              if (!f.exists) continue; // counted above
              if (f.unknown || f.editorType !== f.type) problems.push(`${what}: the editor has it as ${f.editorType} (unknown type)`);
              if (f.drawnUnknown) problems.push(`${what}: drawn as an unknown node`);
              const file = ex.nodes.find((n) => n.id === f.id);
              if (file.z !== undefined) {
                const wantZ = tabs.includes(file.z) ? file.z : state.active;
                if (f.z !== wantZ) problems.push(`${what}: on tab ${f.z}, expected ${wantZ}`);
                else if (f.drawn !== true) problems.push(`${what}: not drawn on its tab ${f.z} (open tab: ${f.active})`);
              }
              if (f.valid === false) problems.push(`${what}: invalid in the editor: ${JSON.stringify(f.validationErrors)}`);
              if (f.server) {
                if (!f.server.id) problems.push(`${what}: no server`);
                else if (f.server.type !== CONFIG) problems.push(`${what}: server ${f.server.id} resolves to ${f.server.type || 'nothing'}, not a ${CONFIG}`);
                else if (!f.server.usedBy) problems.push(`${what}: server ${f.server.id} does not list it among its users`);
                else if (f.server.valid === false) problems.push(`${what}: its server ${f.server.id} is invalid`);
              }
            }
            problems.push(...watch.take().map((p) => `importing ${at}: ${p}`));
          }
          assert.ok(imported.length > 0, `no example was imported:\n  ${problems.join('\n  ')}`);

          // one deploy of everything, through the Deploy button
          const importedIds = imported.flatMap((ex) => ex.nodes.map((n) => n.id));
          let deployed = true;
          try {
            await ed.deploy(page);
          } catch (e) {
            deployed = false;
            problems.push(`deploying the examples: ${e.message.split('\n')[0]}`);
          }
          if (deployed) await checkDeployedExamples(importedIds, { notes, notesOf, debugMark, problems });
          problems.push(...red.errors().slice(logMark).map((l) => `Node-RED log: ${l}`));
          noProblems([...new Set(problems)], `importing and deploying the ${EXAMPLES.length} examples`);
          pageProblems('deploying the examples');
        } finally {
          // restore what the earlier tests deployed, and a fresh editor for the tests after this one
          await page.evaluate(() => RED.nodes.dirty(false)).catch(() => {}); // no "leave the page?" on reload after a failure
          const back = await red.request('POST', '/flows', { flows: before.flows }, { ...V2, 'Node-RED-Deployment-Type': 'full' });
          assert.ok(back.status === 200 || back.status === 204, `restoring the flows: HTTP ${back.status} ${back.text}`);
          await ed.openEditor(page, red.url);
          const left = await page.evaluate((all) => all.filter((id) => RED.nodes.node(id) || RED.nodes.workspace(id)), EXAMPLES.flatMap((ex) => ex.nodes.map((n) => n.id)));
          assert.deepStrictEqual(left, [], 'example nodes left in the editor after restoring the flows');
          pageProblems('restoring the flows');
        }
      });

      if (lang === LANGS[0]) {
        it('runs the live demo flow: click to call, then callEnd, CDR and recordings arrive (screenshot)', async function () {
          const dir = path.join(root, 'examples');
          const file = fs.existsSync(dir) && fs.readdirSync(dir).find((f) => /^live demo/i.test(f) && f.endsWith('.json'));
          if (!file) this.skip();
          const flow = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')).map((n) => (n.type === CONFIG ? { ...n, baseUrl: sandbox.url } : n));
          const pushes = flow.find((n) => n.type === 'http in');
          sandbox.setSubscriber(pushes ? `${red.url.replace(/\/$/, '')}${pushes.url}` : undefined);
          try {
            const r = await red.request('POST', '/flows', flow, { 'Node-RED-Deployment-Type': 'full' });
            assert.ok(r.status === 200 || r.status === 204, `deploying the demo flow: HTTP ${r.status} ${r.text}`);
            await page.setViewportSize({ width: 1600, height: 860 });
            await ed.openEditor(page, red.url);
            const drawn = await page.evaluate(() => {
              const z = RED.workspaces.active();
              const want = RED.nodes.filterNodes({ z }).map((n) => n.id);
              return { want: want.length, missing: want.filter((id) => !document.getElementById(id)) };
            });
            assert.ok(drawn.want > 0, 'the demo flow has no node on the open tab');
            assert.deepStrictEqual(drawn.missing, [], 'nodes of the demo flow not drawn');
            // press the first inject button (the flow's "click to call") and wait for the results
            await page.evaluate(() => RED.sidebar.show('debug'));
            const inject = flow.find((n) => n.type === 'inject' && n.z);
            await page.locator(`[id="${inject.id}"] .red-ui-flow-node-button`).click();
            const wanted = flow.filter((n) => n.type === 'debug' && /cdr|recording|callend|话单|录音/i.test(n.name || '')).map((n) => n.name);
            await page.waitForFunction(
              (names) => {
                const got = $('.red-ui-debug-msg .red-ui-debug-msg-name').map((i, e) => $(e).text()).get().join('\n');
                return names.every((n) => got.includes(n));
              },
              wanted,
              { timeout: 30000 },
            ).catch(async () => {
              const got = await page.evaluate(() => $('.red-ui-debug-msg-name').map((i, e) => $(e).text()).get());
              assert.fail(`the demo flow did not produce ${wanted.join(', ')} within 30 s (debug shows: ${got.join(', ') || 'nothing'})`);
            });
            await page.evaluate(() => RED.view.select({ nodes: [] }));
            await ed.settle(page, 500);
            const out = process.env.WELLCLOUD_DEMO_SCREENSHOT === '1' ? path.join(root, 'docs') : SHOTS;
            await ed.screenshot(page, out, 'demo-flow');
            noProblems(red.errors(), 'Node-RED logged errors with the demo flow');
            pageProblems('demo flow');
          } finally {
            sandbox.setSubscriber(undefined);
            await page.setViewportSize({ width: 1440, height: 900 });
          }
        });
      }
    });
  }
});
