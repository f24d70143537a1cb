// One search result as HTML: the build pre-renders the home page's list with it and the browser script renders
// search results with it, so both look the same. No Node imports (bundled into the site script).

import { escapeHtml } from './html.ts';

export interface ResultSummary {
  name: string;
  title?: string;
  description: string;
  version: string;
  status: string;
  registryTypes: string[];
  transports: string[];
  kinds: string[];
}

/** Site path of a server's page, relative to the site root (no leading slash). */
export function serverPagePath(name: string): string {
  return `servers/${name.split('/').map(encodeURIComponent).join('/')}/`;
}

/** `root` is the relative path from the current page to the site root ('' on the home page). */
export function renderResultItem(s: ResultSummary, root: string): string {
  const tags = [...s.kinds, ...s.registryTypes, ...s.transports].map((t) => `<span class="tag">${escapeHtml(t)}</span>`);
  if (s.status === 'deprecated') tags.unshift('<span class="tag deprecated">deprecated</span>');
  return `<li data-testid="result"><a href="${escapeHtml(root + serverPagePath(s.name))}">${escapeHtml(s.title || s.name)}</a>` +
    `<div class="name">${escapeHtml(s.name)} · ${escapeHtml(s.version)}</div>` +
    `<p>${escapeHtml(s.description)}</p>${tags.length ? `<p class="tags">${tags.join('')}</p>` : ''}</li>`;
}

export function countText(count: number, total: number): string {
  const noun = (n: number): string => (n === 1 ? 'server' : 'servers');
  return count === total ? `${count} ${noun(count)}` : `${count} of ${total} ${noun(total)}`;
}

export const FACETS = [
  { key: 'registryType', label: 'Registry type' },
  { key: 'transport', label: 'Transport' },
  { key: 'kind', label: 'Local or remote' },
  { key: 'status', label: 'Status' },
] as const;

export type FacetKey = (typeof FACETS)[number]['key'];
