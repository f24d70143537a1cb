// GitHub Actions OIDC proof of namespace ownership (official-registry.md §4.3, adapted to publishing by PR).
//
// The publisher's release workflow (the action in .github/actions/publish) asks GitHub for an Actions OIDC token
// whose audience binds it to the exact content being published:
//
//     aud = <registry URL>#sha256=<lowercase hex SHA-256 of the exact server.json bytes>
//
// and commits it beside the server.json as `proof.json` = {"method":"github-oidc","token":"<JWT>"}. The check
// verifies the RS256 signature against the issuer's JWKS, the issuer, the expiry and the content-bound audience, and
// grants `io.github.<repository_owner>` (owner-wide, like the official registry).
//
// Tokens live minutes, so a verified proof is turned into a record ({@link OidcProofRecord}); a later run on the
// same bytes accepts the record ({@link acceptRecordedProof}) instead of the long-expired token. The issuer, its JWKS
// and the registry URL are configuration of the checking workflow: never read from the environment or the PR.

import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { problem, type Problem } from '../problems.ts';
import { sha256Hex } from './domain-proof.ts';

export const OIDC_PROOF_METHOD = 'github-oidc';
export const GITHUB_OIDC_ISSUER = 'https://token.actions.githubusercontent.com';
export const GITHUB_OIDC_JWKS_URL = `${GITHUB_OIDC_ISSUER}/.well-known/jwks`;
/** Only RS256: GitHub signs with it, and anything else (HS256 with the public key as secret, `none`) is an attack. */
export const OIDC_ALGORITHMS = ['RS256'] as const;
/** Seconds of clock difference between GitHub and the checking runner that are forgiven. */
export const OIDC_CLOCK_TOLERANCE_SECONDS = 30;
/** A GitHub Actions token is about 1–2 KB; anything far larger is not one. */
export const OIDC_TOKEN_MAX_LENGTH = 16 * 1024;
/** The JWKS request: bounded in time (the whole check must finish within 30 s). */
export const OIDC_JWKS_TIMEOUT_MS = 5_000;
/** GitHub logins and organisation names (official registry: no permissions otherwise). */
export const GITHUB_OWNER_PATTERN = /^[a-zA-Z0-9-]+$/;

/** What a verified proof leaves behind, so that a re-run on the same content stays green after the token expired. */
export interface OidcProofRecord {
  method: typeof OIDC_PROOF_METHOD;
  /** `repository_owner`, casing as in the token. */
  owner: string;
  /** The token's `sub`, e.g. `repo:octo-org/octo-repo:ref:refs/tags/v1.2.3`. */
  subject: string;
  /** The token's `repository`, e.g. `octo-org/octo-repo`. */
  repository: string;
  audience: string;
  /** ISO 8601. */
  verifiedAt: string;
  /** ISO 8601. */
  tokenExpiresAt: string;
  serverJsonSha256: string;
}

/**
 * The claims of a token that failed only because it expired: its signature, issuer and content-bound audience were
 * verified (jose checks all of them before the expiry), so these say who the token speaks for. A recorded proof can
 * stand in for such a token only when it records exactly these claims.
 */
export interface ExpiredTokenClaims {
  owner: string;
  subject: string;
  /** ISO 8601. */
  tokenExpiresAt: string;
  audience: string;
}

export type OidcProofResult =
  | { ok: true; record: OidcProofRecord; grants: string }
  | { ok: false; problem: Problem; expired?: ExpiredTokenClaims };

export interface OidcVerifyInput {
  /** The JWT from proof.json. */
  token: string;
  /** The exact bytes of the server.json being published. */
  serverJsonBytes: Uint8Array;
  /** This registry's URL, from the checking workflow's configuration (e.g. `https://github.com/<org>/<repo>`). */
  registryUrl: string;
  /**
   * The namespace being published (the part of `name` before `/`). Default: read from `serverJsonBytes`.
   */
  namespace?: string;
  /** Default: the current time. */
  now?: Date;
  /** Reported as the problem's file, e.g. `entries/io.github.octo/srv/1.0.0/proof.json`. */
  proofFile?: string;
}

export interface OidcVerifier {
  jwks: ReturnType<typeof createRemoteJWKSet> | JWTVerifyGetKey;
  issuer: string;
}

/** Production verifier: GitHub's issuer and JWKS, fixed in code. */
export function githubOidcVerifier(): OidcVerifier {
  return {
    jwks: createRemoteJWKSet(new URL(GITHUB_OIDC_JWKS_URL), { timeoutDuration: OIDC_JWKS_TIMEOUT_MS }),
    issuer: GITHUB_OIDC_ISSUER,
  };
}

export { sha256Hex };

/** The registry URL as it enters the audience: trailing slashes dropped. */
export function normalizeRegistryUrl(registryUrl: string): string {
  return registryUrl.trim().replace(/\/+$/, '');
}

/** `https://github.com/<owner>/<name>`: the default registry URL for a registry repository `owner/name`. */
export function registryUrlForRepository(repository: string): string {
  return `https://github.com/${repository.replace(/^\/+|\/+$/g, '')}`;
}

/** The audience a token must carry to prove these exact bytes for this registry. */
export function oidcAudienceFor(registryUrl: string, serverJsonBytes: Uint8Array): string {
  return `${normalizeRegistryUrl(registryUrl)}#sha256=${sha256Hex(serverJsonBytes)}`;
}

/** The namespace a server.json publishes into, or undefined when its `name` cannot be read. */
export function namespaceOfServerJson(serverJsonBytes: Uint8Array): string | undefined {
  try {
    const doc: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(serverJsonBytes).replace(/^\uFEFF/, ''));
    const name = typeof doc === 'object' && doc !== null && 'name' in doc ? doc.name : undefined;
    if (typeof name !== 'string') return undefined;
    const slash = name.indexOf('/');
    return slash > 0 ? name.slice(0, slash) : undefined;
  } catch {
    return undefined;
  }
}

const DOCS = 're-run the publishing workflow (.github/actions/publish) for this exact server.json';

function fail(input: OidcVerifyInput, p: Omit<Problem, 'severity' | 'file'>): { ok: false; problem: Problem } {
  return { ok: false, problem: problem({ ...p, ...(input.proofFile !== undefined ? { file: input.proofFile } : {}) }) };
}

function quoted(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : value === undefined ? '(none)' : JSON.stringify(value) ?? String(value);
}

function iso(seconds: unknown): string | undefined {
  return typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : undefined;
}

/** Why a token's audience differs from the expected one, in the publisher's terms. */
function audienceMismatch(input: OidcVerifyInput, aud: unknown, expected: string) {
  const registry = normalizeRegistryUrl(input.registryUrl);
  const auds = Array.isArray(aud) ? aud : [aud];
  const bound = auds.find((a): a is string => typeof a === 'string' && a.startsWith(`${registry}#sha256=`));
  const detail = bound
    ? `the token was issued for server.json bytes with SHA-256 ${bound.slice(registry.length + 8)}, but the committed file has ${expected.slice(registry.length + 8)}: the file changed after the token was requested (reformatted, edited, line endings converted)`
    : `the token's audience ${quoted(aud)} is not bound to this registry and this content`;
  return fail(input, {
    code: 'ownership-oidc-audience-mismatch',
    message: `The GitHub OIDC token's audience does not match: ${detail}. Expected audience: ${expected}`,
    hint: `Commit the server.json exactly as the publishing workflow hashed it and ${DOCS}; the token must be requested with audience ${expected}`,
  });
}

/**
 * Verifies an Actions OIDC token against the issuer's JWKS and the content it must be bound to. On success, the
 * record to keep and the namespace it grants (`io.github.<repository_owner>`), which equals the namespace published.
 */
export async function verifyOidcProof(input: OidcVerifyInput, verifier: OidcVerifier): Promise<OidcProofResult> {
  const { token } = input;
  const now = input.now ?? new Date();
  const expected = oidcAudienceFor(input.registryUrl, input.serverJsonBytes);
  const serverJsonSha256 = sha256Hex(input.serverJsonBytes);

  // 1. A JWS compact serialization with a header we are willing to look at; clearer messages than jose's.
  const malformed = (why: string) =>
    fail(input, {
      code: 'ownership-oidc-token-malformed',
      message: `The proof's token is not a well-formed JWT: ${why}`,
      hint: `Put the token exactly as GitHub issued it in proof.json ("token": "<header>.<payload>.<signature>"), or ${DOCS}`,
    });
  if (typeof token !== 'string' || token.length === 0) return malformed('it is empty');
  if (token.length > OIDC_TOKEN_MAX_LENGTH) return malformed(`it is ${token.length} characters long (at most ${OIDC_TOKEN_MAX_LENGTH})`);
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) {
    return malformed('it must be three base64url parts separated by dots (surrounding spaces, quotes or line breaks are not allowed)');
  }
  let header: ReturnType<typeof decodeProtectedHeader>;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(token);
    claims = decodeJwt(token);
  } catch (error) {
    return malformed(`its header or payload cannot be decoded (${(error as Error).message})`);
  }
  if (typeof header.alg !== 'string' || header.alg === '') return malformed('its header has no "alg"');
  if (header.alg !== 'RS256') {
    return fail(input, {
      code: 'ownership-oidc-algorithm-not-allowed',
      message: `The proof's token is signed with alg ${quoted(header.alg)}; only RS256, which GitHub Actions uses, is accepted`,
      hint: `Use the token GitHub issued (HS256 and "none" tokens are forgeries): ${DOCS}`,
    });
  }
  if (typeof header.kid !== 'string' || header.kid === '') {
    return fail(input, {
      code: 'ownership-oidc-key-unknown',
      message: `The proof's token names no signing key (no "kid" in its header), so it cannot come from ${verifier.issuer}`,
      hint: `Use the token GitHub issued: ${DOCS}`,
    });
  }

  // 2. Signature, issuer, expiry and audience, by jose.
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, verifier.jwks as JWTVerifyGetKey, {
      algorithms: [...OIDC_ALGORITHMS],
      issuer: verifier.issuer,
      audience: expected,
      requiredClaims: ['exp'],
      clockTolerance: OIDC_CLOCK_TOLERANCE_SECONDS,
      currentDate: now,
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) {
      const at = iso(error.payload.exp);
      const { repository_owner: owner, sub, aud } = error.payload;
      const expired: ExpiredTokenClaims | undefined = at && typeof owner === 'string' && GITHUB_OWNER_PATTERN.test(owner) && typeof sub === 'string'
        && (aud === expected || (Array.isArray(aud) && aud.length === 1 && aud[0] === expected))
        ? { owner, subject: sub, tokenExpiresAt: at, audience: expected }
        : undefined;
      return { ...fail(input, {
        code: 'ownership-oidc-token-expired',
        message: `The GitHub OIDC token expired${at ? ` at ${at}` : ''}: Actions tokens live minutes, and no check recorded this proof while it was valid`,
        hint: `Re-run the publishing workflow to get a fresh token for this server.json; once a check verifies it in time, the proof is recorded and re-runs on the same content rely on the recorded proof`,
      }), ...(expired ? { expired } : {}) };
    }
    if (error instanceof errors.JWTClaimValidationFailed) {
      if (error.claim === 'iss') {
        return fail(input, {
          code: 'ownership-oidc-issuer-mismatch',
          message: `The proof's token was issued by ${quoted(error.payload.iss)}, not by GitHub Actions (${verifier.issuer})`,
          hint: `Request the token inside a GitHub Actions job with "permissions: id-token: write" (ACTIONS_ID_TOKEN_REQUEST_URL); tokens from other providers or GitHub Enterprise Server issuers are not accepted: ${DOCS}`,
        });
      }
      if (error.claim === 'aud') return audienceMismatch(input, error.payload.aud, expected);
      if (error.claim === 'exp') return malformed('it has no numeric "exp" (expiry) claim');
      return fail(input, {
        code: 'ownership-oidc-claim-invalid',
        message: `The proof's token has an invalid "${error.claim}" claim (${error.reason}): ${error.message}`,
        hint: `If the "nbf"/"iat" times are in the future, a clock is off; otherwise ${DOCS}`,
      });
    }
    if (error instanceof errors.JWKSNoMatchingKey) {
      return fail(input, {
        code: 'ownership-oidc-key-unknown',
        message: `The proof's token is signed with key id ${quoted(header.kid)}, which ${verifier.issuer} does not publish in its JWKS`,
        hint: `Use a token GitHub issued; a token from a test or self-made issuer, or one whose key GitHub has retired, cannot prove ownership: ${DOCS}`,
      });
    }
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      return fail(input, {
        code: 'ownership-oidc-signature-invalid',
        message: `The proof's token signature does not verify with GitHub's key ${quoted(header.kid)}: the token was forged or altered`,
        hint: `Commit the token unmodified as GitHub issued it: ${DOCS}`,
      });
    }
    if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
      return fail(input, {
        code: 'ownership-oidc-algorithm-not-allowed',
        message: `The proof's token uses an algorithm or key that is not accepted: ${(error as Error).message}; only RS256 is`,
        hint: `Use the token GitHub issued: ${DOCS}`,
      });
    }
    if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError)) {
      return fail(input, {
        code: 'ownership-oidc-jwks-unavailable',
        message: `GitHub's signing keys could not be read from the issuer's JWKS: ${(error as Error).message ?? String(error)}`,
        hint: 'This is not a problem of the entry: re-run the check later',
      });
    }
    return malformed((error as Error).message);
  }

  // 3. The audience is exactly the one bound to this content (jose accepts any array containing it).
  const aud = payload.aud;
  if (!(aud === expected || (Array.isArray(aud) && aud.length === 1 && aud[0] === expected))) {
    return audienceMismatch(input, aud, expected);
  }

  // 4. The owner it grants, and the namespace being published.
  const owner = payload.repository_owner;
  if (typeof owner !== 'string' || !GITHUB_OWNER_PATTERN.test(owner)) {
    return fail(input, {
      code: 'ownership-oidc-owner-claim-invalid',
      message: `The proof's token has ${owner === undefined ? 'no "repository_owner" claim' : `a "repository_owner" claim ${quoted(owner)} that is not a GitHub login (letters, digits and "-")`}, so it grants no namespace`,
      hint: `Request the token from a GitHub Actions workflow run (not another OIDC client): ${DOCS}`,
    });
  }
  const grants = `io.github.${owner}`;
  const namespace = input.namespace ?? namespaceOfServerJson(input.serverJsonBytes);
  if (namespace === undefined) {
    return fail(input, {
      code: 'ownership-oidc-namespace-unknown',
      message: `The namespace being published cannot be read from the server.json "name", so the token (granting ${grants}) cannot be matched to it`,
      hint: 'Fix the server.json first (its "name" must be "<namespace>/<server>"); the other problems of the file say how',
    });
  }
  if (namespace !== grants) {
    if (namespace.toLowerCase() === grants.toLowerCase()) {
      return fail(input, {
        code: 'ownership-oidc-owner-case-mismatch',
        message: `The namespace ${quoted(namespace)} differs from GitHub's spelling of the owner only in letter case: the token grants exactly ${quoted(grants)}`,
        hint: `Use the namespace "${grants}" (the name "${grants}/<server>", in the folder entries/${grants}/), then re-run the publishing workflow, since the server.json bytes change`,
      });
    }
    return fail(input, {
      code: 'ownership-oidc-owner-mismatch',
      message: `The token comes from a workflow of ${quoted(owner)} (repository ${quoted(payload.repository)}) and grants ${quoted(grants)}, not the namespace ${quoted(namespace)} being published`,
      hint: namespace.startsWith('io.github.')
        ? `Run the publishing workflow in a repository owned by "${namespace.slice('io.github.'.length)}", or publish under ${grants}/<server>`
        : `A GitHub OIDC token only proves io.github.<owner> namespaces; for ${quoted(namespace)} use a DNS or HTTP proof, or publish under ${grants}/<server>`,
    });
  }

  const tokenExpiresAt = iso(payload.exp)!;
  const record: OidcProofRecord = {
    method: OIDC_PROOF_METHOD,
    owner,
    subject: typeof payload.sub === 'string' ? payload.sub : '',
    repository: typeof payload.repository === 'string' ? payload.repository : '',
    audience: expected,
    verifiedAt: now.toISOString(),
    tokenExpiresAt,
    serverJsonSha256,
  };
  return { ok: true, record, grants };
}

export type RecordedProofResult = { ok: true; record: OidcProofRecord; grants: string } | { ok: false; reason: string };

/** Reads a stored record back; anything that is not exactly a record yields undefined. */
export function parseOidcProofRecord(value: unknown): OidcProofRecord | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const strings = ['owner', 'subject', 'repository', 'audience', 'verifiedAt', 'tokenExpiresAt', 'serverJsonSha256'] as const;
  if (v.method !== OIDC_PROOF_METHOD || strings.some((k) => typeof v[k] !== 'string')) return undefined;
  if (!GITHUB_OWNER_PATTERN.test(v.owner as string) || !/^[0-9a-f]{64}$/.test(v.serverJsonSha256 as string)) return undefined;
  if (Number.isNaN(Date.parse(v.verifiedAt as string)) || Number.isNaN(Date.parse(v.tokenExpiresAt as string))) return undefined;
  return {
    method: OIDC_PROOF_METHOD,
    owner: v.owner as string,
    subject: v.subject as string,
    repository: v.repository as string,
    audience: v.audience as string,
    verifiedAt: v.verifiedAt as string,
    tokenExpiresAt: v.tokenExpiresAt as string,
    serverJsonSha256: v.serverJsonSha256 as string,
  };
}

/**
 * Accepts a record of an earlier verification in place of an expired token: the record must be for these exact
 * bytes, this registry URL and namespace when given, and for the very token being replaced, whose verified claims
 * (`token`, from verifyOidcProof's expired failure) must match the record's owner, subject and expiry. Without that
 * match a record, wherever it came from, could lend another owner's namespace to any expired token. The record must
 * also come from storage the PR cannot write (the caller's concern: pr-bot.ts readRecords).
 */
export function acceptRecordedProof(
  record: unknown,
  serverJsonBytes: Uint8Array,
  options: { registryUrl?: string; namespace?: string; token: ExpiredTokenClaims },
): RecordedProofResult {
  const parsed = parseOidcProofRecord(record);
  if (!parsed) return { ok: false, reason: 'not a github-oidc proof record' };
  const sha = sha256Hex(serverJsonBytes);
  if (parsed.serverJsonSha256 !== sha) {
    return { ok: false, reason: `the record is for server.json bytes with SHA-256 ${parsed.serverJsonSha256}, these have ${sha}` };
  }
  if (!parsed.audience.endsWith(`#sha256=${sha}`)) return { ok: false, reason: 'the record audience is not bound to these bytes' };
  if (options.registryUrl !== undefined && parsed.audience !== oidcAudienceFor(options.registryUrl, serverJsonBytes)) {
    return { ok: false, reason: `the record is for audience ${parsed.audience}, not this registry` };
  }
  const token = options.token;
  if (parsed.audience !== token.audience) return { ok: false, reason: 'the record is for another audience than the token' };
  if (parsed.owner !== token.owner || parsed.subject !== token.subject) {
    return { ok: false, reason: `the record is for ${parsed.owner} (${parsed.subject}), the token for ${token.owner} (${token.subject})` };
  }
  if (Date.parse(parsed.tokenExpiresAt) !== Date.parse(token.tokenExpiresAt)) {
    return { ok: false, reason: `the record is for a token expiring at ${parsed.tokenExpiresAt}, this one expired at ${token.tokenExpiresAt}` };
  }
  // Recorded while the token was valid, not afterwards.
  if (Date.parse(parsed.verifiedAt) > Date.parse(token.tokenExpiresAt) + OIDC_CLOCK_TOLERANCE_SECONDS * 1000) {
    return { ok: false, reason: `the record says it was verified at ${parsed.verifiedAt}, after the token expired` };
  }
  const grants = `io.github.${parsed.owner}`;
  const namespace = options.namespace ?? namespaceOfServerJson(serverJsonBytes);
  if (namespace !== undefined && namespace !== grants) {
    return { ok: false, reason: `the record grants ${grants}, not ${namespace}` };
  }
  return { ok: true, record: parsed, grants };
}

/** proof.json for this method: `{"method":"github-oidc","token":"<JWT>"}`. */
export interface OidcProofFile {
  method: typeof OIDC_PROOF_METHOD;
  token: string;
}

/** Parses proof.json text; `undefined` when it is not a github-oidc proof (another method, or not JSON). */
export function parseOidcProofFile(text: string): OidcProofFile | undefined {
  try {
    const v: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    const o = v as Record<string, unknown>;
    return o.method === OIDC_PROOF_METHOD && typeof o.token === 'string' ? { method: OIDC_PROOF_METHOD, token: o.token } : undefined;
  } catch {
    return undefined;
  }
}
