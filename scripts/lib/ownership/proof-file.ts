// `entries/<namespace>/<server>/<version>/proof.json`: the ownership proof a publisher commits beside a new
// version (DNS or HTTP signature, or a GitHub Actions OIDC token), read as untrusted data.

import { problem, type Problem } from '../problems.ts';
import { parseProofJson } from './domain-proof.ts';

export const PROOF_FILE_NAME = 'proof.json';

export type ProofFile =
  | { method: 'dns' | 'http'; domain: string; algorithm: 'ed25519' | 'ecdsap384'; signature: string }
  | { method: 'github-oidc'; token: string };


/** Reads proof.json: GitHub OIDC here, DNS and HTTP signatures by domain-proof.ts's stricter reader. */
export function parseProofFile(file: string, text: string): { proof?: ProofFile; problems: Problem[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if ((value as { method?: unknown } | undefined)?.method === 'github-oidc') {
    const token = (value as { token?: unknown }).token;
    if (typeof token === 'string' && token.split('.').length === 3) return { proof: { method: 'github-oidc', token }, problems: [] };
    return { problems: [problem({ code: 'ownership-proof-invalid', file, jsonPath: '/token', message: '"token" must be the JWT the publish action obtained', hint: 'Publish again with the registry\'s publish action (docs/ownership.md).' })] };
  }
  const parsed = parseProofJson(text, file);
  return parsed.ok ? { proof: parsed.proof, problems: [] } : { problems: [parsed.problem] };
}
