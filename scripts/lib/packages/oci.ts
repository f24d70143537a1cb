// OCI package verification (official-registry.md §3.4): the image named by the identifier is pulled anonymously
// through the distribution API (https://github.com/opencontainers/distribution-spec), token handshake included, and
// its config must carry the label `io.modelcontextprotocol.server.name` equal to the server name.
//
// Steps: GET /v2/<name>/manifests/<tag or digest> (401 → anonymous Bearer token from the realm the registry names,
// then again); an index or manifest list → the linux/amd64 manifest (else the first that is not an attestation);
// GET /v2/<name>/blobs/<config digest>; every manifest and blob fetched by digest is hashed and compared with it.
// Any failure to verify is an error: rate limits fail closed (the official registry does the same since v1.7.9).

import { createHash } from 'node:crypto';
import { problem, type Problem } from '../problems.ts';
import { isAllowedOciRegistry, OCI_REGISTRIES, OCI_REGISTRY_SUFFIXES, parseOciReference } from '../validate/rules/server-json.ts';
import type { BoundedFetch, BoundedFetchResult } from './fetch.ts';

export const OCI_SERVER_NAME_LABEL = 'io.modelcontextprotocol.server.name';

export const OCI_PROBLEM_CODES = [
  'package-oci-identifier-invalid',
  'package-oci-registry-not-allowed',
  'package-oci-image-not-found',
  'package-oci-tag-not-found',
  'package-oci-digest-not-found',
  'package-oci-auth-failed',
  'package-oci-rate-limited',
  'package-oci-manifest-invalid',
  'package-oci-label-missing',
  'package-oci-label-other-name',
  'package-oci-digest-mismatch',
  'package-oci-timeout',
  'package-oci-too-large',
  'package-oci-unreachable',
] as const;
export type OciProblemCode = (typeof OCI_PROBLEM_CODES)[number];

export interface OciPackageContext {
  /** The server name the label must equal. */
  serverName: string;
  /** The server.json, relative to the repository. */
  file: string;
  /** JSON pointer of the package, e.g. `/packages/0`; problems point at its `/identifier`. */
  jsonPath: string;
  /** `createBoundedFetch(...)` from ./fetch.ts. */
  fetch: BoundedFetch;
  /**
   * Base URLs that replace a registry's API host, keyed by the registry as written in the identifier (`docker.io`,
   * `ghcr.io`) or by its API host (`registry-1.docker.io`). Tests only: `{ 'docker.io': 'http://127.0.0.1:5000' }`.
   */
  registryOverrides?: Record<string, string>;
}

const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;
const MANIFEST_ACCEPT = [MEDIA.ociIndex, MEDIA.ociManifest, MEDIA.dockerList, MEDIA.dockerManifest].join(', ');
const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
/** How deep an index may nest indexes before we give up. */
const MAX_INDEX_DEPTH = 2;

/** Where the distribution API of a registry lives: Docker Hub's names all mean registry-1.docker.io. */
export function ociApiBase(registry: string, overrides: Record<string, string> = {}): string {
  const apiHost = DOCKER_HUB.has(registry) ? 'registry-1.docker.io' : registry;
  const override = overrides[registry] ?? overrides[apiHost];
  return (override ?? `https://${apiHost}`).replace(/\/+$/, '');
}

class Stop extends Error {
  constructor(readonly problem: Problem) {
    super(problem.message);
  }
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

function q(s: string): string {
  return JSON.stringify(s);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asDescriptor(v: unknown): Descriptor | undefined {
  if (!isObject(v) || typeof v.digest !== 'string') return undefined;
  return v as unknown as Descriptor;
}

/** `Bearer realm="…",service="…",scope="…"` → its parameters; undefined for another scheme. */
export function parseBearerChallenge(header: string): { realm: string; service?: string; scope?: string } | undefined {
  const m = /^\s*Bearer\s+(.*)$/i.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[1]!.matchAll(/([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))/g)) {
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  }
  if (!params.realm) return undefined;
  return { realm: params.realm, ...(params.service ? { service: params.service } : {}), ...(params.scope ? { scope: params.scope } : {}) };
}

/** Digest of bytes in the algorithm the expected digest names; undefined for an algorithm we do not know. */
function digestOf(expected: string, bytes: Buffer): string | undefined {
  const algorithm = expected.split(':', 1)[0];
  if (algorithm !== 'sha256' && algorithm !== 'sha512') return undefined;
  return `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
}

/** Registry error codes in a distribution error body: `{"errors":[{"code":"MANIFEST_UNKNOWN",…}]}`. */
function registryErrorCodes(body: Buffer): string[] {
  try {
    const json: unknown = JSON.parse(body.toString('utf8'));
    if (isObject(json) && Array.isArray(json.errors)) {
      return json.errors.flatMap((e) => (isObject(e) && typeof e.code === 'string' ? [e.code] : []));
    }
  } catch {
    // not JSON
  }
  return [];
}

function platformText(d: Descriptor): string {
  const p = d.platform;
  if (!p) return '(no platform)';
  return [p.os ?? '?', p.architecture ?? '?', p.variant].filter((x) => x !== undefined).join('/');
}

function isAttestation(d: Descriptor): boolean {
  return d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' || (d.platform?.os === 'unknown' && d.platform?.architecture === 'unknown');
}

/** The manifest a linux/amd64 machine would run: linux/amd64, else the first that is not an attestation. */
export function pickManifest(manifests: readonly Descriptor[]): Descriptor | undefined {
  return (
    manifests.find((d) => d.platform?.os === 'linux' && d.platform?.architecture === 'amd64' && !isAttestation(d)) ??
    manifests.find((d) => !isAttestation(d)) ??
    manifests[0]
  );
}

export async function verifyOciPackage(pkg: { identifier: string }, ctx: OciPackageContext): Promise<Problem[]> {
  const identifier = pkg.identifier;
  const jsonPath = `${ctx.jsonPath}/identifier`;
  const make = (code: OciProblemCode, message: string, hint: string): Problem => problem({ code, file: ctx.file, jsonPath, message, hint });
  const image = q(identifier);

  const ref = parseOciReference(identifier);
  if (typeof ref === 'string') {
    return [make('package-oci-identifier-invalid', `OCI identifier ${image} ${ref}`, 'Write the image reference as `docker pull` accepts it, in lower case, e.g. "ghcr.io/owner/image:1.0.0".')];
  }
  if (!isAllowedOciRegistry(ref.registry)) {
    return [
      make(
        'package-oci-registry-not-allowed',
        `OCI image ${image} is on registry ${q(ref.registry)}, which is not on the allow-list, so it is not pulled`,
        `Push the image to one of ${[...OCI_REGISTRIES, ...OCI_REGISTRY_SUFFIXES.map((s) => `*${s}`)].join(', ')} and name that reference.`,
      ),
    ];
  }

  const { registry, digest: refDigest, tag: refTag } = ref;
  const base = ociApiBase(registry, ctx.registryOverrides);
  const name = ref.repository;
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const shown = `${ref.registry}/${name}${ref.digest ? `@${ref.digest}` : `:${reference}`}`;
  const labelHint = `Build the image with the label, e.g. \`LABEL ${OCI_SERVER_NAME_LABEL}="${ctx.serverName}"\` in the Dockerfile (or \`docker build --label ${OCI_SERVER_NAME_LABEL}=${ctx.serverName}\`), push it, and name that tag or digest.`;
  let token: string | undefined;
  let triedToken = false;

  function failure(r: Extract<BoundedFetchResult, { ok: false }>, what: string): Problem {
    if (r.reason === 'timeout') {
      return make('package-oci-timeout', `Fetching ${what} of OCI image ${shown} timed out: ${r.detail}`, 'Retry later; if the registry is reachable and it keeps timing out, the image may be too large to check or the registry is down.');
    }
    if (r.reason === 'too-large') {
      return make('package-oci-too-large', `${what} of OCI image ${shown} is larger than the verification accepts: ${r.detail}`, 'Image manifests and configs are a few kilobytes; push an ordinary container image (not an artifact with a huge config) and name it.');
    }
    return make('package-oci-unreachable', `Could not fetch ${what} of OCI image ${shown}: ${r.detail}`, 'Check that the registry is up and the reference is right, then retry; the image must be publicly pullable.');
  }

  function rateLimited(res: Extract<BoundedFetchResult, { ok: true }>, what: string): Problem {
    const retryAfter = res.headers.get('retry-after');
    const when = retryAfter
      ? /^\d+$/.test(retryAfter.trim())
        ? `The registry asks to retry after ${retryAfter.trim()} s.`
        : `The registry asks to retry after ${retryAfter.trim()}.`
      : DOCKER_HUB.has(registry)
        ? 'Docker Hub limits anonymous pulls per IP address over 6 hours; retry in an hour or so.'
        : 'Retry in a few minutes.';
    const limit = res.headers.get('ratelimit-limit');
    return make(
      'package-oci-rate-limited',
      `The registry rate-limited ${what} of OCI image ${shown} (HTTP 429${limit ? `, limit ${limit}` : ''}). Verification fails closed: an image that could not be checked is not accepted. ${when}`,
      `Re-run the check later (push an empty commit or re-run the workflow). ${when}`,
    );
  }

  /** GET a registry path, doing the anonymous token handshake on the first 401. */
  async function get(path: string, accept: string, what: string): Promise<Extract<BoundedFetchResult, { ok: true }>> {
    for (;;) {
      const res = await ctx.fetch(`${base}${path}`, { accept, headers: token ? { Authorization: `Bearer ${token}` } : {} });
      if (!res.ok) throw new Stop(failure(res, what));
      if (res.status === 429) throw new Stop(rateLimited(res, what));
      if (res.status !== 401 || triedToken) return res;
      triedToken = true;
      token = await fetchToken(res);
    }
  }

  async function fetchToken(res: Extract<BoundedFetchResult, { ok: true }>): Promise<string> {
    const header = res.headers.get('www-authenticate') ?? '';
    const challenge = parseBearerChallenge(header);
    if (!challenge) {
      throw new Stop(
        make(
          'package-oci-auth-failed',
          `The registry wants credentials for OCI image ${shown} (${header ? `challenge ${q(header)}` : 'no Bearer challenge'}); anonymous pulls are not possible there`,
          'Make the image (or its repository/package) public so that anyone can pull it without logging in.',
        ),
      );
    }
    let realm: URL;
    try {
      realm = new URL(challenge.realm);
    } catch {
      throw new Stop(make('package-oci-auth-failed', `The registry for ${shown} names an invalid token realm ${q(challenge.realm)}`, 'This is a registry fault; retry later or use another allowed registry.'));
    }
    realm.searchParams.set('scope', challenge.scope ?? `repository:${name}:pull`);
    if (challenge.service) realm.searchParams.set('service', challenge.service);
    const tr = await ctx.fetch(realm.href, { accept: 'application/json' });
    if (!tr.ok) throw new Stop(failure(tr, 'an anonymous pull token'));
    if (tr.status === 429) throw new Stop(rateLimited(tr, 'the anonymous pull token'));
    if (tr.status !== 200) {
      throw new Stop(
        make(
          'package-oci-auth-failed',
          `The token service ${realm.origin} refused an anonymous pull token for ${shown} (HTTP ${tr.status}); the image is private or does not exist`,
          'Make the image public (on ghcr.io: package settings → Change visibility → Public) and check the name.',
        ),
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(tr.body.toString('utf8'));
    } catch {
      json = undefined;
    }
    const t = isObject(json) ? (typeof json.token === 'string' ? json.token : typeof json.access_token === 'string' ? json.access_token : undefined) : undefined;
    if (!t) throw new Stop(make('package-oci-auth-failed', `The token service ${realm.origin} answered without a token for ${shown}`, 'This is a registry fault; retry later.'));
    return t;
  }

  /** Why the reference is not there: the repository is unknown, or only this tag/digest. */
  async function notFound(): Promise<Problem> {
    const tags = await get(`/v2/${name}/tags/list`, 'application/json', 'the tag list');
    const codes = registryErrorCodes(tags.body);
    if (tags.status === 404 && (codes.includes('NAME_UNKNOWN') || codes.length === 0)) {
      return make('package-oci-image-not-found', `OCI image repository ${q(`${registry}/${name}`)} does not exist (or is not public)`, 'Push the image first, and check the registry, namespace and image name in "identifier" (Docker Hub names without a namespace mean "library/<name>").');
    }
    let available: string[] = [];
    if (tags.status === 200) {
      try {
        const j: unknown = JSON.parse(tags.body.toString('utf8'));
        if (isObject(j) && Array.isArray(j.tags)) available = j.tags.filter((t): t is string => typeof t === 'string');
      } catch {
        // ignore
      }
    }
    const some = available.length ? ` Tags there: ${available.slice(0, 10).join(', ')}${available.length > 10 ? ', …' : ''}.` : '';
    if (refDigest) {
      return make('package-oci-digest-not-found', `OCI image ${shown}: the repository exists but has no manifest with digest ${refDigest}.${some}`, 'Use the digest `docker buildx imagetools inspect <image>:<tag>` prints for the pushed image (the manifest or index digest, not the config or a layer digest).');
    }
    return make('package-oci-tag-not-found', `OCI image ${shown}: the repository exists but has no tag ${q(reference)}${refTag ? '' : ' (no tag given, so "latest" was looked up)'}.${some}`, 'Push that tag, or name a tag or digest that exists in "identifier".');
  }

  function denied(status: number): Problem {
    return make(
      'package-oci-auth-failed',
      `OCI image ${shown} cannot be pulled anonymously (HTTP ${status} even with an anonymous token): it is private, or it does not exist`,
      'Make the image public (on ghcr.io: package settings → Change visibility → Public; on Docker Hub: repository settings → public) and check the name.',
    );
  }

  async function fetchManifest(ref_: string, expectedDigest: string | undefined, depth: number): Promise<{ mediaType: string; json: Record<string, unknown> }> {
    const what = depth === 0 ? 'the manifest' : `the manifest ${ref_}`;
    const res = await get(`/v2/${name}/manifests/${ref_}`, MANIFEST_ACCEPT, what);
    if (res.status === 404) throw new Stop(await notFound());
    if (res.status === 401 || res.status === 403) throw new Stop(denied(res.status));
    if (res.status !== 200) {
      throw new Stop(make('package-oci-unreachable', `Fetching ${what} of OCI image ${shown} answered HTTP ${res.status}`, 'Retry later; if it persists, the registry has a problem with this image.'));
    }
    if (expectedDigest) {
      const actual = digestOf(expectedDigest, res.body);
      if (actual !== expectedDigest) {
        throw new Stop(
          make(
            'package-oci-digest-mismatch',
            `The manifest the registry sent for OCI image ${shown} has digest ${actual ?? '(unsupported algorithm)'}, not the ${expectedDigest} it was asked for`,
            'The registry served other bytes than the digest names; this is a registry fault or tampering. Retry, and if it persists, push the image again and name its new digest.',
          ),
        );
      }
    }
    let json: unknown;
    try {
      json = JSON.parse(res.body.toString('utf8'));
    } catch {
      json = undefined;
    }
    if (!isObject(json)) throw new Stop(make('package-oci-manifest-invalid', `The manifest of OCI image ${shown} is not a JSON object`, 'Push the image again with a current tool (docker buildx, podman, skopeo).'));
    const contentType = (res.headers.get('content-type') ?? '').split(';', 1)[0]!.trim();
    const mediaType = typeof json.mediaType === 'string' ? json.mediaType : contentType;
    return { mediaType, json };
  }

  try {
    let expected = ref.digest;
    let manifestRef = reference;
    let manifest: Record<string, unknown> | undefined;
    let chosen = '';
    for (let depth = 0; ; depth++) {
      const { mediaType, json } = await fetchManifest(manifestRef, expected, depth);
      if (mediaType === MEDIA.dockerSchema1 || mediaType === MEDIA.dockerSchema1Signed || json.schemaVersion === 1) {
        throw new Stop(make('package-oci-manifest-invalid', `OCI image ${shown} is an old Docker schema 1 image, which has no config to read labels from`, 'Rebuild and push the image with a current Docker or podman (schema 2 / OCI).'));
      }
      const isIndex = mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList || (!mediaType && Array.isArray(json.manifests));
      if (!isIndex) {
        manifest = json;
        break;
      }
      const list = (Array.isArray(json.manifests) ? json.manifests : []).map(asDescriptor).filter((d): d is Descriptor => d !== undefined);
      const pick = pickManifest(list);
      if (!pick) throw new Stop(make('package-oci-manifest-invalid', `The image index of OCI image ${shown} lists no manifests`, 'Push the image again, with at least a linux/amd64 variant.'));
      if (depth >= MAX_INDEX_DEPTH) throw new Stop(make('package-oci-manifest-invalid', `The image index of OCI image ${shown} nests indexes more than ${MAX_INDEX_DEPTH} deep`, 'Push an ordinary multi-platform image (one index listing image manifests).'));
      chosen = ` (platform ${platformText(pick)} of the index)`;
      expected = pick.digest;
      manifestRef = pick.digest;
    }

    const config = asDescriptor(manifest.config);
    if (!config) {
      throw new Stop(make('package-oci-manifest-invalid', `The manifest of OCI image ${shown}${chosen} has no config descriptor`, 'Push an ordinary container image (docker buildx, podman, skopeo); OCI artifacts without an image config cannot carry the label.'));
    }
    if (config.mediaType && config.mediaType !== MEDIA.ociConfig && config.mediaType !== MEDIA.dockerConfig) {
      throw new Stop(make('package-oci-manifest-invalid', `OCI reference ${shown}${chosen} is not a container image: its config is ${q(config.mediaType)}`, 'Name a container image, not another kind of OCI artifact (Helm chart, signature, SBOM).'));
    }
    if (!/^sha(256|512):[a-f0-9]+$/.test(config.digest)) {
      throw new Stop(make('package-oci-manifest-invalid', `The config of OCI image ${shown}${chosen} has digest ${q(config.digest)}, which is not sha256 or sha512`, 'Push the image again with a current tool.'));
    }
    const blob = await get(`/v2/${name}/blobs/${config.digest}`, `${config.mediaType ?? MEDIA.ociConfig}, application/json, */*`, 'the image config');
    if (blob.status === 404) {
      throw new Stop(make('package-oci-manifest-invalid', `The registry has no config blob ${config.digest} for OCI image ${shown}${chosen}, though the manifest names it`, 'Push the image again; the upload was incomplete.'));
    }
    if (blob.status === 401 || blob.status === 403) throw new Stop(denied(blob.status));
    if (blob.status !== 200) throw new Stop(make('package-oci-unreachable', `Fetching the config of OCI image ${shown} answered HTTP ${blob.status}`, 'Retry later; if it persists, the registry has a problem with this image.'));
    const actual = digestOf(config.digest, blob.body);
    if (actual !== config.digest) {
      throw new Stop(
        make(
          'package-oci-digest-mismatch',
          `The config blob the registry sent for OCI image ${shown}${chosen} has digest ${actual}, not the ${config.digest} the manifest names`,
          'The registry served other bytes than the digest names; this is a registry fault or tampering. Retry, and if it persists, push the image again.',
        ),
      );
    }
    let cfg: unknown;
    try {
      cfg = JSON.parse(blob.body.toString('utf8'));
    } catch {
      cfg = undefined;
    }
    if (!isObject(cfg)) throw new Stop(make('package-oci-manifest-invalid', `The config of OCI image ${shown}${chosen} is not a JSON object`, 'Push an ordinary container image.'));
    const labels = isObject(cfg.config) && isObject(cfg.config.Labels) ? cfg.config.Labels : {};
    const label = labels[OCI_SERVER_NAME_LABEL];
    if (label === undefined || label === null) {
      return [make('package-oci-label-missing', `OCI image ${shown}${chosen} has no label ${q(OCI_SERVER_NAME_LABEL)}; it must be ${q(ctx.serverName)} so that the image names this server back`, labelHint)];
    }
    if (label !== ctx.serverName) {
      return [
        make(
          'package-oci-label-other-name',
          `OCI image ${shown}${chosen} has label ${OCI_SERVER_NAME_LABEL}=${typeof label === 'string' ? q(label) : JSON.stringify(label)}, which names another server than ${q(ctx.serverName)}`,
          `If this server is the image's, rebuild it with the label set to exactly ${q(ctx.serverName)}; otherwise name your own image. ${labelHint}`,
        ),
      ];
    }
    return [];
  } catch (error) {
    if (error instanceof Stop) return [error.problem];
    throw error;
  }
}
