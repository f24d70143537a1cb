// The registry's search client: loads the MiniSearch index the build writes (dist/site/search/) and queries it.
// Runs in the browser (site), in Node (local server, tests, bench) and in edge functions: no Node imports, and
// nothing but minisearch and its two helpers beside it (substring-index.ts, term-scores.ts). The build imports the
// index options from here so both sides always agree.

import MiniSearch, { type Options, type SearchOptions } from 'minisearch';
import { SubstringIndex } from './substring-index.ts';
import { TermScorer, type MiniScoringInternals, type TermScoring } from './term-scores.ts';

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

export interface SearchPage {
  hits: SearchHit[];
  /** Hits passing every filter. */
  count: number;
  /** Documents in the index. */
  total: number;
  facets: Record<keyof SearchFilters, Record<string, number>>;
}

export interface RegistrySearch {
  /**
   * Ranked hits: exact name or title matches first, then by relevance. Every server whose name or description
   * contains the query (case-insensitively, the official `search` semantics) is included, after the index's
   * prefix and fuzzy matches. The empty query returns every server, by name.
   */
  search(query: string, options?: SearchQueryOptions): SearchHit[];
  /**
   * One page of the search as the site shows it: the first `limit` hits that pass every filter, how many pass,
   * and per facet the count of each value among the hits that pass the other filters (so selecting a value never
   * hides its siblings), with `''` the count when that facet is unset.
   */
  query(query: string, options?: SearchQueryOptions): SearchPage;
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

/**
 * The MiniSearch search options the scores of one query term equal (TermScorer computes them without MiniSearch's
 * result objects; test/search.test.ts compares the two).
 */
export const QUERY_OPTIONS: SearchOptions = {
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
  /** Per term, the documents that contain it (positions, ascending) and their weights. */
  readonly weights = new Map<string, { positions: Int32Array; weights: Float32Array }>();

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
    let dense: Float32Array | undefined;
    for (const [term, byField] of internals._index.entries()) {
      let postings = 0;
      for (const docs of byField.values()) postings += docs.size;
      if (postings < threshold) continue;
      const weights = (dense ??= new Float32Array(documents)).fill(0);
      for (const [fieldId, docs] of byField) {
        const boost = boostOf[fieldId] ?? 1;
        for (const shortId of docs.keys()) {
          const pos = positions.get(shortId);
          if (pos !== undefined) weights[pos] = weights[pos]! + boost;
        }
      }
      const present = new Int32Array(documents);
      let n = 0;
      for (let pos = 0; pos < documents; pos++) if (weights[pos] !== 0) present[n++] = pos;
      this.weights.set(term, { positions: present.slice(0, n), weights: Float32Array.from(present.subarray(0, n), (pos) => weights[pos]!) });
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

/** QUERY_OPTIONS for TermScorer, with MiniSearch's default weights and BM25 parameters (7.2.0 defaultSearchOptions). */
const TERM_SCORING: TermScoring = {
  fields: SEARCH_FIELDS.map((field) => [field, FIELD_BOOSTS[field] || 1] as const),
  prefixWeight: PREFIX_WEIGHT,
  fuzzyWeight: FUZZY_WEIGHT,
  k: 1.2,
  b: 0.7,
  d: 0.5,
};

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
  /** Hits are ordered through packed numeric keys up to this many documents (default and most 2^20), by comparator above. */
  packedOrderMaxDocuments?: number;
}

const tokenizeQuery = MiniSearch.getDefault('tokenize') as (text: string) => string[];

/** Facet keys in a fixed order; the per-document facet values are stored by this index. */
const FACET_KEYS = ['registryType', 'transport', 'kind', 'status'] as const;

function facetValuesOf(hit: Omit<SearchHit, 'score'>, key: keyof SearchFilters): readonly string[] {
  if (key === 'registryType') return hit.registryTypes;
  if (key === 'transport') return hit.transports;
  if (key === 'kind') return hit.kinds;
  return [hit.status];
}

/**
 * Every document's facet values as small integers, grouped into signatures: documents with the same values under
 * every facet (a few hundred combinations among 20,000 servers) share one. Counting facets and applying filters over
 * ten thousand hits is then one increment per hit, and the work per value is done once per signature.
 */
class FacetTable {
  /** Per facet key, the value of each id. */
  readonly values: string[][] = FACET_KEYS.map(() => []);
  private readonly ids: Map<string, number>[] = FACET_KEYS.map(() => new Map());
  /** The signature of each document, by position. */
  readonly signatureOf: Int32Array;
  readonly signatures: number;
  /** Value ids, flattened: signature `s`, facet `k` holds ids[start[s * 4 + k] .. start[s * 4 + k + 1]). */
  private readonly flat: Uint16Array;
  private readonly start: Int32Array;

  constructor(docs: Stored[]) {
    const flat: number[] = [];
    const start: number[] = [];
    const bySignature = new Map<string, number>();
    this.signatureOf = new Int32Array(docs.length);
    for (const s of docs) {
      const perKey = FACET_KEYS.map((key, k) => {
        const ids: number[] = [];
        for (const value of facetValuesOf(s.hit, key)) {
          const id = this.idOf(k, value, true);
          if (ids.indexOf(id) < 0) ids.push(id);
        }
        return ids;
      });
      const text = perKey.map((ids) => ids.join(',')).join('|');
      let signature = bySignature.get(text);
      if (signature === undefined) {
        signature = bySignature.size;
        bySignature.set(text, signature);
        for (const ids of perKey) {
          start.push(flat.length);
          flat.push(...ids);
        }
      }
      this.signatureOf[s.pos] = signature;
    }
    start.push(flat.length);
    this.signatures = bySignature.size;
    this.flat = Uint16Array.from(flat);
    this.start = Int32Array.from(start);
  }

  idOf(k: number, value: string, add = false): number {
    let id = this.ids[k]!.get(value);
    if (id === undefined) {
      if (!add) return -1;
      id = this.values[k]!.length;
      this.values[k]!.push(value);
      this.ids[k]!.set(value, id);
    }
    return id;
  }

  has(signature: number, k: number, id: number): boolean {
    const at = signature * FACET_KEYS.length + k;
    for (let i = this.start[at]!; i < this.start[at + 1]!; i++) if (this.flat[i] === id) return true;
    return false;
  }

  /** Adds `times` to the count of each of the signature's values under facet k. */
  add(signature: number, k: number, counts: Int32Array, times: number): void {
    const at = signature * FACET_KEYS.length + k;
    for (let i = this.start[at]!; i < this.start[at + 1]!; i++) counts[this.flat[i]!]! += times;
  }
}

/**
 * The matches of one query, before ordering: positions (in name order) with their tier and score.
 * Tier 3: exact name or title; 2: exact server part of the name; 1: other index match or name substring;
 * 0: description substring.
 */
interface Matches {
  positions: Int32Array;
  length: number;
  /** By position. */
  tier: Uint8Array;
  score: Float64Array;
  /** By position: 1 when among the matches. */
  member: Uint8Array;
}

const f32 = new Float32Array(1);
const f32bits = new Uint32Array(f32.buffer);
const POS_BITS = 2 ** 20;
const SCORE_SPAN = 2 ** 31;

/**
 * The first `limit` positions by tier (high first), score (high first), then name. Up to 2^20 documents the three
 * are packed into one exactly-representable double (2 + 31 + 20 bits: a non-negative float32's bits sort like its
 * value), so ordering is numeric. A page of the site needs 200 of maybe 15,000 hits: those are kept in a max-heap
 * of the `limit` smallest keys seen (a key replaces the heap's largest only when smaller, a few hundred times over
 * the hits), and only they are sorted, natively.
 */
function orderPositions(m: Matches, positions: Int32Array, limit: number, packedMax: number): Int32Array {
  if (m.tier.length > Math.min(packedMax, POS_BITS)) {
    const sorted = positions.slice().sort((a, b) => m.tier[b]! - m.tier[a]! || m.score[b]! - m.score[a]! || a - b);
    return sorted.subarray(0, limit);
  }
  const keyOf = (pos: number): number => {
    f32[0] = m.score[pos]!;
    return (3 - m.tier[pos]!) * SCORE_SPAN * POS_BITS + (SCORE_SPAN - 1 - f32bits[0]!) * POS_BITS + pos;
  };
  let keys: Float64Array;
  if (limit * 4 >= positions.length) {
    keys = new Float64Array(positions.length);
    for (let i = 0; i < positions.length; i++) keys[i] = keyOf(positions[i]!);
    keys.sort();
    if (limit < keys.length) keys = keys.subarray(0, limit);
  } else {
    keys = new Float64Array(limit);
    let size = 0;
    for (let i = 0; i < positions.length; i++) {
      const key = keyOf(positions[i]!);
      if (size < limit) heapPush(keys, size++, key);
      else if (key < keys[0]!) heapReplaceTop(keys, size, key);
    }
    keys.sort();
  }
  const ordered = new Int32Array(keys.length);
  for (let i = 0; i < keys.length; i++) ordered[i] = keys[i]! % POS_BITS;
  return ordered;
}

/** Adds `key` to the max-heap heap[0 .. size). */
function heapPush(heap: Float64Array, size: number, key: number): void {
  let i = size;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]! >= key) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = key;
}

/** Replaces the largest key of the max-heap heap[0 .. size) with `key`. */
function heapReplaceTop(heap: Float64Array, size: number, key: number): void {
  let i = 0;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= size) break;
    if (child + 1 < size && heap[child + 1]! > heap[child]!) child++;
    if (heap[child]! <= key) break;
    heap[i] = heap[child]!;
    i = child;
  }
  heap[i] = key;
}

function makeHit(h: Omit<SearchHit, 'score'>, score: number): SearchHit {
  const hit: SearchHit = {
    name: h.name, description: h.description, version: h.version, status: h.status, registryTypes: h.registryTypes,
    transports: h.transports, kinds: h.kinds, updatedAt: h.updatedAt, score: score,
  };
  if (h.title !== undefined) hit.title = h.title;
  return hit;
}

/** Per key, the positions of the documents it belongs to (in name order). */
function addPosition(map: Map<string, number[]>, key: string, pos: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [pos]);
  else if (list[list.length - 1] !== pos) list.push(pos);
}

/** Fates of a signature's documents under the filters (see fates()): kept, fail facet k alone (1 + k), fail several. */
const FAILS_MORE = 1 + FACET_KEYS.length;
const FATES = FAILS_MORE + 1;

class IndexSearch implements RegistrySearch {
  readonly manifest: SearchManifest;
  private readonly mini: MiniSearch<SearchDocument>;
  private readonly stored: Stored[];
  /** MiniSearch's short document ids → positions (-1: none). */
  private readonly posOfShortId: Int32Array;
  private readonly broad: BroadTerms;
  private readonly facetTable: FacetTable;
  private readonly substrings: SubstringIndex;
  private readonly packedMax: number;
  /** Lower-cased name or title → documents (tier 3 when it is the query); name after the `/` → documents (tier 2). */
  private readonly exact = new Map<string, number[]>();
  private readonly tails = new Map<string, number[]>();
  /**
   * The one Matches every query fills and clears again (release): queries run one at a time, and clearing the
   * matched positions costs less than allocating and zeroing arrays of every document per keystroke.
   */
  private readonly scratch: Matches;
  /** The matches that pass the filters; reused like scratch. */
  private readonly kept: Int32Array;
  /** Per query term (first, second, ...), its scores by position; reused like scratch. */
  private readonly termBuffers: Float32Array[] = [];
  private readonly scorer: TermScorer;

  constructor(manifest: SearchManifest, mini: MiniSearch<SearchDocument>, docs: Omit<SearchHit, 'score'>[], tuning: SearchTuning) {
    this.manifest = manifest;
    this.mini = mini;
    const names: string[] = [];
    const descriptions: string[] = [];
    const byId = new Map<string, number>();
    this.stored = docs.sort(byName).map((hit, pos) => {
      const name = hit.name.toLowerCase();
      const slash = name.lastIndexOf('/');
      const title = (hit.title ?? '').toLowerCase();
      names.push(name);
      descriptions.push(hit.description.toLowerCase());
      addPosition(this.exact, name, pos);
      if (title) addPosition(this.exact, title, pos);
      addPosition(this.tails, slash >= 0 ? name.slice(slash + 1) : name, pos);
      byId.set(hit.name, pos);
      return { hit: hit, pos: pos };
    });
    const internals = mini as unknown as MiniInternals;
    let shortIds = 0;
    for (const shortId of internals._documentIds.keys()) shortIds = Math.max(shortIds, shortId + 1);
    this.posOfShortId = new Int32Array(shortIds).fill(-1);
    for (const [shortId, id] of internals._documentIds) this.posOfShortId[shortId] = byId.get(id) ?? -1;
    this.broad = new BroadTerms(mini, (id) => byId.get(id), this.stored.length, tuning);
    this.scorer = new TermScorer(mini as unknown as MiniScoringInternals, this.posOfShortId, TERM_SCORING, this.stored.length);
    this.facetTable = new FacetTable(this.stored);
    this.substrings = new SubstringIndex(names, descriptions);
    this.packedMax = tuning.packedOrderMaxDocuments ?? POS_BITS;
    const n = this.stored.length;
    this.scratch = { positions: new Int32Array(n), length: 0, tier: new Uint8Array(n), score: new Float64Array(n), member: new Uint8Array(n) };
    this.kept = new Int32Array(n);
  }

  /** Adds to `scores` (by position) one query term's: MiniSearch's over the index plus the broad terms it reaches. */
  private termScores(term: string, scores: Float32Array): boolean {
    let any = this.scorer.addScores({ term: term, prefix: prefixOf(term), fuzzy: fuzziness(term), maxFuzzy: MAX_FUZZY }, scores);
    for (const [broad, { positions, weights }] of this.broad.weights) {
      const reach = broadReach(term, broad);
      if (reach === 0) continue;
      any = true;
      for (let i = 0; i < positions.length; i++) {
        const pos = positions[i]!;
        scores[pos] = scores[pos]! + weights[i]! * reach;
      }
    }
    return any;
  }

  /** Index matches: documents every query term matches (AND), scored by the sum of the terms' scores; tier 1. */
  private indexMatches(q: string, m: Matches): void {
    const terms: string[] = [];
    for (const token of tokenizeQuery(q)) {
      const term = queryTerm(token);
      if (term && terms.indexOf(term) < 0) terms.push(term);
    }
    if (terms.length === 0) return;
    const perTerm: Float32Array[] = [];
    for (const term of terms) {
      if (this.termBuffers.length === perTerm.length) this.termBuffers.push(new Float32Array(this.stored.length));
      const scores = this.termBuffers[perTerm.length]!.fill(0);
      if (!this.termScores(term, scores)) return;
      perTerm.push(scores);
    }
    // A document's score is the sum of its terms' scores, added in term order, when none is 0.
    const first = perTerm[0]!;
    const others = perTerm.slice(1);
    for (let pos = 0; pos < first.length; pos++) {
      let score = first[pos]!;
      if (score === 0) continue;
      for (let t = 0; t < others.length; t++) {
        const x = others[t]![pos]!;
        if (x === 0) {
          score = 0;
          break;
        }
        score += x;
      }
      if (score === 0) continue;
      m.score[pos] = score;
      m.tier[pos] = 1;
      m.member[pos] = 1;
      m.positions[m.length++] = pos;
    }
  }

  /**
   * Every document the query matches, in no particular order; the empty query matches all, in name order.
   * Tier 3: exact name or title; 2: exact server part of the name; 1: other index match or name substring;
   * 0: description substring. The caller releases the answer.
   */
  private match(query: string): Matches {
    const m = this.scratch;
    const q = query.trim().toLowerCase();
    if (!q) {
      for (let pos = 0; pos < this.stored.length; pos++) m.positions[pos] = pos;
      m.length = this.stored.length;
      return m;
    }
    this.indexMatches(q, m);
    // The official semantics, on the untrimmed query: a substring of the name or the description. Index matches
    // are already in.
    const member = m.member;
    this.substrings.matches(
      query.toLowerCase(),
      member,
      (pos, inName) => {
        member[pos] = 1;
        m.tier[pos] = inName ? 1 : 0;
        m.positions[m.length++] = pos;
      },
    );
    for (const pos of this.tails.get(q) ?? []) if (member[pos]) m.tier[pos] = 2;
    for (const pos of this.exact.get(q) ?? []) if (member[pos]) m.tier[pos] = 3;
    return m;
  }

  /** Clears what match() set, for the next query. */
  private release(m: Matches): void {
    if (m.length * 8 > this.stored.length) {
      // Many matches: clearing every array outright is the cheaper way.
      m.score.fill(0);
      m.tier.fill(0);
      m.member.fill(0);
      m.length = 0;
      return;
    }
    for (let i = 0; i < m.length; i++) {
      const pos = m.positions[i]!;
      m.score[pos] = 0;
      m.tier[pos] = 0;
      m.member[pos] = 0;
    }
    m.length = 0;
  }

  /** The selected filters as facet value ids; -1 for an unset facet, -2 for a value no document has. */
  private filterIds(filters: Partial<SearchFilters>): Int32Array {
    const ids = new Int32Array(FACET_KEYS.length);
    FACET_KEYS.forEach((key, k) => {
      const want = filters[key];
      const id = want ? this.facetTable.idOf(k, want) : -1;
      ids[k] = want && id < 0 ? -2 : id;
    });
    return ids;
  }

  /**
   * What the filters do to the documents of each signature: 0 keeps them, 1 + k means they fail facet k alone
   * (they still count for that facet, whose counts ignore its own selection), FAILS_MORE that they fail several.
   */
  private fates(ids: Int32Array): Uint8Array {
    const table = this.facetTable;
    const fates = new Uint8Array(table.signatures);
    if (!ids.some((id) => id !== -1)) return fates;
    for (let s = 0; s < table.signatures; s++) {
      let fails = 0;
      let which = 0;
      for (let k = 0; k < FACET_KEYS.length; k++) {
        const id = ids[k]!;
        if (id === -1 || (id >= 0 && table.has(s, k, id))) continue;
        fails++;
        which = k;
      }
      fates[s] = fails === 0 ? 0 : fails === 1 ? 1 + which : FAILS_MORE;
    }
    return fates;
  }

  private hitsOf(m: Matches, positions: Int32Array, limit: number | undefined, keepNameOrder: boolean): SearchHit[] {
    const wanted = limit !== undefined && limit >= 0 ? Math.min(limit, positions.length) : positions.length;
    const ordered = keepNameOrder ? positions : orderPositions(m, positions, wanted, this.packedMax);
    const count = Math.min(wanted, ordered.length);
    const hits: SearchHit[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const pos = ordered[i]!;
      hits[i] = this.hitAt(pos, m.score[pos]!);
    }
    return hits;
  }

  private hitAt(pos: number, score: number): SearchHit {
    const s = this.stored[pos]!;
    if (score !== 0) return makeHit(s.hit, score);
    if (!s.zero) s.zero = Object.freeze(makeHit(s.hit, 0)) as SearchHit;
    return s.zero;
  }

  all(): SearchHit[] {
    return this.stored.map((s) => this.hitAt(s.pos, 0));
  }

  search(query: string, options: SearchQueryOptions = {}): SearchHit[] {
    const m = this.match(query);
    try {
      const fates = this.fates(this.filterIds(options.filters ?? {}));
      const signatureOf = this.facetTable.signatureOf;
      const kept = new Int32Array(m.length);
      let n = 0;
      for (let i = 0; i < m.length; i++) {
        const pos = m.positions[i]!;
        if (fates[signatureOf[pos]!] === 0) kept[n++] = pos;
      }
      return this.hitsOf(m, kept.subarray(0, n), options.limit, !query.trim());
    } finally {
      this.release(m);
    }
  }

  query(query: string, options: SearchQueryOptions = {}): SearchPage {
    const m = this.match(query);
    try {
      const table = this.facetTable;
      const fates = this.fates(this.filterIds(options.filters ?? {}));
      const signatureOf = table.signatureOf;
      // Per signature and fate, how many of the matches have them: the facets are counted from these.
      const tally = new Int32Array(table.signatures * FATES);
      const positions = m.positions;
      let kept = positions;
      let n = 0;
      if (fates.every((fate) => fate === 0)) {
        for (let i = 0; i < m.length; i++) tally[signatureOf[positions[i]!]! * FATES]!++;
        n = m.length;
      } else {
        kept = this.kept;
        for (let i = 0; i < m.length; i++) {
          const pos = positions[i]!;
          const s = signatureOf[pos]!;
          const fate = fates[s]!;
          tally[s * FATES + fate]!++;
          if (fate === 0) kept[n++] = pos;
        }
      }
      const counts = FACET_KEYS.map((_, k) => new Int32Array(table.values[k]!.length));
      const unset = new Int32Array(FACET_KEYS.length);
      for (let s = 0; s < table.signatures; s++) {
        const passing = tally[s * FATES]!;
        for (let k = 0; k < FACET_KEYS.length; k++) {
          const times = passing + tally[s * FATES + 1 + k]!;
          if (times === 0) continue;
          table.add(s, k, counts[k]!, times);
          unset[k]! += times;
        }
      }
      const facets = {} as SearchPage['facets'];
      FACET_KEYS.forEach((key, k) => {
        const byValue: Record<string, number> = { '': unset[k]! };
        table.values[k]!.forEach((value, id) => {
          if (counts[k]![id]! > 0) byValue[value] = counts[k]![id]!;
        });
        facets[key] = byValue;
      });
      return { hits: this.hitsOf(m, kept.subarray(0, n), options.limit, !query.trim()), count: n, total: this.stored.length, facets };
    } finally {
      this.release(m);
    }
  }
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
