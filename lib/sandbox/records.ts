/**
 * Shapes of the sandbox's stored calls and recordings, and the JSON records the platform
 * returns for them (guide §4.2.2, §4.4.2, §4.5.2, §4.6.2).
 */

/** One recording record as returned by GET /api/cdr/2.0/recordings/open/call/{callId}. */
export interface RecordingJson {
  id: string;
  callId: string;
  deviceId: string | null;
  timeIn: string;
  startTime: string;
  endTime: string;
  recordChannel: 1 | 2;
  recordLength: number;
  recordType: '1' | '2';
  recordFormat: 'MP3' | 'WAV';
  filePath: string;
  repoId: string;
  failReason: string | null;
  recordingRepoNfsPath: string | null;
  recordingRepoRecordingPath: string | null;
  audioInMos: string;
}

/** A recording with what the audio generator needs. */
export interface SimRecording {
  json: RecordingJson;
  startMs: number;
  /** Number of MP3 frames (144 bytes, 36 ms each) of the MP3 rendition. */
  mp3Frames: number;
  /** Number of sample frames (8 kHz, 2 channels x 16 bit) of the WAV rendition. */
  wavSamples: number;
}

/** GET /api/cdr/2.0/calls/open/call/{callId} (guide §4.4.2). */
export interface CallDetailJson {
  callId: string;
  ani: string;
  dnis: string;
  callType: number;
  callTypeName: string;
  trunkName: string | null;
  trunkMember: string | null;
  beginTime: string;
  customerNo: string | null;
  customerAreaCode: string | null;
  customerRingLength: number;
  customerAnswerTime: string | null;
  result: string;
  resultCode: number;
  firstIvrNo: string | null;
  firstIvrAnswerTime: string | null;
  firstStationNo: string | null;
  firstStationRingTime: string | null;
  firstStationAnswerTime: string | null;
  firstAgentNo: string | null;
  lastQueueNo: string | null;
  lastQueueLength: number;
  lastRoutePoint: string | null;
  endTime: string;
  endType: number;
  endTypeName: string;
  hangupDevice: string | null;
  conferenced: 0 | 1;
  transferred: 0 | 1;
  relateCall: string | null;
  domain: string;
  callLength: number;
  talkLength: number;
  timeId: string;
  displayNumber: string | null;
  batchName: string | null;
  customerRosterId: string | null;
  groupCampaignName: string | null;
  campaignName: string | null;
  satisfaction: string | null;
}

/** One item of GET /api/cdr/2.0/calls/open (guide §4.5.2, field order of its example). */
export interface CallListJson {
  result: string;
  callTypeName: string;
  endTypeName: string;
  resultCode: number;
  callType: number;
  endType: number;
  callId: string;
  ani: string;
  dnis: string;
  displayNumber: string | null;
  beginTime: string;
  campaignName: string | null;
  groupCampaignName: string | null;
  customerId: string | null;
  batchName: string | null;
  customerRosterId: string | null;
  talkLength: number;
  c0: string | null;
  c1: string | null;
  c2: string | null;
}

/** One item of GET /api/cdr/2.0/open/calls/robot (guide §4.6.2). */
export interface RobotCallJson {
  callId: string;
  callTypeName: string;
  ani: string;
  dnis: string;
  batchId: string;
  batchName: string;
  round: number;
  rosterId: string;
  beginTime: string;
  endTime: string;
  customerAnswerTime: string | null;
  result: string;
  conclusion: string;
  intent: string;
  talkLength: number;
  chatBotTemplate: string;
  ivrNo: string;
  campaignId: string;
}

/** What the robot query filters on besides the returned fields. */
export interface RobotFilterData {
  groupCampaignId: string;
  resultCode: number;
  /** Hidden uui data (not returned; matched by uuiKey/uuiValue). */
  uui: Record<string, string>;
}

export interface SimCall {
  callId: string;
  beginMs: number;
  endMs: number;
  detail: CallDetailJson;
  listItem: CallListJson;
  robot: { json: RobotCallJson; filter: RobotFilterData } | null;
  recordings: SimRecording[];
}
