'use strict';
/**
 * A lean HTTP/1.1 load generator in its own process (forked by the event-in scenario), so its
 * CPU does not count in the measured Node-RED process: raw keep-alive sockets, request bytes
 * built before the clock starts, a minimal response parser (status line, Content-Length or
 * chunked). Each connection sends one request, reads its answer, sends the next.
 *
 * argv[2]: JSON {port, path, count, connections, firstSerial}
 * Sends over IPC: {type: 'done', count, elapsedMs, statuses: {code: n}, latency: {median, p99}}
 */
const net = require('net');
const { median, percentile, nowMs } = require('./stats');
const { callEndEvent } = require('./events');

function requestBytes(path, body) {
  const data = Buffer.from(JSON.stringify(body));
  const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${data.length}\r\nConnection: keep-alive\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), data]);
}

/** Parses answers from a byte stream; calls onAnswer(status) for each complete one. */
function answerParser(onAnswer) {
  let buf = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      const headEnd = buf.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const head = buf.toString('latin1', 0, headEnd);
      const status = Number(head.slice(9, 12));
      const len = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      let end;
      if (len) {
        end = headEnd + 4 + Number(len[1]);
        if (buf.length < end) return;
      } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
        end = chunkedEnd(buf, headEnd + 4);
        if (end < 0) return;
      } else end = headEnd + 4;
      buf = buf.subarray(end);
      onAnswer(status);
    }
  };
}

/** End offset of a chunked body starting at `at`, or -1 while incomplete. */
function chunkedEnd(buf, at) {
  let pos = at;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', pos);
    if (lineEnd < 0) return -1;
    const size = parseInt(buf.toString('latin1', pos, lineEnd), 16);
    pos = lineEnd + 2 + size + 2;
    if (buf.length < pos) return -1;
    if (size === 0) return pos;
  }
}

function run({ port, path, count, connections, firstSerial }) {
  const requests = Array.from({ length: count }, (_, i) => requestBytes(path, callEndEvent(firstSerial + i)));
  const latencies = new Float64Array(count);
  const statuses = {};
  let next = 0;
  let finished = 0;
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    const open = (k) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      let current = -1;
      let sentAt = 0;
      const sendNext = () => {
        current = next++;
        if (current >= count) {
          socket.end();
          return;
        }
        sentAt = nowMs();
        socket.write(requests[current]);
      };
      socket.on('data', answerParser((status) => {
        latencies[current] = nowMs() - sentAt;
        statuses[status] = (statuses[status] || 0) + 1;
        finished++;
        if (finished === count) {
          const l = Array.from(latencies);
          resolve({ count, elapsedMs: nowMs() - t0, statuses, latency: { median: median(l), p99: percentile(l, 99) } });
        }
        sendNext();
      }));
      socket.on('error', reject);
      socket.once('connect', sendNext);
      return k;
    };
    for (let k = 0; k < Math.min(connections, count); k++) open(k);
  });
}

if (require.main === module) {
  process.once('disconnect', () => process.exit(130));
  run(JSON.parse(process.argv[2])).then(
    (r) => process.send({ type: 'done', ...r }, () => process.exit(0)),
    (e) => process.send({ type: 'failed', message: e.message }, () => process.exit(1)),
  );
}

module.exports = { run };
