// Stage 4b: registry rows → the web site under `site/` (pre-rendered HTML, hashed assets). Pure and linear: one
// small page per live server, the home page with the first servers by name, and numbered pages with the rest.

import { createHash } from 'node:crypto';
import type { OutputFile } from '../build/api-files.ts';
import { groupByServer } from '../registry/by-server.ts';
import type { RegistryRecord } from '../model.ts';
import { compareBytewise, compareInstants, parseInstant } from '../query/compare.ts';
import { SITE_CSP_META, SITE_ROOT } from '../serve/routes.ts';
import { holdsClientVariable } from '../clients/launch-safety.ts';
import { CLIENTS, clientConfigs, inputsOf, packagesOf, remotesOf, type Client, type Input } from './client-config.ts';
import { escapeHtml, escapeText, linkOrText } from './html.ts';
import { countText, FACETS, renderResultItem, type FacetKey, type ResultSummary } from './result-item.ts';

export const HOME_PAGE_SIZE = 200;
export const SITE_TITLE = 'MCP Registry';

export interface SiteAssets {
  css: string;
  /** browser/main.ts, bundled. */
  js: string;
  /** browser/worker.ts, bundled: loads and queries the search index off the main thread. */
  worker: string;
}

/** The hashed paths of the site's assets, relative to the site root. */
export type SiteAssetNames = SiteAssets;
type AssetNames = SiteAssetNames;

function hashed(name: string, ext: string, content: string): string {
  return `assets/${name}-${createHash('sha256').update(content).digest('hex').slice(0, 12)}.${ext}`;
}

const CLIENT_LABELS: Record<Client, { title: string; file: string }> = {
  vscode: { title: 'VS Code', file: '.vscode/mcp.json' },
  claude: { title: 'Claude Desktop', file: 'claude_desktop_config.json' },
  cursor: { title: 'Cursor', file: '.cursor/mcp.json' },
};

function page(opts: { title: string; description: string; root: string; kind: string; assets: AssetNames; body: string }): string {
  const { root, assets } = opts;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${SITE_CSP_META}"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light dark">
<title>${escapeHtml(opts.title)}</title><meta name="description" content="${escapeHtml(opts.description)}">
<link rel="stylesheet" href="${root}${assets.css}"><script defer src="${root}${assets.js}"></script></head>
<body data-page="${opts.kind}" data-root="${root}"${opts.kind === 'home' ? ` data-worker="${root}${assets.worker}"` : ''}><a class="skip" href="#main">Skip to content</a>
<header class="top"><div class="wrap"><a class="brand" href="${root || './'}">${SITE_TITLE}</a><nav aria-label="Site"><a href="${root || './'}">Servers</a><a href="${root}v0.1/servers">API</a></nav></div></header>
<main id="main" class="wrap">
${opts.body}
</main></body></html>
`;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const day = (instant: string): string => `<time datetime="${escapeHtml(instant)}">${escapeHtml(instant.slice(0, 10))}</time>`;
const yesNo = (v: unknown): string => (v ? 'yes' : 'no');

function summarize(record: RegistryRecord): ResultSummary {
  const server = record.server;
  const registryTypes = new Set<string>(), transports = new Set<string>(), kinds: string[] = [];
  const packages = packagesOf(server), remotes = remotesOf(server);
  for (const p of packages) {
    if (str(p.registryType)) registryTypes.add(p.registryType!);
    if (str(p.transport?.type)) transports.add(p.transport!.type!);
  }
  for (const r of remotes) if (str(r.type)) transports.add(r.type!);
  if (packages.length) kinds.push('local');
  if (remotes.length) kinds.push('remote');
  const title = str(server.title);
  return {
    name: record.name, ...(title ? { title } : {}), description: server.description, version: record.version,
    status: record.official.status === 'deprecated' ? 'deprecated' : 'active',
    registryTypes: [...registryTypes].sort(compareBytewise), transports: [...transports].sort(compareBytewise), kinds,
  };
}

function byPublicationDescending(a: RegistryRecord, b: RegistryRecord): number {
  return compareInstants(parseInstant(b.official.publishedAt)!, parseInstant(a.official.publishedAt)!) || compareBytewise(b.version, a.version);
}

function table(head: string[], rows: string[][]): string {
  return `<div class="scroll"><table><thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('') + '</tbody></table></div>';
}

function inputRows(list: Array<{ owner: string; input: Input }>, named: boolean): string[][] {
  return list.map(({ owner, input }) => [
    named ? `<code>${escapeHtml(String(input.name ?? ''))}</code>` : `<code>${escapeHtml(String(input.name ?? input.valueHint ?? input.type ?? ''))}</code>`,
    yesNo(input.isRequired), yesNo(input.isSecret),
    escapeHtml(String(input.description ?? '')),
    input.default !== undefined ? `<code>${escapeHtml(String(input.default))}</code>` : '',
    escapeHtml(owner),
  ]);
}

function renderConfigs(record: RegistryRecord): string {
  const configs = clientConfigs(record.server);
  if (!configs) {
    return [...packagesOf(record.server), ...remotesOf(record.server)].some(holdsClientVariable)
      ? '<p class="muted" data-testid="no-snippet">No configuration to copy: this server\'s packages or remotes hold <code>${…}</code>, which clients would fill with values from your environment.</p>'
      : '<p class="muted" data-testid="no-snippet">No package or remote that a client can start or reach: see the packages below.</p>';
  }
  const sections = CLIENTS.map((client) => {
    const { title, file } = CLIENT_LABELS[client];
    return `<section class="config" aria-labelledby="h-${client}"><h3 id="h-${client}">${title} <code class="muted">${file}</code>` +
      `<button type="button" data-testid="copy-${client}" data-copy="config-${client}" hidden>Copy</button>` +
      `<span class="copied" role="status" aria-live="polite" data-testid="copied-${client}"></span></h3>` +
      `<pre id="config-${client}" data-testid="config-${client}" tabindex="0">${escapeText(JSON.stringify(configs[client], null, 2))}</pre></section>`;
  });
  // The exact command, not a summary: what a publisher's package runs is for the user to read before pasting.
  const run = configs.run.kind === 'command'
    ? `<p>Runs <code data-testid="command-line">${escapeHtml(configs.run.commandLine)}</code></p>`
    : `<p>Connects to <code data-testid="remote-url">${escapeHtml(configs.run.url)}</code>; Claude Desktop runs <code data-testid="command-line">${escapeHtml(configs.run.claudeCommandLine)}</code></p>`;
  return `${run}<p class="muted">Add it to your client's configuration; values in <code>&lt;…&gt;</code> are yours to fill in.</p>${sections.join('')}`;
}

function renderServerPage(latest: RegistryRecord, versions: RegistryRecord[], longDescriptionHtml: string | undefined, assets: AssetNames): string {
  const root = '../'.repeat(1 + latest.name.split('/').length);
  const server = latest.server;
  const title = str(server.title) || latest.name;
  const status = latest.official.status;
  const parts: string[] = [];
  parts.push(`<p><a href="${root}">← All servers</a></p>`);
  parts.push(`<h1>${escapeHtml(title)}</h1>`);
  parts.push(`<p class="name"><code data-testid="server-name">${escapeHtml(latest.name)}</code> <span class="tag ${status}">${status}</span></p>`);
  if (latest.official.statusMessage) parts.push(`<p class="note">${escapeHtml(latest.official.statusMessage)}</p>`);
  parts.push(`<p data-testid="description">${escapeHtml(server.description)}</p>`);
  const repository = server.repository as { url?: unknown; subfolder?: unknown } | undefined;
  const facts: string[] = [
    `<dt>Latest version</dt><dd>${escapeHtml(latest.version)}</dd>`,
    `<dt>Published</dt><dd>${day(latest.official.publishedAt)}</dd>`,
    `<dt>Updated</dt><dd>${day(latest.official.updatedAt)}</dd>`,
  ];
  if (repository && typeof repository === 'object' && repository.url !== undefined) {
    facts.push(`<dt>Repository</dt><dd data-testid="repository">${linkOrText(repository.url)}${str(repository.subfolder) ? ` (${escapeHtml(repository.subfolder as string)})` : ''}</dd>`);
  }
  if (server.websiteUrl !== undefined) facts.push(`<dt>Website</dt><dd data-testid="website">${linkOrText(server.websiteUrl)}</dd>`);
  facts.push(`<dt>API</dt><dd><a href="${root}v0.1/servers/${latest.name.split('/').map(encodeURIComponent).join('/')}/versions/latest">server.json</a></dd>`);
  parts.push(`<dl class="facts">${facts.join('')}</dl>`);
  parts.push(`<h2 id="install">Install</h2>${renderConfigs(latest)}`);
  if (longDescriptionHtml) parts.push(`<h2 id="about">About</h2><div class="long" data-testid="long-description">${longDescriptionHtml}</div>`);

  const packages = packagesOf(server), remotes = remotesOf(server);
  if (packages.length) {
    parts.push('<h2 id="packages">Packages</h2>' + table(['Package', 'Registry', 'Version', 'Transport', 'Runtime'], packages.map((p) => [
      str(p.registryType) === 'mcpb' ? linkOrText(p.identifier) : `<code>${escapeHtml(String(p.identifier ?? ''))}</code>`,
      escapeHtml(String(p.registryType ?? '')), escapeHtml(String(p.version ?? '')),
      escapeHtml(String(p.transport?.type ?? '')), escapeHtml(String(p.runtimeHint ?? '')),
    ])));
    // One row per variable name: packages of one server usually share them.
    const env = new Map<string, { owner: string; input: Input }>();
    const args: Array<{ owner: string; input: Input }> = [];
    for (const p of packages) {
      const owner = String(p.registryType ?? '');
      for (const input of inputsOf(p.environmentVariables)) {
        const seen = env.get(String(input.name));
        if (seen) seen.owner += `, ${owner}`;
        else env.set(String(input.name), { owner, input });
      }
      for (const input of inputsOf(p.runtimeArguments)) args.push({ owner: `${owner} (runtime)`, input });
      for (const input of inputsOf(p.packageArguments)) args.push({ owner, input });
    }
    const cols = ['Name', 'Required', 'Secret', 'Description', 'Default', 'Package'];
    if (env.size) parts.push(`<h3 id="env">Environment variables</h3>` + table(cols, inputRows([...env.values()], true)));
    if (args.length) parts.push(`<h3 id="args">Arguments</h3>` + table(cols, inputRows(args, false)));
  }
  if (remotes.length) {
    parts.push('<h2 id="remotes">Remotes</h2>' + table(['Transport', 'URL', 'Headers'], remotes.map((r) => [
      escapeHtml(String(r.type ?? '')), `<code>${escapeHtml(String(r.url ?? ''))}</code>`,
      inputsOf(r.headers).map((h) => `<code>${escapeHtml(String(h.name))}</code>${h.isRequired ? ' (required' + (h.isSecret ? ', secret)' : ')') : ''}`).join(', '),
    ])));
  }
  // This registry's annotations (registry.yaml metaKey): what the organisation says of the server.
  for (const [key, value] of Object.entries(latest.meta ?? {})) {
    const rows = Object.entries(value as Record<string, unknown>).map(([name, v]) => [
      escapeHtml(name), typeof v === 'string' ? escapeHtml(v) : `<code>${escapeHtml(JSON.stringify(v))}</code>`,
    ]);
    parts.push(`<h2 id="annotations">Notes of this registry</h2><p class="muted">Served under <code>${escapeHtml(key)}</code> in <code>_meta</code>.</p>` +
      table(['Key', 'Value'], rows).replace('<table>', '<table data-testid="annotations">'));
  }
  const listed = versions.filter((v) => v.official.status !== 'deleted').sort(byPublicationDescending);
  parts.push('<h2 id="versions">Versions</h2>' + table(['Version', 'Status', 'Published', 'Updated'], listed.map((v) => [
    escapeHtml(v.version) + (v === latest ? ' <span class="tag">latest</span>' : ''),
    escapeHtml(v.official.status) + (v.official.statusMessage ? ` <span class="muted">${escapeHtml(v.official.statusMessage)}</span>` : ''),
    day(v.official.publishedAt), day(v.official.updatedAt),
  ])).replace('<table>', '<table data-testid="versions">'));
  return page({ title: `${title} · ${SITE_TITLE}`, description: server.description, root, kind: 'server', assets, body: parts.join('\n') });
}

type FacetCounts = Record<FacetKey, Map<string, number>>;

function countFacets(servers: readonly ResultSummary[]): FacetCounts {
  const counts: FacetCounts = { registryType: new Map(), transport: new Map(), kind: new Map(), status: new Map() };
  const add = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);
  for (const s of servers) {
    for (const v of s.registryTypes) add(counts.registryType, v);
    for (const v of s.transports) add(counts.transport, v);
    for (const v of s.kinds) add(counts.kind, v);
    add(counts.status, s.status);
  }
  return counts;
}

function renderFacets(counts: FacetCounts, total: number): string {
  return FACETS.map(({ key, label }) => {
    const options = [...counts[key].entries()].sort((a, b) => compareBytewise(a[0], b[0]))
      .map(([value, n]) => `<option value="${escapeHtml(value)}">${escapeHtml(value)} (${n})</option>`).join('');
    return `<label>${label}<select name="${key}" data-testid="facet-${key}" data-facet="${key}"><option value="">All (${total})</option>${options}</select></label>`;
  }).join('');
}

function pagePath(n: number): string {
  return n === 1 ? '' : `page/${n}/`;
}

function renderHome(servers: readonly ResultSummary[], assets: AssetNames): string {
  const total = servers.length;
  const shown = servers.slice(0, HOME_PAGE_SIZE);
  const more = total > HOME_PAGE_SIZE
    ? `<p class="muted" id="more" data-testid="see-all">Showing the first ${HOME_PAGE_SIZE} of ${total} servers by name. Search above, or <a href="${pagePath(2)}">see all servers</a>.</p>`
    : '';
  const body = `<h1>Find an MCP server</h1>
<form class="search" role="search" action="./" method="get" data-testid="search-form">
<label for="q">Search servers</label>
<input id="q" name="q" type="search" data-testid="search" autocomplete="off" spellcheck="false" placeholder="weather, postgres, github…" aria-describedby="count">
<fieldset class="facets"><legend class="vh">Filters</legend>${renderFacets(countFacets(servers), total)}</fieldset>
</form>
<p class="count" id="count" data-testid="result-count" role="status" aria-live="polite">${countText(total, total)}</p>
<ol class="results" id="results" data-testid="results">
${shown.map((s) => renderResultItem(s, '')).join('\n')}
</ol>
${more}`;
  return page({ title: `${SITE_TITLE}: MCP servers`, description: `Search ${total} MCP servers and install them in VS Code, Claude Desktop or Cursor.`, root: '', kind: 'home', assets, body });
}

function renderListPage(servers: readonly ResultSummary[], n: number, pages: number, assets: AssetNames): string {
  const root = '../../';
  const start = (n - 1) * HOME_PAGE_SIZE;
  const slice = servers.slice(start, start + HOME_PAGE_SIZE);
  const link = (k: number, text: string): string => `<a href="${root}${pagePath(k)}">${text}</a>`;
  const nav = `<nav class="pager" aria-label="Pages">${n > 1 ? link(n - 1, '← Previous') : ''}<span>Page ${n} of ${pages}</span>${n < pages ? link(n + 1, 'Next →') : ''}</nav>`;
  const body = `<h1>All servers</h1><p class="muted">Servers ${start + 1}–${start + slice.length} of ${servers.length}, by name.</p>${nav}
<ol class="results" start="${start + 1}">
${slice.map((s) => renderResultItem(s, root)).join('\n')}
</ol>${nav}`;
  return page({ title: `All servers, page ${n} · ${SITE_TITLE}`, description: `MCP servers ${start + 1} to ${start + slice.length}`, root, kind: 'list', assets, body });
}

/** The site's stylesheet and scripts under content-hashed names, and the names the pages link to. */
export function renderSiteAssets(assets: SiteAssets): { files: OutputFile[]; names: SiteAssetNames } {
  const names: AssetNames = { css: hashed('site', 'css', assets.css), js: hashed('site', 'js', assets.js), worker: hashed('search-worker', 'js', assets.worker) };
  const paths = siteAssetPaths(names);
  return { files: ASSET_KEYS.map((key, i) => ({ path: paths[i]!, content: assets[key] })), names };
}

const ASSET_KEYS = ['css', 'js', 'worker'] as const;

/** Where the assets named `names` are written, relative to the output folder. */
export function siteAssetPaths(names: SiteAssetNames): string[] {
  return ASSET_KEYS.map((key) => `${SITE_ROOT}/${names[key]}`);
}

/**
 * One server's page (none when every version is deleted) and its line in the home page's list, from its rows in
 * version order.
 */
export function renderServerSite(versions: readonly RegistryRecord[], longDescriptionHtml: string | undefined, names: SiteAssetNames): { file: OutputFile; summary: ResultSummary } | undefined {
  const live = versions.filter((r) => r.official.status !== 'deleted');
  if (!live.length) return undefined;
  const latest = live.find((r) => r.official.isLatest) ?? [...live].sort(byPublicationDescending)[0]!;
  return { file: { path: `${SITE_ROOT}/servers/${latest.name}/index.html`, content: renderServerPage(latest, [...versions], longDescriptionHtml, names) }, summary: summarize(latest) };
}

/** The home page and the numbered pages of all servers, from every live server's summary. */
/** The site's list pages for `count` servers, in order: the home page, then pages 2, 3… */
export function siteIndexPaths(count: number): string[] {
  const pages = Math.max(1, Math.ceil(count / HOME_PAGE_SIZE));
  return Array.from({ length: pages }, (_, i) => `${SITE_ROOT}/${pagePath(i + 1)}index.html`);
}

/** Which servers (their indexes in name order) list page `n` (from 1) shows. */
export function sitePageRange(n: number): { start: number; end: number } {
  return { start: (n - 1) * HOME_PAGE_SIZE, end: n * HOME_PAGE_SIZE };
}

/**
 * The home page and the list pages, from every server's line in name order. With `only`, the list pages (from 2)
 * not in it are left out: an incremental build renders those whose servers changed (the home page always, for its
 * counts).
 */
export function* renderSiteIndexFiles(servers: readonly ResultSummary[], names: SiteAssetNames, only?: ReadonlySet<number>): Generator<OutputFile> {
  const summaries = [...servers].sort((a, b) => compareBytewise(a.name, b.name));
  const paths = siteIndexPaths(summaries.length);
  yield { path: paths[0]!, content: renderHome(summaries, names) };
  for (let n = 2; n <= paths.length; n++) {
    if (!only || only.has(n)) yield { path: paths[n - 1]!, content: renderListPage(summaries, n, paths.length, names) };
  }
}

/**
 * Every file of the site for rows in (name, version) order (what renderServerSite, renderSiteAssets and
 * renderSiteIndexFiles give, at once). `longDescriptions` maps a
 * server name to its server.md body as HTML from renderLongDescription (markdown.ts), which the validator runs too;
 * `assets` are the stylesheet and the bundled browser script.
 */
export function* renderSiteFiles(records: readonly RegistryRecord[], longDescriptions: ReadonlyMap<string, string>, assets: SiteAssets): Generator<OutputFile> {
  const { files, names } = renderSiteAssets(assets);
  yield* files;
  const summaries: ResultSummary[] = [];
  for (const versions of groupByServer(records)) {
    const page = renderServerSite(versions, longDescriptions.get(versions[0]!.name), names);
    if (!page) continue;
    summaries.push(page.summary);
    yield page.file;
  }
  yield* renderSiteIndexFiles(summaries, names);
}
