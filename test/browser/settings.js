// Node-RED settings for the browser tests (test/browser): local only, this package loaded from the
// repository, one runtime language per instance (WELLCLOUD_TEST_LANG). Started by lib/nodered.js.
'use strict';
const path = require('path');

module.exports = {
  uiHost: '127.0.0.1',
  flowFile: 'flows.json',
  nodesDir: [path.join(__dirname, '..', '..')],
  lang: process.env.WELLCLOUD_TEST_LANG || 'en-US',
  credentialSecret: 'wellcloud-browser-test',
  editorTheme: { projects: { enabled: false }, tours: false, palette: { categories: ['wellcloud', 'common', 'function', 'network'] } },
  diagnostics: { enabled: false },
  telemetry: { enabled: false },
  externalModules: { palette: { allowInstall: false }, modules: { allowInstall: false } },
  logging: { console: { level: 'warn', metrics: false, audit: false } },
  functionExternalModules: false,
};
