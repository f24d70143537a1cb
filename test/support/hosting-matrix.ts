// Measures, per host, which API features and which real clients work and how many bytes the common requests cost,
// for the table in docs/hosting.md.

import { Repo } from './git-fixture.ts';
import { createVsCodeGallery } from './vscode-gallery.ts';
import { copilotListAll, copilotPolicyCheck, toolhiveGet, toolhiveListAll } from './registry-clients.ts';
import { decodedBody, http, type HttpAnswer } from './servers.ts';

export const MATRIX_SERVERS = 60;
/** The second commit's time: rows changed by it are the only ones `updated_since` may return. */
export const SECOND_COMMIT = '2026-02-01T00:00:00Z';

function serverName(i: number): string {
  return `io.github.matrix${String(i).padStart(2, '0')}/tool`;
}

/**
 * 60 servers (more than VS Code's page of 50) in two commits: the second adds versions to servers 0–4 and deletes
 * version 0.9.0 of server 5. Server 6 has a version with build metadata.
 */
export function createMatrixRegistry(): { root: string; entries: string } {
  const repo = Repo.init('matrix', 'entries');
  const describe = (i: number): { description: string } => ({ description: `Matrix tool number ${i}${i === 7 ? ' for weather forecasts' : ''}.` });
  for (let i = 0; i < MATRIX_SERVERS; i++) repo.server(serverName(i), '1.0.0', describe(i));
  repo.server(serverName(5), '0.9.0', describe(5)).server(serverName(6), '2.0.0+build.7', describe(6)).commit('2026-01-01T00:00:00Z');
  for (let i = 0; i < 5; i++) repo.server(serverName(i), '1.1.0', describe(i));
  repo.status(serverName(5), 'versions:\n  "0.9.0":\n    status: deleted\n    statusMessage: "withdrawn"').commit(SECOND_COMMIT);
  return { root: repo.root, entries: repo.entries };
}

export const MATRIX_ROWS = [
  'GET /v0.1/servers: JSON list, no redirect',
  '`limit` and `cursor` (paging)',
  '`version=latest`',
  '`updated_since`',
  '`include_deleted`',
  '`search`',
  '`/v0/…` alias',
  'name as `%2F` / raw `/`',
  'version with `+` / `%2B`',
  'unknown name: 404 JSON',
  'CORS headers',
  'VS Code gallery (list, load more, by name)',
  'Copilot CLI (list, follows nextCursor)',
  'Copilot "Registry only" policy (200 / 404)',
  'ToolHive (probe, list, get)',
] as const;

export type MatrixRow = (typeof MATRIX_ROWS)[number];

interface ListBody {
  servers: Array<{ server: { name: string; version: string }; _meta: Record<string, { status: string }> }>;
  metadata: { nextCursor?: string; count: number };
}

async function list(base: string, query: string): Promise<{ status: number; type: string; redirected: boolean; body?: ListBody }> {
  const response = await fetch(`${base}/v0.1/servers${query}`, { redirect: 'manual' });
  const type = response.headers.get('content-type') ?? '';
  const text = await response.text();
  let body: ListBody | undefined;
  try {
    body = JSON.parse(text) as ListBody;
  } catch {
    body = undefined;
  }
  return { status: response.status, type, redirected: response.status >= 300 && response.status < 400, body };
}

async function attempt(check: () => Promise<boolean>): Promise<boolean> {
  try {
    return await check();
  } catch {
    return false;
  }
}

/** Runs every check against a host; true where the host answers as the official API (or the client works). */
export async function measureHost(base: string): Promise<Record<MatrixRow, boolean>> {
  const name5 = serverName(5), name6 = serverName(6);
  const row = {} as Record<MatrixRow, boolean>;
  row['GET /v0.1/servers: JSON list, no redirect'] = await attempt(async () => {
    const r = await list(base, '');
    return r.status === 200 && r.type.startsWith('application/json') && Array.isArray(r.body?.servers);
  });
  row['`limit` and `cursor` (paging)'] = await attempt(async () => {
    const first = await list(base, '?limit=2&version=latest');
    const cursor = first.body?.metadata.nextCursor;
    if (first.body?.servers.length !== 2 || !cursor) return false;
    const second = await list(base, `?limit=2&version=latest&cursor=${encodeURIComponent(cursor)}`);
    return second.body?.servers[0]?.server.name === serverName(2);
  });
  row['`version=latest`'] = await attempt(async () => {
    const r = await list(base, '?version=latest&limit=100');
    return r.body?.servers.length === MATRIX_SERVERS && r.body.servers.every((s) => s.server.version !== '1.0.0' || !/matrix0[0-4]/.test(s.server.name));
  });
  row['`updated_since`'] = await attempt(async () => {
    const r = await list(base, `?updated_since=${encodeURIComponent('2026-01-15T00:00:00Z')}&limit=100`);
    return r.body?.servers.length === 6; // five new 1.1.0 versions and the deleted 0.9.0
  });
  row['`include_deleted`'] = await attempt(async () => {
    const r = await fetch(`${base}/v0.1/servers/${encodeURIComponent(name5)}/versions/0.9.0?include_deleted=true`);
    const hidden = await fetch(`${base}/v0.1/servers/${encodeURIComponent(name5)}/versions/0.9.0`);
    return r.status === 200 && hidden.status === 404;
  });
  row['`search`'] = await attempt(async () => {
    const r = await list(base, '?search=WEATHER&version=latest');
    return r.body?.servers.length === 1 && r.body.servers[0]!.server.name === serverName(7);
  });
  row['`/v0/…` alias'] = await attempt(async () => {
    const a = await (await fetch(`${base}/v0/servers/${encodeURIComponent(name6)}/versions/latest`)).text();
    const b = await (await fetch(`${base}/v0.1/servers/${encodeURIComponent(name6)}/versions/latest`)).text();
    return a === b && a.includes(name6);
  });
  row['name as `%2F` / raw `/`'] = await attempt(async () => {
    const encoded = await fetch(`${base}/v0.1/servers/${encodeURIComponent(name6)}/versions/latest`);
    const raw = await fetch(`${base}/v0.1/servers/${name6}/versions/latest`);
    return encoded.status === 200 && raw.status === 200;
  });
  row['version with `+` / `%2B`'] = await attempt(async () => {
    const plus = await fetch(`${base}/v0.1/servers/${encodeURIComponent(name6)}/versions/2.0.0+build.7`);
    const escaped = await fetch(`${base}/v0.1/servers/${encodeURIComponent(name6)}/versions/2.0.0%2Bbuild.7`);
    return plus.status === 200 && escaped.status === 200;
  });
  row['unknown name: 404 JSON'] = await attempt(async () => {
    const r = await fetch(`${base}/v0.1/servers/${encodeURIComponent('io.github.nobody/none')}/versions/latest`);
    const body = (await r.json()) as { status?: number };
    return r.status === 404 && body.status === 404;
  });
  row['CORS headers'] = await attempt(async () => {
    const r = await fetch(`${base}/v0.1/servers`, { headers: { Origin: 'https://example.com' } });
    const preflight = await fetch(`${base}/v0.1/servers`, { method: 'OPTIONS', headers: { Origin: 'https://example.com', 'Access-Control-Request-Method': 'GET' } });
    return r.headers.get('access-control-allow-origin') === '*' && preflight.status < 300 && preflight.headers.get('access-control-allow-methods') === 'GET, OPTIONS';
  });
  row['VS Code gallery (list, load more, by name)'] = await attempt(async () => {
    const gallery = await createVsCodeGallery(base, { maxPages: 10 });
    try {
      const servers = await gallery.listAll();
      const names = new Set(servers.map((s) => s.name));
      const found = await gallery.getByName(name6);
      return names.size === MATRIX_SERVERS && found?.name === name6;
    } finally {
      gallery.close();
    }
  });
  row['Copilot CLI (list, follows nextCursor)'] = await attempt(async () => (await copilotListAll(base)).length === MATRIX_SERVERS);
  row['Copilot "Registry only" policy (200 / 404)'] = await attempt(async () =>
    (await copilotPolicyCheck(base, name6)) === 'verified' && (await copilotPolicyCheck(base, 'io.github.nobody/none')) === 'not-found');
  row['ToolHive (probe, list, get)'] = await attempt(async () =>
    (await toolhiveListAll(base)).length === MATRIX_SERVERS && (await toolhiveGet(base, name6)) === name6);
  return row;
}

/**
 * What Node's fetch asks for over HTTPS (over plain HTTP it leaves out br). Browsers send `gzip, deflate, br`
 * (Chromium adds zstd): the same answers from every host here except workerd, which takes the first encoding listed.
 */
export const CLIENT_ACCEPT_ENCODING = 'br, gzip, deflate';

/** The requests whose cost on the wire the table shows: the whole list, Copilot's page, one server (Copilot's membership check). */
export const WIRE_TARGETS = {
  '`/v0.1/servers`: bytes on the wire': '/v0.1/servers',
  '`/v0.1/servers?limit=30`: bytes on the wire': '/v0.1/servers?limit=30',
  '`/v0.1/servers/<name>/versions/latest`: bytes on the wire': `/v0.1/servers/${encodeURIComponent(serverName(0))}/versions/latest`,
} as const;

export type WireRow = keyof typeof WIRE_TARGETS;

export interface WireSize {
  /** The Content-Encoding the host chose, or null for none. */
  encoding: string | null;
  /** Body bytes received on the socket, before any decoding (chunk framing and headers not counted). */
  sent: number;
  /** The same body decoded: what the client parses. */
  decoded: number;
  /** Redirects followed to reach it (a plain file host redirects folders to `<path>/`). */
  redirects: number;
}

const REDIRECTS_FOLLOWED = 3;

async function wireSize(base: string, target: string): Promise<WireSize> {
  let answer: HttpAnswer;
  let redirects = 0;
  for (;;) {
    answer = await http(base, target, { headers: { 'Accept-Encoding': CLIENT_ACCEPT_ENCODING } });
    const location = answer.headers.location;
    if (answer.status < 300 || answer.status >= 400 || typeof location !== 'string' || redirects === REDIRECTS_FOLLOWED) break;
    const next = new URL(location, new URL(target, base));
    target = next.pathname + next.search;
    redirects++;
  }
  if (answer.status !== 200) throw new Error(`GET ${target}: status ${answer.status}`);
  const encoding = answer.headers['content-encoding'];
  return { encoding: typeof encoding === 'string' ? encoding : null, sent: answer.bytes.length, decoded: decodedBody(answer).length, redirects };
}

/** Fetches each of WIRE_TARGETS as a client would (its Accept-Encoding, following redirects) and counts the bytes. */
export async function measureWire(base: string): Promise<Record<WireRow, WireSize>> {
  const sizes = {} as Record<WireRow, WireSize>;
  for (const [row, target] of Object.entries(WIRE_TARGETS) as Array<[WireRow, string]>) sizes[row] = await wireSize(base, target);
  return sizes;
}

/** Sizes in decimal units, as they are read: `612 B`, `35.2 KB`. */
function formatBytes(bytes: number): string {
  return bytes < 1000 ? `${bytes} B` : `${(bytes / 1000).toFixed(1)} KB`;
}

function formatWire(size: WireSize, mark: string): string {
  const after = size.redirects > 0 ? ' after a redirect' : '';
  if (size.encoding === null) return `${formatBytes(size.sent)} uncompressed${after}${mark}`;
  const share = Math.round((100 * size.sent) / size.decoded);
  return `${formatBytes(size.sent)} ${size.encoding} (${share}% of ${formatBytes(size.decoded)})${after}${mark}`;
}

export interface MatrixColumn {
  /** The column's heading. */
  host: string;
  results: Record<MatrixRow, boolean>;
  wire: Record<WireRow, WireSize>;
  /** What the measured bytes do not show of this host deployed, printed under the table. */
  wireNote?: string;
}

const NOTE_MARKS = ['¹', '²', '³', '⁴', '⁵'];

export function renderMatrix(columns: MatrixColumn[]): string {
  const marks = new Map<MatrixColumn, string>();
  for (const column of columns) if (column.wireNote) marks.set(column, NOTE_MARKS[marks.size]!);
  const header = `| | ${columns.map((c) => c.host).join(' | ')} |\n|---|${columns.map(() => '---').join('|')}|\n`;
  const featureRows = MATRIX_ROWS.map((r) => `| ${r} | ${columns.map((c) => (c.results[r] ? 'yes' : '**no**')).join(' | ')} |`);
  const wireRows = (Object.keys(WIRE_TARGETS) as WireRow[])
    .map((r) => `| ${r} | ${columns.map((c) => formatWire(c.wire[r], marks.get(c) ?? '')).join(' | ')} |`);
  const notes = [...marks].map(([column, mark]) => `${mark} ${column.wireNote}`);
  return `${header}${[...featureRows, ...wireRows].join('\n')}\n${notes.length ? `\n${notes.join('\n\n')}\n` : ''}`;
}
