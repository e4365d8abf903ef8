'use strict';
const assert = require('assert');
const { isoFromEpochMs, eventTimeIso } = require('../../dist/lib/events-time');

describe('lib/events-time', () => {
  it('isoFromEpochMs matches Date#toISOString on edge instants', () => {
    const edges = [
      0, -1, 1, 86399999, 86400000, 951782400000 /* 2000-02-29 */, 951868799999, 4107542400000 /* 2100-03-01 */,
      Date.UTC(1970, 0, 1), Date.UTC(1999, 11, 31, 23, 59, 59, 999), Date.UTC(2024, 1, 29, 12), Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(1900, 0, 1), Date.UTC(10000, 0, 1), -62198755200000,
    ];
    for (const ms of edges) assert.strictEqual(isoFromEpochMs(ms), new Date(ms).toISOString(), String(ms));
  });

  it('isoFromEpochMs matches Date#toISOString on random instants', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const lo = Date.UTC(1960, 0, 1);
    const hi = Date.UTC(2200, 0, 1);
    for (let i = 0; i < 20000; i++) {
      const ms = Math.floor(lo + rnd() * (hi - lo));
      assert.strictEqual(isoFromEpochMs(ms), new Date(ms).toISOString(), String(ms));
    }
  });

  it('reads the platform time text as China time', () => {
    assert.strictEqual(eventTimeIso('2018.06.12 11:33:56.368'), '2018-06-12T03:33:56.368Z');
    assert.strictEqual(eventTimeIso('not a time'), undefined);
    assert.strictEqual(eventTimeIso(undefined), undefined);
  });
});
