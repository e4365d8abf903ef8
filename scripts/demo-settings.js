// Node-RED settings for `npm start`: local only, this package loaded from the repository.
'use strict';
const path = require('path');

/**
 * The runtime language (error messages, status texts): NODE_RED_LANG, else zh-CN on a Chinese system
 * locale. Node-RED itself reads LANG=zh_CN.UTF-8 as "zh", for which no catalogue exists, and would
 * fall back to English.
 */
function runtimeLang(env = process.env) {
  if (env.NODE_RED_LANG) return env.NODE_RED_LANG;
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^zh[_-]?(TW|HK|MO)/i.test(locale) ? 'zh-TW' : /^zh/i.test(locale) ? 'zh-CN' : undefined;
}

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
const lang = runtimeLang();
if (lang) module.exports.lang = lang;
