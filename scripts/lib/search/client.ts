// The registry's search client: loads the MiniSearch index the build writes (dist/site/search/) and queries it.
// Runs in the browser (site), in Node (local server, tests, bench) and in edge functions: no Node imports, and
// nothing but minisearch. The build imports the index options from here so both sides always agree.

import MiniSearch, { type Options, type SearchOptions } from 'minisearch';

export type ServerKind = 'local' | 'remote';
export type SearchStatus = 'active' | 'deprecated';

/** Indexed fields, in the order the build writes them (also listed in the manifest). */
export const SEARCH_FIELDS = [
  'name',
  'title',
  'description',
  'packageIdentifiers',
  'registryTypes',
  'transports',
  'remoteHosts',
  'longDescription',
] as const;

/** Fields stored with each document and returned in every hit. */
export const STORE_FIELDS = ['name', 'title', 'description', 'version', 'status', 'registryTypes', 'transports', 'kinds', 'updatedAt'] as const;

/** Field boosts: a match in the name or title weighs most, the long description least. */
export const FIELD_BOOSTS: Record<string, number> = {
  name: 4,
  title: 4,
  description: 2,
  packageIdentifiers: 2,
  remoteHosts: 1.5,
  registryTypes: 1,
  transports: 1,
  longDescription: 0.5,
};

/** Where the manifest is served; it names the content-hashed index file. */
export const MANIFEST_PATH = '/search/manifest.json';

/** `dist/site/search/manifest.json`. */
export interface SearchManifest {
  /** Site path of the index, e.g. `/search/index-0123456789abcdef.json`. */
  index: string;
  documents: number;
  fields: string[];
}

/** What a search returns of a server: its latest version's stored fields. */
export interface StoredServer {
  name: string;
  title?: string;
  description: string;
  version: string;
  status: SearchStatus;
  registryTypes: string[];
  transports: string[];
  kinds: ServerKind[];
  updatedAt: string;
}

/** One indexed document: a server at its latest version. */
export interface SearchDocument extends StoredServer {
  /** Indexed only. */
  packageIdentifiers?: string[];
  remoteHosts?: string[];
  longDescription?: string;
}

export interface SearchHit extends StoredServer {
  /** Relevance; 0 for the empty query and for plain substring matches the index did not find. */
  score: number;
}

export interface SearchFilters {
  registryType: string;
  transport: string;
  kind: ServerKind;
  status: SearchStatus;
}

export interface SearchQueryOptions {
  filters?: Partial<SearchFilters>;
  /** At most this many hits (after filtering); all when absent. */
  limit?: number;
}

export interface SearchFacets {
  registryType: Record<string, number>;
  transport: Record<string, number>;
  kind: Record<string, number>;
  status: Record<string, number>;
}

export interface RegistrySearch {
  /**
   * Ranked hits: exact name or title matches first, then by relevance. Every server whose name or description
   * contains the query (case-insensitively, the official `search` semantics) is included, after the index's
   * prefix and fuzzy matches. The empty query returns every server, by name.
   */
  search(query: string, options?: SearchQueryOptions): SearchHit[];
  /** Counts per facet value over the given hits. */
  facets(hits: SearchHit[]): SearchFacets;
  /** Every server, by name. */
  all(): SearchHit[];
  readonly manifest: SearchManifest;
}

function stringifyField(value: unknown): string {
  return Array.isArray(value) ? value.join(' ') : String(value);
}

/** Query words that carry no meaning on their own ("server for slack" = "server slack"). */
const STOP_WORDS = new Set(['a', 'an', 'and', 'for', 'in', 'of', 'on', 'or', 'the', 'to', 'with']);

function queryTerm(term: string): string | null {
  const lower = term.toLowerCase();
  return STOP_WORDS.has(lower) ? null : lower;
}

/** The MiniSearch options shared by the build (indexing) and the client (loading). */
export function indexOptions(): Options<SearchDocument> {
  return {
    idField: 'name',
    fields: SEARCH_FIELDS.slice(),
    storeFields: STORE_FIELDS.slice(),
    stringifyField: stringifyField,
  };
}

function fuzziness(term: string): number | false {
  return term.length >= 4 ? 0.2 : false;
}

const MAX_FUZZY = 2;

/** Prefix matching from the second character typed: a one-letter prefix would expand to most of the vocabulary. */
function prefixOf(term: string): boolean {
  return term.length >= 2;
}

const QUERY_OPTIONS: SearchOptions = {
  boost: FIELD_BOOSTS,
  prefix: prefixOf,
  processTerm: queryTerm,
  fuzzy: fuzziness,
  maxFuzzy: MAX_FUZZY,
  combineWith: 'AND',
};

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function isManifest(value: unknown): value is SearchManifest {
  const m = value as SearchManifest | null;
  return !!m && typeof m === 'object' && typeof m.index === 'string' && typeof m.documents === 'number' && Array.isArray(m.fields);
}

interface Stored {
  hit: Omit<SearchHit, 'score'>;
  /** Position in name order. */
  pos: number;
  /** Lower-cased name, title and description, for exact and substring matching. */
  name: string;
  title: string;
  description: string;
  /** The part of the name after the namespace's `/`. */
  tail: string;
  /** The hit with score 0, shared by every answer that gives this document no score (frozen). */
  zero?: SearchHit;
}

/** MiniSearch's index internals, read once at load to find the broad terms (see BroadTerms). */
interface MiniInternals {
  _index: { entries(): Iterable<[string, Map<number, Map<number, number>>]>; delete(term: string): void };
  _fieldIds: Record<string, number>;
  _documentIds: Map<number, string>;
}

/**
 * Terms found in a large share of the documents ("mcp", "server", "npm", "stdio", "io", "github"): scoring them
 * through MiniSearch costs time in proportion to the documents they match (and prefix or fuzzy expansion reaches
 * them from many queries: "git" → "github"), while they add little to the ranking. At load they are taken out of
 * MiniSearch's index and kept here as, per term, each document's sum of the boosts of the fields that contain it
 * (0 when none does); a query term reaches them exactly, by prefix or by fuzzy match as MiniSearch would.
 */
class BroadTerms {
  readonly weights = new Map<string, Float32Array>();

  constructor(mini: MiniSearch<SearchDocument>, posOf: (id: string) => number | undefined, documents: number, tuning: SearchTuning) {
    const internals = mini as unknown as MiniInternals;
    const threshold = Math.max(tuning.broadTermMinDocuments ?? BROAD_TERM_MIN_DOCUMENTS, documents * (tuning.broadTermShare ?? BROAD_TERM_SHARE));
    const boostOf: number[] = [];
    for (const field of Object.keys(internals._fieldIds)) boostOf[internals._fieldIds[field]!] = FIELD_BOOSTS[field] ?? 1;
    const positions = new Map<number, number>();
    for (const [shortId, id] of internals._documentIds) {
      const pos = posOf(id);
      if (pos !== undefined) positions.set(shortId, pos);
    }
    for (const [term, byField] of internals._index.entries()) {
      let postings = 0;
      for (const docs of byField.values()) postings += docs.size;
      if (postings < threshold) continue;
      const weights = new Float32Array(documents);
      for (const [fieldId, docs] of byField) {
        const boost = boostOf[fieldId] ?? 1;
        for (const shortId of docs.keys()) {
          const pos = positions.get(shortId);
          if (pos !== undefined) weights[pos] = weights[pos]! + boost;
        }
      }
      this.weights.set(term, weights);
    }
    for (const term of this.weights.keys()) internals._index.delete(term);
  }
}

/** Levenshtein distance of a and b, or max + 1 once it exceeds max. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1);
    row[0] = i;
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (row[j]! < best) best = row[j]!;
    }
    if (best > max) return max + 1;
    prev = row;
  }
  return prev[b.length]!;
}

/** MiniSearch's default weights of prefix and fuzzy matches relative to exact ones. */
const PREFIX_WEIGHT = 0.375;
const FUZZY_WEIGHT = 0.45;

/** How a query term reaches a broad term: 1 exactly, the prefix or fuzzy weight, or 0 not at all. */
function broadReach(term: string, broad: string): number {
  if (term === broad) return 1;
  if (prefixOf(term) && broad.startsWith(term)) return PREFIX_WEIGHT;
  const fuzzy = fuzziness(term);
  if (fuzzy !== false) {
    const max = Math.min(MAX_FUZZY, Math.round(term.length * fuzzy));
    const distance = editDistance(term, broad, max);
    if (distance <= max) return FUZZY_WEIGHT * (1 - distance / (term.length + 1));
  }
  return 0;
}

/** A term is broad when at least this share of the documents (and this many) contain it. */
const BROAD_TERM_SHARE = 0.05;
const BROAD_TERM_MIN_DOCUMENTS = 1000;

/** Tuning for tests and measurements; the defaults suit registries of any size. */
export interface SearchTuning {
  /** Terms in at least this share of the documents are broad (default 0.05); Infinity turns broad terms off. */
  broadTermShare?: number;
  /** ...and in at least this many documents (default 1,000). */
  broadTermMinDocuments?: number;
}

const tokenizeQuery = MiniSearch.getDefault('tokenize') as (text: string) => string[];

interface Ranked {
  s: Stored;
  score: number;
  /** 3: exact name or title; 2: exact server part of the name; 1: other index match or name substring; 0: description substring. */
  tier: number;
}

function toHit(r: Ranked): SearchHit {
  if (r.score === 0) {
    if (!r.s.zero) r.s.zero = Object.freeze(makeHit(r.s.hit, 0)) as SearchHit;
    return r.s.zero;
  }
  return makeHit(r.s.hit, r.score);
}

function makeHit(h: Omit<SearchHit, 'score'>, score: number): SearchHit {
  const hit: SearchHit = {
    name: h.name, description: h.description, version: h.version, status: h.status, registryTypes: h.registryTypes,
    transports: h.transports, kinds: h.kinds, updatedAt: h.updatedAt, score: score,
  };
  if (h.title !== undefined) hit.title = h.title;
  return hit;
}

function countFacet(counts: Record<string, number>, values: readonly string[]): void {
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (values.indexOf(value) === i) counts[value] = (counts[value] ?? 0) + 1;
  }
}

class IndexSearch implements RegistrySearch {
  readonly manifest: SearchManifest;
  private readonly mini: MiniSearch<SearchDocument>;
  private readonly stored: Stored[];
  private readonly byId = new Map<string, Stored>();
  private readonly broad: BroadTerms;
  /**
   * Every document's lower-cased name and description, each followed by NUL, in name order: one native indexOf
   * pass over it finds the substring matches far faster than a call per document.
   */
  private readonly haystack: string;
  /** Offset in the haystack where each document's name starts, and where its name ends. */
  private readonly starts: Int32Array;
  private readonly nameEnds: Int32Array;

  constructor(manifest: SearchManifest, mini: MiniSearch<SearchDocument>, docs: Omit<SearchHit, 'score'>[], tuning: SearchTuning) {
    this.manifest = manifest;
    this.mini = mini;
    this.stored = docs.sort(byName).map((hit, pos) => {
      const name = hit.name.toLowerCase();
      const slash = name.lastIndexOf('/');
      const entry: Stored = {
        hit: hit,
        pos: pos,
        name: name,
        title: (hit.title ?? '').toLowerCase(),
        description: hit.description.toLowerCase(),
        tail: slash >= 0 ? name.slice(slash + 1) : name,
      };
      this.byId.set(hit.name, entry);
      return entry;
    });
    this.broad = new BroadTerms(mini, (id) => this.byId.get(id)?.pos, this.stored.length, tuning);
    const parts: string[] = [];
    this.starts = new Int32Array(this.stored.length + 1);
    this.nameEnds = new Int32Array(this.stored.length);
    let offset = 0;
    for (const entry of this.stored) {
      this.starts[entry.pos] = offset;
      this.nameEnds[entry.pos] = offset + entry.name.length;
      parts.push(entry.name, entry.description);
      offset += entry.name.length + entry.description.length + 2;
    }
    this.starts[this.stored.length] = offset;
    this.haystack = parts.join('\0') + '\0';
  }

  /** The official semantics: every document whose name or description contains `raw` (already lower-cased). */
  private substringMatches(raw: string, visit: (s: Stored, inName: boolean) => void): void {
    if (raw.indexOf('\0') >= 0) {
      for (const s of this.stored) {
        if (s.name.indexOf(raw) >= 0) visit(s, true);
        else if (s.description.indexOf(raw) >= 0) visit(s, false);
      }
      return;
    }
    const starts = this.starts;
    let from = 0;
    for (;;) {
      const at = this.haystack.indexOf(raw, from);
      if (at < 0) return;
      let low = 0, high = this.stored.length - 1;
      while (low < high) {
        const mid = (low + high + 1) >> 1;
        if (starts[mid]! <= at) low = mid;
        else high = mid - 1;
      }
      visit(this.stored[low]!, at < this.nameEnds[low]!);
      from = starts[low + 1]!;
    }
  }

  /** Per document, the score of one query term: MiniSearch's over the index plus the broad terms it reaches. */
  private termScores(term: string): Float32Array | null {
    const scores = new Float32Array(this.stored.length);
    let any = false;
    for (const result of this.mini.search(term, QUERY_OPTIONS)) {
      const s = this.byId.get(result.id as string);
      if (!s) continue;
      scores[s.pos] = scores[s.pos]! + result.score;
      any = true;
    }
    for (const [broad, weights] of this.broad.weights) {
      const reach = broadReach(term, broad);
      if (reach === 0) continue;
      any = true;
      for (let pos = 0; pos < weights.length; pos++) {
        const w = weights[pos]!;
        if (w !== 0) scores[pos] = scores[pos]! + w * reach;
      }
    }
    return any ? scores : null;
  }

  /** Index matches: documents every query term matches (AND), scored by the sum of the terms' scores. */
  private indexMatches(q: string, keep: (s: Stored) => boolean, seen: Uint8Array, ranked: Ranked[]): void {
    const terms: string[] = [];
    for (const token of tokenizeQuery(q)) {
      const term = queryTerm(token);
      if (term && terms.indexOf(term) < 0) terms.push(term);
    }
    if (terms.length === 0) return;
    const perTerm: Float32Array[] = [];
    for (const term of terms) {
      const scores = this.termScores(term);
      if (!scores) return;
      perTerm.push(scores);
    }
    for (const s of this.stored) {
      let score = 0;
      for (const scores of perTerm) {
        const x = scores[s.pos]!;
        if (x === 0) {
          score = 0;
          break;
        }
        score += x;
      }
      if (score === 0 || !keep(s)) continue;
      seen[s.pos] = 1;
      ranked.push({ s: s, score: score, tier: tierOf(s, q, 1) });
    }
  }

  all(): SearchHit[] {
    return this.stored.map((s) => toHit({ s: s, score: 0, tier: 0 }));
  }

  search(query: string, options: SearchQueryOptions = {}): SearchHit[] {
    const filters = options.filters ?? {};
    const filtered = !!(filters.registryType || filters.transport || filters.kind || filters.status);
    const keep = (s: Stored): boolean => !filtered || matchesFilters(s.hit, filters);
    const q = query.trim().toLowerCase();
    const ranked: Ranked[] = [];
    if (!q) {
      for (const s of this.stored) if (keep(s)) ranked.push({ s: s, score: 0, tier: 0 });
    } else {
      const seen = new Uint8Array(this.stored.length);
      this.indexMatches(q, keep, seen, ranked);
      // The official semantics, on the untrimmed query: a substring of the name or the description.
      this.substringMatches(query.toLowerCase(), (s, inName) => {
        if (!seen[s.pos] && keep(s)) ranked.push({ s: s, score: 0, tier: tierOf(s, q, inName ? 1 : 0) });
      });
      ranked.sort((a, b) => b.tier - a.tier || b.score - a.score || a.s.pos - b.s.pos);
    }
    const limit = options.limit !== undefined && options.limit >= 0 ? Math.min(options.limit, ranked.length) : ranked.length;
    const hits: SearchHit[] = new Array(limit);
    for (let i = 0; i < limit; i++) hits[i] = toHit(ranked[i]!);
    return hits;
  }

  facets(hits: SearchHit[]): SearchFacets {
    const facets: SearchFacets = { registryType: {}, transport: {}, kind: {}, status: {} };
    for (const hit of hits) {
      countFacet(facets.registryType, hit.registryTypes);
      countFacet(facets.transport, hit.transports);
      countFacet(facets.kind, hit.kinds);
      facets.status[hit.status] = (facets.status[hit.status] ?? 0) + 1;
    }
    return facets;
  }
}

function tierOf(s: Stored, q: string, otherwise: number): number {
  if (s.name === q || s.title === q) return 3;
  if (s.tail === q) return 2;
  return otherwise;
}

function matchesFilters(hit: Omit<SearchHit, 'score'>, filters: Partial<SearchFilters>): boolean {
  if (filters.registryType && hit.registryTypes.indexOf(filters.registryType) < 0) return false;
  if (filters.transport && hit.transports.indexOf(filters.transport) < 0) return false;
  if (filters.kind && hit.kinds.indexOf(filters.kind) < 0) return false;
  if (filters.status && hit.status !== filters.status) return false;
  return true;
}

/** A search over an already-fetched manifest and index (parsed JSON, or the index file's text). */
export function searchFromJson(manifest: unknown, indexJson: unknown, tuning: SearchTuning = {}): RegistrySearch {
  if (!isManifest(manifest)) throw new Error('search manifest: expected {index, documents, fields}');
  const raw = (typeof indexJson === 'string' ? JSON.parse(indexJson) : indexJson) as Parameters<typeof MiniSearch.loadJS>[0] & {
    storedFields?: Record<string, Record<string, unknown>>;
  };
  const mini = MiniSearch.loadJS<SearchDocument>(raw, indexOptions());
  const docs: Omit<SearchHit, 'score'>[] = [];
  for (const key of Object.keys(raw.storedFields ?? {})) {
    const f = raw.storedFields![key]!;
    const hit: Omit<SearchHit, 'score'> = {
      name: String(f.name),
      description: typeof f.description === 'string' ? f.description : '',
      version: String(f.version),
      status: f.status === 'deprecated' ? 'deprecated' : 'active',
      registryTypes: Array.isArray(f.registryTypes) ? (f.registryTypes as string[]) : [],
      transports: Array.isArray(f.transports) ? (f.transports as string[]) : [],
      kinds: Array.isArray(f.kinds) ? (f.kinds as ServerKind[]) : [],
      updatedAt: typeof f.updatedAt === 'string' ? f.updatedAt : '',
    };
    if (typeof f.title === 'string') hit.title = f.title;
    docs.push(hit);
  }
  return new IndexSearch(manifest, mini, docs, tuning);
}

/** Fetches `/search/manifest.json`, then the index it names, and returns a search over them. */
export async function loadSearch(fetchJson: (path: string) => Promise<unknown>): Promise<RegistrySearch> {
  const manifest = await fetchJson(MANIFEST_PATH);
  if (!isManifest(manifest)) throw new Error('search manifest: expected {index, documents, fields}');
  const index = await fetchJson(manifest.index);
  return searchFromJson(manifest, index);
}
