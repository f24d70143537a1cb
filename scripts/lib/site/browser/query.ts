// The home page's query: ranked hits for the text, narrowed by the selected facets, and the count of every facet
// value under the other selected facets (so choosing a value never hides its siblings). Runs in the search worker.

import type { RegistrySearch, SearchFilters, SearchHit } from '../../search/client.ts';
import { FACETS, type FacetKey } from '../result-item.ts';

export type Filters = Partial<Record<FacetKey, string>>;

export interface QueryRequest {
  id: number;
  q: string;
  filters: Filters;
  limit: number;
}

export interface QueryAnswer {
  id: number;
  hits: SearchHit[];
  count: number;
  total: number;
  /** Per facet: value → count, and `''` → the count with that facet unset. */
  facets: Record<FacetKey, Record<string, number>>;
  error?: string;
}

function values(hit: SearchHit, key: FacetKey): readonly string[] {
  if (key === 'registryType') return hit.registryTypes;
  if (key === 'transport') return hit.transports;
  if (key === 'kind') return hit.kinds;
  return [hit.status];
}

function matches(hit: SearchHit, filters: Filters, skip?: FacetKey): boolean {
  for (const { key } of FACETS) {
    const want = filters[key];
    if (key !== skip && want && values(hit, key).indexOf(want) < 0) return false;
  }
  return true;
}

export function runQuery(search: RegistrySearch, request: QueryRequest): QueryAnswer {
  const base = search.search(request.q);
  const hits = base.filter((h) => matches(h, request.filters));
  const facets = {} as QueryAnswer['facets'];
  for (const { key } of FACETS) {
    const others = request.filters[key] ? base.filter((h) => matches(h, request.filters, key)) : hits;
    const counts = { ...search.facets(others)[key as keyof SearchFilters] };
    counts[''] = others.length;
    facets[key] = counts;
  }
  return { id: request.id, hits: hits.slice(0, request.limit), count: hits.length, total: search.manifest.documents, facets };
}
