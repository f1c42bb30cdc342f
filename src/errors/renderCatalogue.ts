// Renders the error catalogue for people: Markdown for docs/errors.md and HTML for GET /errors.
import { ERROR_CATALOGUE, type CatalogueEntry } from './catalogue';

interface Row {
  code: string;
  entry: CatalogueEntry;
}

const rows = (): Row[] =>
  Object.entries(ERROR_CATALOGUE).map(([code, entry]) => ({ code: code === 'DRS.PASSTHROUGH' ? 'DRS.M…' : code, entry }));

const statusOf = (row: Row): string => (row.code === 'DRS.M…' ? "DRS's 4xx" : String(row.entry.status));

export const renderCatalogueMarkdown = (): string =>
  [
    '# Gateway error codes',
    '',
    'Generated from `src/errors/catalogue.ts` by `npm run docs:errors`; a test fails when this file is stale.',
    'Every error body is `application/problem+json` with `error_code`, and `type` ends in `#<code>`.',
    '',
    'The retry column says what a failure means for the work asked for: `transient`, refused before anything started',
    '(the same request can pass later); `may-have-started`, DRS may have received the request, so read the result before',
    'starting again (the same Idempotency-Key replays this answer); `final`, the same request gets the same answer.',
    '',
    '| code | status | retry | title (en-us / zh-cn) | meaning | what to do |',
    '|---|---|---|---|---|---|',
    ...rows().map((r) => `| \`${r.code}\` | ${statusOf(r)} | ${r.entry.retry} | ${r.entry.title['en-us']} / ${r.entry.title['zh-cn']} | ${r.entry.detail['en-us']} | ${r.entry.action} |`),
    '',
  ].join('\n');

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const renderCatalogueHtml = (): string =>
  [
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Gateway error codes</title></head><body>',
    '<h1>Gateway error codes</h1>',
    '<table><thead><tr><th>code</th><th>status</th><th>retry</th><th>title</th><th>meaning</th><th>what to do</th></tr></thead><tbody>',
    ...rows().map(
      (r) =>
        `<tr id="${escapeHtml(r.code)}"><td><code>${escapeHtml(r.code)}</code></td><td>${statusOf(r)}</td><td>${r.entry.retry}</td><td>${escapeHtml(r.entry.title['en-us'])}<br>${escapeHtml(r.entry.title['zh-cn'])}</td><td>${escapeHtml(r.entry.detail['en-us'])}</td><td>${escapeHtml(r.entry.action)}</td></tr>`,
    ),
    '</tbody></table></body></html>',
  ].join('\n');
