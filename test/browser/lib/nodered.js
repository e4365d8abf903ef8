'use strict';
/*
 * A real Node-RED for the browser tests: its own process, a fresh user directory, this package
 * loaded through `nodesDir` (test/browser/settings.js), the runtime language given by `lang`.
 * NODE_RED_RED may point at another red.js (e.g. a Node-RED 5 installed elsewhere) to try it.
 */
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { stopChild } = require('../../child');

const SETTINGS = path.join(__dirname, '..', 'settings.js');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A small HTTP client for the admin API: resolves {status, text, json()}. */
function request(port, method, urlPath, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: urlPath,
        method,
        headers: { ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}), ...headers },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode, text, json: () => JSON.parse(text) });
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(10000, () => req.destroy(new Error(`${method} ${urlPath}: timeout`)));
    if (data) req.write(data);
    req.end();
  });
}

/**
 * Starts Node-RED and resolves when its admin API answers.
 * @returns {Promise<{url, port, lang, log: string[], errors(): string[], request, stop()}>}
 */
async function startNodeRed({ lang = 'en-US', timeoutMs = 60000 } = {}) {
  const port = await freePort();
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), `wellcloud-nr-${lang}-`));
  const red = process.env.NODE_RED_RED || require.resolve('node-red/red.js');
  const log = [];
  const child = spawn(process.execPath, [red, '--userDir', userDir, '--settings', SETTINGS, '--port', String(port)], {
    env: { ...process.env, WELLCLOUD_TEST_LANG: lang, NODE_RED_ENABLE_PROJECTS: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const collect = (chunk) => log.push(...chunk.toString('utf8').split('\n').filter(Boolean));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise((resolve) => child.once('exit', resolve));

  const stop = async () => {
    await stopChild(child, exited);
    fs.rmSync(userDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`Node-RED exited with code ${child.exitCode}:\n${log.join('\n')}`);
    }
    try {
      const r = await request(port, 'GET', '/settings');
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Node-RED did not start within ${timeoutMs} ms:\n${log.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    lang,
    userDir,
    log,
    /** Runtime log lines at error level (or worse), and node load failures. */
    errors: () => log.filter((l) => /\[(error|fatal)\]|Failed to register|Error: |\[warn\] \[.*wellcloud/i.test(l)),
    request: (method, urlPath, body, headers) => request(port, method, urlPath, body, headers),
    stop,
  };
}

module.exports = { startNodeRed, freePort, request };
