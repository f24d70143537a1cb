// The home page's query, run in the search worker: one page of ranked hits for the text, narrowed by the selected
// facets, with the count of every facet value under the other selected facets (the client does the counting).

import type { RegistrySearch, SearchFilters, SearchPage } from '../../search/client.ts';
import type { FacetKey } from '../result-item.ts';

/** Hits the page renders per answer (the rest are counted, not sent). */
export const PAGE_SIZE = 200;

export type Filters = Partial<Record<FacetKey, string>>;

export interface QueryRequest {
  id: number;
  q: string;
  filters: Filters;
  limit: number;
}

export interface QueryAnswer extends SearchPage {
  id: number;
  error?: string;
}

export function runQuery(search: RegistrySearch, request: QueryRequest): QueryAnswer {
  // Values come from the page's selects; one the index does not know matches nothing.
  const page = search.query(request.q, { filters: request.filters as Partial<SearchFilters>, limit: request.limit });
  return { id: request.id, ...page };
}
