'use strict';
/*
 * Driving the Node-RED editor with playwright-core. Functions named `in*` run inside the page
 * (page.evaluate) and use the editor's own globals (RED, $); keep them self-contained.
 */
const fs = require('fs');
const path = require('path');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/**
 * Chromium flags. Playwright adds --headless itself (headless: true) and gives every launch a fresh
 * temporary --user-data-dir of its own (it refuses one in `args`), removed when the browser closes.
 */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Launches Debian's chromium (never a downloaded browser). */
async function launchBrowser() {
  const { chromium } = require('playwright-core');
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Console errors, page errors and failed responses of a page. Ignored, each for a reason:
 * - none so far: every console error fails the test that caused it.
 */
const HARMLESS = [];

function watchPage(page) {
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (HARMLESS.some((h) => h.re.test(text))) return;
    problems.push(`console.error: ${text}${msg.location() && msg.location().url ? ` (${msg.location().url})` : ''}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err && err.stack ? err.stack.split('\n').slice(0, 3).join(' | ') : err}`));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.request().method()} ${res.url()}`);
  });
  page.on('requestfailed', (req) => {
    const why = req.failure() && req.failure().errorText;
    // cancelled by the browser itself: a GET still loading when the page was loaded again or no
    // longer wanted it (seen once in CI for mermaid.min.js, which the editor fetches lazily, while
    // the demo test reloads the editor). A server that fails answers with a status (the 'response'
    // check above) or a connection error, never this.
    if (why === 'net::ERR_ABORTED' && req.method() === 'GET') return;
    problems.push(`request failed: ${req.method()} ${req.url()} (${why})`);
  });
  return {
    /** Problems since the last call. */
    take() {
      return problems.splice(0, problems.length);
    },
  };
}

async function openEditor(page, url) {
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(
    () =>
      window.RED &&
      RED.nodes &&
      RED.workspaces &&
      RED.workspaces.active() &&
      document.querySelector('#red-ui-workspace-chart svg') &&
      document.querySelectorAll('.red-ui-palette-node').length > 0 &&
      !document.querySelector('#red-ui-loading-progress:not([style*="none"])'),
    null,
    { timeout: 60000 },
  );
  // the editor fades its loader out; wait until nothing covers the canvas
  await page.waitForFunction(() => !$('#red-ui-loading-progress').is(':visible'), null, { timeout: 30000 });
  // the rotating tips cover part of the sidebar in screenshots; a user can switch them off too
  await page.evaluate(() => RED.actions.invoke('core:toggle-show-tips', false));
}

// ---------------------------------------------------------------------------------------------
// in-page inspectors

/** Palette facts per type: category container, label, colour, resolved icon URL. */
function inPalette(types) {
  return types.map((type) => {
    const def = RED.nodes.getType(type);
    const el = $(`.red-ui-palette-node[data-palette-type="${type}"]`);
    return {
      type,
      registered: Boolean(def),
      category: def && def.category,
      color: def && def.color,
      inWellcloud: el.closest('#red-ui-palette-wellcloud').length > 0,
      inPalette: el.length > 0,
      label: el.find('.red-ui-palette-label').text().trim(),
      icon: def ? RED.utils.getNodeIcon(def) : null,
      declaredIcon: def && typeof def.icon === 'string' ? def.icon : null,
      module: def && def.set && def.set.module,
    };
  });
}

/** The editor's definition facts we check for a node on the canvas. */
function inNodeFacts(id) {
  const n = RED.nodes.node(id);
  const def = n._def;
  const call = (f, ...args) => {
    try {
      return typeof f === 'function' ? f.call(n, ...args) : f;
    } catch (e) {
      return `!error: ${e.message}`;
    }
  };
  const outputs = Number(n.outputs || def.outputs || 0);
  return {
    id,
    type: n.type,
    valid: n.valid,
    validationErrors: n.validationErrors || [],
    label: call(def.label),
    paletteLabel: call(def.paletteLabel),
    inputs: def.inputs || 0,
    outputs,
    inputLabels: def.inputs ? [call(def.inputLabels, 0)] : [],
    outputLabels: Array.from({ length: outputs }, (_, i) => call(def.outputLabels, i)),
    hasServer: Boolean(def.defaults && def.defaults.server && def.defaults.server.type === 'wellcloud-config'),
  };
}

/**
 * The open edit dialog of `type`: every node-input-* id of its template, whether it exists, is
 * visible (itself or as a typedInput), carries the node's value, and the typedInputs' types.
 */
function inDialog(type) {
  const def = RED.nodes.getType(type);
  const isConfig = def.category === 'config';
  const prefix = isConfig ? 'node-config-input' : 'node-input';
  const form = $(isConfig ? '#node-config-dialog-edit-form' : '#dialog-form');
  const stack = RED.editor.getEditStack();
  const node = stack[stack.length - 1];
  const template = $(`script[data-template-name="${type}"]`).html() || '';
  const ids = [...new Set([...template.matchAll(new RegExp(`id="(${prefix}-[\\w-]+)"`, 'g'))].map((m) => m[1]))];
  const fields = ids.map((id) => {
    const el = form.find(`#${id}`);
    const prop = id.slice(prefix.length + 1);
    const typed = el.next('.red-ui-typedInput-container');
    const isTyped = typed.length > 0;
    const kind = el.is('select') ? 'select' : el.attr('type') === 'checkbox' ? 'checkbox' : el.attr('type') === 'hidden' ? 'hidden' : isTyped ? 'typedInput' : el.is('input, textarea') ? 'text' : 'other';
    const shown = isTyped ? typed.is(':visible') && typed.outerWidth() > 20 : el.is(':visible');
    let initialised = null;
    if (el.length && def.defaults && Object.prototype.hasOwnProperty.call(def.defaults, prop)) {
      const want = node[prop] === undefined || node[prop] === null ? '' : node[prop];
      let have;
      if (kind === 'checkbox') have = el.prop('checked');
      else if (isTyped) have = el.typedInput('value');
      else have = el.val();
      initialised = kind === 'checkbox' ? Boolean(have) === Boolean(want) : String(have === null ? '' : have) === String(want) || (prop === 'server' && (want === '' || want === '_ADD_'));
      if (!initialised) initialised = `dialog has ${JSON.stringify(have)}, node has ${JSON.stringify(want)}`;
    } else if (el.length && def.credentials && Object.prototype.hasOwnProperty.call(def.credentials, prop)) {
      initialised = true; // credentials are filled by the editor from has_<name>, not from defaults
    }
    let typedTypes = null;
    if (isTyped) {
      const inst = el.typedInput('instance');
      typedTypes = (inst && inst.typeList ? inst.typeList : []).map((t) => (typeof t === 'string' ? t : t.value));
    }
    return { id, prop, exists: el.length > 0, kind, shown, initialised, typedTypes, typeFieldDefault: Boolean(def.defaults && def.defaults[`${prop}Type`]) };
  });
  return { isConfig, prefix, fields, defaults: Object.keys(def.defaults || {}), credentials: Object.keys(def.credentials || {}) };
}

/**
 * Visible ids under every value of every choice control (select, checkbox, option-only
 * typedInput) taken one at a time from the initial state; restores each control afterwards.
 */
function inVisibilityUnion(type) {
  const def = RED.nodes.getType(type);
  const isConfig = def.category === 'config';
  const prefix = isConfig ? 'node-config-input' : 'node-input';
  const form = $(isConfig ? '#node-config-dialog-edit-form' : '#dialog-form');
  const ids = form.find(`[id^="${prefix}-"]`).map((i, e) => e.id).get();
  const visibleNow = () =>
    ids.filter((id) => {
      const el = $(document.getElementById(id));
      const typed = el.next('.red-ui-typedInput-container');
      return typed.length ? typed.is(':visible') : el.is(':visible');
    });
  const seen = new Set(visibleNow());
  const controls = [];
  for (const id of ids) {
    const el = $(document.getElementById(id));
    if (id === `${prefix}-server`) continue;
    if (el.is('select')) controls.push({ id, values: el.find('option').map((i, o) => o.value).get(), get: () => el.val(), set: (v) => el.val(v).trigger('change') });
    else if (el.attr('type') === 'checkbox') controls.push({ id, values: [true, false], get: () => el.prop('checked'), set: (v) => el.prop('checked', v).trigger('change') });
    else if (el.next('.red-ui-typedInput-container').length) {
      const inst = el.typedInput('instance');
      const types = inst && inst.typeList ? inst.typeList : [];
      if (types.length === 1 && typeof types[0] === 'object' && Array.isArray(types[0].options)) {
        const values = types[0].options.map((o) => (typeof o === 'string' ? o : o.value));
        controls.push({ id, values, get: () => el.typedInput('value'), set: (v) => el.typedInput('value', v) });
      }
    }
  }
  for (const c of controls) {
    const initial = c.get();
    for (const v of c.values) {
      c.set(v);
      visibleNow().forEach((id) => seen.add(id));
    }
    c.set(initial);
  }
  return { visible: [...seen], controls: controls.map((c) => ({ id: c.id, values: c.values })) };
}

/**
 * For each validated or required property with a text-like input: clears it / puts a bad value,
 * and compares the red outline (.input-error on the input or its typedInput) with what the
 * property's definition says. Restores every value. Returns the probes.
 */
function inValidationProbe(type) {
  const def = RED.nodes.getType(type);
  const isConfig = def.category === 'config';
  const prefix = isConfig ? 'node-config-input' : 'node-input';
  const stack = RED.editor.getEditStack();
  const node = stack[stack.length - 1];
  const probes = [];
  const isRed = (el) => el.hasClass('input-error') || el.next('.red-ui-typedInput-container').hasClass('input-error');
  const expectInvalid = (d, el, value) => {
    if (d.required && value === '') return true;
    if (typeof d.validate === 'function') {
      if (d.required === false && value === '') return false;
      let r;
      try {
        r = d.validate.call(node, value, {});
      } catch (e) {
        return true;
      }
      return r === false || typeof r === 'string' || (Array.isArray(r) && r.length > 0) || !r;
    }
    if (el.next('.red-ui-typedInput-container').length) return el.typedInput('validate') === false;
    return false;
  };
  const props = Object.keys(def.defaults || {}).filter((p) => p !== 'server');
  for (const prop of props) {
    const d = def.defaults[prop];
    const el = $(`#${prefix}-${prop}`);
    if (!el.length || el.is('select') || el.attr('type') === 'checkbox' || el.attr('type') === 'hidden') continue;
    if (!d.required && typeof d.validate !== 'function') continue;
    const typed = el.next('.red-ui-typedInput-container').length > 0;
    const initial = typed ? el.typedInput('value') : el.val();
    for (const bad of ['', '-1', 'x y']) {
      if (typed) el.typedInput('value', bad);
      else el.val(bad);
      el.trigger('change');
      const value = typed ? el.typedInput('value') : el.val();
      const expected = expectInvalid(d, el, value);
      const red = isRed(el);
      let message = null;
      if (red && el.data('tooltip')) {
        try {
          message = typeof d.validate === 'function' ? d.validate.call(node, value, { label: prop }) : null;
        } catch (e) {
          message = null;
        }
      }
      probes.push({ prop, value, expected, red, message: typeof message === 'string' ? message : null });
    }
    if (typed) el.typedInput('value', initial);
    else el.val(initial);
    el.trigger('change');
  }
  let server = null;
  const sel = $(`#${prefix}-server`);
  if (sel.length) {
    const initial = sel.val();
    sel.val('_ADD_').trigger('change');
    server = { initial, redWhenMissing: isRed(sel) };
    sel.val(initial).trigger('change');
  }
  const stillRed = $(isConfig ? '#node-config-dialog-edit-form' : '#dialog-form').find('.input-error').map((i, e) => e.id || e.className).get();
  return { probes, server, stillRed };
}

/** Texts a user reads in the open dialog: labels, hints, tips, placeholders, options, buttons. */
function inDialogTexts(type) {
  const def = RED.nodes.getType(type);
  const isConfig = def.category === 'config';
  const form = $(isConfig ? '#node-config-dialog-edit-form' : '#dialog-form');
  const prefix = isConfig ? 'node-config-input' : 'node-input';
  const out = [];
  const add = (kind, text) => {
    const t = String(text || '').replace(/\s+/g, ' ').trim();
    if (t) out.push({ kind, text: t });
  };
  form.find('label:visible').each((i, e) => add('label', e.innerText));
  form.find('.form-tips:visible').each((i, e) => add('tip', e.innerText));
  form.find('[data-i18n]:visible').not('label, label *, .form-tips, .form-tips *').each((i, e) => add('text', e.innerText));
  form.find('input[placeholder]:visible, textarea[placeholder]:visible').each((i, e) => add('placeholder', e.getAttribute('placeholder')));
  // Node-RED's own widgets (typedInput menus and buttons) are Node-RED's texts, not ours
  form.find('button:visible').not('.red-ui-typedInput-container *').each((i, e) => add('button', e.innerText));
  // context store names are the user's settings, not texts
  const stores = (RED.settings.context && RED.settings.context.stores) || [];
  form.find('select:visible').not(`#${prefix}-server`).find('option').each((i, e) => {
    if (!(stores.includes(e.value) && e.textContent === e.value)) add('option', e.textContent);
  });
  const core = ['msg', 'flow', 'global', 'str', 'num', 'bool', 'json', 'bin', 're', 'date', 'jsonata', 'env', 'node', 'cred'];
  form.find(`[id^="${prefix}-"]`).each((i, e) => {
    const el = $(e);
    if (!el.next('.red-ui-typedInput-container').length) return;
    const inst = el.typedInput('instance');
    for (const t of (inst && inst.typeList) || []) {
      if (typeof t !== 'object' || core.includes(t.value)) continue;
      if (t.label) add('typedInput type', t.label);
      for (const o of t.options || []) if (typeof o === 'object' && o.label) add('typedInput option', o.label);
    }
  });
  // a data-i18n key that does not resolve leaves its element (or attribute) empty
  form.find('[data-i18n]').each((i, e) => {
    for (const part of e.getAttribute('data-i18n').split(';')) {
      const m = /^\s*(?:\[([\w-]+)\])?(.+?)\s*$/.exec(part);
      const attr = m && m[1] && !['html', 'text', 'append', 'prepend'].includes(m[1]) ? m[1] : null;
      const value = attr ? e.getAttribute(attr) : e.textContent;
      if (!value || !value.trim()) out.push({ kind: 'empty', text: '', key: m ? m[2] : part });
    }
  });
  return out;
}

/** The help sidebar for `type`: title, headings and the first paragraph. */
function inHelp(type) {
  RED.sidebar.help.show(type, true);
  const help = $('.red-ui-sidebar-info .red-ui-help').last();
  return {
    title: $('.red-ui-sidebar-info .red-ui-help-title').last().text().trim(),
    firstParagraph: help.find('p').first().text().replace(/\s+/g, ' ').trim(),
    headings: help.find('h1,h2,h3,h4').map((i, e) => $(e).text().trim()).get(),
    text: help.text().replace(/\s+/g, ' ').trim(),
  };
}

/**
 * Imported nodes as the editor holds them, for `nodes` ([{id, type, z}] from an example file): the
 * type it knows them by, their tab, whether they are drawn on the open tab and as what, validity,
 * and for nodes with a wellcloud-config `server` what that reference resolves to.
 */
function inImportedNodes(nodes) {
  const active = RED.workspaces.active();
  return nodes.map(({ id, type }) => {
    const n = RED.nodes.node(id) || RED.nodes.workspace(id);
    if (!n) return { id, type, exists: false };
    const def = n._def || {};
    const el = document.getElementById(id);
    const drawn = n.z === active ? Boolean(el && el.closest('#red-ui-workspace-chart')) : null;
    const out = {
      id,
      type,
      exists: true,
      editorType: n.type,
      unknown: n.type === 'unknown' || def.category === 'unknown',
      z: n.z,
      active,
      drawn,
      drawnUnknown: Boolean(el && el.querySelector('.red-ui-flow-node-unknown')),
      valid: n.type === 'tab' ? true : n.valid,
      validationErrors: n.validationErrors || [],
      label: n.type === 'tab' ? n.label : null,
      server: null,
    };
    if (def.defaults && def.defaults.server && def.defaults.server.type === 'wellcloud-config') {
      const cfg = n.server ? RED.nodes.node(n.server) : null;
      out.server = { id: n.server || null, type: cfg ? cfg.type : null, usedBy: Boolean(cfg && (cfg.users || []).includes(n)), valid: cfg ? cfg.valid : null };
    }
    return out;
  });
}

// ---------------------------------------------------------------------------------------------
// actions in the page

/** Drags a palette node onto the canvas at (x, y) page coordinates; resolves the new node id. */
async function dragFromPalette(page, type, x, y) {
  const before = await page.evaluate((t) => RED.nodes.filterNodes({ type: t }).map((n) => n.id), type);
  const item = page.locator(`#red-ui-palette-container .red-ui-palette-node[data-palette-type="${type}"]`);
  await item.scrollIntoViewIfNeeded();
  const box = await item.boundingBox();
  if (!box) throw new Error(`${type} is not visible in the palette`);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 30, box.y + box.height / 2, { steps: 5 });
  await page.mouse.move(x, y, { steps: 15 });
  await page.mouse.up();
  const id = await page
    .waitForFunction(
      ({ t, ids }) => {
        const added = RED.nodes.filterNodes({ type: t }).filter((n) => !ids.includes(n.id));
        return added.length ? added[0].id : null;
      },
      { t: type, ids: before },
      { timeout: 5000 },
    )
    .then((h) => h.jsonValue());
  return id;
}

async function openNodeDialog(page, id) {
  const editing = () => page.evaluate(() => RED.editor.getEditStack().length > 0);
  const formShown = (timeout) => page.waitForFunction(() => RED.editor.getEditStack().length > 0 && $('#dialog-form').is(':visible'), null, { timeout });
  let failure;
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.locator(`[id="${id}"] .red-ui-flow-node`).first().dblclick();
    try {
      await formShown(4000);
      await settle(page);
      return;
    } catch (e) {
      failure = e;
    }
    // the editor opened but is slow to show the form: wait for it rather than click again
    if (await editing()) {
      await formShown(10000);
      await settle(page);
      return;
    }
    // the double click was taken as two single clicks (now and then under load): click again
  }
  throw failure;
}

/** Waits for tray animations and deferred oneditprepare work. */
async function settle(page, ms = 400) {
  await page.waitForTimeout(ms);
}

async function screenshot(page, dir, name) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/**
 * Clicks Deploy and waits until the editor reports the flows as deployed. Fails at once, with its
 * text, when the editor asks for a confirmation instead (unknown or improperly configured nodes).
 */
async function deploy(page) {
  await page.locator('#red-ui-header-button-deploy').click();
  const h = await page.waitForFunction(
    () => {
      // dirty is cleared on the answer; the shade over the editor goes up to 300 ms later
      if (!RED.nodes.dirty() && !$('#red-ui-header-shade').is(':visible')) return { ok: true };
      const confirm = $('#red-ui-deploy-dialog-confirm-deploy-deploy:visible').closest('.red-ui-notification');
      return confirm.length ? { ok: false, text: confirm.text().replace(/\s+/g, ' ').trim() } : null;
    },
    null,
    { timeout: 15000 },
  );
  const r = await h.jsonValue();
  if (!r.ok) {
    // cancel it, or its modal shade would block every later test of the suite
    await page.evaluate(() => $('#red-ui-deploy-dialog-confirm-deploy-deploy').closest('.red-ui-notification').find('button').first().trigger('click'));
    throw new Error(`Deploy asked for a confirmation instead of deploying: ${r.text}`);
  }
}

/**
 * Records every notification the editor shows from now on (until the page is reloaded), also those
 * that close by themselves or are updated in place: take() resolves [{type, text}] since the last call
 * (type: error, warning, info, success, or plain for a notification without one).
 */
async function watchNotifications(page) {
  await page.evaluate(() => {
    if (window.__wellcloudNotes) return;
    const notes = (window.__wellcloudNotes = []);
    const last = new WeakMap();
    const box = document.getElementById('red-ui-notifications');
    const scan = () => {
      box.querySelectorAll('.red-ui-notification').forEach((n) => {
        const type = (/red-ui-notification-(?!shake)(\w+)/.exec(n.className) || [])[1] || 'plain';
        const text = n.textContent.replace(/\s+/g, ' ').trim();
        if (last.get(n) === `${type}|${text}`) return;
        last.set(n, `${type}|${text}`);
        notes.push({ type, text });
      });
    };
    new MutationObserver(scan).observe(box, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ['class'] });
    scan();
  });
  return { take: () => page.evaluate(() => window.__wellcloudNotes.splice(0)) };
}

/** Tags the Import dialog's examples folder of `module` (data-wellcloud-test); true, or null while not listed. */
function inTagExamplesFolder(module) {
  const folder = $('#red-ui-clipboard-dialog-import-tab-examples .red-ui-treeList-label')
    .filter((i, e) => $(e).children('.red-ui-treeList-label-text').text() === module && $(e).find('.fa-folder, .fa-folder-open').length > 0)
    .first();
  if (!folder.length) return null;
  folder.attr('data-wellcloud-test', 'examples-folder');
  return true;
}

/**
 * Labels of the entries listed under the tagged examples folder, or null while there are none or the
 * tree still shows its loading spinner (at least 400 ms, the entries built but hidden under it).
 */
function inExampleEntries() {
  const tab = $('#red-ui-clipboard-dialog-import-tab-examples');
  if (tab.find('.red-ui-treeList-spinner').length) return null;
  const entries = tab.find('[data-wellcloud-test="examples-folder"]').closest('li').find('.red-ui-treeList-label').not('[data-wellcloud-test]');
  if (!entries.length || entries.filter(':visible').length === 0) return null;
  return entries.map((i, e) => $(e).children('.red-ui-treeList-label-text').text()).get();
}

/**
 * What a user does: the main menu → Import, the Examples tab, a click on `module`'s folder. Resolves
 * the labels of the folder's entries once they are listed; leaves the dialog open.
 */
async function openImportExamples(page, module) {
  await page.locator('#red-ui-header-button-sidemenu').click();
  await page.locator('#menu-item-import').click();
  await page.waitForFunction(() => $('#red-ui-clipboard-dialog').is(':visible') && $('#red-ui-clipboard-dialog-import-tab-examples').length > 0, null, { timeout: 10000 });
  // RED.tabs takes a click within 400 ms of the last click on any of its tab bars (the workspace
  // tabs too) for the second half of a double click, and then does not switch; a second click does
  const examplesTab = page.locator('#red-ui-clipboard-dialog-import-tabs a[href="#red-ui-clipboard-dialog-import-tab-examples"]');
  const examplesShown = (timeout) =>
    page
      .waitForFunction(() => $('#red-ui-clipboard-dialog-import-tab-examples').is(':visible'), null, { timeout })
      .then(() => true)
      .catch(() => false);
  await examplesTab.click();
  // the tab bar switches in its click handler: if the content is not shown right after, it was taken
  if (!(await examplesShown(250))) {
    await examplesTab.click();
    if (!(await examplesShown(5000))) throw new Error('Import dialog: the Examples tab does not open');
  }
  await page.waitForFunction(inTagExamplesFolder, module, { timeout: 10000 }).catch(async () => {
    const shown = await page.evaluate(() => $('#red-ui-clipboard-dialog-import-tab-examples .red-ui-treeList-label-text').map((i, e) => $(e).text()).get());
    throw new Error(`Import → Examples has no folder "${module}" (shows: ${shown.join(', ') || 'nothing'})`);
  });
  if (!(await page.evaluate(inExampleEntries))) await page.locator('[data-wellcloud-test="examples-folder"]').click();
  const entries = await (await page.waitForFunction(inExampleEntries, null, { timeout: 10000 })).jsonValue();
  // the folder opens with a slide: let it finish (screenshots, and clicks on its entries)
  await page.waitForFunction(() => !$('#red-ui-clipboard-dialog :animated').length, null, { timeout: 5000 });
  return entries;
}

/**
 * Closes the notifications that close on a click (as a user does when one covers what they want to
 * click, e.g. the workspace tabs) and waits until they are gone; fixed ones stay.
 */
async function dismissNotifications(page) {
  const open = page.locator('#red-ui-notifications .red-ui-notification');
  for (let i = (await open.count()) - 1; i >= 0; i--) {
    const n = open.nth(i);
    const fixed = await n.evaluate((e) => Boolean(e.fixed)).catch(() => true);
    if (!fixed) await n.click({ timeout: 2000 }).catch(() => {}); // it may close by itself meanwhile
  }
  await page.waitForFunction(() => $('#red-ui-notifications .red-ui-notification').filter((i, e) => !e.fixed && $(e).is(':visible')).length === 0, null, { timeout: 5000 });
}

/**
 * Switches to the workspace tab `id` with a click on it, as a user does; first closes the
 * notifications when one covers the tab (the "Imported: …" one sits over the middle of the tab bar).
 */
async function showWorkspaceTab(page, id) {
  const label = page.locator(`#red-ui-workspace-tabs [id="red-ui-tab-${id}"] .red-ui-tab-label`);
  await label.scrollIntoViewIfNeeded();
  const covered = await label.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
    return Boolean(top && top.closest('.red-ui-notification'));
  });
  if (covered) await dismissNotifications(page);
  await label.click();
  await page.waitForFunction((t) => RED.workspaces.active() === t, id, { timeout: 5000 });
}

/**
 * In the Import dialog opened by openImportExamples: clicks the entry `name`, presses Import once it
 * is enabled, and waits for the dialog to close. Resolves whether Import was disabled before.
 */
async function importSelectedExample(page, name) {
  const button = page.locator('#red-ui-clipboard-dialog-ok');
  const disabledBefore = await button.isDisabled();
  const entry = page
    .locator('[data-wellcloud-test="examples-folder"]')
    .locator('xpath=ancestor::li[1]')
    .locator('.red-ui-treeList-label')
    .filter({ has: page.getByText(name, { exact: true }) });
  await entry.click();
  await page.waitForFunction(() => !$('#red-ui-clipboard-dialog-ok').button('option', 'disabled'), null, { timeout: 5000 });
  await button.click();
  await page.waitForFunction(() => !$('#red-ui-clipboard-dialog').is(':visible'), null, { timeout: 10000 });
  return { disabledBefore };
}

module.exports = {
  launchBrowser,
  watchPage,
  openEditor,
  inPalette,
  inNodeFacts,
  inDialog,
  inVisibilityUnion,
  inValidationProbe,
  inDialogTexts,
  inHelp,
  inImportedNodes,
  dragFromPalette,
  openNodeDialog,
  settle,
  screenshot,
  deploy,
  watchNotifications,
  openImportExamples,
  importSelectedExample,
  dismissNotifications,
  showWorkspaceTab,
  HARMLESS,
};
