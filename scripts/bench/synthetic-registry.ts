// Deterministic synthetic `entries/` tree for the benchmark: realistic names, sizes, version strings and a few
// status files, so build timings reflect the real input shape rather than 100k copies of one tiny file.
// Same seed and sizes → byte-identical tree (and, with commitAsGitRepo, identical commits).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { mulberry32 } from '../lib/seeded-random.ts';

const SCHEMA_URL = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';
const DAY_MS = 86_400_000;
// Synthetic publish dates start here; commitAsGitRepo spreads commits from the same origin.
const EPOCH_MS = Date.UTC(2025, 0, 6);

export interface SyntheticOptions {
  dir: string; // the entries/ directory to create (must not exist or be empty)
  servers?: number; // default 20,000
  versions?: number; // total versions over all servers, default 100,000
  seed?: number; // default 1
}

export interface SyntheticResult {
  servers: number;
  versions: number;
  statusFiles: number; // server.md files written
  files: number;
  bytes: number;
  seconds: number;
  // Relative paths (to dir) of every written file, oldest synthetic publication first; commitAsGitRepo uses it to
  // spread the files over commits so history-derived timestamps follow version order.
  publishOrder: string[];
}


class Rng {
  constructor(readonly next: () => number) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  hex(length: number): string {
    let s = '';
    while (s.length < length) s += Math.floor(this.next() * 16).toString(16);
    return s;
  }
}

const SERVICES = [
  'weather',
  'github',
  'gitlab',
  'slack',
  'notion',
  'postgres',
  'mysql',
  'sqlite',
  'redis',
  'mongodb',
  'kubernetes',
  'docker',
  'jira',
  'confluence',
  'linear',
  'figma',
  'stripe',
  'airtable',
  'shopify',
  'salesforce',
  'hubspot',
  'zendesk',
  'sentry',
  'datadog',
  'grafana',
  'prometheus',
  'elastic',
  's3',
  'gcs',
  'bigquery',
  'snowflake',
  'duckdb',
  'supabase',
  'firebase',
  'vercel',
  'netlify',
  'cloudflare',
  'terraform',
  'ansible',
  'aws',
  'azure',
  'gcp',
  'openapi',
  'graphql',
  'browser',
  'puppeteer',
  'playwright',
  'filesystem',
  'git',
  'time',
  'calendar',
  'gmail',
  'outlook',
  'drive',
  'dropbox',
  'youtube',
  'spotify',
  'twitter',
  'reddit',
  'discord',
  'telegram',
  'whatsapp',
  'twilio',
  'sendgrid',
  'mailchimp',
  'pdf',
  'excel',
  'markdown',
  'arxiv',
  'wikipedia',
  'search',
  'fetch',
  'memory',
  'vector',
  'qdrant',
  'pinecone',
  'chroma',
  'obsidian',
  'todoist',
  'trello',
  'asana',
  'clickup',
  'monday',
  'miro',
  'canva',
  'unity',
  'blender',
  'home-assistant',
  'mqtt',
  'crypto',
  'stocks',
  'maps',
  'translate',
  'ocr',
  'speech',
  'image',
  'video',
  'rss',
  'npm',
];
const SUFFIXES = ['mcp', 'mcp', 'mcp', 'server', 'mcp-server', 'tools', 'connector', 'bridge'];
const FIRST = [
  'alice',
  'bob',
  'carol',
  'dave',
  'erin',
  'frank',
  'grace',
  'heidi',
  'ivan',
  'judy',
  'mallory',
  'niaj',
  'olivia',
  'peggy',
  'rupert',
  'sybil',
  'trent',
  'victor',
  'walter',
  'yuki',
  'zoe',
  'ahmed',
  'bea',
  'chen',
  'dmitri',
  'elena',
  'farid',
  'gita',
  'hiro',
  'ines',
  'jonas',
  'kwame',
  'lena',
  'mateo',
  'nadia',
  'omar',
  'priya',
  'quinn',
  'rosa',
  'sven',
];
const HANDLE_SUFFIX = ['', '', 'dev', 'codes', 'hq', 'labs', 'io', 'ai', 'oss', 'x'];
const COMPANIES = [
  'acme',
  'globex',
  'initech',
  'umbrella',
  'hooli',
  'piedpiper',
  'stark',
  'wayne',
  'wonka',
  'tyrell',
  'cyberdyne',
  'soylent',
  'vandelay',
  'oscorp',
  'aperture',
  'blackmesa',
  'massive',
  'gringotts',
  'dunder',
  'prestige',
  'nakatomi',
  'virtucon',
  'monarch',
  'octan',
  'zorg',
  'buynlarge',
  'contoso',
  'fabrikam',
  'northwind',
  'tailspin',
  'adventure',
];
const TLDS = ['com', 'com', 'com', 'io', 'ai', 'dev', 'net', 'org'];
const VERBS = [
  'Query',
  'Manage',
  'Search',
  'Read and write',
  'Automate',
  'Monitor',
  'Explore',
  'Sync',
  'Inspect',
  'Create',
];
const OBJECTS = [
  'issues and pull requests',
  'databases and tables',
  'files and folders',
  'messages and channels',
  'dashboards',
  'records',
  'documents',
  'deployments',
  'tickets',
  'events',
  'metrics and logs',
  'pages',
  'invoices',
  'contacts',
  'repositories',
  'notes',
  'tasks',
  'images',
  'workflows',
  'secrets',
];
const TAILS = [
  '',
  '',
  ' from your AI assistant',
  ' with natural language',
  ' via the official API',
  ' securely',
  ' in real time',
];

// Heavy-tailed per-server version counts: most servers get 1–3 versions, a few get dozens or hundreds,
// like the official registry. Extras are handed out one by one to servers chosen by Pareto weights.
function versionCounts(rng: Rng, servers: number, versions: number): number[] {
  const counts = new Array<number>(servers).fill(1);
  const weights: number[] = [];
  let total = 0;
  for (let i = 0; i < servers; i++) {
    const w = Math.min(Math.pow(1 - rng.next(), -1 / 1.2) - 1, 200); // cap keeps one server from taking everything
    total += w;
    weights.push(total);
  }
  const cap = Math.max(400, Math.ceil((versions / servers) * 4));
  for (let extra = versions - servers; extra > 0;) {
    let lo = 0;
    let hi = servers - 1;
    const x = rng.next() * total;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((weights[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    if ((counts[lo] as number) < cap) {
      counts[lo] = (counts[lo] as number) + 1;
      extra--;
    } else {
      weights.length = 0; // degenerate tiny inputs: fall back to round-robin so the loop always ends
      for (let i = 0; extra > 0; i = (i + 1) % servers) {
        counts[i] = (counts[i] as number) + 1;
        extra--;
      }
    }
  }
  return counts;
}

type Scheme = 'semver' | 'v-semver' | 'date-dot' | 'date-dash' | 'mixed';

function dateString(ms: number, sep: string): string {
  const d = new Date(ms);
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(d.getUTCDate()).padStart(2, '0');
  return `${d.getUTCFullYear()}${sep}${mm}${sep}${dd}`;
}

// Version strings in publication order (`times[i]` is the synthetic publish date of version i). Semver lines carry
// occasional prereleases before a bump and occasional build metadata; date schemes use the publish day, and times
// advance at least a day per release, so strings stay unique per server.
function versionStrings(rng: Rng, scheme: Scheme, times: number[]): string[] {
  const count = times.length;
  const out: string[] = [];
  let major = rng.chance(0.4) ? 0 : rng.chance(0.85) ? 1 : rng.int(2, 4);
  let minor = rng.int(0, 5);
  let patch = rng.int(0, 3);
  const prefix = scheme === 'v-semver' ? 'v' : '';
  const switchAt = scheme === 'mixed' ? Math.max(1, Math.floor(count / 2)) : count;
  const datedOnly = scheme === 'date-dot' || scheme === 'date-dash';
  while (out.length < count) {
    if (datedOnly || out.length >= switchAt) {
      out.push(dateString(times[out.length] as number, scheme === 'date-dash' ? '-' : '.'));
      continue;
    }
    if (out.length > 0) {
      const r = rng.next();
      const bumpMajor = r < 0.05;
      const bumpMinor = !bumpMajor && r < 0.22;
      if ((bumpMajor || bumpMinor) && rng.chance(0.3)) {
        const next = bumpMajor ? `${major + 1}.0.0` : `${major}.${minor + 1}.0`;
        const tag = rng.pick(['alpha', 'beta', 'rc']);
        const pre = rng.int(1, 3);
        for (let k = 1; k <= pre && out.length < switchAt - 1; k++) out.push(`${prefix}${next}-${tag}.${k}`);
      }
      if (bumpMajor) [major, minor, patch] = [major + 1, 0, 0];
      else if (bumpMinor) [minor, patch] = [minor + 1, 0];
      else patch++;
    }
    const build = rng.chance(0.03) ? `+build.${rng.int(1, 999)}` : '';
    out.push(`${prefix}${major}.${minor}.${patch}${build}`);
  }
  return out;
}

interface ServerIdentity {
  namespace: string;
  slug: string; // part after the slash
  owner: string; // GitHub owner used for repository / OCI / MCPB URLs
  service: string;
  domain: string; // used for remotes, website and icons
}

function newIdentity(rng: Rng, taken: Set<string>, namespaces: ServerIdentity[]): ServerIdentity {
  for (;;) {
    const service = rng.pick(SERVICES);
    const slug = rng.chance(0.5)
      ? `${service}-${rng.pick(SUFFIXES)}`
      : rng.chance(0.5)
        ? `mcp-${service}`
        : `${service}-${rng.pick(SERVICES)}-${rng.pick(SUFFIXES)}`;
    // Publishers often own several servers: reuse an existing namespace a third of the time.
    const base = namespaces.length > 0 && rng.chance(0.33) ? rng.pick(namespaces) : undefined;
    let id: ServerIdentity;
    if (base) {
      id = { ...base, slug, service };
    } else if (rng.chance(0.62)) {
      let login = `${rng.pick(FIRST)}${rng.pick(HANDLE_SUFFIX)}${rng.chance(0.5) ? rng.int(1, 9999) : ''}`;
      // Real logins keep their case, and one login always has the same case: names differing only by case collide.
      if (capitalizedLogin(login)) login = login.charAt(0).toUpperCase() + login.slice(1);
      id = { namespace: `io.github.${login}`, slug, owner: login, service, domain: `${login.toLowerCase()}.github.io` };
    } else {
      const company = `${rng.pick(COMPANIES)}${rng.chance(0.6) ? rng.int(1, 999) : ''}`;
      const tld = rng.pick(TLDS);
      const sub = rng.chance(0.1) ? `.${rng.pick(['mcp', 'ai', 'dev'])}` : '';
      id = { namespace: `${tld}.${company}${sub}`, slug, owner: company, service, domain: `${company}.${tld}` };
    }
    // Case-insensitive uniqueness so the tree also extracts on case-insensitive file systems.
    const key = `${id.namespace}/${id.slug}`.toLowerCase();
    if (taken.has(key)) continue;
    taken.add(key);
    if (!base) namespaces.push(id);
    return id;
  }
}

function description(rng: Rng, service: string): string {
  const label = service.charAt(0).toUpperCase() + service.slice(1).replace(/-/g, ' ');
  const text = `${rng.pick(VERBS)} ${label} ${rng.pick(OBJECTS)}${rng.pick(TAILS)}.`;
  return text.length <= 100 ? text : `${text.slice(0, 99)}.`;
}

type Json = Record<string, unknown>;

function envVars(rng: Rng, service: string): Json[] {
  const prefix = service.toUpperCase().replace(/-/g, '_');
  const vars: Json[] = [];
  if (rng.chance(0.75)) {
    vars.push({
      description: `${service} API key. Create one in your ${service} account settings under Developer > API keys.`,
      isRequired: true,
      isSecret: true,
      name: `${prefix}_API_KEY`,
    });
  }
  if (rng.chance(0.3)) {
    vars.push({
      description: `Base URL of the ${service} API`,
      default: `https://api.${service}.example.com`,
      name: `${prefix}_BASE_URL`,
    });
  }
  if (rng.chance(0.2)) {
    vars.push({
      description: 'Log verbosity',
      default: 'info',
      choices: ['debug', 'info', 'warn', 'error'],
      name: 'LOG_LEVEL',
    });
  }
  return vars;
}

function packageArgs(rng: Rng): Json[] | undefined {
  if (!rng.chance(0.25)) return undefined;
  const args: Json[] = [
    { type: 'positional', description: 'Directory the server may access', isRequired: true, valueHint: 'directory' },
  ];
  if (rng.chance(0.5))
    args.push({ type: 'named', name: '--read-only', description: 'Disable write operations', format: 'boolean' });
  return args;
}

function optionalArgs(args: Json[] | undefined): Json {
  return args ? { packageArguments: args } : {};
}

function packages(rng: Rng, id: ServerIdentity, version: string, kinds: string[]): Json[] {
  const bare = version.replace(/^v/, '');
  const env = envVars(rng, id.service);
  return kinds.map((kind): Json => {
    const withEnv = (p: Json): Json => (env.length > 0 ? { ...p, environmentVariables: env } : p);
    switch (kind) {
      case 'npm': {
        const scoped = rng.chance(0.4) ? `@${id.owner.toLowerCase()}/${id.slug}` : id.slug;
        const http = rng.chance(0.1);
        return withEnv({
          registryType: 'npm',
          identifier: scoped,
          version: bare,
          runtimeHint: 'npx',
          transport: http ? { type: 'streamable-http', url: 'http://localhost:{port}/mcp' } : { type: 'stdio' },
          ...(http
            ? {
                packageArguments: [
                  { type: 'named', name: '--port', valueHint: 'port', default: '3000', format: 'number' },
                ],
              }
            : optionalArgs(packageArgs(rng))),
        });
      }
      case 'pypi':
        return withEnv({
          registryType: 'pypi',
          registryBaseUrl: 'https://pypi.org',
          identifier: id.slug.replace(/-/g, '_'),
          version: bare,
          runtimeHint: 'uvx',
          transport: { type: 'stdio' },
        });
      case 'oci': {
        const host = rng.pick(['docker.io', 'ghcr.io', 'ghcr.io', 'quay.io']);
        return withEnv({
          registryType: 'oci',
          identifier: `${host}/${id.owner.toLowerCase()}/${id.slug}:${bare.replace(/\+/g, '_')}`,
          runtimeHint: 'docker',
          transport: { type: 'stdio' },
          runtimeArguments: [
            { type: 'named', name: '--rm', description: 'Remove the container on exit' },
            { type: 'named', name: '-i', description: 'Keep stdin open' },
          ],
        });
      }
      default: // mcpb
        return {
          registryType: 'mcpb',
          identifier: `https://github.com/${id.owner}/${id.slug}/releases/download/v${bare}/${id.slug}.mcpb`,
          fileSha256: rng.hex(64),
          transport: { type: 'stdio' },
        };
    }
  });
}

function remotes(rng: Rng, id: ServerIdentity): Json[] {
  // Remote URLs embed the slug: the official registry requires a remote URL to be unique across servers.
  const base = `https://mcp.${id.domain}/${id.slug}`;
  const auth = [{ name: 'Authorization', description: 'Bearer token', isRequired: true, isSecret: true }];
  if (rng.chance(0.15)) {
    return [
      {
        type: 'streamable-http',
        url: `https://{tenant}.${id.domain}/${id.slug}/mcp`,
        headers: auth,
        variables: { tenant: { description: 'Your tenant subdomain', isRequired: true } },
      },
    ];
  }
  const list: Json[] = [{ type: 'streamable-http', url: `${base}/mcp`, ...(rng.chance(0.6) ? { headers: auth } : {}) }];
  if (rng.chance(0.3)) list.push({ type: 'sse', url: `${base}/sse` });
  return list;
}

interface ServerShape {
  kinds: string[];
  remote: boolean;
  title?: string;
  repository?: Json;
  websiteUrl?: string;
  icons?: Json[];
  meta?: Json;
}

// Per-server features stay stable across its versions (as publishers copy server.json forward).
function serverShape(rng: Rng, id: ServerIdentity): ServerShape {
  const remoteOnly = rng.chance(0.08);
  const kinds = remoteOnly
    ? []
    : rng.chance(0.55)
      ? ['npm']
      : rng.chance(0.45)
        ? ['pypi']
        : rng.chance(0.5)
          ? ['oci']
          : rng.chance(0.6)
            ? ['npm', 'oci']
            : ['npm', 'oci', 'mcpb'];
  const label = id.slug.replace(/-/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());
  return {
    kinds,
    remote: remoteOnly || rng.chance(0.08),
    ...(rng.chance(0.4) ? { title: label.slice(0, 100) } : {}),
    ...(rng.chance(0.7)
      ? {
          repository: {
            url: `https://github.com/${id.owner}/${id.slug}`,
            source: 'github',
            ...(rng.chance(0.1) ? { subfolder: `packages/${id.service}` } : {}),
          },
        }
      : {}),
    ...(rng.chance(0.3) ? { websiteUrl: `https://${id.domain}/${id.slug}` } : {}),
    ...(rng.chance(0.2)
      ? { icons: [{ src: `https://${id.domain}/assets/${id.slug}.png`, mimeType: 'image/png', sizes: ['64x64'] }] }
      : {}),
    ...(rng.chance(0.05)
      ? {
          meta: {
            'io.modelcontextprotocol.registry/publisher-provided': { tool: 'mcp-publisher', buildId: rng.hex(12) },
          },
        }
      : {}),
  };
}

function serverJson(rng: Rng, id: ServerIdentity, shape: ServerShape, version: string): string {
  const doc: Json = {
    $schema: SCHEMA_URL,
    name: `${id.namespace}/${id.slug}`,
    description: description(rng, id.service),
    ...(shape.title ? { title: shape.title } : {}),
    ...(shape.repository ? { repository: shape.repository } : {}),
    version,
    ...(shape.websiteUrl ? { websiteUrl: shape.websiteUrl } : {}),
    ...(shape.icons ? { icons: shape.icons } : {}),
    ...(shape.kinds.length > 0 ? { packages: packages(rng, id, version, shape.kinds) } : {}),
    ...(shape.remote ? { remotes: remotes(rng, id) } : {}),
    ...(shape.meta ? { _meta: shape.meta } : {}),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

type StatusEntry = { status: 'deprecated' | 'deleted'; message: string };

// server.md: YAML front matter (optional server-wide status, then per-version ones), then free text for humans; the
// format of scripts/lib/entries/status-file.ts.
function statusMarkdown(
  name: string,
  server: StatusEntry | undefined,
  versions: ReadonlyArray<StatusEntry & { version: string }>,
): string {
  const lines = ['---'];
  if (server) lines.push(`status: ${server.status}`, `statusMessage: ${JSON.stringify(server.message)}`);
  if (versions.length > 0) lines.push('versions:');
  for (const v of versions) {
    lines.push(
      `  ${JSON.stringify(v.version)}:`,
      `    status: ${v.status}`,
      `    statusMessage: ${JSON.stringify(v.message)}`,
    );
  }
  lines.push('---', '', `# ${name}`, '', 'Status notes maintained by the registry moderators.', '');
  return lines.join('\n');
}

// About 3% of servers with several versions get a status file: mostly single versions deprecated or deleted,
// sometimes the newest, and sometimes the whole server deprecated.
function statusFile(rng: Rng, name: string, versions: string[]): string | undefined {
  if (versions.length < 2 || !rng.chance(0.03)) return undefined;
  if (rng.chance(0.15))
    return statusMarkdown(
      name,
      { status: 'deprecated', message: 'No longer maintained; see the README for alternatives.' },
      [],
    );
  const picks = new Set<string>();
  for (let i = rng.int(1, 2); i > 0; i--) picks.add(versions[rng.int(0, versions.length - 2)] as string);
  if (rng.chance(0.1)) picks.add(versions[versions.length - 1] as string);
  return statusMarkdown(
    name,
    undefined,
    [...picks].map((version) =>
      rng.chance(0.7)
        ? { version, status: 'deprecated' as const, message: 'Superseded by a newer release; please upgrade.' }
        : { version, status: 'deleted' as const, message: 'Published by mistake.' },
    ),
  );
}

// Plain synchronous writes: measured on this project's 2-CPU VM, mkdirSync+writeFileSync of 100k small files took
// 1.3 s on tmpfs against 9–10 s for promise-based writes with 64 in flight (libuv thread-pool overhead dominates).
function writeFileDeep(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
}

/** About one login in twenty is capitalised, always the same ones. */
function capitalizedLogin(login: string): boolean {
  let sum = 0;
  for (let i = 0; i < login.length; i++) sum += login.charCodeAt(i) * (i + 1);
  return sum % 20 === 0;
}

export function generateSyntheticRegistry(options: SyntheticOptions): SyntheticResult {
  const started = performance.now();
  const versionsTotal = Math.max(1, Math.floor(options.versions ?? 100_000));
  const serverCount = Math.max(1, Math.min(Math.floor(options.servers ?? 20_000), versionsTotal));
  const rng = new Rng(mulberry32(options.seed ?? 1));
  const counts = versionCounts(rng, serverCount, versionsTotal);
  const taken = new Set<string>();
  const namespaces: ServerIdentity[] = [];
  const dated: Array<{ rel: string; ms: number }> = [];
  let bytes = 0;
  let statusFiles = 0;

  for (let s = 0; s < serverCount; s++) {
    const id = newIdentity(rng, taken, namespaces);
    const shape = serverShape(rng, id);
    const count = counts[s] as number;
    const r = rng.next();
    const scheme: Scheme =
      r < 0.7 ? 'semver' : r < 0.8 ? 'v-semver' : r < 0.88 ? 'date-dot' : r < 0.93 ? 'date-dash' : 'mixed';
    // Busy servers release more often; each server's releases span at most ~500 days.
    const maxStep = Math.max(1, Math.min(30, Math.floor(500 / count)));
    const times: number[] = [];
    for (let t = EPOCH_MS + rng.int(0, 300) * DAY_MS, v = 0; v < count; v++)
      times.push((t += rng.int(1, maxStep) * DAY_MS));
    const versions = versionStrings(rng, scheme, times);
    const serverDir = path.join(id.namespace, id.slug);
    for (let v = 0; v < count; v++) {
      const version = versions[v] as string;
      const rel = path.join(serverDir, version, 'server.json');
      const content = serverJson(rng, id, shape, version);
      bytes += Buffer.byteLength(content);
      dated.push({ rel, ms: times[v] as number });
      writeFileDeep(path.join(options.dir, rel), content);
    }
    const status = statusFile(rng, `${id.namespace}/${id.slug}`, versions);
    if (status) {
      const rel = path.join(serverDir, 'server.md');
      bytes += Buffer.byteLength(status);
      statusFiles++;
      dated.push({ rel, ms: (times[count - 1] as number) + DAY_MS }); // status changes follow the versions they mark
      writeFileDeep(path.join(options.dir, rel), status);
    }
  }
  // Stable sort: ties keep generation order, so the order is deterministic too.
  dated.sort((a, b) => a.ms - b.ms);
  return {
    servers: serverCount,
    versions: versionsTotal,
    statusFiles,
    files: dated.length,
    bytes,
    seconds: (performance.now() - started) / 1000,
    publishOrder: dated.map((d) => d.rel),
  };
}

// Turns repoDir into a Git repository with `commits` commits adding `files` (repo-relative paths, oldest first) in
// that order, with fixed dates and identity: a build that derives publishedAt/updatedAt from history has history to
// read, and the same input always yields the same commit ids. Uses `git fast-import`, which writes one pack:
// `git add`/`update-index` write 100k loose objects, which took 30 s to over 3 minutes here.
export async function commitAsGitRepo(repoDir: string, commits: number, files: string[]): Promise<void> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_AUTHOR_NAME: 'Registry Bench',
    GIT_AUTHOR_EMAIL: 'bench@example.invalid',
    GIT_COMMITTER_NAME: 'Registry Bench',
    GIT_COMMITTER_EMAIL: 'bench@example.invalid',
  };
  const git = (args: string[]) => runGit(repoDir, env, args);
  await git(['-c', 'init.defaultBranch=main', 'init', '-q']).done;
  const importer = git(['fast-import', '--quiet']);
  const n = Math.max(1, Math.min(commits, files.length));
  const per = Math.ceil(files.length / n);
  for (let c = 0; c * per < files.length; c++) {
    const chunk = files.slice(c * per, (c + 1) * per);
    // One commit a week from the synthetic epoch; fixed so commit ids are reproducible.
    const when = `${Math.floor((EPOCH_MS + c * 7 * DAY_MS) / 1000)} +0000`;
    const message = Buffer.from(`Publish batch ${c + 1} of ${n} (${chunk.length} files)\n`);
    await importer.write(
      `commit refs/heads/main\nauthor Registry Bench <bench@example.invalid> ${when}\n` +
        `committer Registry Bench <bench@example.invalid> ${when}\ndata ${message.length}\n${message}`,
    );
    for (const rel of chunk) {
      const content = readFileSync(path.join(repoDir, rel));
      await importer.write(`M 100644 inline ${rel.split(path.sep).join('/')}\ndata ${content.length}\n`);
      await importer.write(content);
      await importer.write('\n');
    }
  }
  await importer.end();
  // Fill the index from HEAD so the work tree reads as clean (`git status` shows nothing).
  await git(['reset', '-q']).done;
}

function runGit(cwd: string, env: NodeJS.ProcessEnv, args: string[]) {
  const child = spawn('git', args, { cwd, env, stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`git ${args[0]} exited ${code}: ${stderr.trim()}`)),
    );
  });
  return {
    done,
    // Honour back-pressure so a 100 MB import stream is not buffered in memory all at once.
    write: (chunk: string | Buffer) =>
      child.stdin.write(chunk)
        ? Promise.resolve()
        : new Promise<void>((resolve) => child.stdin.once('drain', () => resolve())),
    end: () => {
      child.stdin.end();
      return done;
    },
  };
}
