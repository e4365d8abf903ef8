#!/usr/bin/env node
// Copies what tsc does not emit (editor .html files and locales) from nodes/ into dist/nodes/,
// so each node's runtime .js has its editor file and locales beside it, as Node-RED expects.
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

if (fs.existsSync(src)) copy(src);
