#!/usr/bin/env node
// Copies what tsc does not emit from nodes/ into dist/nodes/: editor .html files and locales,
// so each node's runtime .js has them beside it, and the icons of icons/ into an icons/ folder
// beside each node's .js (Node-RED looks for a module's icons there, not at the package root).
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

function copyIcons() {
  const iconSrc = path.join(root, 'icons');
  if (!fs.existsSync(iconSrc) || !fs.existsSync(dst)) return;
  const icons = fs.readdirSync(iconSrc).filter((f) => /\.(svg|png)$/.test(f));
  for (const entry of fs.readdirSync(dst, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === 'shared') continue;
    const to = path.join(dst, entry.name, 'icons');
    fs.mkdirSync(to, { recursive: true });
    for (const icon of icons) fs.copyFileSync(path.join(iconSrc, icon), path.join(to, icon));
  }
}

if (fs.existsSync(src)) copy(src);
copyIcons();
