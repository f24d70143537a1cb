// Test harness: runs VS Code's own MCP gallery client (McpGalleryService + the workbench
// manifest service, as compiled into @codingame/monaco-vscode-mcp-service-override) against a
// registry base URL, so tests catch what the real client rejects rather than what we assume.
//
// Only the plumbing around the client is stubbed (HTTP, settings, product.json, logging).
// URL building, the v0.1 probe, paging and JSON parsing are VS Code's code, untouched.
// The two classes are constructed directly instead of through VS Code's instantiation service:
// their @IService decorators only record constructor-parameter order, so nothing is lost.

import { McpGalleryService } from '@codingame/monaco-vscode-mcp-service-override/vscode/vs/platform/mcp/common/mcpGalleryService';
import { WorkbenchMcpGalleryManifestService } from '@codingame/monaco-vscode-mcp-service-override/vscode/vs/workbench/services/mcp/browser/mcpGalleryManifestService';
import { VSBuffer, bufferToStream } from '@codingame/monaco-vscode-api/vscode/vs/base/common/buffer';
import { CancellationToken } from '@codingame/monaco-vscode-api/vscode/vs/base/common/cancellation';
import { Event } from '@codingame/monaco-vscode-api/vscode/vs/base/common/event';
import type { IRequestContext, IRequestOptions } from '@codingame/monaco-vscode-api/vscode/vs/base/parts/request/common/request';
import type { IRequestService } from '@codingame/monaco-vscode-api/vscode/vs/platform/request/common/request.service';
import type { IConfigurationService } from '@codingame/monaco-vscode-api/vscode/vs/platform/configuration/common/configuration.service';
import type { IProductService } from '@codingame/monaco-vscode-api/vscode/vs/platform/product/common/productService.service';
import type { ILogService } from '@codingame/monaco-vscode-api/vscode/vs/platform/log/common/log.service';
import type { IFileService } from '@codingame/monaco-vscode-api/vscode/vs/platform/files/common/files.service';
import type { IRemoteAgentService } from '@codingame/monaco-vscode-api/vscode/vs/workbench/services/remote/common/remoteAgentService.service';
import type { IGalleryMcpServer } from '@codingame/monaco-vscode-api/vscode/vs/platform/mcp/common/mcpManagement';

export type { IGalleryMcpServer };

export interface VsCodeGalleryOptions {
  /**
   * 'setting' (default): the user set `chat.mcp.gallery.serviceUrl`, which is how a custom registry
   * is used. VS Code probes `/v0.1/servers?limit=1` first and has no by-name fallback.
   * 'product': the URL is the one baked into product.json (VS Code's built-in gallery). No probe,
   * v0.1 is assumed, and a failed detail lookup falls back to `/v0.1/servers/by-name/{name}`.
   */
  mode?: 'setting' | 'product';
  /**
   * VS Code keeps offering "load more" for as long as the registry returns a nextCursor. A registry
   * that ignores `?cursor=` would make listAll spin forever, so stop and fail after this many pages.
   */
  maxPages?: number;
  /**
   * VS Code always asks for 50 rows a page (DefaultPageSize in mcpGalleryService.js). To page a small registry at
   * another size, the harness's HTTP stub rewrites `limit=50` in list URLs; everything else stays as VS Code built it.
   */
  pageSize?: number;
}

export interface VsCodeGallery {
  /** Every URL the client requested, in order (as VS Code built it, before any redirect). */
  readonly requests: string[];
  /** What the client logged; its only trace of a failed probe or query. */
  readonly log: string[];
  /** The "MCP: Browse servers" list: first page, then "load more" until hasMore is false. */
  listAll(search?: string): Promise<IGalleryMcpServer[]>;
  /** The by-name lookup VS Code uses for installed servers and vscode:mcp/by-name links. */
  getByName(name: string): Promise<IGalleryMcpServer | undefined>;
  close(): void;
}

export async function createVsCodeGallery(baseUrl: string, options: VsCodeGalleryOptions = {}): Promise<VsCodeGallery> {
  const mode = options.mode ?? 'setting';
  const maxPages = options.maxPages ?? 100;
  const requests: string[] = [];
  const log: string[] = [];
  // One controller for all requests so close() cannot leave a socket open that keeps vitest alive.
  const closed = new AbortController();

  const requestService = {
    async request(req: IRequestOptions, token: CancellationToken): Promise<IRequestContext> {
      const built = req.url ?? '';
      requests.push(built);
      const url = options.pageSize !== undefined ? built.replace(/([?&]limit=)50(?=&|$)/, `$1${options.pageSize}`) : built;
      const abort = new AbortController();
      const onClose = () => abort.abort();
      closed.signal.addEventListener('abort', onClose);
      const cancel = token.onCancellationRequested(onClose);
      try {
        const res = await fetch(url, { method: req.type ?? 'GET', headers: req.headers as Record<string, string> | undefined, signal: abort.signal });
        // The gallery reads the body via VS Code's stream helpers (asJson/asText), so hand it the
        // same VSBuffer stream shape VS Code's own request services produce.
        const body = new Uint8Array(await res.arrayBuffer());
        return {
          res: { statusCode: res.status, headers: Object.fromEntries(res.headers) },
          stream: bufferToStream(VSBuffer.wrap(body)),
        };
      } finally {
        cancel.dispose();
        closed.signal.removeEventListener('abort', onClose);
      }
    },
  } as unknown as IRequestService;

  // In 'setting' mode the manifest service reads the whole `chat.mcp.gallery` section; leaving
  // `version` unset is what makes it probe /v0.1 then /v0, as it does for a user's setting.
  const configurationService = {
    getValue: (section?: string) => (mode === 'setting' && section === 'chat.mcp.gallery' ? { serviceUrl: baseUrl } : undefined),
    onDidChangeConfiguration: Event.None,
  } as unknown as IConfigurationService;

  const productService = (mode === 'product' ? { mcpGallery: { serviceUrl: baseUrl } } : {}) as unknown as IProductService;

  // Not connected to a remote: otherwise the manifest service would forward itself over IPC.
  const remoteAgentService = { getConnection: () => null } as unknown as IRemoteAgentService;

  const record = (level: string) => (...args: unknown[]) => {
    log.push(`${level}: ${args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ')}`);
  };
  const logService = {
    trace: record('trace'), debug: record('debug'), info: record('info'),
    warn: record('warn'), error: record('error'), flush: () => {},
  } as unknown as ILogService;

  // Only used for file:// gallery URLs and READMEs; an HTTP registry must never reach it.
  const fileService = {
    readFile: () => Promise.reject(new Error('harness: file service not available')),
  } as unknown as IFileService;

  const manifestService = new WorkbenchMcpGalleryManifestService(productService, remoteAgentService, requestService, logService, configurationService);
  const gallery = new McpGalleryService(requestService, fileService, logService, manifestService);

  // VS Code resolves the manifest at startup and only then shows the gallery as enabled; do the
  // same so the probe is the first request and a registry that fails it is reported here.
  await manifestService.getMcpGalleryManifest();

  return {
    requests,
    log,
    async listAll(search) {
      if (!gallery.isEnabled()) throw new Error(`VS Code gallery is not enabled for ${baseUrl}; log:\n${log.join('\n')}`);
      const pager = await gallery.query(search ? { text: search } : undefined, CancellationToken.None);
      const items = [...pager.firstPage.items];
      let hasMore = pager.firstPage.hasMore;
      for (let pages = 1; hasMore; pages++) {
        if (pages >= maxPages) throw new Error(`VS Code still offers "load more" after ${pages} pages (nextCursor never ends)`);
        const page = await pager.getNextPage(CancellationToken.None);
        items.push(...page.items);
        hasMore = page.hasMore;
      }
      return items;
    },
    async getByName(name) {
      // getMcpServersFromGallery swallows per-server failures (Promise.allSettled), exactly like
      // VS Code: a malformed or 5xx detail response shows up only as "not found" (undefined).
      const [server] = await gallery.getMcpServersFromGallery([{ name }]);
      return server;
    },
    close() {
      closed.abort();
      gallery.dispose();
      manifestService.dispose();
    },
  };
}
