// A registry of 30 servers for the web site's tests: every registry type (npm, pypi, oci, nuget, mcpb), every
// transport (stdio, streamable-http, sse), local and remote servers, a remote-only one, a deprecated one and a
// deleted one, plus a decoy whose description repeats another server's title, so ranking is tested, not luck.
// Written as plain files (no git): SOURCE_DATE_EPOCH dates every version, so builds are reproducible.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildRegistry } from '../../scripts/lib/build/build-registry.ts';

const SCHEMA = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';
export const SITE_FIXTURE_EPOCH = '1741860000'; // 2025-03-13T10:00:00Z

type RegistryType = 'npm' | 'pypi' | 'oci' | 'nuget' | 'mcpb';
type Transport = 'stdio' | 'streamable-http' | 'sse';

export interface SiteServer {
  name: string;
  title: string;
  description: string;
  /** Registry types of its packages; empty for a remote-only server. */
  registryTypes: RegistryType[];
  transports: Transport[];
  remote: boolean;
  local: boolean;
  status: 'active' | 'deprecated' | 'deleted';
  versions: string[];
  json: (version: string) => Record<string, unknown>;
  statusFile?: string;
}

interface Spec {
  name: string;
  title: string;
  description: string;
  packages?: Array<{ registryType: RegistryType; transport?: Transport; env?: Array<{ name: string; description: string; isRequired?: boolean; isSecret?: boolean }>; args?: Array<{ name: string; value: string; description: string }> }>;
  remotes?: Array<{ type: 'streamable-http' | 'sse'; url: string }>;
  status?: 'deprecated' | 'deleted';
  statusMessage?: string;
  longDescription?: string;
  versions?: string[];
}

const npm = (transport: Transport = 'stdio') => ({ registryType: 'npm' as const, transport });

const SPECS: Spec[] = [
  {
    name: 'io.github.kube/kubernetes', title: 'Kubernetes', description: 'Manage pods, deployments and services in a cluster.',
    packages: [{
      registryType: 'npm',
      env: [{ name: 'KUBECONFIG', description: 'Path to the kubeconfig file.', isRequired: true }],
      args: [{ name: '--context', value: 'default', description: 'The kubeconfig context to use.' }],
    }],
    longDescription: '# Kubernetes\n\nList, describe and scale workloads. Read-only unless `--allow-write` is given.\n',
    versions: ['1.0.0', '1.1.0'],
  },
  {
    // The decoy: "Kubernetes" three times in its description, never in its name or title.
    name: 'io.github.helm/charts', title: 'Helm Charts',
    description: 'Install Kubernetes applications from Helm charts; Kubernetes releases for Kubernetes clusters.',
    packages: [{ registryType: 'oci' }],
  },
  { name: 'io.github.acme/weather', title: 'Weather', description: 'Forecasts and current conditions for any city.', packages: [npm()] },
  {
    name: 'io.github.pyfolks/postgres', title: 'PostgreSQL', description: 'Query PostgreSQL databases with read-only SQL.',
    packages: [{ registryType: 'pypi', env: [{ name: 'DATABASE_URL', description: 'Connection string.', isRequired: true, isSecret: true }] }],
  },
  { name: 'io.github.pyfolks/sqlite', title: 'SQLite', description: 'Explore SQLite files and run queries.', packages: [{ registryType: 'pypi' }] },
  { name: 'io.github.pyfolks/notebook', title: 'Notebook', description: 'Run Jupyter notebook cells over HTTP.', packages: [{ registryType: 'pypi', transport: 'streamable-http' }] },
  {
    name: 'io.github.pyfolks/pandas-tools', title: 'Pandas Tools', description: 'Dataframe helpers for spreadsheets.',
    packages: [{ registryType: 'pypi' }], status: 'deprecated', statusMessage: 'Use io.github.pyfolks/notebook instead.',
  },
  { name: 'io.github.dotnet/azure-devops', title: 'Azure DevOps', description: 'Work items, pipelines and repos in Azure DevOps.', packages: [{ registryType: 'nuget' }] },
  { name: 'io.github.dotnet/sql-server', title: 'SQL Server', description: 'Schema browsing for Microsoft SQL Server.', packages: [{ registryType: 'nuget' }] },
  { name: 'io.github.containers/docker', title: 'Docker', description: 'Build, run and inspect containers.', packages: [{ registryType: 'oci' }] },
  { name: 'io.github.containers/registry-browser', title: 'Registry Browser', description: 'Browse tags and manifests of container registries.', packages: [{ registryType: 'oci', transport: 'sse' }] },
  { name: 'io.github.desk/files-bundle', title: 'Desktop Files', description: 'A desktop extension bundle for local files.', packages: [{ registryType: 'mcpb' }] },
  { name: 'com.example/remote-notes', title: 'Remote Notes', description: 'Hosted note-taking over streamable HTTP.', remotes: [{ type: 'streamable-http', url: 'https://notes.example.com/mcp' }] },
  { name: 'com.example/sse-feed', title: 'SSE Feed', description: 'News feed served over server-sent events.', remotes: [{ type: 'sse', url: 'https://feed.example.com/sse' }] },
  {
    name: 'io.github.mixed/hybrid', title: 'Hybrid', description: 'Runs locally with npx or hosted remotely.',
    packages: [npm()], remotes: [{ type: 'streamable-http', url: 'https://hybrid.example.com/mcp' }],
  },
  {
    name: 'io.github.gone/vanishing', title: 'Vanishing Act', description: 'Zzyzx: this server was removed.',
    packages: [npm()], status: 'deleted', statusMessage: 'Removed at the publisher\'s request.',
  },
  { name: 'io.github.chat/slack', title: 'Slack', description: 'Read channels and post messages in Slack.', packages: [npm()] },
  { name: 'io.github.code/github', title: 'GitHub', description: 'Issues, pull requests and code search on GitHub.', packages: [npm()] },
  { name: 'io.github.docs/notion', title: 'Notion', description: 'Search and edit Notion pages.', packages: [npm()] },
  { name: 'io.github.pm/linear', title: 'Linear', description: 'Linear issues and cycles.', packages: [npm()] },
  { name: 'io.github.pm/jira', title: 'Jira', description: 'Jira tickets and boards.', packages: [npm('streamable-http')] },
  { name: 'io.github.design/figma', title: 'Figma', description: 'Inspect Figma frames and export assets.', packages: [npm()] },
  { name: 'io.github.pay/stripe', title: 'Stripe', description: 'Payments, customers and invoices in Stripe.', packages: [npm()] },
  { name: 'io.github.ops/sentry', title: 'Sentry', description: 'Error events and releases from Sentry.', packages: [npm()] },
  { name: 'io.github.ops/grafana', title: 'Grafana', description: 'Dashboards and alerts in Grafana.', packages: [npm('sse')] },
  { name: 'io.github.data/redis', title: 'Redis', description: 'Keys, streams and pub/sub in Redis.', packages: [npm()] },
  { name: 'io.github.data/mongodb', title: 'MongoDB', description: 'Collections and aggregations in MongoDB.', packages: [npm()] },
  { name: 'io.github.cloud/s3', title: 'S3 Buckets', description: 'List and fetch objects in S3 buckets.', packages: [{ registryType: 'pypi' }] },
  { name: 'io.github.time/calendar', title: 'Calendar', description: 'Events, free/busy and invitations.', packages: [npm()] },
  { name: 'io.github.lang/translate', title: 'Translate', description: 'Translate text between 100 languages.', packages: [npm()] },
];

function packageJson(spec: Spec, p: NonNullable<Spec['packages']>[number], version: string): Record<string, unknown> {
  const short = spec.name.split('/')[1]!;
  const owner = spec.name.split('/')[0]!.split('.').pop()!;
  const transport = p.transport ?? 'stdio';
  const identifier = {
    npm: `@${owner}/${short}-mcp`,
    pypi: `${short}-mcp`,
    oci: `ghcr.io/${owner}/${short}-mcp:${version}`,
    nuget: `${owner[0]!.toUpperCase()}${owner.slice(1)}.${short.replace(/-/g, '')}.Mcp`,
    mcpb: `https://github.com/${owner}/${short}/releases/download/v${version}/${short}.mcpb`,
  }[p.registryType];
  return {
    registryType: p.registryType,
    identifier,
    ...(p.registryType === 'oci' || p.registryType === 'mcpb' ? {} : { version }),
    ...(p.registryType === 'mcpb' ? { fileSha256: 'fe333e598595000ae021bd27117db32ec69af6987f507ba7a63c90638ff633ce' } : {}),
    ...(p.registryType === 'npm' ? { runtimeHint: 'npx' } : p.registryType === 'pypi' ? { runtimeHint: 'uvx' } : {}),
    transport: transport === 'stdio' ? { type: 'stdio' } : { type: transport, url: `http://localhost:8080/${transport === 'sse' ? 'sse' : 'mcp'}` },
    ...(p.args ? { packageArguments: p.args.map((a) => ({ type: 'named', ...a })) } : {}),
    ...(p.env ? { environmentVariables: p.env } : {}),
  };
}

function toServer(spec: Spec): SiteServer {
  const short = spec.name.split('/')[1]!;
  const owner = spec.name.split('/')[0]!.split('.').pop()!;
  const packages = spec.packages ?? [];
  const remotes = spec.remotes ?? [];
  const statusFile = spec.status || spec.longDescription
    ? `---\nstatus: ${spec.status ?? 'active'}\n${spec.statusMessage ? `statusMessage: ${JSON.stringify(spec.statusMessage)}\n` : ''}---\n${spec.longDescription ?? ''}`
    : undefined;
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    registryTypes: [...new Set(packages.map((p) => p.registryType))],
    transports: [...new Set([...packages.map((p) => p.transport ?? 'stdio'), ...remotes.map((r) => r.type)])],
    remote: remotes.length > 0,
    local: packages.length > 0,
    status: spec.status ?? 'active',
    versions: spec.versions ?? ['1.0.0'],
    statusFile,
    json: (version) => ({
      $schema: SCHEMA,
      name: spec.name,
      description: spec.description,
      title: spec.title,
      repository: { url: `https://github.com/${owner}/${short}`, source: 'github' },
      version,
      websiteUrl: `https://${short}.example.org`,
      ...(packages.length ? { packages: packages.map((p) => packageJson(spec, p, version)) } : {}),
      ...(remotes.length ? { remotes } : {}),
    }),
  };
}

export const SITE_SERVERS: SiteServer[] = SPECS.map(toServer);

export function siteServer(name: string): SiteServer {
  const found = SITE_SERVERS.find((s) => s.name === name);
  if (!found) throw new Error(`no fixture server ${name}`);
  return found;
}

/** `/servers/<namespace>/<server>/`, the deep link to a server's page. */
export const serverPath = (name: string): string => `/servers/${name}/`;

/** Writes the entries folder. */
export function writeSiteEntries(entriesDir: string): void {
  for (const server of SITE_SERVERS) {
    for (const version of server.versions) {
      const dir = path.join(entriesDir, server.name, version);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'server.json'), `${JSON.stringify(server.json(version), null, 2)}\n`);
    }
    if (server.statusFile) writeFileSync(path.join(entriesDir, server.name, 'server.md'), server.statusFile);
  }
}

export interface BuiltSite {
  root: string;
  distDir: string;
  remove(): void;
}

/** Writes the entries into a temporary folder and builds them into `<root>/dist`. */
export async function buildSiteFixture(): Promise<BuiltSite> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mcp-site-fixture-'));
  const entriesDir = path.join(root, 'entries');
  const distDir = path.join(root, 'dist');
  writeSiteEntries(entriesDir);
  await buildRegistry({ entriesDir, outDir: distDir, env: { ...process.env, SOURCE_DATE_EPOCH: SITE_FIXTURE_EPOCH } });
  return { root, distDir, remove: () => rmSync(root, { recursive: true, force: true }) };
}
