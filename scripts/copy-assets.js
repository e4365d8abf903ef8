#!/usr/bin/env node
// Copies what tsc does not emit from nodes/ into dist/nodes/: editor .html files and locales,
// so each node's runtime .js has them beside it, and into an icons/ folder beside each node's .js
// the icons of icons/ that its editor uses (Node-RED looks for a module's icons there, not at the
// package root).
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const src = path.join(root, 'nodes');
const dst = path.join(root, 'dist', 'nodes');

function copy(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const from = path.join(dir, entry.name);
    const rel = path.relative(src, from);
    if (entry.isDirectory()) {
      copy(from);
    } else if (/\.(html|json)$/.test(entry.name)) {
      const to = path.join(dst, rel);
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(from, to);
    }
  }
}

/**
 * Only the icons a node's own editor names: Node-RED offers every file of every icons/ folder of a
 * module in the editor's icon picker, so all icons beside every node showed each one 8 times.
 * (An icon missing from icons/ is reported by `npm run lint:package`.)
 */
function copyIcons() {
  const iconSrc = path.join(root, 'icons');
  if (!fs.existsSync(iconSrc) || !fs.existsSync(dst)) return;
  for (const entry of fs.readdirSync(dst, { withFileTypes: true })) {
    const editor = path.join(src, entry.name, `${entry.name}.html`);
    if (!entry.isDirectory() || !fs.existsSync(editor)) continue;
    const used = new Set(fs.readFileSync(editor, 'utf8').match(/wellcloud-[\w-]+\.(svg|png)/g) || []);
    for (const icon of used) {
      if (!fs.existsSync(path.join(iconSrc, icon))) continue;
      const to = path.join(dst, entry.name, 'icons');
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(path.join(iconSrc, icon), path.join(to, icon));
    }
  }
}

if (fs.existsSync(src)) copy(src);
copyIcons();
