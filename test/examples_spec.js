'use strict';
/*
 * Every example flow imports cleanly: valid JSON, unique ids, every flow node on a tab of the file
 * with a numeric position, wires, scopes and config references that resolve, debug nodes that show a
 * message property (not a number), and a comment node in English and Chinese; across the files, no id
 * and no http in method and path twice (they are imported side by side); comment and tab texts that
 * the editor's Markdown shows as written (no placeholder taken for an HTML tag, no link running into
 * Chinese text, lists that are lists). What each example does
 * against the sandbox is tested beside its node (test/nodes/*_spec.js).
 */
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const { util } = require('@node-red/util');

const dir = path.join(__dirname, '..', 'examples');
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));

describe('examples: every flow imports cleanly', function () {
  it('finds the example flows', function () {
    assert.ok(files.length >= 8, `only ${files.length} example(s)`);
  });

  it('can be imported side by side: no id and no http in method and path in two files', function () {
    // Import → Examples keeps the ids of a file: an id already in the editor stops the import with a
    // conflict dialog, and two http in nodes on one method and path take each other's requests
    const problems = [];
    const ids = new Map();
    const endpoints = new Map();
    for (const file of files) {
      for (const n of JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))) {
        if (ids.has(n.id) && ids.get(n.id) !== file) problems.push(`id ${n.id} is in "${ids.get(n.id)}" and "${file}"`);
        ids.set(n.id, file);
        if (n.type !== 'http in') continue;
        const key = `${String(n.method).toUpperCase()} ${n.url}`;
        if (endpoints.has(key)) problems.push(`${key} is served in "${endpoints.get(key)}" and "${file}"`);
        endpoints.set(key, file);
      }
    }
    if (problems.length) assert.fail(problems.join('\n'));
  });

  it("gives each example's config node a name of its own, so the Configuration nodes sidebar tells them apart", function () {
    // each example keeps a config node of its own on purpose: pointing one at a tenant must never make
    // another example (with its sample phone numbers) call through it, so they are not merged into one
    const names = new Map();
    const problems = [];
    for (const file of files) {
      for (const n of JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))) {
        if (n.type !== 'wellcloud-config') continue;
        if (!/^sandbox\b/.test(n.name || '')) problems.push(`"${file}": config node ${n.id} is named ${JSON.stringify(n.name)}, not "sandbox…"`);
        if (names.has(n.name)) problems.push(`"${file}" and "${names.get(n.name)}" both name their config node ${JSON.stringify(n.name)}`);
        names.set(n.name, file);
      }
    }
    assert.ok(names.size >= 2, `only ${names.size} config node(s) across the examples`);
    if (problems.length) assert.fail(problems.join('\n'));
  });

  for (const file of files) {
    it(file, function () {
      const nodes = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      assert.ok(Array.isArray(nodes), 'not an array of nodes');
      const problems = [];
      const byId = new Map();
      for (const n of nodes) {
        if (byId.has(n.id)) problems.push(`duplicate id ${n.id}`);
        byId.set(n.id, n);
      }
      const tabs = new Set(nodes.filter((n) => n.type === 'tab').map((n) => n.id));
      for (const n of nodes) {
        const at = `${n.type} ${n.id}${n.name ? ` "${n.name}"` : ''}`;
        if (n.type === 'tab' || n.z === undefined) continue; // tabs and config nodes have no position
        if (!tabs.has(n.z)) problems.push(`${at}: z ${n.z} is no tab of this file`);
        for (const k of ['x', 'y']) if (typeof n[k] !== 'number' || !Number.isFinite(n[k])) problems.push(`${at}: ${k} is ${JSON.stringify(n[k])}, not a number`);
        for (const port of n.wires || []) for (const to of port) if (!byId.has(to)) problems.push(`${at}: wired to missing ${to}`);
        if (n.server !== undefined && byId.get(n.server)?.type !== 'wellcloud-config') problems.push(`${at}: server ${n.server} is no wellcloud-config of this file`);
        for (const id of n.scope || []) if (!byId.has(id)) problems.push(`${at}: scope names missing ${id}`);
        if (n.type === 'debug') {
          let ok = typeof n.complete === 'string';
          if (ok && n.complete !== 'true' && n.complete !== 'false') {
            try {
              util.normalisePropertyExpression(n.complete);
            } catch {
              ok = false;
            }
          }
          if (!ok) problems.push(`${at}: output ${JSON.stringify(n.complete)} is no message property`);
        }
        if (n.type === 'inject' && n.payloadType === 'json') {
          try {
            JSON.parse(n.payload);
          } catch (e) {
            problems.push(`${at}: JSON payload does not parse (${e.message})`);
          }
        }
      }
      const comments = nodes.filter((n) => n.type === 'comment');
      if (!comments.some((c) => /[A-Za-z]{3}/.test(c.info || '') && /[\u4e00-\u9fff]/.test(c.info || ''))) problems.push('no comment node explaining the flow in English and Chinese');
      if (problems.length) assert.fail(problems.join('\n'));
    });
  }
});

/**
 * What the editor's Markdown (marked, GFM, no `breaks`) would do wrong with a text: the Info sidebar
 * shows a comment node's or a tab's `info` rendered that way. Code spans and code blocks are left out.
 */
function markdownTraps(text) {
  const problems = [];
  const prose = text
    .replace(/```[\s\S]*?```/g, '')
    .split('\n')
    .filter((line) => !/^( {4}|\t)/.test(line)) // indented code blocks
    .join('\n')
    .replace(/`[^`\n]*`/g, '`…`');
  for (const m of prose.matchAll(/<\/?[A-Za-z][^>\n]*>/g)) {
    // <callId>, <your Node-RED>: read as an HTML tag, and the sidebar shows nothing where it stood
    if (!/^<https?:\/\/[^\s>]+>$/.test(m[0])) problems.push(`${m[0]} is read as an HTML tag and disappears: write it in backticks`);
  }
  for (const m of prose.matchAll(/(?<![<(`])\bhttps?:\/\/[^\s<`]*/g)) {
    // GFM links a bare URL up to the next space: "http://127.0.0.1:8090）。连接…" becomes one broken link
    if (/[^\x00-\x7f]/.test(m[0])) problems.push(`the link ${m[0]} runs on into the text after it: write the URL in backticks or put a space after it`);
  }
  for (const m of prose.matchAll(/^ {0,3}(\d+)\.(?=[^\s\d])/gm)) problems.push(`"${m[1]}." at a line start without a space after it is no list item: the lines run together into one paragraph`);
  return problems;
}

describe('examples: comment and tab texts read right in the Info sidebar (Markdown)', function () {
  it('finds the traps it looks for', function () {
    assert.strictEqual(markdownTraps('saves recordings/<callId>.mp3').length, 1);
    assert.strictEqual(markdownTraps('沙箱（http://127.0.0.1:8090）。连接').length, 1);
    assert.strictEqual(markdownTraps('三种方式：\n1.“rows”：数组。\n2.“text”：文本。').length, 2);
    assert.deepStrictEqual(markdownTraps('`recordings/<callId>.mp3`, <http://127.0.0.1:1880> and http://127.0.0.1:8090 (x).\n1. rows\n\n    curl -d \'<x>\''), []);
  });

  for (const file of files) {
    it(file, function () {
      const problems = [];
      for (const n of JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))) {
        if ((n.type !== 'comment' && n.type !== 'tab') || !n.info) continue;
        for (const p of markdownTraps(n.info)) problems.push(`${n.type} ${n.id}: ${p}`);
      }
      if (problems.length) assert.fail(problems.join('\n'));
    });
  }
});
