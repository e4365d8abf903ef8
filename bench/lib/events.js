'use strict';
/** A realistic callEnd push (fields per API.md), distinct per serial. */

function pad(n, w) {
  return String(n).padStart(w, '0');
}

function callEndEvent(serial) {
  const callId = `bench-${pad(serial, 10)}`;
  return {
    eventName: 'callEnd',
    eventSrc: 'cms',
    timestamp: '2025.06.12 11:33:56.368',
    serial,
    eventType: 'call',
    namespace: 'demo.cc',
    instanceId: 'cms-01',
    mediaServer: 'ms-01',
    callId,
    cid: `cid-${serial}`,
    ani: '8001@demo.cc',
    dnis: '913800138000@demo.cc',
    callType: 2,
    deviceId: '8001@demo.cc',
    agentId: '8001',
    customerPhone: '13800138000',
    startTime: '2025-06-12 11:30:01',
    answerTime: '2025-06-12 11:30:09',
    endTime: '2025-06-12 11:33:56',
    skillId: 'skill-1',
    queueLength: 0,
    talkLength: 227,
    endReason: 'normal',
    customerRingLength: 8,
    deviceRingLength: 2,
    displayNumber: '02133255540',
    trunkName: 'trunk-1',
    customerAreaCode: '010',
    customerCityCode: '110000',
    resultCode: 0,
    campaignInfo: null,
    userData: { orderId: `order-${serial}`, channel: 'web' },
    systemData: {},
    relatedCalls: [],
    hangupDevice: '13800138000',
    hangupCause: 16,
    conferenced: false,
    transferred: false,
    firstRoutePoint: null,
    firstQueue: null,
    firstIVR: null,
    firstStation: '8001@demo.cc',
    segmentList: [
      { device: '8001@demo.cc', startTime: '2025.06.12 11:30:01.120', answerTime: '2025.06.12 11:30:03.004', endTime: '2025.06.12 11:33:56.368' },
      { device: '13800138000', startTime: '2025.06.12 11:30:03.100', answerTime: '2025.06.12 11:30:09.551', endTime: '2025.06.12 11:33:56.360' },
    ],
    topics: [],
    originalCall: callId,
  };
}

module.exports = { callEndEvent };
