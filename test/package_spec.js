'use strict';
/*
 * The package scorecard (scripts/lint-package.js) as a unit test: every rule passes on this
 * repository, and each rule fails on a fixture package broken in the way the rule looks for.
 */
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { runChecks, iconStyleProblems } = require('../scripts/lint-package');

const root = path.join(__dirname, '..');
const GOOD_ICON = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 60"><path fill="#fff" d="M10 20h20v20H10z"/></svg>\n';

/** A minimal package that passes every rule; `mutate(dir)` then breaks it. */
function fixture(mutate) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wellcloud-lint-'));
  const write = (rel, text) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), typeof text === 'string' ? text : JSON.stringify(text, null, 2));
  };
  const type = 'wellcloud-thing';
  write('package.json', {
    name: 'node-red-contrib-wellcloud',
    version: '1.0.0',
    license: 'MIT',
    repository: { type: 'git', url: 'git+https://example.invalid/x.git' },
    keywords: ['node-red'],
    engines: { node: '>=20.0.0' },
    'node-red': { version: '>=4.0.0', nodes: { 'wellcloud-conf': 'dist/nodes/wellcloud-conf/wellcloud-conf.js', [type]: `dist/nodes/${type}/${type}.js` } },
    dependencies: { axios: '^1.0.0' },
  });
  write('LICENSE', 'MIT License\n');
  write('package-lock.json', { lockfileVersion: 3, packages: { '': {}, 'node_modules/axios': { version: '1.13.0' } } });
  const editor = (t, body) => `<script type="text/javascript">\nRED.nodes.registerType('${t}', {\n${body}\n});\n</script>\n`;
  const nodeFiles = (t, body) => {
    write(`nodes/${t}/${t}.ts`, 'export = function (RED: unknown) { void RED; };\n');
    write(`nodes/${t}/${t}.html`, editor(t, body));
    for (const lang of ['en-US', 'zh-CN']) {
      write(`nodes/${t}/locales/${lang}/${t}.json`, { [t]: { label: { name: 'x' } } });
      write(`nodes/${t}/locales/${lang}/${t}.html`, `<script type="text/html" data-help-name="${t}"><p>x</p></script>\n`);
    }
  };
  nodeFiles('wellcloud-conf', "  category: 'config',\n  defaults: { name: { value: '' } }");
  nodeFiles(type, [
    "  category: 'wellcloud',",
    "  color: '#5FB3CE',",
    '  inputs: 1,',
    '  outputs: 1,',
    "  icon: 'wellcloud-thing.svg',",
    "  label: function () { return 'thing'; },",
    "  paletteLabel: 'thing',",
    "  inputLabels: 'in',",
    "  outputLabels: ['out'],",
  ].join('\n'));
  write('icons/wellcloud-thing.svg', GOOD_ICON);
  write(`dist/nodes/${type}/icons/wellcloud-thing.svg`, GOOD_ICON);
  write('examples/Thing.json', [
    { id: 'c1', type: 'comment', name: 'What this flow does' },
    { id: 'n1', type, name: '' },
    { id: 'i1', type: 'inject', name: '' },
  ]);
  if (mutate) mutate({ dir, write, read: (rel) => JSON.parse(fs.readFileSync(path.join(dir, rel), 'utf8')), type });
  return dir;
}

function failing(dir) {
  try {
    return runChecks(dir).filter((r) => !r.ok).map((r) => r.id);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function pkgEdit(edit) {
  return ({ write, read }) => {
    const pkg = read('package.json');
    edit(pkg);
    write('package.json', pkg);
  };
}

describe('package scorecard (scripts/lint-package.js)', function () {
  describe('this repository', function () {
    for (const result of runChecks(root)) {
      it(`${result.id} ${result.title}`, function () {
        if (!result.ok) assert.fail(`${result.id} fails:\n  ${result.details.join('\n  ')}`);
      });
    }
  });

  describe('each rule can fail', function () {
    it('passes on a complete fixture package', function () {
      assert.deepStrictEqual(failing(fixture()), []);
    });

    const cases = [
      ['P01', 'without a license field', pkgEdit((p) => delete p.license)],
      ['P01', 'without a LICENSE file', ({ dir }) => fs.rmSync(path.join(dir, 'LICENSE'))],
      ['P03', 'without repository or bugs', pkgEdit((p) => delete p.repository)],
      ['P04', 'named node-red-wellcloud', pkgEdit((p) => (p.name = 'node-red-wellcloud'))],
      ['P05', 'without the node-red keyword', pkgEdit((p) => (p.keywords = ['wellcloud']))],
      ['P06', 'with node-red.version ^4.0.0 (excludes 5)', pkgEdit((p) => (p['node-red'].version = '^4.0.0'))],
      ['P06', 'without node-red.version', pkgEdit((p) => delete p['node-red'].version)],
      ['P07', 'with engines.node >=22 (excludes Node.js 20)', pkgEdit((p) => (p.engines.node = '>=22'))],
      ['P07', 'without engines', pkgEdit((p) => delete p.engines)],
      ['N01', 'with a core node type name', pkgEdit((p) => (p['node-red'].nodes.inject = 'dist/nodes/inject/inject.js'))],
      ['N02', 'with an example that is not an array', ({ write }) => write('examples/Bad.json', { id: 'x' })],
      ['N02', 'with a node in no example', ({ write, type }) => write('examples/Thing.json', [{ id: 'c1', type: 'comment' }, { id: 'x', type: 'inject' }].concat([{ id: 'y', type: `${type}-other` }]))],
      ['N03', 'with a third-party node in an example', ({ write, type }) => write('examples/Thing.json', [{ id: 'c1', type: 'comment' }, { id: 'n1', type }, { id: 'u', type: 'ui_button' }])],
      ['N03', 'with an example without a comment node', ({ write, type }) => write('examples/Thing.json', [{ id: 'n1', type }])],
      ['D01', 'with node-red as a dependency', pkgEdit((p) => (p.dependencies['node-red'] = '^4.0.0'))],
      ['D01', 'with the coverage tool c8 as a dependency', pkgEdit((p) => (p.dependencies.c8 = '^12.0.0'))],
      ['D01', 'with 7 dependencies', pkgEdit((p) => ['a', 'b', 'c', 'd', 'e', 'f'].forEach((d) => (p.dependencies[d] = '1')))],
      ['D02', 'with agent-base 5 in the tree', ({ write }) => write('package-lock.json', { packages: { '': {}, 'node_modules/agent-base': { version: '5.1.1' } } })],
      ['F01', 'with a node without its zh-CN help', ({ dir, type }) => fs.rmSync(path.join(dir, `nodes/${type}/locales/zh-CN/${type}.html`))],
      ['F01', 'with an entry outside dist/nodes/<type>/', pkgEdit((p) => (p['node-red'].nodes['wellcloud-thing'] = 'wellcloud-thing.js'))],
      ['F02', 'with a missing icon', ({ dir }) => fs.rmSync(path.join(dir, 'icons/wellcloud-thing.svg'))],
      ['F02', 'with a coloured icon', ({ write }) => write('icons/wellcloud-thing.svg', GOOD_ICON.replace('#fff', '#5FB3CE'))],
      ['F03', 'with the icon not copied beside the built node', ({ dir, type }) => fs.rmSync(path.join(dir, `dist/nodes/${type}/icons`), { recursive: true })],
      ['E01', 'with another palette colour', ({ dir, type, write }) => write(`nodes/${type}/${type}.html`, fs.readFileSync(path.join(dir, `nodes/${type}/${type}.html`), 'utf8').replace('#5FB3CE', '#ff0000'))],
      ['E01', 'without outputLabels', ({ dir, type, write }) => write(`nodes/${type}/${type}.html`, fs.readFileSync(path.join(dir, `nodes/${type}/${type}.html`), 'utf8').replace(/\s*outputLabels:.*\n/, '\n'))],
    ];
    for (const [id, what, mutate] of cases) {
      it(`${id} fails ${what}`, function () {
        const failed = failing(fixture(mutate));
        assert.ok(failed.includes(id), `expected ${id} to fail, failing: [${failed.join(', ')}]`);
      });
    }
  });

  describe('icon style', function () {
    it('accepts a white glyph on a 40x60 view box', function () {
      assert.deepStrictEqual(iconStyleProblems(GOOD_ICON), []);
    });
    it('names a wrong view box, a colour and a missing white fill', function () {
      const problems = iconStyleProblems('<svg viewBox="0 0 24 24"><rect fill="#000" width="24" height="24"/></svg>');
      assert.strictEqual(problems.length, 3, problems.join('; '));
    });
  });
});

describe('npm start settings: the runtime language', function () {
  const file = require.resolve('../scripts/demo-settings.js');
  const keys = ['NODE_RED_LANG', 'LC_ALL', 'LC_MESSAGES', 'LANG'];
  let saved;
  beforeEach(() => {
    saved = Object.fromEntries(keys.map((k) => [k, process.env[k]]));
    for (const k of keys) delete process.env[k];
  });
  afterEach(() => {
    for (const k of keys) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
    delete require.cache[file];
  });
  function langWith(env) {
    Object.assign(process.env, env);
    delete require.cache[file];
    return require(file).lang;
  }

  it('is zh-CN on a Chinese system locale (Node-RED alone would read "zh" and fall back to English)', function () {
    assert.strictEqual(langWith({ LANG: 'zh_CN.UTF-8' }), 'zh-CN');
  });
  it('follows NODE_RED_LANG first', function () {
    assert.strictEqual(langWith({ LANG: 'zh_CN.UTF-8', NODE_RED_LANG: 'en-US' }), 'en-US');
  });
  it('is left to Node-RED otherwise', function () {
    assert.strictEqual(langWith({ LANG: 'C.UTF-8' }), undefined);
  });
});

describe('npm start --reset: the demo flow deployed again', function () {
  const { withDemo } = require('../scripts/start.js');
  const demoFile = fs.readdirSync(path.join(root, 'examples')).find((f) => /^live demo/i.test(f));
  const demo = JSON.parse(fs.readFileSync(path.join(root, 'examples', demoFile), 'utf8'));
  const tab = demo.find((n) => n.type === 'tab').id;
  const sandboxUrl = 'http://127.0.0.1:18090';

  it('puts the demo back as shipped and keeps every other tab, subflow and config node', function () {
    const changedDemo = demo.map((n) => (n.type === 'inject' ? { ...n, name: 'renamed by the user' } : n)).filter((n) => n.type !== 'debug');
    const mine = [
      { id: 'myTab', type: 'tab', label: 'my flow' },
      { id: 'myInject', type: 'inject', z: 'myTab', x: 100, y: 100, wires: [['myCall']] },
      { id: 'myCall', type: 'wellcloud-dual-call', z: 'myTab', server: 'myCfg', x: 300, y: 100, wires: [[]] },
      { id: 'myCfg', type: 'wellcloud-config', name: 'tenant', baseUrl: 'https://jdc.welljoint.com:8090' },
      { id: 'mySub', type: 'subflow', name: 'helper', in: [], out: [] },
      { id: 'addedOnDemoTab', type: 'debug', z: tab, x: 500, y: 500, wires: [] },
    ];
    const flows = withDemo([...changedDemo, ...mine], demo, sandboxUrl);
    const byId = new Map(flows.map((n) => [n.id, n]));
    assert.strictEqual(byId.size, flows.length, 'an id twice');
    for (const n of mine.filter((m) => m.z !== tab)) assert.deepStrictEqual(byId.get(n.id), n, `${n.id} was not kept as it was`);
    assert.ok(!byId.has('addedOnDemoTab'), 'a node added on the demo tab stayed');
    for (const n of demo) {
      const want = n.type === 'wellcloud-config' ? { ...n, baseUrl: sandboxUrl } : n;
      assert.deepStrictEqual(byId.get(n.id), want, `demo node ${n.id} is not as shipped`);
    }
    assert.strictEqual(flows.length, demo.length + mine.length - 1);
  });

  it('is the demo alone in an empty user directory', function () {
    const flows = withDemo([], demo, sandboxUrl);
    assert.strictEqual(flows.length, demo.length);
    assert.strictEqual(flows.find((n) => n.type === 'wellcloud-config').baseUrl, sandboxUrl);
  });
});

describe('npm start with the Node-RED port already taken', function () {
  const http = require('http');
  const { spawn } = require('child_process');
  this.timeout(30000);

  it('stops with a message naming NODE_RED_PORT and deploys nothing to whatever holds the port', async function () {
    // e.g. the user's own Node-RED on 1880: it answers the admin API, and must not get the demo
    const calls = [];
    const other = http.createServer((req, res) => {
      calls.push(`${req.method} ${req.url}`);
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('[]'));
    });
    await new Promise((resolve) => other.listen(0, '127.0.0.1', resolve));
    const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wellcloud-start-'));
    try {
      const child = spawn(process.execPath, [path.join(root, 'scripts', 'start.js')], {
        env: { ...process.env, NODE_RED_PORT: String(other.address().port), WELLCLOUD_SANDBOX_PORT: '0', NODE_RED_USER_DIR: userDir },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (c) => (out += c));
      child.stderr.on('data', (c) => (out += c));
      const code = await new Promise((resolve) => child.on('exit', resolve));
      assert.strictEqual(code, 1, out);
      assert.match(out, /NODE_RED_PORT/);
      assert.deepStrictEqual(calls.filter((c) => !c.startsWith('GET ')), [], `sent to the other server: ${calls.join(', ')}\n${out}`);
    } finally {
      other.close();
      fs.rmSync(userDir, { recursive: true, force: true });
    }
  });
});
