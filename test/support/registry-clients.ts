// What real registry clients do, written down from clients.md so the hosting matrix can run them against any host.
// VS Code is not emulated: tests drive its real gallery code (vscode-gallery.ts).

interface ListBody {
  servers: Array<{ server: { name: string; version: string } }>;
  metadata: { nextCursor?: string; count: number };
}

async function getJson(url: string): Promise<{ status: number; contentType: string; body: unknown }> {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body };
}

/** Copilot CLI's RegistryClient: follows nextCursor with no cap (capped here, to fail instead of looping). */
export async function copilotListAll(base: string, maxPages = 50): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const url = `${base}/v0.1/servers${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`;
    const { status, body } = await getJson(url);
    if (status !== 200 || !body) throw new Error(`Copilot list: ${url} answered ${status}`);
    const list = body as ListBody;
    names.push(...list.servers.map((s) => s.server.name));
    cursor = list.metadata.nextCursor;
    if (!cursor) return [...new Set(names)];
  }
  throw new Error(`Copilot list still has a nextCursor after ${maxPages} pages: it would loop forever`);
}

/** Copilot's "Registry only" policy check: 200 verified, 404 not found, anything else blocks. */
export async function copilotPolicyCheck(base: string, name: string): Promise<'verified' | 'not-found' | 'blocked'> {
  const { status, body } = await getJson(`${base}/v0.1/servers/${encodeURIComponent(name)}/versions/latest`);
  if (status === 200 && (body as { server?: { name?: string } })?.server?.name === name) return 'verified';
  return status === 404 ? 'not-found' : 'blocked';
}

/** ToolHive: probe for a JSON API, then page with limit=100&version=latest until nextCursor is empty. */
export async function toolhiveListAll(base: string, maxPages = 100): Promise<string[]> {
  const probe = await getJson(`${base}/v0.1/servers?limit=1&version=latest`);
  const probed = probe.body as Partial<ListBody> | undefined;
  if (probe.status !== 200 || !probe.contentType.includes('application/json') || !Array.isArray(probed?.servers) || typeof probed?.metadata !== 'object') {
    throw new Error(`ToolHive probe rejected the registry (status ${probe.status}, ${probe.contentType || 'no content type'})`);
  }
  const names: string[] = [];
  let cursor = '';
  for (let page = 0; page < maxPages; page++) {
    const { status, body } = await getJson(`${base}/v0.1/servers?cursor=${encodeURIComponent(cursor)}&limit=100&version=latest`);
    if (status !== 200) throw new Error(`ToolHive list answered ${status}`);
    const list = body as ListBody;
    names.push(...list.servers.map((s) => s.server.name));
    if (!list.metadata.nextCursor) return names;
    cursor = list.metadata.nextCursor;
  }
  throw new Error('ToolHive list did not end');
}

/** ToolHive's detail lookup: Go's url.PathEscape, which escapes `/` and leaves `+` alone. */
export async function toolhiveGet(base: string, name: string): Promise<string | undefined> {
  const { status, body } = await getJson(`${base}/v0.1/servers/${encodeURIComponent(name).replace(/%2B/g, '+')}/versions/latest`);
  return status === 200 ? (body as { server: { name: string } }).server.name : undefined;
}
