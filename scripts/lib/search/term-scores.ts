// MiniSearch's score of one query term for every document, computed exactly as MiniSearch computes it (minisearch
// 7.2.0, src/MiniSearch.ts: executeQuerySpec, termResults, calcBM25Score; same operations in the same order, so the
// same doubles) but summed into arrays by document position. MiniSearch builds a result object per matching
// document and derived term (and search() then copies every result's stored fields and sorts them all): about 1 MB
// of garbage for one fuzzy word at 20,000 servers, a young-generation collection every dozen keystrokes.
// test/search.test.ts holds these scores equal to MiniSearch's own. Used by client.ts; no imports.

/** Field id → short document id → term frequency: one term's postings in MiniSearch's index. */
type FieldTermData = Map<number, Map<number, number>>;

/** The MiniSearch internals the scores are read from (private in its types, stable within a major version). */
export interface MiniScoringInternals {
  _index: {
    get(term: string): FieldTermData | undefined;
    atPrefix(prefix: string): Iterable<[string, FieldTermData]>;
    fuzzyGet(term: string, maxDistance: number): Map<string, [FieldTermData, number]>;
  };
  _fieldIds: Record<string, number>;
  _fieldLength: Map<number, number[]>;
  _avgFieldLength: number[];
  _documentCount: number;
}

/** One query term as MiniSearch's termToQuerySpec and search options make it. */
export interface TermQuery {
  term: string;
  prefix: boolean;
  /** Fuzziness: below 1 a share of the term's length, else an edit distance; false for none. */
  fuzzy: number | false;
  maxFuzzy: number;
}

export interface TermScoring {
  /** Boost of each indexed field, in the order MiniSearch visits them (its `fields` option). */
  fields: ReadonlyArray<readonly [string, number]>;
  /** Weights of prefix and fuzzy matches relative to exact ones (MiniSearch's `weights`). */
  prefixWeight: number;
  fuzzyWeight: number;
  /** MiniSearch's `bm25` parameters. */
  k: number;
  b: number;
  d: number;
}

export class TermScorer {
  private readonly fieldCount: number;
  /** Field lengths by `shortId * fieldCount + fieldId`. */
  private readonly fieldLength: Float64Array;
  private readonly fields: Array<{ id: number; boost: number }>;
  /** By position: the term's score so far (MiniSearch's result.score), and whether it has one. */
  private readonly sum: Float64Array;
  private readonly seen: Uint8Array;
  private readonly touched: Int32Array;
  private touchedCount = 0;

  /** `posOfShortId`: each short document id's position (-1: none). */
  constructor(
    private readonly mini: MiniScoringInternals,
    private readonly posOfShortId: Int32Array,
    private readonly scoring: TermScoring,
    documents: number,
  ) {
    this.fieldCount = Object.keys(mini._fieldIds).length;
    this.fields = scoring.fields.flatMap(([name, boost]) => (name in mini._fieldIds ? [{ id: mini._fieldIds[name]!, boost: boost }] : []));
    this.fieldLength = new Float64Array(posOfShortId.length * this.fieldCount);
    for (const [shortId, lengths] of mini._fieldLength) {
      if (shortId >= posOfShortId.length) continue;
      for (let f = 0; f < this.fieldCount; f++) this.fieldLength[shortId * this.fieldCount + f] = lengths[f] as number;
    }
    this.sum = new Float64Array(documents);
    this.seen = new Uint8Array(documents);
    this.touched = new Int32Array(documents);
  }

  /** Adds the term's score of every document it matches to `scores` (by position); false when it matches none. */
  addScores(query: TermQuery, scores: Float32Array): boolean {
    const index = this.mini._index;
    this.add(1, index.get(query.term));
    const prefixMatches = query.prefix ? index.atPrefix(query.term) : undefined;
    let fuzzyMatches: Map<string, [FieldTermData, number]> | undefined;
    if (query.fuzzy !== false) {
      const fuzzy = query.fuzzy;
      const maxDistance = fuzzy < 1 ? Math.min(query.maxFuzzy, Math.round(query.term.length * fuzzy)) : fuzzy;
      if (maxDistance) fuzzyMatches = index.fuzzyGet(query.term, maxDistance);
    }
    if (prefixMatches) {
      for (const [term, data] of prefixMatches) {
        const distance = term.length - query.term.length;
        if (!distance) continue;
        // A term both a prefix and a fuzzy match counts once, as a prefix match.
        fuzzyMatches?.delete(term);
        this.add((this.scoring.prefixWeight * term.length) / (term.length + 0.3 * distance), data);
      }
    }
    if (fuzzyMatches) {
      for (const [term, [data, distance]] of fuzzyMatches) {
        if (!distance) continue;
        this.add((this.scoring.fuzzyWeight * term.length) / (term.length + distance), data);
      }
    }
    const matched = this.touchedCount > 0;
    for (let i = 0; i < this.touchedCount; i++) {
      const pos = this.touched[i]!;
      scores[pos] = scores[pos]! + this.sum[pos]!;
      this.sum[pos] = 0;
      this.seen[pos] = 0;
    }
    this.touchedCount = 0;
    return matched;
  }

  /** MiniSearch's termResults: BM25 per field, weighted by the match's weight and the field's boost. */
  private add(weight: number, data: FieldTermData | undefined): void {
    if (!data) return;
    const { k, b, d } = this.scoring;
    const totalCount = this.mini._documentCount;
    for (const field of this.fields) {
      const freqs: Map<number, number> | undefined = data.get(field.id);
      if (!freqs) continue;
      const matchingCount = freqs.size;
      const avgFieldLength = this.mini._avgFieldLength[field.id]!;
      const invDocFreq = Math.log(1 + (totalCount - matchingCount + 0.5) / (matchingCount + 0.5));
      for (const [shortId, termFreq] of freqs) {
        const pos = this.posOfShortId[shortId] ?? -1;
        if (pos < 0) continue;
        const fieldLength = this.fieldLength[shortId * this.fieldCount + field.id]!;
        const rawScore = invDocFreq * (d + (termFreq * (k + 1)) / (termFreq + k * (1 - b + (b * fieldLength) / avgFieldLength)));
        this.sum[pos] = this.sum[pos]! + weight * field.boost * rawScore;
        if (this.seen[pos] === 0) {
          this.seen[pos] = 1;
          this.touched[this.touchedCount++] = pos;
        }
      }
    }
  }
}
