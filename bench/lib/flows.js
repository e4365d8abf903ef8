'use strict';
/** Building blocks of the flows the bench deploys (node objects as the editor saves them). */
const { DIST, dist } = require('./paths');

const { DEMO_CREDENTIALS, DEMO_DOMAIN, DEMO_TENANT_ID } = dist('lib/sandbox');

const TAB = 'bench-tab';

function tab() {
  return { id: TAB, type: 'tab', label: 'bench', disabled: false, info: '' };
}

/** A wellcloud-config node at the sandbox, with the public sandbox demo credentials inline. */
function configNode(sandboxUrl, id = 'bench-cfg', extra = {}) {
  return {
    id,
    type: 'wellcloud-config',
    name: 'sandbox',
    baseUrl: sandboxUrl,
    domain: DEMO_DOMAIN,
    tenantId: DEMO_TENANT_ID,
    timezone: 'Asia/Shanghai',
    timeout: 30000,
    tokenStyle: 'json',
    ...extra,
    credentials: { ...DEMO_CREDENTIALS },
  };
}

function sink(id, tag, x = 600) {
  return { id, type: 'bench-sink', z: TAB, name: '', tag, x, y: 40, wires: [] };
}

/** A Catch node (all nodes of the tab) wired to a sink tagged `error`. */
function catchAll(idPrefix = 'bench-catch') {
  return [
    { id: idPrefix, type: 'catch', z: TAB, name: '', scope: null, uncaught: false, x: 100, y: 400, wires: [[`${idPrefix}-sink`]] },
    sink(`${idPrefix}-sink`, 'error'),
  ];
}

/** Client options for the lib baseline (same values as configNode). */
function clientOptions(sandboxUrl) {
  return { baseUrl: sandboxUrl, ...DEMO_CREDENTIALS, timeout: 30000, tokenStyle: 'json' };
}

module.exports = { TAB, DIST, dist, tab, configNode, sink, catchAll, clientOptions, DEMO_DOMAIN, DEMO_TENANT_ID, DEMO_CREDENTIALS };
