// Build side of search: registry rows (+ the long descriptions of the status files) → the MiniSearch index the
// site and the Node server query through client.ts, and the small manifest that names it. Pure and deterministic:
// the same input gives the same bytes, and the index file's name carries its content hash.

import { createHash } from 'node:crypto';
import MiniSearch from 'minisearch';
import type { RegistryRecord } from '../model.ts';
import { indexOptions, SEARCH_FIELDS, type SearchDocument, type SearchManifest, type ServerKind } from './client.ts';

/** Where the search files go, relative to the build's output directory (served from the site root). */
export const SEARCH_DIR = 'site/search';
export const MANIFEST_FILE = `${SEARCH_DIR}/manifest.json`;

/** Long descriptions beyond this many characters are indexed only up to it, to bound the index size. */
export const MAX_LONG_DESCRIPTION = 8000;

export interface BuiltSearchIndex {
  /** Text of `site/search/manifest.json`. */
  manifest: string;
  /** Text of the index file. */
  indexFile: string;
  /** Path of the index file relative to the output directory: `site/search/index-<hash>.json`. */
  indexPath: string;
  documents: number;
}

interface PackageLike {
  registryType?: unknown;
  identifier?: unknown;
  transport?: { type?: unknown };
}

interface RemoteLike {
  type?: unknown;
  url?: unknown;
}

function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value.filter((v) => v && typeof v === 'object') as T[]) : [];
}

function uniqueSorted(values: Iterable<unknown>): string[] {
  const set = new Set<string>();
  for (const v of values) if (typeof v === 'string' && v) set.add(v);
  return [...set].sort();
}

/** The host of a remote URL; URL templates (`https://{tenant}.example.com/mcp`) keep their literal host text. */
function remoteHost(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  const m = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#:]+)/.exec(url);
  return m ? m[1]!.toLowerCase() : undefined;
}

/** The index document of one server at its latest version. */
export function searchDocument(record: RegistryRecord, longDescription: string | undefined): SearchDocument {
  const server = record.server;
  const packages = list<PackageLike>(server.packages);
  const remotes = list<RemoteLike>(server.remotes);
  const kinds: ServerKind[] = [];
  if (packages.length) kinds.push('local');
  if (remotes.length) kinds.push('remote');
  const doc: SearchDocument = {
    name: record.name,
    description: typeof server.description === 'string' ? server.description : '',
    version: record.version,
    status: record.official.status === 'deprecated' ? 'deprecated' : 'active',
    registryTypes: uniqueSorted(packages.map((p) => p.registryType)),
    transports: uniqueSorted([...packages.map((p) => p.transport?.type), ...remotes.map((r) => r.type)]),
    kinds,
    updatedAt: record.official.updatedAt,
    packageIdentifiers: uniqueSorted(packages.map((p) => p.identifier)),
    remoteHosts: uniqueSorted(remotes.map((r) => remoteHost(r.url))),
  };
  if (typeof server.title === 'string' && server.title) doc.title = server.title;
  const long = longDescription?.trim();
  if (long) doc.longDescription = long.length > MAX_LONG_DESCRIPTION ? long.slice(0, MAX_LONG_DESCRIPTION) : long;
  return doc;
}

/** The index's document order: by name, in UTF-16 code units (for the registry's ASCII names, bytewise). */
export function byDocumentName(a: SearchDocument, b: SearchDocument): number {
  return compareDocumentNames(a.name, b.name);
}

/** byDocumentName's order of two names (a build that holds names before documents orders them by it). */
export function compareDocumentNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One document per server: its latest version (the official isLatest rule). Servers whose latest row is deleted —
 * isLatest only falls on a deleted version when every version is deleted — are left out.
 */
export function searchDocuments(records: readonly RegistryRecord[], longDescriptions: ReadonlyMap<string, string>): SearchDocument[] {
  const docs: SearchDocument[] = [];
  for (const record of records) {
    if (!record.official.isLatest || record.official.status === 'deleted') continue;
    docs.push(searchDocument(record, longDescriptions.get(record.name)));
  }
  return docs.sort(byDocumentName);
}

export function buildSearchIndex(records: readonly RegistryRecord[], longDescriptions: ReadonlyMap<string, string>): BuiltSearchIndex {
  return buildSearchIndexOf(searchDocuments(records, longDescriptions));
}

/** The index of documents already in name order (searchDocuments' order). */
export function buildSearchIndexOf(docs: readonly SearchDocument[]): BuiltSearchIndex {
  const index = startSearchIndex();
  index.addAll(docs);
  return finishSearchIndex(index);
}

/**
 * An index to add documents to, in name order, before finishSearchIndex: a build may add the documents that come
 * before every changed server while it reads the changed ones (build/incremental.ts). The same documents added in
 * the same order give the same index, whether in one call or several.
 */
export function startSearchIndex(): MiniSearch<SearchDocument> {
  return new MiniSearch<SearchDocument>(indexOptions());
}

export function finishSearchIndex(mini: MiniSearch<SearchDocument>): BuiltSearchIndex {
  const indexFile = JSON.stringify(mini.toJSON());
  const hash = createHash('sha256').update(indexFile).digest('hex').slice(0, 16);
  const name = `index-${hash}.json`;
  const manifest: SearchManifest = { index: `/search/${name}`, documents: mini.documentCount, fields: SEARCH_FIELDS.slice() };
  return { manifest: JSON.stringify(manifest) + '\n', indexFile, indexPath: `${SEARCH_DIR}/${name}`, documents: mini.documentCount };
}
