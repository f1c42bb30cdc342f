// Reads the repository's Markdown as GitHub renders it: links, heading anchors, sections and table rows.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import GithubSlugger from 'github-slugger';
import MarkdownIt from 'markdown-it';

type Token = MarkdownIt.Token;

/** The repository root, where README.md lives. */
export const REPO_ROOT = resolve(__dirname, '../..');

/** Build outputs and installs: present in a working tree, absent from a fresh clone, so no link may point into them. */
const NOT_IN_A_CLONE = new Set(['node_modules', 'dist', 'coverage', '.git']);

const markdown = new MarkdownIt({ html: true });

const parse = (text: string): Token[] => markdown.parse(text, {});

/** The tokens of every inline run, table cells and headings included. */
const inlineChildren = (tokens: readonly Token[]): Token[] => tokens.flatMap((token) => (token.type === 'inline' ? (token.children ?? []) : []));

const htmlOf = (tokens: readonly Token[]): string[] =>
  [...tokens, ...inlineChildren(tokens)].filter((token) => token.type === 'html_block' || token.type === 'html_inline').map((token) => token.content);

/** A heading's text as GitHub slugs it: what renders, so code spans count and Markdown markers do not. */
const headingText = (inline: Token | undefined): string =>
  (inline?.children ?? []).map((child) => (child.type === 'text' || child.type === 'code_inline' ? child.content : '')).join('');

/** Every fragment a link may name in this document: GitHub's heading slugs (duplicates get -1, -2, …) and HTML ids. */
export const anchorsOf = (text: string): Set<string> => {
  const tokens = parse(text);
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  tokens.forEach((token, index) => {
    if (token.type === 'heading_open') anchors.add(slugger.slug(headingText(tokens[index + 1])));
  });
  for (const html of htmlOf(tokens)) for (const match of html.matchAll(/<a\s[^>]*\b(?:id|name)="([^"]+)"/g)) anchors.add(match[1] as string);
  return anchors;
};

/** Every link target the rendered page has: Markdown links and images, and HTML href/src. Code is not a link. */
export const linksOf = (text: string): string[] => {
  const tokens = parse(text);
  const fromMarkdown = inlineChildren(tokens).flatMap((token) => {
    const target = token.type === 'link_open' ? token.attrGet('href') : token.type === 'image' ? token.attrGet('src') : null;
    return target === null ? [] : [String(target)];
  });
  const fromHtml = htmlOf(tokens).flatMap((html) => [...html.matchAll(/\b(?:href|src)="([^"]*)"/g)].map((match) => match[1] as string));
  return [...fromMarkdown, ...fromHtml];
};

/** The Markdown files under `root`, relative to it, outside installs and build outputs. */
export const markdownFiles = (root: string): string[] => {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) return NOT_IN_A_CLONE.has(entry.name) ? [] : walk(path);
      return entry.name.endsWith('.md') ? [path] : [];
    });
  return walk('').sort();
};

const EXTERNAL = /^(?:https?:|mailto:)/i;
const ANY_SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/**
 * What is wrong with each relative link of `files` (paths relative to `root`): a target outside the repository, an
 * absolute path, a file that does not exist (or lies where a clone has none), or a fragment the target does not define.
 * Web links (http, https, mailto) are not followed.
 */
export const brokenLinks = (root: string, files: readonly string[]): string[] => {
  const anchorCache = new Map<string, Set<string>>();
  const anchorsIn = (path: string): Set<string> => {
    let anchors = anchorCache.get(path);
    if (!anchors) {
      anchors = anchorsOf(readFileSync(path, 'utf8'));
      anchorCache.set(path, anchors);
    }
    return anchors;
  };
  return files.flatMap((file) => {
    const source = join(root, file);
    return linksOf(readFileSync(source, 'utf8')).flatMap((link): string[] => {
      const problem = (what: string): string[] => [`${file}: ${link}: ${what}`];
      if (EXTERNAL.test(link)) return [];
      if (ANY_SCHEME.test(link)) return problem('not a file in the repository (only http, https and mailto links may leave it)');
      if (link.startsWith('/') || link.startsWith('\\')) return problem('an absolute path: write it relative to this file');
      const hashAt = link.indexOf('#');
      const path = decodeURIComponent(hashAt < 0 ? link : link.slice(0, hashAt));
      const fragment = hashAt < 0 ? undefined : decodeURIComponent(link.slice(hashAt + 1));
      const target = path === '' ? source : resolve(dirname(source), path);
      const inRepo = relative(root, target);
      if (inRepo.startsWith('..') || isAbsolute(inRepo)) return problem('leaves the repository');
      if (inRepo.split(sep).some((part) => NOT_IN_A_CLONE.has(part))) return problem('points into an install or build output, which a clone does not have');
      if (!existsSync(target)) return problem('no such file');
      if (fragment === undefined) return [];
      if (statSync(target).isDirectory() || extname(target) !== '.md') return problem('a fragment on something that is not a Markdown page');
      return anchorsIn(target).has(fragment) ? [] : problem(`no heading or anchor "${fragment}" in ${relative(root, target)}`);
    });
  });
};

/**
 * The Markdown under the heading whose text is `title`, up to the next heading of the same or a higher level.
 * Throws when the page has no such heading, so a renamed section fails the test that reads it.
 */
export const sectionOf = (text: string, title: string): string => {
  const tokens = parse(text);
  const lines = text.split('\n');
  const start = tokens.findIndex((token, index) => token.type === 'heading_open' && headingText(tokens[index + 1]) === title);
  const heading = tokens[start];
  if (heading === undefined || heading.map === null) throw new Error(`no heading "${title}"`);
  const next = tokens.slice(start + 1).find((token) => token.type === 'heading_open' && token.tag <= heading.tag);
  return lines.slice(heading.map[1], next?.map?.[0] ?? lines.length).join('\n');
};

/** The body rows of every table in `text`, each as its cells' Markdown source. */
export const tableRows = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] | undefined;
  let inBody = false;
  for (const token of parse(text)) {
    if (token.type === 'tbody_open') inBody = true;
    else if (token.type === 'tbody_close') inBody = false;
    else if (inBody && token.type === 'tr_open') row = [];
    else if (inBody && token.type === 'tr_close' && row) rows.push(row);
    else if (inBody && token.type === 'inline' && row) row.push(token.content);
  }
  return rows;
};

/** The code spans of a cell or line, in order: `RATE_LIMIT_MAX`, `rateLimit.max`. */
export const codeSpans = (markdownText: string): string[] => [...markdownText.matchAll(/`([^`]+)`/g)].map((match) => match[1] as string);

/** A repository file's text. */
export const readRepoFile = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');
