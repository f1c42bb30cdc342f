// One job's entry in a batch-precheck-result answer, as of `now`: progress, pass rate and the items finished so far.
import { CHECK_ITEMS } from './checkItems';
import type { JobState, PrecheckOutcome, PrecheckRun } from './jobStore';
import { stableId } from './stableId';

interface Prefixes {
  /** `json[k]`: the first k items serialized and comma-joined, so a report is one concatenation. */
  json: readonly string[];
  /** `passed[k]`: how many of the first k items did not fail. */
  passed: readonly number[];
  total: number;
}

/** ALARM does not count against the rate or the result (Huawei's DDS example: ALARM items, "100%", true). */
const prefixes = (outcome: PrecheckOutcome): Prefixes => {
  const items = CHECK_ITEMS[outcome];
  const json = [''];
  const passed = [0];
  items.forEach((item, index) => {
    json.push(index === 0 ? JSON.stringify(item) : `${json[index] ?? ''},${JSON.stringify(item)}`);
    passed.push((passed[index] ?? 0) + (item.result === 'FAILED' ? 0 : 1));
  });
  return { json, passed, total: items.length };
};

const PREFIXES: Readonly<Record<PrecheckOutcome, Prefixes>> = {
  pass: prefixes('pass'),
  alarm: prefixes('alarm'),
  fail: prefixes('fail'),
};

export interface PrecheckReport {
  json: string;
  /** A finished report never changes again, so callers may keep it. */
  done: boolean;
}

/**
 * `process` is undocumented between 0% and 100%: we make it proportional to elapsed time and never show "100%"
 * before the end, because clients (terraform among them) treat "100%" as done.
 */
export const precheckReport = (job: JobState, run: PrecheckRun, now: number, durationMs: number): PrecheckReport => {
  const { json, passed, total } = PREFIXES[job.outcome];
  const elapsed = Math.max(0, now - run.startedAt);
  const fraction = durationMs <= 0 ? 1 : elapsed / durationMs;
  const done = fraction >= 1;
  const revealed = done ? total : Math.floor(fraction * total);
  const passedSoFar = passed[revealed] ?? 0;
  const rate = revealed === 0 ? '0%' : `${Math.floor((passedSoFar * 100) / revealed)}%`;
  const process = done ? '100%' : `${Math.min(99, Math.floor(fraction * 100))}%`;
  const result = done && passedSoFar === total;
  const tail = done ? `,"rds_instance_id":"${stableId('rds', job.id)}in01","job_direction":"up"` : '';
  return {
    json:
      `{"result":${result},"process":"${process}","precheck_id":${JSON.stringify(job.id)},"total_passed_rate":"${rate}"${tail},` +
      `"precheck_result":[${json[revealed] ?? ''}]}`,
    done,
  };
};
