'use strict';
/**
 * Where the package under test lives: this repository, or the directory named by
 * WELLCLOUD_BENCH_PACKAGE (a built copy of the package, e.g. with a proposed patch applied, so
 * "before" and "after" run through the very same bench).
 */
const path = require('path');

const ROOT = process.env.WELLCLOUD_BENCH_PACKAGE ? path.resolve(process.env.WELLCLOUD_BENCH_PACKAGE) : path.join(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist');

/** require() of a compiled module of the package, e.g. dist('lib/client'). */
function dist(p) {
  return require(path.join(DIST, p));
}

module.exports = { ROOT, DIST, dist };
