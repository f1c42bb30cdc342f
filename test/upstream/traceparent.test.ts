import { childTraceparent } from '../../src/upstream/traceparent';

describe('childTraceparent', () => {
  it('keeps the trace id and flags with a new parent id', () => {
    const child = childTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    expect(child).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
    expect(child).not.toContain('00f067aa0ba902b7');
  });

  it('drops invalid headers', () => {
    for (const h of [undefined, 'garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01']) {
      expect(childTraceparent(h)).toBeUndefined();
    }
  });
});
