// Proves the VS Code gallery harness really drives VS Code's client: a hand-written v0.1 registry
// on 127.0.0.1 and assertions on what VS Code asked for and what it made of the answers.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVsCodeGallery } from './support/vscode-gallery.ts';

const official = {
  status: 'active',
  statusChangedAt: '2025-01-01T00:00:00Z',
  publishedAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-01T00:00:00Z',
  isLatest: true,
};

function item(name: string, version: string) {
  return {
    server: {
      $schema: 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json',
      name,
      description: `Test server ${name}`,
      version,
    },
    _meta: { 'io.modelcontextprotocol.registry/official': official },
  };
}

const items = [item('io.github.acme/weather', '1.2.0'), item('io.github.acme/maps', '0.3.1'), item('com.example/notes-app', '2.0.0')];

// Two pages, and the page-2 cursor contains a "/" so the test can show VS Code sends it unencoded.
const page2Cursor = 'io.github.acme/maps';

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/v0.1/servers') {
      if (url.searchParams.get('cursor') === page2Cursor) return json(200, { servers: items.slice(1), metadata: { count: 2 } });
      return json(200, { servers: items.slice(0, 1), metadata: { count: 1, nextCursor: page2Cursor } });
    }
    // req.url is the raw path, so %2F is still encoded here and splitting on "/" is safe.
    const detail = /^\/v0\.1\/servers\/([^/]+)\/versions\/latest$/.exec(url.pathname);
    const found = detail?.[1] && items.find((i) => i.server.name === decodeURIComponent(detail[1]!));
    if (found) return json(200, found);
    return json(404, { title: 'Not Found', status: 404, detail: 'Server not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('VS Code gallery harness (setting chat.mcp.gallery.serviceUrl)', () => {
  it('probes v0.1, then lists every page the way "load more" does', async () => {
    const gallery = await createVsCodeGallery(baseUrl);
    try {
      const servers = await gallery.listAll();
      expect(servers.map(({ name, version }) => ({ name, version }))).toEqual(
        items.map((i) => ({ name: i.server.name, version: i.server.version })),
      );
      // Fields VS Code derives itself: shows its real parsing ran, not just our JSON echoed back.
      expect(servers[0]).toMatchObject({ displayName: 'Weather', publisher: 'acme', status: 'active', isLatest: true, galleryUrl: baseUrl });
      expect(gallery.requests).toEqual([
        `${baseUrl}/v0.1/servers?limit=1`,
        `${baseUrl}/v0.1/servers?limit=50&version=latest`,
        `${baseUrl}/v0.1/servers?limit=50&version=latest&cursor=io.github.acme/maps`,
      ]);
    } finally {
      gallery.close();
    }
  });

  it('encodes search text but drops it from later pages', async () => {
    const gallery = await createVsCodeGallery(baseUrl);
    try {
      await gallery.listAll('weather & maps');
      expect(gallery.requests.slice(1)).toEqual([
        `${baseUrl}/v0.1/servers?limit=50&version=latest&search=weather%20%26%20maps`,
        `${baseUrl}/v0.1/servers?limit=50&version=latest&cursor=io.github.acme/maps`,
      ]);
    } finally {
      gallery.close();
    }
  });

  it('resolves one server by name with an encodeURIComponent-ed detail URL; 404 means not found', async () => {
    const gallery = await createVsCodeGallery(baseUrl);
    try {
      expect(await gallery.getByName('io.github.acme/weather')).toMatchObject({ name: 'io.github.acme/weather', version: '1.2.0' });
      expect(await gallery.getByName('io.github.acme/nope')).toBeUndefined();
      expect(gallery.requests).toEqual([
        `${baseUrl}/v0.1/servers?limit=1`,
        `${baseUrl}/v0.1/servers/io.github.acme%2Fweather/versions/latest`,
        `${baseUrl}/v0.1/servers/io.github.acme%2Fnope/versions/latest`,
      ]);
    } finally {
      gallery.close();
    }
  });
});

describe('VS Code gallery harness (built-in product gallery)', () => {
  it('skips the probe and falls back to /by-name/ with the raw name', async () => {
    const gallery = await createVsCodeGallery(baseUrl, { mode: 'product' });
    try {
      expect(await gallery.getByName('io.github.acme/nope')).toBeUndefined();
      expect(gallery.requests).toEqual([
        `${baseUrl}/v0.1/servers/io.github.acme%2Fnope/versions/latest`,
        `${baseUrl}/v0.1/servers/by-name/io.github.acme/nope`,
      ]);
    } finally {
      gallery.close();
    }
  });

  it('fails loudly instead of looping when the registry ignores ?cursor=', async () => {
    const loop = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ servers: items.slice(0, 1), metadata: { count: 1, nextCursor: 'again' } }));
    });
    await new Promise<void>((resolve) => loop.listen(0, '127.0.0.1', resolve));
    const gallery = await createVsCodeGallery(`http://127.0.0.1:${(loop.address() as AddressInfo).port}`, { mode: 'product', maxPages: 5 });
    try {
      await expect(gallery.listAll()).rejects.toThrow(/after 5 pages/);
      expect(gallery.requests).toHaveLength(5);
    } finally {
      gallery.close();
      await new Promise<void>((resolve) => loop.close(() => resolve()));
    }
  });
});
