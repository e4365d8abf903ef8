'use strict';
/*
 * README claims checked against the code: the Default column of each node's property table is the
 * default of the node's edit dialog (the `defaults` given to RED.nodes.registerType), and the
 * "Fuzz passes" section names every seeded fuzz spec.
 */
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const root = path.join(__dirname, '..');
const pkg = require('../package.json');
const types = Object.keys(pkg['node-red'].nodes);
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

/** The `defaults` object an editor file registers, read by running its script against a stub RED. */
function editorDefaults(type) {
  const html = fs.readFileSync(path.join(root, 'nodes', type, `${type}.html`), 'utf8');
  const script = /<script type="text\/javascript">([\s\S]*?)<\/script>/.exec(html)[1];
  const registered = {};
  const stub = () => stub;
  const RED = {
    nodes: { registerType: (t, def) => (registered[t] = def) },
    validators: { typedInput: () => stub, number: () => stub, regex: () => stub },
    _: (k) => k,
    settings: {},
  };
  vm.runInNewContext(script, { RED, $: stub, jQuery: stub, window: {}, document: {} });
  assert.ok(registered[type], `${type}.html registers no ${type}`);
  const out = {};
  for (const [k, v] of Object.entries(registered[type].defaults || {})) out[k] = v.value;
  return out;
}

/** {property: defaultCell} of the first table with a Default column under `### <type>`. */
function readmeDefaults(type) {
  const start = readme.indexOf(`\n### ${type}\n`);
  assert.ok(start >= 0, `README has no "### ${type}" section`);
  const end = readme.indexOf('\n#', start + 5);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const lines = section.split('\n');
  const head = lines.findIndex((l) => /^\|\s*Property\s*\|\s*Default\s*\|/.test(l));
  const out = {};
  if (head < 0) return out;
  for (const line of lines.slice(head + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    const prop = /^`(\w+)`$/.exec(cells[0]);
    if (prop) out[prop[1]] = cells[1];
  }
  return out;
}

/** A README default cell as a dialog value: `x` → "x", 100 → 100, on/off → true/false; else undefined (prose). */
function cellValue(cell) {
  let m;
  if ((m = /^`([^`]*)`$/.exec(cell))) return m[1];
  if (/^\d+$/.test(cell)) return Number(cell);
  if (cell === 'on') return true;
  if (cell === 'off') return false;
  return undefined;
}

describe('README: property defaults match the edit dialogs', function () {
  for (const type of types) {
    it(type, function () {
      const dialog = editorDefaults(type);
      const problems = [];
      for (const [prop, cell] of Object.entries(readmeDefaults(type))) {
        const want = cellValue(cell);
        if (want === undefined) continue;
        if (!(prop in dialog)) problems.push(`${prop}: in README, not in the dialog`);
        else if (String(dialog[prop]) !== String(want)) problems.push(`${prop}: README says ${cell}, the dialog's default is ${JSON.stringify(dialog[prop])}`);
      }
      if (problems.length) assert.fail(problems.join('\n'));
    });
  }
});

describe('README: the fuzz passes', function () {
  /**
   * Spec files of the seeded fuzz passes: those that take their randomness (`prng`) from test/fuzz.js;
   * a spec that only borrows its process watch (`watchProcess`) is no fuzz pass.
   */
  function fuzzSpecs(dir = __dirname, out = []) {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) fuzzSpecs(full, out);
      else if (entry.name.endsWith('_spec.js') && /\{[^}]*\bprng\b[^}]*\}\s*=\s*require\('\.\.?\/(\.\.\/)*fuzz'\)/.test(fs.readFileSync(full, 'utf8'))) out.push(path.relative(root, full).split(path.sep).join('/'));
    }
    return out;
  }
  const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

  it('one "Fuzz passes" section names every seeded fuzz spec, and its count is theirs', function () {
    const specs = fuzzSpecs();
    assert.ok(specs.length >= 3, `found only ${specs.join(', ')}`);
    const starts = [...readme.matchAll(/^### Fuzz passes$/gm)];
    assert.strictEqual(starts.length, 1, 'README must have exactly one "### Fuzz passes" section');
    const from = starts[0].index;
    const end = readme.indexOf('\n#', from + 5);
    const section = readme.slice(from, end < 0 ? undefined : end);
    const missing = specs.filter((f) => !section.includes(`\`${f}\``));
    assert.deepStrictEqual(missing, [], `README's Fuzz passes section does not name ${missing.join(', ')}`);
    // a count of the passes anywhere in README must be the real one, and only in that section
    const counts = [...readme.matchAll(/\b(\w+) seeded fuzz (?:tests|passes)\b/gi)];
    assert.ok(counts.length > 0, 'the section says how many fuzz tests there are');
    for (const m of counts) {
      assert.strictEqual(m[1].toLowerCase(), WORDS[specs.length], `README says "${m[0]}"; there are ${specs.length}`);
      assert.ok(m.index > from && (end < 0 || m.index < end), `"${m[0]}" outside the Fuzz passes section`);
    }
  });
});
