'use strict';
/*
 * The package's main module (package.json "main", lib/index.ts) as README's "Using the client
 * without Node-RED" uses it: the names it says are exported, and its example run against the
 * sandbox through nothing but `require('node-red-contrib-wellcloud')`.
 */
const assert = require('assert');
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');

describe('lib/index: the package main as README uses it', function () {
  const main = require(ROOT); // resolves package.json "main", as require('node-red-contrib-wellcloud') does
  let sandbox;
  let client;

  before(async function () {
    sandbox = await main.startSandbox({ port: 0 });
  });
  after(async function () {
    if (client) client.close();
    await sandbox.close();
  });

  it('exports every function README names', function () {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Using the client without Node-RED'), readme.indexOf('## Development'));
    const named = new Set();
    for (const m of section.matchAll(/\{ ([A-Za-z, ]+) \} = require\('node-red-contrib-wellcloud'\)/g)) for (const n of m[1].split(/,\s*/)) named.add(n);
    for (const m of section.matchAll(/`(\w+)`/g)) if (/^(fetch|prepare|upload|download|receive|start)/.test(m[1])) named.add(m[1]);
    assert.ok(named.size >= 9, [...named].join(', '));
    for (const n of named) assert.strictEqual(typeof main[n], 'function', `${n} is not exported as a function`);
  });

  it('runs README\'s example against the sandbox: a page of calls, a dual call, the call\'s audio', async function () {
    const { WellcloudClient, fetchCallRange, formatPlatformTime, DEMO_CREDENTIALS, DEMO_DOMAIN, SAMPLE_CALL_ID } = main;
    client = new WellcloudClient({ baseUrl: sandbox.url, ...DEMO_CREDENTIALS, lang: 'zh-CN', timeout: 30000, tokenStyle: 'json' });
    const page = await client.queryCalls({ beginTime: '2025-03-01 00:00:00', endTime: '2025-03-01 23:59:59', isOrder: 1, domain: DEMO_DOMAIN, p: 1, s: 100 });
    assert.ok(page.list.length > 0 && typeof page.total === 'number');
    const { callId } = await client.dualCall({ deviceId: `8001@${DEMO_DOMAIN}`, prefix: '9', customerPhone: '13912345678' });
    assert.ok(callId);
    const audio = await client.getCallAudio(SAMPLE_CALL_ID, { isDownload: 1, isWav: 0 });
    const chunks = [];
    for await (const c of audio.stream) chunks.push(c);
    assert.strictEqual(Buffer.concat(chunks).length, audio.contentLength);
    const day = [];
    for await (const p of fetchCallRange(client, { beginTime: '2025-03-01 00:00:00', endTime: '2025-03-01 23:59:59', domain: DEMO_DOMAIN })) day.push(...p.records);
    assert.strictEqual(day.length, page.total);
    assert.strictEqual(formatPlatformTime(new Date(Date.UTC(2025, 2, 1, 0, 0, 0)), 'Asia/Shanghai'), '2025-03-01 08:00:00');
    // the client speaks the language it was given, through the main module's catalogue too
    await assert.rejects(client.getCall('nope'), (e) => e instanceof main.WellcloudError && e.code === '14011' && /[\u4e00-\u9fff]/.test(e.message));
  });
});
