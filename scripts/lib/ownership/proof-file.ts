// `entries/<namespace>/<server>/<version>/proof.json`: the ownership proof a publisher commits beside a new
// version (DNS or HTTP signature, or a GitHub Actions OIDC token), read as untrusted data.

import { problem, type Problem } from '../problems.ts';

export const PROOF_FILE_NAME = 'proof.json';

export type ProofFile =
  | { method: 'dns' | 'http'; domain: string; algorithm: 'ed25519' | 'ecdsap384'; signature: string }
  | { method: 'github-oidc'; token: string };

const HEX = /^[0-9a-f]+$/;

export function parseProofFile(file: string, text: string): { proof?: ProofFile; problems: Problem[] } {
  const invalid = (jsonPath: string, message: string): { problems: Problem[] } => ({
    problems: [problem({ code: 'ownership-proof-invalid', file, jsonPath, message, hint: 'Write proof.json with npm run publisher -- sign (DNS or HTTP) or the registry\'s publish action (GitHub OIDC); see docs/ownership.md.' })],
  });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return invalid('', `not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid('', 'proof.json must hold a JSON object');
  const v = value as Record<string, unknown>;
  if (v.method === 'github-oidc') {
    return typeof v.token === 'string' && v.token.split('.').length === 3 ? { proof: { method: 'github-oidc', token: v.token }, problems: [] } : invalid('/token', '"token" must be the JWT the publish action obtained');
  }
  if (v.method !== 'dns' && v.method !== 'http') return invalid('/method', '"method" must be "dns", "http" or "github-oidc"');
  if (typeof v.domain !== 'string' || !v.domain) return invalid('/domain', '"domain" must name the domain whose record signs this version');
  if (v.algorithm !== 'ed25519' && v.algorithm !== 'ecdsap384') return invalid('/algorithm', '"algorithm" must be "ed25519" or "ecdsap384"');
  if (typeof v.signature !== 'string' || !HEX.test(v.signature)) return invalid('/signature', '"signature" must be the lowercase hex signature');
  return { proof: { method: v.method, domain: v.domain, algorithm: v.algorithm, signature: v.signature }, problems: [] };
}
