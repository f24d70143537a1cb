/// <reference lib="dom" />
// The site's script: search-as-you-type with facets on the home page (the index is loaded and queried in a worker),
// copy buttons on server pages. The pages work without it; it only enhances them.

import { countText, FACETS, renderResultItem, type FacetKey } from '../result-item.ts';
import { PAGE_SIZE, type Filters, type QueryAnswer } from './query.ts';

const DEBOUNCE_MS = 60;

function home(): void {
  const input = document.getElementById('q') as HTMLInputElement | null;
  const list = document.getElementById('results');
  const count = document.getElementById('count');
  const form = input?.form;
  const workerPath = document.body.dataset.worker;
  if (!input || !list || !count || !form || !workerPath || typeof Worker === 'undefined') return;
  const more = document.getElementById('more');
  const selects = new Map<FacetKey, HTMLSelectElement>();
  for (const { key } of FACETS) {
    const select = form.querySelector<HTMLSelectElement>(`select[data-facet="${key}"]`);
    if (select) selects.set(key, select);
  }
  const rootUrl = new URL(document.body.dataset.root || './', location.href).href;
  const worker = new Worker(new URL(workerPath, location.href).href);
  worker.postMessage({ init: rootUrl });

  // Deep link: /?q=weather&transport=stdio
  const params = new URLSearchParams(location.search);
  input.value = params.get('q') ?? '';
  for (const [key, select] of selects) {
    const value = params.get(key);
    if (value && [...select.options].some((o) => o.value === value)) select.value = value;
  }

  let lastId = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const state = (): { q: string; filters: Filters } => {
    const filters: Filters = {};
    for (const [key, select] of selects) if (select.value) filters[key] = select.value;
    return { q: input.value, filters };
  };
  const send = (): void => {
    const { q, filters } = state();
    const url = new URL(location.href);
    url.search = '';
    if (q) url.searchParams.set('q', q);
    for (const [key, value] of Object.entries(filters)) if (value) url.searchParams.set(key, value);
    history.replaceState(null, '', url.pathname + url.search + url.hash);
    list.setAttribute('aria-busy', 'true');
    worker.postMessage({ id: ++lastId, q, filters, limit: PAGE_SIZE });
  };
  const schedule = (): void => {
    clearTimeout(timer);
    timer = setTimeout(send, DEBOUNCE_MS);
  };

  worker.onmessage = (event: MessageEvent) => {
    const answer = event.data as QueryAnswer & { ready?: boolean };
    if (answer.error) {
      if (answer.id === -1 || answer.id === lastId) {
        list.removeAttribute('aria-busy');
        count.textContent = 'Search is unavailable; showing servers by name.';
      }
      return;
    }
    if (answer.id !== lastId) return; // a newer query is on its way
    list.removeAttribute('aria-busy');
    list.innerHTML = answer.hits.map((hit) => renderResultItem(hit, '')).join('');
    count.textContent = answer.count === 0 ? 'No servers match.' : countText(answer.count, answer.total);
    if (more) {
      more.hidden = answer.count <= PAGE_SIZE;
      more.textContent = `Showing the first ${PAGE_SIZE} of ${answer.count}: refine the search to see others.`;
    }
    for (const [key, select] of selects) {
      const counts = answer.facets[key];
      for (const option of select.options) {
        const n = counts[option.value] ?? 0;
        option.textContent = `${option.value || 'All'} (${n})`;
      }
    }
  };

  input.addEventListener('input', schedule);
  for (const select of selects.values()) select.addEventListener('change', send);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    send();
  });
  if (input.value || [...selects.values()].some((s) => s.value)) {
    count.textContent = 'Searching…';
    send();
  }
}

function copyButtons(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>('button[data-copy]')) {
    const pre = document.getElementById(button.dataset.copy ?? '');
    const status = button.nextElementSibling as HTMLElement | null;
    if (!pre) continue;
    button.hidden = false;
    let clear: ReturnType<typeof setTimeout> | undefined;
    const announce = (text: string): void => {
      if (!status) return;
      status.textContent = text;
      clearTimeout(clear);
      clear = setTimeout(() => (status.textContent = ''), 4000);
    };
    button.addEventListener('click', () => {
      const text = pre.textContent ?? '';
      const selectIt = (): void => {
        const range = document.createRange();
        range.selectNodeContents(pre);
        const selection = getSelection();
        selection?.removeAllRanges();
        selection?.addRange(range);
        announce('Selected: press Ctrl+C to copy');
      };
      if (!navigator.clipboard) return selectIt();
      navigator.clipboard.writeText(text).then(() => announce('Copied'), selectIt);
    });
  }
}

const page = document.body.dataset.page;
if (page === 'home') home();
if (page === 'server') copyButtons();
