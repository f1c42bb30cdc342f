// The MySQL pre-check items DRS reports (reference §1.2), in the order the simulator reveals them, per outcome.
import type { PrecheckOutcome } from './jobStore';

export type CheckResult = 'PASSED' | 'ALARM' | 'FAILED';

export interface CheckItem {
  item: string;
  result: CheckResult;
  data: string;
  group: string;
  failed_reason: string;
  raw_error_msg?: string;
}

/**
 * Names are from Huawei's MySQL example. Only dstDbDiskSize, dstStatusCheck and srcDbConnection carry a group
 * there; the other groups are our assignment from the documented group list. Connections go first because
 * nothing else can be checked without them.
 */
const ITEMS_BY_GROUP: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['network', ['srcDbConnection', 'dstDbConnection']],
  ['db_version', ['srcDbVersionSupport', 'dstDbVersionSupport', 'dbVersionMeetRequirement']],
  ['db_user_privilege', ['srcDbPrivilegesIsEnoughForIncre', 'dstDbPrivilegesIsEnough', 'userSelectObjectsCheck', 'userRequirementIsEnoughForDefiner', 'srcRoutinesWithoutPrivilegeCheck']],
  ['db_disk_size', ['dstDbDiskSize']],
  ['db_target_status', ['dstStatusCheck', 'checkIncreSrcDbExistedInDstDb']],
  ['db_params', [
    'srcDbBinlogIsOff', 'srcBinlogFormatCheck', 'srcBinlogRowImageCheck', 'srcDbBinlogExpireLogsDays', 'srcDbServerIdCheck',
    'srclogSlaveUpdatesCheck', 'dbCharacterSetConsistency', 'dbCollationServerConsistency', 'dbIsolationLevelConsistency',
    'dbParamConsistency', 'dbServerUuidConsistency', 'dbClockConsistency', 'dstMaxAllowedPacketCheck',
    'innodbStrictModeConsistency', 'sqlModeConsistency', 'sqlModeNoEngine', 'srcDstTableNameCaseSensitiveCheck', 'isUserRequireSslLink',
  ]],
  ['src_info_check', [
    'srcDbExistUnsupportEngineTable', 'srcDbIndexKeyLength', 'srcDbNameContainsUnsupportedSymbols', 'srcTableNameContainsNonAscii',
    'srcViewNameContainsNonAscii', 'srcTriggerAndEventCheck', 'hasForeignKeyOnUnselectedTable', 'srcHasNoPkTableWhenTgtHasInvisiblePk',
  ]],
];

const PASSED_DATA: Readonly<Record<string, string>> = {
  dstDbDiskSize: '{"diskSizeTimes":"1.5","dstVolumeSize":"37660000000","srcIndexSize":0,"size":"0","srcIndexAmount":0}',
};

/** Reasons and data are invented in DRS's style (upper-snake reasons, JSON-ish data strings). */
const DEVIATIONS: Readonly<Record<Exclude<PrecheckOutcome, 'pass'>, Readonly<Record<string, Omit<CheckItem, 'item' | 'group'>>>>> = {
  alarm: {
    srcDbBinlogExpireLogsDays: { result: 'ALARM', data: '{"expireLogsDays":"1"}', failed_reason: 'SRC_BINLOG_EXPIRE_DAYS_TOO_SHORT' },
  },
  fail: {
    dstDbPrivilegesIsEnough: {
      result: 'FAILED',
      data: '{"lackPrivileges":"RELOAD,REPLICATION SLAVE"}',
      failed_reason: 'DST_DB_PRIVILEGES_NOT_ENOUGH',
      raw_error_msg: 'The destination database user lacks privileges: RELOAD,REPLICATION SLAVE',
    },
    srcBinlogFormatCheck: {
      result: 'FAILED',
      data: '{"binlogFormat":"STATEMENT"}',
      failed_reason: 'SRC_BINLOG_FORMAT_NOT_ROW',
      raw_error_msg: 'binlog_format of the source database is STATEMENT; ROW is required',
    },
    srcDbBinlogExpireLogsDays: { result: 'ALARM', data: '{"expireLogsDays":"1"}', failed_reason: 'SRC_BINLOG_EXPIRE_DAYS_TOO_SHORT' },
  },
};

const itemsFor = (outcome: PrecheckOutcome): readonly CheckItem[] =>
  ITEMS_BY_GROUP.flatMap(([group, names]) =>
    names.map((item): CheckItem => {
      const deviation = outcome === 'pass' ? undefined : DEVIATIONS[outcome][item];
      return { item, group, ...(deviation ?? { result: 'PASSED', data: PASSED_DATA[item] ?? '', failed_reason: '' }) };
    }),
  );

export const CHECK_ITEMS: Readonly<Record<PrecheckOutcome, readonly CheckItem[]>> = {
  pass: itemsFor('pass'),
  alarm: itemsFor('alarm'),
  fail: itemsFor('fail'),
};
