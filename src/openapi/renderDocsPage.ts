// A self-contained HTML page of the OpenAPI document (no CDN, no script), for people reading the API.
type Json = Record<string, unknown>;

const escapeHtml = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const asRecord = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const text = (v: unknown): string => (typeof v === 'string' ? escapeHtml(v) : '');

const operation = (path: string, method: string, op: Json): string => {
  const parameters = Array.isArray(op.parameters) ? (op.parameters as Json[]) : [];
  const body = asRecord(asRecord(asRecord(asRecord(op.requestBody).content)['application/json']).schema);
  const responses = Object.entries(asRecord(op.responses));
  return [
    `<section id="${escapeHtml(`${method}-${path}`)}"><h2><code>${method.toUpperCase()} ${escapeHtml(path)}</code></h2>`,
    `<p><strong>${text(op.summary)}</strong> ${text(op.description)}</p>`,
    parameters.length === 0
      ? ''
      : `<h3>Parameters</h3><ul>${parameters.map((p) => `<li><code>${text(p.name)}</code> (${text(p.in)}${p.required ? ', required' : ''}) ${text(p.description)}</li>`).join('')}</ul>`,
    Object.keys(body).length === 0 ? '' : `<h3>Request body (application/json)</h3><pre>${escapeHtml(JSON.stringify(body, null, 2))}</pre>`,
    `<h3>Responses</h3><ul>${responses.map(([status, r]) => `<li><code>${escapeHtml(status)}</code> ${text(asRecord(r).description)}</li>`).join('')}</ul>`,
    '</section>',
  ].join('\n');
};

export const renderDocsPage = (document: Json): string => {
  const info = asRecord(document.info);
  const sections = Object.entries(asRecord(document.paths)).flatMap(([path, methods]) =>
    Object.entries(asRecord(methods)).map(([method, op]) => operation(path, method, asRecord(op))),
  );
  return [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${text(info.title)}</title></head><body>`,
    `<h1>${text(info.title)} <small>${text(info.version)}</small></h1>`,
    `<p>${text(info.description)} Machine-readable: <a href="/openapi.json">/openapi.json</a>. Error codes: <a href="/errors">/errors</a>.</p>`,
    ...sections,
    '</body></html>',
  ].join('\n');
};
