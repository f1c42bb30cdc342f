// Every relative link of the README, docs/ and deploy/ reaches a file of the repository, and its anchor a heading there.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { anchorsOf, brokenLinks, linksOf, markdownFiles, readRepoFile, REPO_ROOT } from '../support/markdown';

describe('the links of the repository', () => {
  const files = markdownFiles(REPO_ROOT);

  it('covers the README, every page of docs/ and the README of deploy/', () => {
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/README.md', 'docs/api.md', 'docs/operations.md', 'deploy/README.md']));
    expect(files.filter((file) => file.startsWith('docs/')).length).toBeGreaterThanOrEqual(11);
  });

  it('has no broken relative link, no missing anchor and no link out of the repository', () => {
    expect(brokenLinks(REPO_ROOT, files)).toEqual([]);
  });

  it('links every page of docs/ from the docs index', () => {
    const index = new Set(linksOf(readRepoFile('docs/README.md')).map((link) => link.split('#')[0]));
    const pages = files.filter((file) => file.startsWith('docs/') && file !== 'docs/README.md').map((file) => file.slice('docs/'.length));
    expect(pages.filter((page) => !index.has(page))).toEqual([]);
  });
});

describe('the link check', () => {
  let root: string;
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'drs-links-'));
    write('docs/target.md', '# Target\n\n## Order of checks\n\n## Why node:http and not axios?\n\n## Setup\n\n### Setup\n\n<a id="alert-x"></a>**X**\n');
    write('config/example.yaml', 'a: 1\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const problemsOf = (text: string): string[] => {
    write('README.md', text);
    return brokenLinks(root, ['README.md']);
  };

  it('accepts files, GitHub heading slugs (duplicates numbered), HTML anchors, same-page anchors and web links', () => {
    expect(
      problemsOf(
        [
          '# Readme',
          '[a](docs/target.md) [b](docs/target.md#order-of-checks) [c](./docs/target.md#why-nodehttp-and-not-axios)',
          '[d](docs/target.md#setup-1) [e](docs/target.md#alert-x) [f](config/example.yaml) [g](#readme) [h](docs/)',
          '[i](https://example.com/x) <mailto:ops@example.com>',
        ].join('\n'),
      ),
    ).toEqual([]);
  });

  it('reports a missing file, a missing anchor, a link out of the repository and an absolute path', () => {
    expect(
      problemsOf('[a](docs/missing.md) [b](docs/target.md#nowhere) [c](../shared/contract.md) [d](/etc/passwd) [e](docs/target.md#setup-2) [f](ftp://example.com/contract.md)'),
    ).toEqual([
      'README.md: docs/missing.md: no such file',
      'README.md: docs/target.md#nowhere: no heading or anchor "nowhere" in docs/target.md',
      'README.md: ../shared/contract.md: leaves the repository',
      'README.md: /etc/passwd: an absolute path: write it relative to this file',
      'README.md: docs/target.md#setup-2: no heading or anchor "setup-2" in docs/target.md',
      'README.md: ftp://example.com/contract.md: not a file in the repository (only http, https and mailto links may leave it)',
    ]);
  });

  it('reports a link into a build output and an anchor on a file that is not Markdown', () => {
    write('dist/main.js', '');
    expect(problemsOf('[a](dist/main.js) [b](config/example.yaml#L1)')).toEqual([
      'README.md: dist/main.js: points into an install or build output, which a clone does not have',
      'README.md: config/example.yaml#L1: a fragment on something that is not a Markdown page',
    ]);
  });

  it('reads links and images, and leaves code alone', () => {
    expect(linksOf('[a](x.md) ![b](y.png) `[c](z.md)`\n\n```\n[d](w.md)\n```\n<a href="v.md">v</a>')).toEqual(['x.md', 'y.png', 'v.md']);
  });

  it('slugs headings as GitHub does: lowercase, punctuation dropped, spaces to hyphens, code spans kept', () => {
    expect([...anchorsOf('# The `GW.2001` code: rate limits\n## Régions, accounts & projects\n## Régions, accounts & projects')]).toEqual([
      'the-gw2001-code-rate-limits',
      'régions-accounts--projects',
      'régions-accounts--projects-1',
    ]);
  });
});
