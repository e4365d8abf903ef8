/**
 * The sandbox tenant: demo credentials, domain, agents, campaigns and the well-known ids
 * used by docs and tests. These are sandbox-only values.
 */

export const DEMO_CREDENTIALS = Object.freeze({
  appId: 'demo-app-id',
  appSecret: 'demo-app-secret-0000',
  apiKey: 'demo-api-key-0000',
});

export const DEMO_DOMAIN = 'demo.cc';
export const DEMO_TENANT_ID = '34bc437b-69ec-4219-90a1-e672dd9d2a9c';

export interface DemoAgent {
  /** Agent number (工号). */
  id: string;
  /** Extension the agent is logged in on. */
  ext: string;
  name: string;
  orgId: string;
  orgName: string;
  orgTreePos: string;
  skills: string[];
}

const ORG = { orgId: 'b833eb7b-309c-11e7-98a2-06076d833eaa', orgName: '客服一部', orgTreePos: '0.1' };

export const DEMO_AGENTS: readonly DemoAgent[] = Object.freeze(
  [
    ['5001', '8001', '张伟'],
    ['5002', '8002', '王芳'],
    ['5003', '8003', '李娜'],
    ['5004', '8004', '刘洋'],
    ['5005', '8005', '陈静'],
    ['5006', '8006', '杨磊'],
    ['5007', '8007', '赵敏'],
    ['5008', '8008', '黄强'],
  ].map(([id, ext, name]) => ({ id: id as string, ext: ext as string, name: name as string, ...ORG, skills: ['7001', '7002'] })),
);

export interface DemoCampaign {
  /** campaignId (子活动 / activity id), 32 hex digits. */
  id: string;
  name: string;
  /** groupCampaignId (活动组). */
  groupId: string;
  groupName: string;
  chatBotTemplate: string;
  ivrNo: string;
}

export const DEMO_CAMPAIGNS: readonly DemoCampaign[] = Object.freeze([
  {
    id: 'ca0f61c88e194ce5ad47d820ac40d1e0',
    name: '信用卡分期推广',
    groupId: '7b1e4c2d9a8f4e6b8c3d2a1f0e9d8c7b',
    groupName: '信用卡营销',
    chatBotTemplate: '分期推广话术V3',
    ivrNo: '9101',
  },
  {
    id: '3f9a2b7c6d5e4f8a9b0c1d2e3f4a5b6c',
    name: '逾期提醒',
    groupId: '1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6',
    groupName: '贷后管理',
    chatBotTemplate: '逾期提醒话术V2',
    ivrNo: '9102',
  },
  {
    id: 'e4d3c2b1a09f4e7d8c5b4a3928171605',
    name: '满意度回访',
    groupId: '9f8e7d6c5b4a43928170f6e5d4c3b2a1',
    groupName: '客户服务',
    chatBotTemplate: '回访话术V1',
    ivrNo: '9103',
  },
]);

/** The campaign of the guide's examples; the default activity of the demo flows. */
export const DEMO_CAMPAIGN_ID = 'ca0f61c88e194ce5ad47d820ac40d1e0';

/** Ids accepted as `templateId` (roster upload): campaigns and their groups. `activityId` (instant outbound) takes a campaign id only. */
export const DEMO_TEMPLATE_IDS: readonly string[] = Object.freeze(DEMO_CAMPAIGNS.flatMap((c) => [c.id, c.groupId]));

/** Keys of the hidden uui data of robot calls (filter with uuiKey / uuiValue). */
export const DEMO_UUI_KEYS = Object.freeze(['currentCallLevel', 'intentTag', 'lastNode']);

/*
 * Fixtures, the same for every seed. The sample calls are dated the day before the sandbox
 * started (China time), so their WAV renditions exist (wavDays); the guide's example call
 * keeps its 2020 date and serves as the "too old for WAV" case.
 */

/** An answered inbound call (yesterday 10:30:00) with two recordings (ringing + talk). */
export const SAMPLE_CALL_ID = 'e617caaf-1fc6-4998-a8a8-c9313fefde38';
/** The talk recording of SAMPLE_CALL_ID (MP3, 12.48 s). */
export const SAMPLE_RECORDING_ID = '31a3f631-ed66-4713-86b2-c8d75ef4a4c7';
/** The ringing recording of SAMPLE_CALL_ID. */
export const SAMPLE_RING_RECORDING_ID = '0b6f3d2e-8a41-4c7e-9d15-6e2f8a3b7c90';
/** A call that exists but has no recording (yesterday 10:35:12): 14012 / 14013. */
export const NO_RECORDING_CALL_ID = '000371b2-2522-4c13-b414-8cdc5fa0b159';
/** A robot call of DEMO_CAMPAIGN_ID (yesterday 11:00:00), uui currentCallLevel = F. */
export const SAMPLE_ROBOT_CALL_ID = '5c2d8e4f-1a3b-4c6d-8e9f-0a1b2c3d4e5f';
/** The guide's §4.5.3 example call (2020-12-18 14:08:10, outside the seeded window, on the demo domain). */
export const GUIDE_EXAMPLE_CALL_ID = '7714f197-6784-4762-905b-0f0bd88e5c59';
/** The recording of GUIDE_EXAMPLE_CALL_ID: MP3 works, WAV answers 14013 (older than wavDays). */
export const OLD_RECORDING_ID = 'a3c5e7f9-1b2d-4e6f-8a0c-2e4f6a8c0e1b';
/** A call id that never exists: 14011. */
export const UNKNOWN_CALL_ID = 'ffffffff-ffff-4fff-bfff-ffffffffffff';
