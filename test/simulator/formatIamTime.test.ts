// The IAM time format: ISO-8601 UTC with six fractional digits and a Z.
import { formatIamTime } from '../../src/simulator/formatIamTime';

describe('formatIamTime', () => {
  it('writes milliseconds as microseconds with a trailing Z, like IAM', () => {
    expect(formatIamTime(Date.UTC(2020, 0, 4, 9, 5, 22, 701))).toBe('2020-01-04T09:05:22.701000Z');
  });

  it('keeps leading zeros in every field', () => {
    expect(formatIamTime(Date.UTC(2021, 2, 5, 1, 2, 3, 4))).toBe('2021-03-05T01:02:03.004000Z');
  });
});
