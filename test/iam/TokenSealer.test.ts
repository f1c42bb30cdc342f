import type { IamToken } from '../../src/iam/IamToken';
import { TokenSealer } from '../../src/iam/TokenSealer';

const KEY = Buffer.alloc(32, 7).toString('base64');
const OTHER_KEY = Buffer.alloc(32, 8).toString('base64');
const BOUND_A = 'gw:iam:{0123456789abcdef:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}';
const BOUND_B = 'gw:iam:{0123456789abcdef:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb}';
const token: IamToken = { value: `MII${'x'.repeat(200)}`, expiresAt: Date.UTC(2026, 10, 29), obtainedAt: Date.UTC(2026, 10, 28) };

/** Flips one bit of the sealed bytes at `offset` (0 = first IV byte), keeping the text well-formed. */
const flipBit = (sealed: string, offset: number): string => {
  const [version, payload] = sealed.split('.') as [string, string];
  const raw = Buffer.from(payload, 'base64');
  raw[offset] = (raw[offset] as number) ^ 0x01;
  return `${version}.${raw.toString('base64')}`;
};

describe('TokenSealer (AES-256-GCM, entry bound in as associated data)', () => {
  const sealer = new TokenSealer(KEY);

  it('opens what it sealed for the same entry, and never shows the token in the sealed text', () => {
    const sealed = sealer.seal(token, BOUND_A);
    expect(sealed).not.toContain(token.value);
    // Not 'MII' alone: three characters turn up in random base64 about once in a thousand seals.
    expect(sealed).not.toContain(token.value.slice(0, 12));
    expect(sealer.open(sealed, BOUND_A)).toEqual(token);
  });

  it.each([
    ['the IV', 0],
    ['the authentication tag', 12],
    ['the first ciphertext byte', 28],
    ['the last ciphertext byte', -1],
  ])('refuses a ciphertext with one bit flipped in %s', (_name, offset) => {
    const sealed = sealer.seal(token, BOUND_A);
    const length = Buffer.from(sealed.split('.')[1] as string, 'base64').length;
    expect(sealer.open(flipBit(sealed, offset < 0 ? length + offset : offset), BOUND_A)).toBeUndefined();
  });

  it('refuses a truncated ciphertext, another version prefix and text that is not a sealed token', () => {
    const sealed = sealer.seal(token, BOUND_A);
    expect(sealer.open(sealed.slice(0, -8), BOUND_A)).toBeUndefined();
    expect(sealer.open(sealed.replace(/^v1\./, 'v2.'), BOUND_A)).toBeUndefined();
    expect(sealer.open('v1.AAAA', BOUND_A)).toBeUndefined();
    expect(sealer.open(token.value, BOUND_A)).toBeUndefined();
  });

  it('refuses a token sealed under another key', () => {
    expect(new TokenSealer(OTHER_KEY).open(sealer.seal(token, BOUND_A), BOUND_A)).toBeUndefined();
    expect(sealer.open(new TokenSealer(OTHER_KEY).seal(token, BOUND_A), BOUND_A)).toBeUndefined();
  });

  it("refuses one project's entry read as another project's (swapped binding)", () => {
    expect(sealer.open(sealer.seal(token, BOUND_A), BOUND_B)).toBeUndefined();
    expect(sealer.open(sealer.seal(token, BOUND_B), BOUND_A)).toBeUndefined();
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new TokenSealer(Buffer.alloc(16).toString('base64'))).toThrow('TOKEN_CACHE_KEY must be 32 bytes');
  });
});
