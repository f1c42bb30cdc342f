// docs/api.md's table of codes names every code of the catalogue, with its status, in the catalogue's order.
import { ERROR_CATALOGUE } from '../../src/errors/catalogue';
import { codeSpans, readRepoFile, sectionOf, tableRows } from '../support/markdown';

describe('the codes of docs/api.md', () => {
  it('lists every catalogue code with its status, and no other', () => {
    const rows = tableRows(sectionOf(readRepoFile('docs/api.md'), 'Codes')).map(([code, status]) => [codeSpans(code ?? '')[0], status]);
    const expected = Object.entries(ERROR_CATALOGUE).map(([code, entry]) => (code === 'DRS.PASSTHROUGH' ? ['DRS.M…', "DRS's 4xx"] : [code, String(entry.status)]));
    expect(rows).toEqual(expected);
  });
});
