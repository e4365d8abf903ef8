'use strict';
const assert = require('assert');
const {
  formatPlatformTime,
  parseTimeInput,
  parseEventTimestamp,
  zoneOffsetMs,
  isValidTimeZone,
} = require('../../dist/lib/time');

function iso(d) {
  return d.toISOString();
}

describe('lib/time', function () {
  describe('formatPlatformTime', function () {
    it('writes China time by default', function () {
      assert.strictEqual(formatPlatformTime(new Date('2024-01-01T00:00:00Z')), '2024-01-01 08:00:00');
      assert.strictEqual(formatPlatformTime(new Date('2023-12-31T16:00:00Z')), '2024-01-01 00:00:00');
    });

    it('writes midnight as 00, not 24', function () {
      assert.strictEqual(formatPlatformTime(new Date('2024-05-31T16:00:00Z'), 'Asia/Shanghai'), '2024-06-01 00:00:00');
    });

    it('follows daylight saving time in other zones', function () {
      assert.strictEqual(formatPlatformTime(new Date('2024-07-01T12:00:00Z'), 'America/New_York'), '2024-07-01 08:00:00');
      assert.strictEqual(formatPlatformTime(new Date('2024-01-01T12:00:00Z'), 'America/New_York'), '2024-01-01 07:00:00');
      assert.strictEqual(formatPlatformTime(new Date('2024-07-01T12:00:00Z'), 'Europe/Berlin'), '2024-07-01 14:00:00');
    });

    it('drops milliseconds', function () {
      assert.strictEqual(formatPlatformTime(new Date('2024-01-01T00:00:00.999Z')), '2024-01-01 08:00:00');
    });
  });

  describe('zoneOffsetMs / isValidTimeZone', function () {
    it('computes the offset at the instant', function () {
      assert.strictEqual(zoneOffsetMs(Date.parse('2024-01-15T00:00:00Z'), 'Asia/Shanghai'), 8 * 3600e3);
      assert.strictEqual(zoneOffsetMs(Date.parse('2024-01-15T00:00:00Z'), 'America/New_York'), -5 * 3600e3);
      assert.strictEqual(zoneOffsetMs(Date.parse('2024-07-15T00:00:00Z'), 'America/New_York'), -4 * 3600e3);
      assert.strictEqual(zoneOffsetMs(Date.parse('2024-07-15T00:00:00Z'), 'Asia/Kolkata'), 5.5 * 3600e3);
    });

    it('knows valid and invalid zones', function () {
      assert.strictEqual(isValidTimeZone('Europe/Paris'), true);
      assert.strictEqual(isValidTimeZone('Mars/Olympus'), false);
      assert.strictEqual(isValidTimeZone(''), false);
      assert.strictEqual(isValidTimeZone(8), false);
    });
  });

  describe('parseTimeInput', function () {
    it('accepts a Date (copied)', function () {
      const d = new Date('2024-01-01T00:00:00Z');
      const out = parseTimeInput(d, 'Asia/Shanghai', 'en-US', 'beginTime');
      assert.strictEqual(out.getTime(), d.getTime());
      assert.notStrictEqual(out, d);
    });

    it('accepts epoch ms as number and as numeric text', function () {
      assert.strictEqual(parseTimeInput(1704067200000, 'Asia/Shanghai').getTime(), 1704067200000);
      assert.strictEqual(parseTimeInput('1704067200000', 'Asia/Shanghai').getTime(), 1704067200000);
      assert.strictEqual(parseTimeInput(' 1704067200000 ', 'Asia/Shanghai').getTime(), 1704067200000);
    });

    it('reads yyyy-MM-dd HH:mm:ss in the given zone', function () {
      assert.strictEqual(iso(parseTimeInput('2024-01-01 08:00:00', 'Asia/Shanghai')), '2024-01-01T00:00:00.000Z');
      assert.strictEqual(iso(parseTimeInput('2024-01-01 08:00:00', 'UTC')), '2024-01-01T08:00:00.000Z');
      assert.strictEqual(iso(parseTimeInput('2024-07-01 08:00:00', 'America/New_York')), '2024-07-01T12:00:00.000Z');
      assert.strictEqual(iso(parseTimeInput('2024-01-01 08:00:00', 'America/New_York')), '2024-01-01T13:00:00.000Z');
    });

    it('reads ISO 8601 with an offset as that instant, whatever the zone', function () {
      assert.strictEqual(iso(parseTimeInput('2024-07-01T12:00:00+02:00', 'America/New_York')), '2024-07-01T10:00:00.000Z');
      assert.strictEqual(iso(parseTimeInput('2024-07-01T12:00:00Z', 'Asia/Shanghai')), '2024-07-01T12:00:00.000Z');
      assert.strictEqual(iso(parseTimeInput('2024-07-01T12:00:00.250-0330', 'Asia/Shanghai')), '2024-07-01T15:30:00.250Z');
    });

    it('reads ISO 8601 without an offset (and a bare date) in the given zone', function () {
      assert.strictEqual(iso(parseTimeInput('2024-07-01T12:00:00', 'Europe/Berlin')), '2024-07-01T10:00:00.000Z');
      assert.strictEqual(iso(parseTimeInput('2024-07-01T12:00', 'Asia/Shanghai')), '2024-07-01T04:00:00.000Z');
      assert.strictEqual(iso(parseTimeInput('2024-07-01', 'Europe/Berlin')), '2024-06-30T22:00:00.000Z');
      assert.strictEqual(iso(parseTimeInput('2024-07-01T12:00:00.5', 'UTC')), '2024-07-01T12:00:00.500Z');
    });

    it('handles DST gaps (moved forward) and overlaps (earlier instant)', function () {
      // 02:30 does not exist in New York on 2024-03-10; it becomes 03:30 EDT
      assert.strictEqual(iso(parseTimeInput('2024-03-10 02:30:00', 'America/New_York')), '2024-03-10T07:30:00.000Z');
      // 01:30 happens twice on 2024-11-03; the first (EDT) is taken
      assert.strictEqual(iso(parseTimeInput('2024-11-03 01:30:00', 'America/New_York')), '2024-11-03T05:30:00.000Z');
      // just around the transitions
      assert.strictEqual(iso(parseTimeInput('2024-03-10 01:59:59', 'America/New_York')), '2024-03-10T06:59:59.000Z');
      assert.strictEqual(iso(parseTimeInput('2024-03-10 03:00:00', 'America/New_York')), '2024-03-10T07:00:00.000Z');
      assert.strictEqual(iso(parseTimeInput('2024-03-31 12:00:00', 'Europe/London')), '2024-03-31T11:00:00.000Z');
    });

    it('round-trips with formatPlatformTime in several zones', function () {
      for (const tz of ['Asia/Shanghai', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kathmandu']) {
        for (const at of ['2024-01-15T03:04:05Z', '2024-07-15T23:59:59Z', '2024-10-06T12:00:00Z']) {
          const d = new Date(at);
          const text = formatPlatformTime(d, tz);
          assert.strictEqual(parseTimeInput(text, tz).getTime(), d.getTime(), `${tz} ${at} -> ${text}`);
        }
      }
    });

    it('reads every wall time of two years the way Intl writes it back, the earlier instant of an overlap', function () {
      // every 10 minutes through 2023-2024 (1986-1987 for Shanghai, which had DST then), around
      // all transitions; a wall time that exists must round-trip, and no instant an offset
      // change earlier may show the same wall time (the earlier instant of an overlap wins)
      const zones = [
        ['America/New_York', 2023],
        ['Europe/London', 2023],
        ['Australia/Lord_Howe', 2023],
        ['Asia/Shanghai', 1986],
      ];
      const HOUR = 3_600_000;
      let gaps = 0;
      let transitions = 0;
      for (const [tz, year] of zones) {
        const from = Date.UTC(year, 0, 1);
        const to = Date.UTC(year + 2, 0, 1);
        // every 3 hours, and every 5 minutes from a day before to a day after each transition
        const instants = [];
        for (let at = from; at < to; at += 3 * HOUR) instants.push(at);
        for (let at = from; at < to; at += HOUR) {
          if (zoneOffsetMs(at, tz) === zoneOffsetMs(at + HOUR, tz)) continue;
          transitions++;
          for (let t = at - 26 * HOUR; t < at + 26 * HOUR; t += 5 * 60_000) instants.push(t);
        }
        for (const at of instants) {
          const text = formatPlatformTime(new Date(at), tz);
          const got = parseTimeInput(text, tz).getTime();
          if (formatPlatformTime(new Date(got), tz) !== text) {
            gaps++;
            continue;
          }
          for (const shift of [30 * 60_000, 3_600_000]) {
            assert.notStrictEqual(formatPlatformTime(new Date(got - shift), tz), text, `${tz} ${text}: an earlier instant shows it too`);
          }
        }
      }
      assert.strictEqual(gaps, 0, 'every text Intl wrote is a wall time that exists');
      assert.strictEqual(transitions, 16, 'four transitions a zone in those two years');
      assert.strictEqual(parseEventTimestamp('1986.05.04 02:30:00.000', 'Asia/Shanghai').toISOString(), '1986-05-03T18:30:00.000Z', 'Shanghai DST gap of 1986 moves forward');
    });

    it('rejects invalid input with INVALID_INPUT naming the field (en-US and zh-CN)', function () {
      const bad = ['', 'tomorrow', '2024-13-01 00:00:00', '2024-02-30 00:00:00', '2024-01-01 24:00:00', '2024-01-01 10:61:00', null, undefined, {}, [], true, NaN, Infinity, new Date('x'), '2024-01-01T00:00:00+25:00'];
      for (const v of bad) {
        assert.throws(
          () => parseTimeInput(v, 'Asia/Shanghai', 'en-US', 'beginTime'),
          (e) => e.code === 'INVALID_INPUT' && e.field === 'beginTime' && /beginTime is not a valid time/.test(e.message),
          `value ${String(v)}`,
        );
      }
      assert.throws(
        () => parseTimeInput('nope', 'Asia/Shanghai', 'zh-CN', 'endTime'),
        (e) => e.code === 'INVALID_INPUT' && /endTime 不是有效的时间/.test(e.message),
      );
    });

    it('accepts leap days only in leap years', function () {
      assert.strictEqual(iso(parseTimeInput('2024-02-29 00:00:00', 'UTC')), '2024-02-29T00:00:00.000Z');
      assert.throws(() => parseTimeInput('2023-02-29 00:00:00', 'UTC'), /valid time/);
    });

    it('rejects an unknown time zone', function () {
      assert.throws(() => parseTimeInput('2024-01-01 00:00:00', 'Mars/Base'), (e) => e.code === 'INVALID_INPUT' && e.field === 'timezone');
    });
  });

  describe('parseEventTimestamp', function () {
    it('reads the event format as China time', function () {
      assert.strictEqual(iso(parseEventTimestamp('2018.06.12 11:33:56.368')), '2018-06-12T03:33:56.368Z');
      assert.strictEqual(iso(parseEventTimestamp('2018.06.12 11:33:56')), '2018-06-12T03:33:56.000Z');
      assert.strictEqual(iso(parseEventTimestamp('2018-06-12 11:33:56.3')), '2018-06-12T03:33:56.300Z');
    });

    it('accepts epoch ms', function () {
      assert.strictEqual(parseEventTimestamp(1528774436368).getTime(), 1528774436368);
    });

    it('returns undefined for anything else', function () {
      for (const v of ['', 'x', '2018.13.12 11:33:56.368', '2018.06.12', null, undefined, {}, NaN]) {
        assert.strictEqual(parseEventTimestamp(v), undefined, String(v));
      }
    });
  });
});
