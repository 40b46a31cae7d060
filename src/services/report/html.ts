import type { ReportSection, RunRow } from '../../shared/report'
import { formatDuration } from '../../shared/format'
import { reportLanguage, words } from './words'

// The report's HTML: one self-contained page (styles inline, figures as inline SVG or PNG data
// URIs, nothing fetched), with a print stylesheet so that it prints and makes PDFs well.

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** A figure of the report: its content (inline SVG or an <img>) and a caption. */
export function figure(
  name: string,
  caption: string,
  content: string,
  options: { runId?: string; wide?: boolean } = {}
): string {
  const run = options.runId ? ` data-run="${escapeHtml(options.runId)}"` : ''
  return `<figure class="fig${options.wide ? ' wide' : ''}" data-figure="${escapeHtml(name)}"${run}>${content}<figcaption>${escapeHtml(caption)}</figcaption></figure>`
}

export const image = (dataUri: string, alt: string, width?: number): string =>
  `<img src="${dataUri}" alt="${escapeHtml(alt)}"${width ? ` width="${width}"` : ''}>`

export function section(
  name: ReportSection,
  content: string,
  heading = words(`report.sections.${name}`)
): string {
  return content
    ? `<section data-section="${name}"><h3>${escapeHtml(heading)}</h3>${content}</section>`
    : ''
}

/** A data file linked from the report as a data: URI (it downloads; nothing is fetched). */
export const dataLink = (fileName: string, mime: string, text: string): string =>
  `<a class="data" download="${escapeHtml(fileName)}" href="data:${mime};base64,${Buffer.from(text, 'utf8').toString('base64')}">${escapeHtml(fileName)}</a>`

export function runsTable(rows: readonly RunRow[]): string {
  const metrics = [...new Set(rows.flatMap((r) => Object.keys(r.metrics)))]
  const head = [
    ...[
      'run',
      'data',
      'architecture',
      'activation',
      'optimizer',
      'epochs',
      'time',
      'backend',
      'result',
      'seed',
      'status'
    ].map((column) => words(`report.table.${column}`)),
    ...metrics
  ]
  const cells = (r: RunRow): string[] => [
    `<b>${escapeHtml(r.name)}</b><br><small>${escapeHtml(r.id)} · ${escapeHtml(r.kind)}</small>`,
    escapeHtml(r.data),
    escapeHtml(r.architecture),
    escapeHtml(r.activation),
    escapeHtml(r.optimizer),
    escapeHtml(r.epochs),
    escapeHtml(formatDuration(r.seconds)),
    escapeHtml(r.backend),
    escapeHtml(r.result),
    String(r.seed),
    escapeHtml(r.status),
    ...metrics.map((m) => escapeHtml(r.metrics[m] ?? '–'))
  ]
  return `<table class="runs" data-testid="runs-table"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr data-run="${escapeHtml(r.id)}">${cells(r)
          .map((c) => `<td>${c}</td>`)
          .join('')}</tr>`
    )
    .join('')}</tbody></table>`
}

const STYLE = `
:root { color-scheme: light; }
body { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2330; margin: 0; background: #fff; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; }
header h1 { font-size: 24px; margin: 0 0 4px; }
header p.meta { color: #5a6373; margin: 0 0 12px; font-size: 12px; }
.notes { white-space: pre-wrap; background: #f4f6f9; border-left: 3px solid #2f5bd3; padding: 8px 12px; margin: 8px 0 16px; }
nav.toc { font-size: 12px; color: #5a6373; margin-bottom: 8px; }
nav.toc a { color: #2f5bd3; margin-right: 12px; }
h2 { font-size: 19px; border-bottom: 2px solid #1f2a44; padding-bottom: 3px; margin: 28px 0 8px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
h4 { font-size: 13px; margin: 14px 0 4px; color: #333; }
section { margin-bottom: 10px; }
.run { border-top: 1px solid #d9dee7; margin-top: 14px; padding-top: 4px; }
.figs { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-start; }
.fig { margin: 0; max-width: 100%; }
.fig.wide { flex-basis: 100%; }
.fig svg, .fig img { max-width: 100%; height: auto; display: block; }
.fig img { image-rendering: pixelated; }
figcaption { font-size: 11px; color: #5a6373; margin-top: 2px; max-width: 520px; }
table { border-collapse: collapse; font-size: 11.5px; margin: 6px 0; }
th, td { border: 1px solid #d9dee7; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #eef1f6; }
td small { color: #6b7280; }
table.runs { width: 100%; }
.metrics td:not(:first-child), .metrics th:not(:first-child) { text-align: right; }
table.per-glyph td, table.per-glyph th { padding: 1px 3px; font-size: 10px; }
a.data { color: #2f5bd3; margin-right: 12px; font-size: 12px; }
p.hint { color: #6b7280; font-size: 12px; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  main { max-width: none; padding: 0; }
  nav.toc, a.data { display: none; }
  h2 { break-before: page; }
  h2.first { break-before: auto; }
  h2, h3, h4 { break-after: avoid; }
  .fig, table.runs tr, .notes { break-inside: avoid; }
  body { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`

export function page(
  title: string,
  meta: string,
  notes: string,
  toc: readonly { id: string; label: string }[],
  body: string
): string {
  const nav = toc.length
    ? `<nav class="toc">${toc.map((t) => `<a href="#${escapeHtml(t.id)}">${escapeHtml(t.label)}</a>`).join('')}</nav>`
    : ''
  return `<!doctype html>
<html lang="${reportLanguage() === 'es' ? 'es-AR' : 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style></head>
<body><main>
<header><h1>${escapeHtml(title)}</h1><p class="meta">${escapeHtml(meta)}</p>
${notes ? `<div class="notes" data-testid="report-notes">${escapeHtml(notes)}</div>` : ''}${nav}</header>
${body}
</main></body></html>
`
}
