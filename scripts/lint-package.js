#!/usr/bin/env node
/*
 * npm run lint:package: the package scorecard. The offline rules of the Node-RED flow library
 * checker (node-red-dev validate: P01-P07, N01-N02, D01-D02; the rules that need the online
 * catalogue or registry are left out) plus this repository's own rules about node files,
 * locales, icons and editor definitions. Prints one line per rule and exits 1 on any failure.
 *
 * Usage: node scripts/lint-package.js [packageDir]    (default: the repository root)
 * As a module: require('./scripts/lint-package').runChecks(dir) -> [{id, title, ok, details}]
 */
'use strict';
const fs = require('fs');
const path = require('path');

const MAX_DEPENDENCIES = 6;
/** Tools that belong in devDependencies: a user's Node-RED must never install them. */
const DEV_TOOLS = [/^node-red$/, /^mocha$/, /^typescript$/, /^playwright(-core)?$/, /^node-red-node-test-helper$/, /^@types\//, /^nyc$/, /^c8$/, /^ts-node$/];
/** The flow library checker's list of packages that break Node-RED (badpackages.json). */
const BAD_PACKAGES = { 'agent-base': '<6.0.0' };
const PALETTE_CATEGORY = 'wellcloud';
const PALETTE_COLOUR = '#5FB3CE';
const LANGS = ['en-US', 'zh-CN'];
/** Node-RED's own pseudo node types that may appear in a flow file. */
const FLOW_TYPES = ['tab', 'subflow', 'group', 'junction'];

// ---------------------------------------------------------------------------------------------
// small helpers

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function exists(file) {
  return fs.existsSync(file);
}

function loadSemver(root) {
  try {
    return require(require.resolve('semver', { paths: [root, __dirname] }));
  } catch {
    return null;
  }
}

/** Line number (1-based) of a character offset in a text. */
function lineOf(text, index) {
  return text.slice(0, index).split('\n').length;
}

/**
 * Reads the `RED.nodes.registerType('<type>', {...})` calls of an editor file: for each type the
 * literal values of the keys we check, and the line of the call. A light scan (no JS parser):
 * it looks at the text between one registerType call and the next.
 */
function editorDefinitions(htmlFile) {
  const text = fs.readFileSync(htmlFile, 'utf8');
  const re = /registerType\(\s*['"]([^'"]+)['"]\s*,/g;
  const calls = [];
  let m;
  while ((m = re.exec(text))) calls.push({ type: m[1], index: m.index });
  return calls.map((call, i) => {
    const body = text.slice(call.index, i + 1 < calls.length ? calls[i + 1].index : text.length);
    const literal = (key) => {
      const k = new RegExp(`\\b${key}\\s*:\\s*(['"])([^'"]*)\\1`).exec(body);
      return k ? k[2] : undefined;
    };
    const number = (key) => {
      const k = new RegExp(`\\b${key}\\s*:\\s*(\\d+)`).exec(body);
      return k ? Number(k[1]) : undefined;
    };
    const has = (key) => new RegExp(`\\b${key}\\s*:`).test(body);
    return {
      type: call.type,
      line: lineOf(text, call.index),
      category: literal('category'),
      color: literal('color'),
      icon: literal('icon'),
      inputs: number('inputs'),
      outputs: number('outputs'),
      hasIcon: has('icon'),
      hasLabel: has('label'),
      hasPaletteLabel: has('paletteLabel'),
      hasInputLabels: has('inputLabels'),
      hasOutputLabels: has('outputLabels'),
      iconsMentioned: [...new Set(body.match(/wellcloud-[\w-]+\.svg/g) || [])],
    };
  });
}

/** Node types of Node-RED's core nodes, read from the installed @node-red/nodes. */
function coreNodeTypes(root) {
  let dir;
  try {
    dir = path.join(path.dirname(require.resolve('@node-red/nodes/package.json', { paths: [root, __dirname] })), 'core');
  } catch {
    return null;
  }
  const types = new Set(FLOW_TYPES);
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.html')) {
        const text = fs.readFileSync(p, 'utf8');
        for (const m of text.matchAll(/registerType\(\s*['"]([^'"]+)['"]/g)) types.add(m[1]);
      }
    }
  };
  walk(dir);
  return types;
}

/** The package's node types: {type, entry, folder, html, defs (editor definition of that type)}. */
function packageNodes(root, pkg) {
  const nodes = (pkg['node-red'] && pkg['node-red'].nodes) || {};
  return Object.entries(nodes).map(([type, entry]) => {
    const folder = path.join(root, 'nodes', type);
    const html = path.join(folder, `${type}.html`);
    const defs = exists(html) ? editorDefinitions(html) : [];
    return { type, entry, folder, html, def: defs.find((d) => d.type === type), defs };
  });
}

function exampleFiles(root) {
  const dir = path.join(root, 'examples');
  if (!exists(dir)) return [];
  const out = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.json')) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** Parses an example; returns {nodes} or {error}. */
function readExample(file) {
  let flow;
  try {
    flow = readJson(file);
  } catch (e) {
    return { error: `not JSON (${e.message})` };
  }
  if (!Array.isArray(flow)) return { error: 'not a JSON array of nodes' };
  const bad = flow.findIndex((n) => !n || typeof n !== 'object' || typeof n.id !== 'string' || typeof n.type !== 'string');
  if (bad >= 0) return { error: `item ${bad} is not a node with string id and type` };
  const ids = new Set();
  for (const n of flow) {
    if (ids.has(n.id)) return { error: `duplicate id ${n.id}` };
    ids.add(n.id);
  }
  return { nodes: flow };
}

// ---------------------------------------------------------------------------------------------
// the rules: each returns {ok, details: string[]} (details explain a failure, or what was found)

const rules = [
  {
    id: 'P01',
    title: 'license in package.json and a LICENSE file',
    check({ root, pkg }) {
      const details = [];
      if (typeof pkg.license !== 'string' || !pkg.license.trim()) details.push('package.json has no "license"');
      const file = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'LICENCE'].find((f) => exists(path.join(root, f)));
      if (!file) details.push('no LICENSE file at the package root');
      return { ok: details.length === 0, details: details.length ? details : [`${pkg.license}, ${file}`] };
    },
  },
  {
    id: 'P03',
    title: 'repository (or bugs) URL',
    check({ pkg }) {
      const repo = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository && pkg.repository.url;
      const bugs = typeof pkg.bugs === 'string' ? pkg.bugs : pkg.bugs && (pkg.bugs.url || pkg.bugs.email);
      const ok = Boolean((repo && String(repo).trim()) || (bugs && String(bugs).trim()));
      return { ok, details: ok ? [repo || bugs] : ['package.json has neither "repository" nor "bugs"'] };
    },
  },
  {
    id: 'P04',
    title: 'package name: scoped, or node-red-contrib-* when it starts with node-red',
    check({ pkg }) {
      const name = String(pkg.name || '');
      const scoped = /^@[a-z\d][\w.-]*\/[a-z\d][\w.-]*$/.test(name);
      const ok = Boolean(name) && (scoped || !/^(node-red|nodered)/i.test(name) || /^node-red-contrib-/.test(name));
      return { ok, details: [ok ? name : `"${name}" must start with node-red-contrib- or be scoped`] };
    },
  },
  {
    id: 'P05',
    title: 'keyword "node-red"',
    check({ pkg }) {
      const ok = Array.isArray(pkg.keywords) && pkg.keywords.includes('node-red');
      return { ok, details: ok ? [] : ['package.json "keywords" must contain "node-red"'] };
    },
  },
  {
    id: 'P06',
    title: 'node-red.version covers Node-RED 4 and 5',
    check({ pkg, semver }) {
      if (!semver) return { ok: false, details: ['the semver package is not installed (npm install)'] };
      const range = pkg['node-red'] && pkg['node-red'].version;
      if (typeof range !== 'string' || !semver.validRange(range)) return { ok: false, details: [`node-red.version "${range}" is not a semver range`] };
      const missing = ['4.0.0', '5.0.0'].filter((v) => !semver.satisfies(v, range));
      return { ok: missing.length === 0, details: missing.length ? [`"${range}" does not accept Node-RED ${missing.join(', ')}`] : [range] };
    },
  },
  {
    id: 'P07',
    title: 'engines.node declared and accepting Node.js 20 and 22',
    check({ pkg, semver }) {
      if (!semver) return { ok: false, details: ['the semver package is not installed (npm install)'] };
      const range = pkg.engines && pkg.engines.node;
      if (typeof range !== 'string' || !semver.validRange(range)) return { ok: false, details: [`engines.node "${range}" is not a semver range`] };
      const details = [];
      for (const major of ['20', '22']) if (!semver.intersects(range, `^${major}.0.0`)) details.push(`"${range}" excludes Node.js ${major}`);
      const min = semver.minVersion(range);
      if (min && min.major < 18) details.push(`"${range}" claims Node.js ${min.version}, older than Node-RED 4 runs on`);
      return { ok: details.length === 0, details: details.length ? details : [range] };
    },
  },
  {
    id: 'N01',
    title: 'node types unique (offline: not a core node type) and prefixed wellcloud-',
    check({ root, nodes }) {
      const core = coreNodeTypes(root);
      const details = [];
      if (!core) details.push('@node-red/nodes is not installed (npm install)');
      for (const n of nodes) {
        if (core && core.has(n.type)) details.push(`${n.type} is a Node-RED core node type`);
        if (!/^wellcloud-[a-z][a-z-]*$/.test(n.type)) details.push(`${n.type} is not named wellcloud-<name>`);
      }
      return { ok: details.length === 0, details: details.length ? details : [`${nodes.length} types`] };
    },
  },
  {
    id: 'N02',
    title: 'examples parse as node arrays; every non-config node is in one',
    check({ root, nodes }) {
      const files = exampleFiles(root);
      const details = [];
      if (files.length === 0) details.push('no examples/*.json');
      const used = new Set();
      for (const f of files) {
        const r = readExample(f);
        if (r.error) details.push(`${path.relative(root, f)}: ${r.error}`);
        else r.nodes.forEach((n) => used.add(n.type));
      }
      const wanted = nodes.filter((n) => !n.def || n.def.category !== 'config').map((n) => n.type);
      const missing = wanted.filter((t) => !used.has(t));
      if (missing.length) details.push(`no example uses: ${missing.join(', ')}`);
      return { ok: details.length === 0, details: details.length ? details : [`${files.length} examples cover ${wanted.length} nodes`] };
    },
  },
  {
    id: 'N03',
    title: 'examples hold only core nodes and ours, with a comment node',
    check({ root, nodes }) {
      const core = coreNodeTypes(root);
      const ours = new Set(nodes.map((n) => n.type));
      const details = [];
      if (!core) details.push('@node-red/nodes is not installed (npm install)');
      for (const f of exampleFiles(root)) {
        const r = readExample(f);
        if (r.error) continue; // reported by N02
        const rel = path.relative(root, f);
        const foreign = [...new Set(r.nodes.map((n) => n.type))].filter((t) => !ours.has(t) && core && !core.has(t));
        if (foreign.length) details.push(`${rel}: third-party node types ${foreign.join(', ')}`);
        if (!r.nodes.some((n) => n.type === 'comment')) details.push(`${rel}: no comment node explaining the flow`);
      }
      return { ok: details.length === 0, details };
    },
  },
  {
    id: 'D01',
    title: `at most ${MAX_DEPENDENCIES} dependencies, no dev tools among them`,
    check({ pkg }) {
      const deps = Object.keys(pkg.dependencies || {});
      const details = [];
      if (deps.length > MAX_DEPENDENCIES) details.push(`${deps.length} dependencies (${deps.join(', ')})`);
      const tools = deps.filter((d) => DEV_TOOLS.some((re) => re.test(d)));
      if (tools.length) details.push(`dev tools in dependencies: ${tools.join(', ')} (move them to devDependencies)`);
      return { ok: details.length === 0, details: details.length ? details : [`${deps.length}: ${deps.join(', ')}`] };
    },
  },
  {
    id: 'D02',
    title: 'no known incompatible package in the production dependency tree',
    check({ root, semver }) {
      const lockFile = path.join(root, 'package-lock.json');
      if (!exists(lockFile)) return { ok: false, details: ['package-lock.json is missing'] };
      if (!semver) return { ok: false, details: ['the semver package is not installed (npm install)'] };
      const lock = readJson(lockFile);
      const details = [];
      for (const [where, info] of Object.entries(lock.packages || {})) {
        if (!where || info.dev) continue;
        const name = where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
        const bad = BAD_PACKAGES[name];
        if (bad && info.version && semver.satisfies(info.version, bad)) details.push(`${name}@${info.version} (${where})`);
      }
      return { ok: details.length === 0, details };
    },
  },
  {
    id: 'F01',
    title: 'every node-red.nodes entry has its .ts, .html and both locales',
    check({ root, nodes }) {
      const details = [];
      if (nodes.length === 0) details.push('package.json "node-red.nodes" is empty');
      for (const n of nodes) {
        const expected = `dist/nodes/${n.type}/${n.type}.js`;
        if (n.entry.replace(/^\.\//, '') !== expected) details.push(`${n.type}: entry is ${n.entry}, expected ${expected}`);
        const files = [`${n.type}.ts`, `${n.type}.html`];
        for (const lang of LANGS) files.push(`locales/${lang}/${n.type}.json`, `locales/${lang}/${n.type}.html`);
        const missing = files.filter((f) => !exists(path.join(n.folder, f)));
        if (missing.length) details.push(`${n.type}: missing nodes/${n.type}/{${missing.join(', ')}}`);
        else if (!n.def) details.push(`${n.type}: nodes/${n.type}/${n.type}.html does not register type ${n.type}`);
      }
      return { ok: details.length === 0, details };
    },
  },
  {
    id: 'F02',
    title: 'icons referenced by the editors exist in icons/ (white glyph, viewBox 0 0 40 60)',
    check({ root, nodes }) {
      const details = [];
      const seen = new Set();
      for (const n of nodes) {
        if (!n.def) continue; // reported by F01
        if (n.def.category !== 'config' && !n.def.hasIcon) details.push(`${n.type}: no icon (${path.relative(root, n.html)}:${n.def.line})`);
        for (const icon of n.def.iconsMentioned) seen.add(icon);
        if (n.def.icon && !/^(font-awesome\/fa-|wellcloud-)/.test(n.def.icon)) details.push(`${n.type}: icon "${n.def.icon}" is not one of ours`);
      }
      for (const icon of seen) {
        const file = path.join(root, 'icons', icon);
        if (!exists(file)) {
          details.push(`icons/${icon} is missing`);
          continue;
        }
        details.push(...iconStyleProblems(fs.readFileSync(file, 'utf8')).map((p) => `icons/${icon}: ${p}`));
      }
      return { ok: details.length === 0, details: details.length ? details : [`${seen.size} icons`] };
    },
  },
  {
    id: 'F03',
    title: 'icons are where Node-RED looks for them (an icons/ folder beside each built node .js)',
    check({ root, nodes }) {
      const details = [];
      for (const n of nodes) {
        if (!n.def) continue;
        const dir = path.join(root, path.dirname(n.entry), 'icons');
        for (const icon of n.def.iconsMentioned) {
          if (!exists(path.join(dir, icon))) details.push(`${n.type}: ${path.relative(root, path.join(dir, icon))} is missing (run npm run build; the build must copy icons/ there)`);
        }
      }
      return { ok: details.length === 0, details };
    },
  },
  {
    id: 'E01',
    title: `editors: palette category "${PALETTE_CATEGORY}", colour ${PALETTE_COLOUR}, label, paletteLabel, port labels`,
    check({ root, nodes }) {
      const details = [];
      for (const n of nodes) {
        const d = n.def;
        if (!d) continue;
        const where = `${path.relative(root, n.html)}:${d.line}`;
        if (d.category === 'config') continue;
        if (d.category !== PALETTE_CATEGORY) details.push(`${n.type}: category "${d.category}" (${where})`);
        if ((d.color || '').toUpperCase() !== PALETTE_COLOUR.toUpperCase()) details.push(`${n.type}: color "${d.color}" (${where})`);
        if (!d.hasLabel) details.push(`${n.type}: no label function (${where})`);
        if (!d.hasPaletteLabel) details.push(`${n.type}: no paletteLabel (${where})`);
        if ((d.inputs === undefined || d.inputs > 0) && !d.hasInputLabels) details.push(`${n.type}: no inputLabels (${where})`);
        if ((d.outputs === undefined || d.outputs > 0) && !d.hasOutputLabels) details.push(`${n.type}: no outputLabels (${where})`);
      }
      return { ok: details.length === 0, details };
    },
  },
];

/** Style rules of our icons: Node-RED draws them white on the node colour. */
function iconStyleProblems(svg) {
  const problems = [];
  const root = /<svg\b[^>]*>/i.exec(svg);
  if (!root) return ['not an SVG'];
  const viewBox = /viewBox\s*=\s*["']([^"']+)["']/i.exec(root[0]);
  if (!viewBox || viewBox[1].trim().split(/[\s,]+/).join(' ') !== '0 0 40 60') problems.push(`viewBox is "${viewBox ? viewBox[1] : ''}", expected "0 0 40 60"`);
  const colours = [...svg.matchAll(/\b(?:fill|stroke)\s*[:=]\s*["']?\s*([^"';\s>]+)/gi)].map((m) => m[1].toLowerCase());
  const foreign = [...new Set(colours.filter((c) => !['#fff', '#ffffff', 'white', 'none', 'currentcolor'].includes(c)))];
  if (foreign.length) problems.push(`colours other than white: ${foreign.join(', ')}`);
  if (!colours.some((c) => ['#fff', '#ffffff', 'white'].includes(c))) problems.push('no white fill/stroke (fill="#fff")');
  if (/<(image|script|foreignObject)\b/i.test(svg)) problems.push('embeds images or scripts');
  return problems;
}

function runChecks(root = path.join(__dirname, '..')) {
  root = path.resolve(root);
  const pkg = readJson(path.join(root, 'package.json'));
  const ctx = { root, pkg, semver: loadSemver(root), nodes: packageNodes(root, pkg) };
  return rules.map((rule) => {
    let result;
    try {
      result = rule.check(ctx);
    } catch (e) {
      result = { ok: false, details: [`rule crashed: ${e && e.message}`] };
    }
    return { id: rule.id, title: rule.title, ok: result.ok, details: result.details || [] };
  });
}

function printTable(results, out = process.stdout) {
  const width = Math.max(...results.map((r) => r.title.length));
  out.write(`\nnode-red-contrib-wellcloud package scorecard\n\n`);
  for (const r of results) {
    out.write(`${r.ok ? 'PASS' : 'FAIL'}  ${r.id}  ${r.title.padEnd(width)}${r.ok && r.details.length ? `  (${r.details.join('; ')})` : ''}\n`);
    if (!r.ok) for (const d of r.details) out.write(`            - ${d}\n`);
  }
  const failed = results.filter((r) => !r.ok).length;
  out.write(`\nscorecard: ${results.length - failed} of ${results.length} rules pass${failed ? ` (${failed} failing)` : ""}\n`);
}

if (require.main === module) {
  const results = runChecks(process.argv[2] || path.join(__dirname, '..'));
  printTable(results);
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
}

module.exports = { runChecks, printTable, iconStyleProblems, editorDefinitions, readExample, rules };
