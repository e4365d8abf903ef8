#!/usr/bin/env node
// First step of `npm run build`: removes dist/, so that a source deleted or renamed since the last
// build leaves no .js behind for `npm pack` / `npm publish` to ship (tsc only ever adds files).
'use strict';
const fs = require('fs');
const path = require('path');

fs.rmSync(path.join(__dirname, '..', 'dist'), { recursive: true, force: true });
