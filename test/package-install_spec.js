'use strict';
/*
 * What users install: the npm tarball (`npm pack`, which builds through `prepare` as `npm publish`
 * does), installed into a fresh Node-RED user directory the way the palette manager installs it
 * (Node-RED's own npm, `install --save --omit=dev --engine-strict`), then loaded by the Node-RED of
 * this repository (its own process, 127.0.0.1) and checked through the admin API: the 8 node types
 * load from the installed copy, the editors, help and message catalogues are served in en-US and
 * zh-CN, the icons are served, the examples are listed and fetched, and the CRM example, deployed
 * against the sandbox started from the installed copy, places a dual call.
 *
 * Offline: the install adds `--offline`, and the user directory gets a package-lock.json with this
 * repository's locked production dependencies. npm then needs only what `npm ci` (or `npm install`)
 * leaves in the npm cache on a fresh machine: the dependencies' tarballs and their abbreviated
 * metadata (our lockfile has no tarball URLs, so npm ci fetches that metadata too). Resolving
 * `axios@^1.13.0` afresh, as the palette manager does online, wants the full metadata, which npm ci
 * does not fetch: without the lock, `--offline` fails there with ENOTCACHED. The versions installed
 * are thus the ones the rest of the suite runs with.
 */
const assert = require('assert');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const zlib = require('zlib');
const { spawn } = require('child_process');
const { builtinModules } = require('module');
const { freePort, request } = require('./browser/lib/nodered');
const { stopChild } = require('./child');

const root = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const MODULE = pkg.name;
const TYPES = Object.keys(pkg['node-red'].nodes);
const LANGS = ['en-US', 'zh-CN'];
const EXAMPLES = fs.readdirSync(path.join(root, 'examples')).filter((f) => f.endsWith('.json'));
/** What the palette manager passes to npm (@node-red/registry lib/installer.js), and --offline. */
const PALETTE_NPM_ARGS = ['--no-audit', '--no-update-notifier', '--no-fund', '--save', '--save-prefix=~', '--omit=dev', '--engine-strict'];

// ---------------------------------------------------------------------------------------------
// processes

/**
 * The environment of the processes this spec starts: without npm's lifecycle variables (an
 * `npm test` run sets npm_config_prefix, npm_package_* …; the npm cache and config files stay),
 * NODE_PATH (modules must come from the user directory) and c8's NODE_V8_COVERAGE (nothing here
 * is counted: the installed copy lies outside the repository).
 */
function childEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) && !/^npm_config_(cache|userconfig|globalconfig)$/i.test(k)) continue;
    if (k === 'NODE_PATH' || k === 'NODE_V8_COVERAGE') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

const children = new Set();

/** Runs a command to its end: resolves {code, out} (stdout and stderr together). */
function run(cmd, args, { cwd, timeoutMs = 120000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      children.delete(child);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code: signal ? `${signal} (after ${timeoutMs} ms?)` : code, out });
    });
  });
}

/** Starts a long-running process; resolves once `ready(log)` returns a value (or rejects). */
function start(cmd, args, { cwd, ready, what, timeoutMs = 30000 }) {
  const child = spawn(cmd, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const log = [];
  const exited = new Promise((resolve) => child.once('close', resolve)).then(() => children.delete(child));
  const stop = () => stopChild(child, exited);
  const onData = (c) => log.push(...c.toString('utf8').split('\n').filter(Boolean));
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const poll = async () => {
      let value;
      try {
        value = await ready(log);
      } catch {
        value = undefined;
      }
      if (value !== undefined) return resolve({ value, log, stop });
      if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
        await stop();
        return reject(new Error(`${what} did not start (exit ${child.exitCode}):\n${log.join('\n')}`));
      }
      setTimeout(poll, 150);
    };
    child.once('error', reject);
    poll();
  });
}

// a run cut short (Ctrl+C, a crash) leaves no process behind
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

// ---------------------------------------------------------------------------------------------
// the tarball

/** The entries of a .tgz: Map path (without the leading "package/") -> Buffer. */
function readTarball(file) {
  const tar = zlib.gunzipSync(fs.readFileSync(file));
  const files = new Map();
  const text = (buf, from, len) => buf.subarray(from, from + len).toString('utf8').replace(/\0.*$/s, '');
  let longName;
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const size = parseInt(text(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 48);
    const body = tar.subarray(at + 512, at + 512 + size);
    at += 512 + Math.ceil(size / 512) * 512;
    if (type === 'x') {
      // pax header: a long or non-ASCII path
      const m = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      if (m) longName = m[1];
      continue;
    }
    const prefix = text(header, 345, 155);
    const name = longName || (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    longName = undefined;
    if (type === '0' || type === '\0') files.set(name.replace(/^package\//, ''), Buffer.from(body));
  }
  return files;
}

/** The bare module names a .js file requires (`require("x")`, `require('x/y')`). */
function requiredModules(source) {
  const names = new Set();
  for (const m of source.matchAll(/\brequire\(\s*["']([^"'./][^"']*)["']\s*\)/g)) {
    const spec = m[1];
    names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
  }
  return names;
}

/**
 * A package-lock.json for the user directory with this repository's locked production
 * dependencies (marked extraneous: npm drops those the tarball does not ask for), so that
 * `npm install --offline` has nothing to resolve (see the top).
 */
function productionLock() {
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  const packages = { '': { name: 'node-red-project', version: '0.0.1' } };
  for (const [where, entry] of Object.entries(lock.packages)) {
    if (where && !entry.dev && !entry.devOptional && !entry.link) packages[where] = { ...entry, extraneous: true };
  }
  return { name: 'node-red-project', version: '0.0.1', lockfileVersion: 3, requires: true, packages };
}

function repoFile(rel) {
  return fs.readFileSync(path.join(root, rel));
}

// ---------------------------------------------------------------------------------------------

describe('the npm tarball, installed the way the palette manager installs it', function () {
  this.timeout(120000);
  this.slow(30000);

  const s = {};

  before(async function () {
    s.tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wellcloud-pack-'));
    const packDir = path.join(s.tmp, 'pack');
    s.userDir = path.join(s.tmp, 'node-red');
    fs.mkdirSync(packDir);
    fs.mkdirSync(s.userDir);

    // 1. npm pack, as `npm publish` packs (prepare builds dist/)
    const pack = await run('npm', ['pack', '--pack-destination', packDir], { cwd: root });
    const tgz = fs.readdirSync(packDir).find((f) => f.endsWith('.tgz'));
    if (pack.code !== 0 || !tgz) throw new Error(`npm pack failed (${pack.code}):\n${pack.out}`);
    s.tgzPath = path.join(packDir, tgz);
    s.files = readTarball(s.tgzPath);

    // 2. the palette manager's install into a fresh user directory (the package.json Node-RED
    // creates there), with Node-RED's own npm
    fs.writeFileSync(path.join(s.userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', description: 'A Node-RED Project', version: '0.0.1', private: true }, null, 4));
    fs.writeFileSync(path.join(s.userDir, 'package-lock.json'), JSON.stringify(productionLock(), null, 2));
    const registryDir = path.dirname(require.resolve('@node-red/registry/package.json', { paths: [path.dirname(require.resolve('node-red/package.json'))] }));
    const npmCli = path.join(path.dirname(require.resolve('npm/package.json', { paths: [registryDir] })), 'bin', 'npm-cli.js');
    const install = await run(process.execPath, [npmCli, 'install', ...PALETTE_NPM_ARGS, '--offline', '--', s.tgzPath], { cwd: s.userDir });
    if (install.code !== 0) {
      const hint = /ENOTCACHED/.test(install.out) ? '\nThe npm cache lacks a dependency (cleaned since the install?): run `npm ci` in the repository once, with the network.' : '';
      throw new Error(`npm install of the tarball failed (${install.code}):\n${install.out}${hint}`);
    }
    s.installed = path.join(s.userDir, 'node_modules', MODULE);

    // 3. the sandbox, from the installed copy (README: node dist/lib/sandbox/cli.js)
    s.sandbox = await start(process.execPath, [path.join(s.installed, 'dist/lib/sandbox/cli.js'), '--port', '0', '--host', '127.0.0.1'], {
      cwd: s.tmp,
      what: 'the installed sandbox',
      ready: (log) => {
        const m = log.map((l) => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(l)).find(Boolean);
        return m ? m[1] : undefined;
      },
    });

    // 4. this repository's Node-RED with that user directory
    fs.writeFileSync(
      path.join(s.userDir, 'settings.js'),
      [
        'module.exports = {',
        "  uiHost: '127.0.0.1',",
        "  flowFile: 'flows.json',",
        '  credentialSecret: false,',
        "  logging: { console: { level: 'info', metrics: false, audit: false } },",
        '  editorTheme: { projects: { enabled: false }, tours: false },',
        '  diagnostics: { enabled: false },',
        '  telemetry: { enabled: false },',
        '};',
        '',
      ].join('\n'),
    );
    s.port = await freePort();
    s.red = await start(process.execPath, [require.resolve('node-red/red.js'), '--userDir', s.userDir, '--settings', path.join(s.userDir, 'settings.js'), '--port', String(s.port)], {
      cwd: s.tmp,
      what: 'Node-RED',
      ready: async () => ((await request(s.port, 'GET', '/settings')).status === 200 ? true : undefined),
    });
  });

  after(async function () {
    if (s.red) await s.red.stop();
    if (s.sandbox) await s.sandbox.stop();
    if (s.tmp) fs.rmSync(s.tmp, { recursive: true, force: true });
  });

  const api = (method, urlPath, body, headers) => request(s.port, method, urlPath, body, headers);

  describe('the tarball', function () {
    it('holds every file Node-RED loads: each node with its editor, both locales and its icons; main, types and the examples', function () {
      const missing = [];
      const want = (rel) => s.files.has(rel) || missing.push(rel);
      for (const type of TYPES) {
        const entry = path.posix.normalize(pkg['node-red'].nodes[type]);
        const dir = path.posix.dirname(entry);
        want(entry);
        want(`${dir}/${type}.html`);
        for (const lang of LANGS) {
          want(`${dir}/locales/${lang}/${type}.json`);
          want(`${dir}/locales/${lang}/${type}.html`);
        }
        const editor = repoFile(`nodes/${type}/${type}.html`).toString('utf8');
        for (const icon of new Set(editor.match(/wellcloud-[\w-]+\.(svg|png)/g) || [])) want(`${dir}/icons/${icon}`);
      }
      want(path.posix.normalize(pkg.main));
      want(path.posix.normalize(pkg.types));
      for (const file of EXAMPLES) want(`examples/${file}`);
      for (const file of ['package.json', 'README.md', 'LICENSE']) want(file);
      assert.deepStrictEqual(missing, [], `missing from the tarball:\n${missing.join('\n')}`);
    });

    it('holds nothing else at its top level (no tests, coverage, test artifacts or unused source assets)', function () {
      const top = [...new Set([...s.files.keys()].map((rel) => rel.split('/')[0]))].sort();
      assert.deepStrictEqual(top, ['CHANGELOG.md', 'LICENSE', 'README.md', 'dist', 'examples', 'package.json']);
    });

    it('holds no build output without a source in the repository (a stale file of an earlier build)', function () {
      const source = (rel) => {
        let m = /^dist\/((?:lib|nodes)\/.+?)(?:\.d\.ts|\.js|\.js\.map)$/.exec(rel);
        if (m) return `${m[1]}.ts`;
        m = /^dist\/nodes\/[^/]+\/icons\/([^/]+)$/.exec(rel);
        if (m) return `icons/${m[1]}`;
        m = /^dist\/(nodes\/.+\.(?:html|json))$/.exec(rel);
        return m ? m[1] : undefined;
      };
      const stale = [...s.files.keys()].filter((rel) => rel.startsWith('dist/')).filter((rel) => !source(rel) || !fs.existsSync(path.join(root, source(rel))));
      assert.deepStrictEqual(stale, [], 'in the tarball, but built from no source of the repository');
    });

    it('ships no source map that points at a source it does not hold', function () {
      // node --enable-source-maps would print stack frames of files a user does not have
      const problems = [];
      for (const [rel, body] of s.files) {
        if (!rel.endsWith('.map')) continue;
        const map = JSON.parse(body.toString('utf8'));
        (map.sources || []).forEach((src, i) => {
          const target = path.posix.normalize(path.posix.join(path.posix.dirname(rel), map.sourceRoot || '', src));
          if (!s.files.has(target) && !(map.sourcesContent && map.sourcesContent[i] != null)) problems.push(`${rel} -> ${target}`);
        });
      }
      assert.deepStrictEqual(problems.slice(0, 5), [], `${problems.length} source maps point outside the package`);
    });

    it('requires at run time only Node.js built-ins, its own files and its dependencies', function () {
      const allowed = new Set([...builtinModules, ...Object.keys(pkg.dependencies || {})]);
      const problems = [];
      for (const [rel, body] of s.files) {
        if (!rel.endsWith('.js')) continue;
        for (const name of requiredModules(body.toString('utf8'))) {
          if (!allowed.has(name.replace(/^node:/, ''))) problems.push(`${rel} requires "${name}"${pkg.devDependencies?.[name] ? ' (a devDependency: users do not get it)' : ''}`);
        }
      }
      assert.deepStrictEqual(problems, []);
    });

    it('installs with its production dependencies only, and its main module loads from there', async function () {
      const top = fs.readdirSync(path.join(s.userDir, 'node_modules')).filter((n) => !n.startsWith('.'));
      for (const dep of Object.keys(pkg.dependencies)) assert.ok(top.includes(dep), `${dep} is not installed`);
      const dev = Object.keys(pkg.devDependencies).filter((d) => top.includes(d.split('/')[0]));
      assert.deepStrictEqual(dev, [], 'devDependencies installed for a user');
      const probe = await run(process.execPath, ['-e', `const m = require(${JSON.stringify(MODULE)}); console.log(require.resolve(${JSON.stringify(MODULE)}), typeof m.WellcloudClient, typeof m.startSandbox)`], { cwd: s.userDir });
      assert.strictEqual(probe.code, 0, probe.out);
      assert.strictEqual(probe.out.trim(), `${path.join(s.installed, pkg.main)} function function`);
    });
  });

  describe('Node-RED with the installed package', function () {
    it('loads the 8 node types from the installed copy, enabled and without error', async function () {
      const r = await api('GET', '/nodes', undefined, { Accept: 'application/json' });
      assert.strictEqual(r.status, 200);
      const sets = r.json().filter((n) => n.module === MODULE);
      const problems = sets.filter((n) => !n.enabled || n.err || n.version !== pkg.version).map((n) => `${n.id}: enabled ${n.enabled}, version ${n.version}, error ${n.err}`);
      assert.deepStrictEqual(problems, []);
      assert.deepStrictEqual(sets.flatMap((n) => n.types).sort(), [...TYPES].sort());
      const mod = (await api('GET', `/nodes/${MODULE}`, undefined, { Accept: 'application/json' })).json();
      assert.strictEqual(fs.realpathSync(mod.path), fs.realpathSync(s.installed), 'loaded from somewhere else than the user directory');
      assert.strictEqual(mod.user, true, 'not taken as a module of the user directory (package.json dependency)');
    });

    for (const lang of LANGS) {
      it(`serves every editor and its ${lang} help`, async function () {
        const r = await api('GET', '/nodes', undefined, { Accept: 'text/html', 'Accept-Language': lang });
        assert.strictEqual(r.status, 200);
        // Node-RED joins the node sets, each after a marker comment
        const sections = new Map();
        const parts = r.text.split(/<!-- --- \[red-module:([^\]]+)\] --- -->/);
        for (let i = 1; i < parts.length; i += 2) sections.set(parts[i], parts[i + 1]);
        const problems = [];
        for (const type of TYPES) {
          const section = sections.get(`${MODULE}/${type}`);
          if (!section) {
            problems.push(`${type}: not served`);
            continue;
          }
          if (!section.includes(repoFile(`nodes/${type}/${type}.html`).toString('utf8').trim())) problems.push(`${type}: editor differs from nodes/${type}/${type}.html`);
          if (!section.includes(repoFile(`nodes/${type}/locales/${lang}/${type}.html`).toString('utf8').trim())) problems.push(`${type}: help is not nodes/${type}/locales/${lang}/${type}.html`);
        }
        assert.deepStrictEqual(problems, []);
      });

      it(`serves every node's ${lang} message catalogue`, async function () {
        const r = await api('GET', `/nodes/messages?lng=${lang}`);
        assert.strictEqual(r.status, 200);
        const catalogues = r.json();
        for (const type of TYPES) {
          assert.deepStrictEqual(catalogues[`${MODULE}/${type}`], JSON.parse(repoFile(`nodes/${type}/locales/${lang}/${type}.json`)), `${type} (${lang})`);
        }
      });
    }

    it('serves every icon the editors use, as SVG, and offers each once in the icon picker', async function () {
      const used = new Set();
      for (const type of TYPES) {
        for (const icon of repoFile(`nodes/${type}/${type}.html`).toString('utf8').match(/wellcloud-[\w-]+\.svg/g) || []) used.add(icon);
      }
      assert.ok(used.size >= 7, `only ${used.size} icons found in the editors`);
      // the editor's icon picker (a node's Appearance tab) shows this list as it comes
      const listed = (await api('GET', '/icons')).json()[MODULE] || [];
      assert.deepStrictEqual([...listed].sort(), [...used].sort(), "the module's icons (GET /icons)");
      for (const icon of used) {
        assert.ok(listed.includes(icon), `${icon} is not among the module's icons (GET /icons)`);
        const r = await rawGet(s.port, `/icons/${MODULE}/${icon}`);
        assert.strictEqual(r.status, 200, icon);
        assert.match(r.headers['content-type'], /^image\/svg\+xml/, icon);
        // Node-RED answers an unknown icon with a default one: compare the bytes
        assert.ok(r.body.equals(repoFile(`icons/${icon}`)), `${icon}: served is not icons/${icon}`);
      }
    });

    it('lists every example (Import > Examples), and each one can be fetched as shipped', async function () {
      const r = await api('GET', `/library/examples/flows/${MODULE}`);
      assert.strictEqual(r.status, 200, r.text);
      const names = r.json().map((e) => e.fn).sort();
      assert.deepStrictEqual(names, EXAMPLES.map((f) => f.replace(/\.json$/, '')).sort());
      for (const name of names) {
        const flow = await api('GET', `/library/examples/flows/${MODULE}/${encodeURIComponent(name)}`);
        assert.strictEqual(flow.status, 200, name);
        assert.deepStrictEqual(flow.json(), JSON.parse(repoFile(`examples/${name}.json`)), name);
      }
    });

    it('deploys every example against the sandbox; the CRM example places a dual call and refuses a bad phone', async function () {
      const sandboxUrl = s.sandbox.value;
      const flows = [];
      for (const file of EXAMPLES) {
        const flow = (await api('GET', `/library/examples/flows/${MODULE}/${encodeURIComponent(file.replace(/\.json$/, ''))}`)).json();
        flows.push(...flow.map((n) => (n.type === 'wellcloud-config' ? { ...n, baseUrl: sandboxUrl } : n)));
      }
      const started = () => s.red.log.filter((l) => /\[info\] Started flows/.test(l)).length;
      const before = started();
      const deploy = await api('POST', '/flows', flows, { 'Node-RED-Deployment-Type': 'full' });
      assert.strictEqual(deploy.status, 204, deploy.text);
      // the answer comes before the new flows run
      for (const deadline = Date.now() + 10000; started() === before; await new Promise((r) => setTimeout(r, 50))) {
        if (Date.now() > deadline) assert.fail(`the flows did not start:\n${s.red.log.join('\n')}`);
      }

      const call = await api('POST', '/crm/click-to-call', { agent: '8001@demo.cc', phone: '13800000000' });
      assert.strictEqual(call.status, 200, call.text);
      const { callId } = call.json();
      assert.match(String(callId), /\S/, call.text);
      const sent = (await request(new URL(sandboxUrl).port, 'GET', '/__sandbox/requests')).json();
      const dual = sent.filter((q) => q.method === 'POST' && q.path === '/api/ext/v2/calls/uc');
      assert.strictEqual(dual.length, 1, JSON.stringify(sent));

      const bad = await api('POST', '/crm/click-to-call', { agent: '8001@demo.cc', phone: 'call me' });
      assert.strictEqual(bad.status, 400, bad.text);
      assert.strictEqual(bad.json().code, 'INVALID_INPUT');
      assert.match(bad.json().message, /customerPhone/);

      const errors = s.red.log.filter((l) => /\[(error|fatal)\]|\[warn\] \[wellcloud|Error: /.test(l));
      assert.deepStrictEqual(errors, [], s.red.log.join('\n'));
    });
  });
});

/** GET with the raw body and headers (icons are binary). */
function rawGet(port, urlPath) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: urlPath }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.setTimeout(10000, () => req.destroy(new Error(`GET ${urlPath}: timeout`)));
  });
}
