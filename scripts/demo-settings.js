// Node-RED settings for `npm start`: local only, this package loaded from the repository.
'use strict';
const path = require('path');

module.exports = {
  uiHost: '127.0.0.1',
  flowFile: 'flows.json',
  nodesDir: [process.env.WELLCLOUD_PACKAGE_DIR || path.join(__dirname, '..')],
  credentialSecret: 'wellcloud-local-demo',
  editorTheme: { projects: { enabled: false }, tours: false },
  diagnostics: { enabled: false },
  telemetry: { enabled: false },
  externalModules: { palette: { allowInstall: false }, modules: { allowInstall: false } },
  logging: { console: { level: 'info', metrics: false, audit: false } },
  functionExternalModules: false,
};
