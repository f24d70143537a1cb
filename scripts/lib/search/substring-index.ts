// The official `search` semantics — every document whose name or description contains the query — answered through
// an index of the 1-, 2- and 3-character sequences (grams) of every name and description, instead of a scan of all
// their text for each keystroke (about 1.5 MB at 20,000 servers, most of a query's time before this index).
// A query of up to three characters is one gram, whose documents are the answer; a longer query's candidates are the
// documents holding all of its trigrams, each confirmed with indexOf. Used by client.ts in the browser, Node and edge
// functions alike: no imports.

/**
 * Characters are indexed by class: letters, digits and the common punctuation each have their own, every other
 * character (rare punctuation, non-ASCII) shares OTHER. A gram with a shared class stands for several strings, so a
 * query that holds one is confirmed document by document.
 */
const OTHER = 63;
const CLASS = new Uint8Array(128).fill(OTHER);
{
  let c = 1;
  for (const ch of 'abcdefghijklmnopqrstuvwxyz0123456789 -._/:,;\'"()[]{}!?@#$%&*+=') CLASS[ch.charCodeAt(0)] = c++;
}

function classOf(code: number): number {
  return code < 128 ? CLASS[code]! : OTHER;
}

/** Gram ids: unigrams [0, 64), bigrams [64, 64 + 64²), trigrams after them. */
const BI = 64;
const TRI = BI + 64 * 64;
const GRAMS = TRI + 64 * 64 * 64;

/** First index in `list[from..to)` whose document (entry >> 1) is at least `pos`, by galloping then bisection. */
function seek(list: Int32Array, from: number, to: number, pos: number): number {
  let step = 1;
  let hi = from;
  while (hi < to && list[hi]! >> 1 < pos) {
    from = hi + 1;
    hi += step;
    step *= 2;
  }
  if (hi > to) hi = to;
  while (from < hi) {
    const mid = (from + hi) >> 1;
    if (list[mid]! >> 1 < pos) from = mid + 1;
    else hi = mid;
  }
  return from;
}

export class SubstringIndex {
  /** Postings of gram g: postings[offsets[g] .. offsets[g + 1]), ascending; each is `pos * 2 + (in the name ? 1 : 0)`. */
  private readonly offsets: Int32Array;
  private readonly postings: Int32Array;

  /** `names` and `descriptions` (lower-cased) by document position. */
  constructor(
    private readonly names: readonly string[],
    private readonly descriptions: readonly string[],
  ) {
    // Two passes over the text: count each gram's documents (a document once per gram), then place them. The name
    // comes first so that a gram's first sighting in a document decides its name bit.
    const offsets = new Int32Array(GRAMS + 1);
    const last = new Int32Array(GRAMS).fill(-1);
    let postings = new Int32Array(0);
    let next = offsets;
    for (let pass = 0; pass < 2; pass++) {
      const placing = pass === 1;
      if (placing) {
        for (let g = 0; g < GRAMS; g++) offsets[g + 1]! += offsets[g]!;
        postings = new Int32Array(offsets[GRAMS]!);
        next = offsets.slice(0, GRAMS);
        last.fill(-1);
      }
      for (let pos = 0; pos < names.length; pos++) {
        for (let part = 0; part < 2; part++) {
          const text = part === 0 ? names[pos]! : descriptions[pos]!;
          const entry = pos * 2 + (part === 0 ? 1 : 0);
          let c1 = 0;
          let c2 = 0;
          for (let i = 0; i < text.length; i++) {
            const c = classOf(text.charCodeAt(i));
            for (let length = i < 2 ? i + 1 : 3, g = c; length > 0; length--) {
              if (length === 2) g = BI + c1 * 64 + c;
              else if (length === 3) g = TRI + (c2 * 64 + c1) * 64 + c;
              else g = c;
              if (last[g] === pos) continue;
              last[g] = pos;
              if (placing) postings[next[g]!++] = entry;
              else offsets[g + 1]!++;
            }
            c2 = c1;
            c1 = c;
          }
        }
      }
    }
    this.offsets = offsets;
    this.postings = postings;
  }

  /**
   * Visits, in document order, every document whose name or description contains `raw` (lower-cased), with whether
   * its name does. Documents whose `skip` (by position) is not 0 are passed over without being confirmed.
   */
  matches(raw: string, skip: Uint8Array, visit: (pos: number, inName: boolean) => void): void {
    if (raw.length === 0) {
      for (let pos = 0; pos < this.names.length; pos++) if (skip[pos] === 0) visit(pos, true);
      return;
    }
    const classes: number[] = [];
    let exact = raw.length <= 3;
    for (let i = 0; i < raw.length; i++) {
      const c = classOf(raw.charCodeAt(i));
      if (c === OTHER) exact = false;
      classes.push(c);
    }
    const grams: number[] = [];
    if (raw.length === 1) grams.push(classes[0]!);
    else if (raw.length === 2) grams.push(BI + classes[0]! * 64 + classes[1]!);
    else {
      for (let i = 2; i < classes.length; i++) {
        const g = TRI + (classes[i - 2]! * 64 + classes[i - 1]!) * 64 + classes[i]!;
        if (grams.indexOf(g) < 0) grams.push(g);
      }
    }
    const offsets = this.offsets;
    const postings = this.postings;
    grams.sort((a, b) => offsets[a + 1]! - offsets[a]! - (offsets[b + 1]! - offsets[b]!));
    const first = grams[0]!;
    if (exact) {
      // The one gram is the query itself: its postings are the answer, name bit included.
      for (let i = offsets[first]!; i < offsets[first + 1]!; i++) {
        const entry = postings[i]!;
        if (skip[entry >> 1] === 0) visit(entry >> 1, (entry & 1) === 1);
      }
      return;
    }
    // Candidates: the documents of the rarest gram that every other gram's postings also hold.
    let candidates: number[] = [];
    for (let i = offsets[first]!; i < offsets[first + 1]!; i++) {
      const pos = postings[i]! >> 1;
      if (skip[pos] === 0) candidates.push(pos);
    }
    for (let j = 1; j < grams.length && candidates.length > 0; j++) {
      const g = grams[j]!;
      const end = offsets[g + 1]!;
      let at = offsets[g]!;
      const kept: number[] = [];
      for (const pos of candidates) {
        at = seek(postings, at, end, pos);
        if (at >= end) break;
        if (postings[at]! >> 1 === pos) kept.push(pos);
      }
      candidates = kept;
    }
    for (const pos of candidates) {
      if (this.names[pos]!.indexOf(raw) >= 0) visit(pos, true);
      else if (this.descriptions[pos]!.indexOf(raw) >= 0) visit(pos, false);
    }
  }
}
