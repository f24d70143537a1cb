// DNS ownership proof: the MCPv1 TXT record on the domain itself (the apex of the claimed domain, as the official
// registry reads it), checked against the signature committed in proof.json. Every way it fails has its own code.

import { promises as dnsPromises } from 'node:dns';
import { problem, type Problem } from '../problems.ts';
import {
  checkSignatureAgainstRecords,
  proofInputProblem,
  parseProofRecord,
  recordCheckProblem,
  type ProofResult,
  type RecordCheckCodes,
  type DomainProofInput,
} from './domain-proof.ts';

export type DnsProofInput = DomainProofInput;

export interface DnsResolverOptions {
  /** Name servers, e.g. `['127.0.0.1:5353']`; the system's when absent. */
  servers?: string[];
  /** Budget for each lookup; 5 s like the official registry. */
  timeoutMs?: number;
}

export type { ProofResult };

const CODES: RecordCheckCodes = {
  keyTypeMismatch: { code: 'ownership-dns-key-type-mismatch' },
  keyInvalid: { code: 'ownership-dns-key-invalid' },
  otherContent: { code: 'ownership-dns-signature-other-content' },
  signatureInvalid: { code: 'ownership-dns-signature-invalid' },
};

/** Selector names publishers put the record on by mistake (guides, DKIM habits); probed only to explain. */
export const MISPLACED_PREFIXES = ['_mcp', '_mcp-registry', '_mcp-auth'] as const;

type Lookup = { ok: true; records: string[] } | { ok: false; code: string };

async function lookupTxt(name: string, options: DnsResolverOptions): Promise<Lookup> {
  const timeoutMs = options.timeoutMs ?? 5000;
  // c-ares retries on its own; the timer below is the hard budget for the whole lookup.
  const resolver = new dnsPromises.Resolver({ timeout: Math.max(100, Math.ceil(timeoutMs / 2)), tries: 2 });
  if (options.servers) resolver.setServers(options.servers);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Lookup>((resolve) => {
    timer = setTimeout(() => {
      resolver.cancel();
      resolve({ ok: false, code: 'ETIMEOUT' });
    }, timeoutMs);
  });
  const query = resolver.resolveTxt(name).then(
    // A TXT record is a list of strings of up to 255 bytes; like Go's LookupTXT, join them.
    (rows): Lookup => ({ ok: true, records: rows.map((chunks) => chunks.join('')) }),
    (e: NodeJS.ErrnoException): Lookup => ({ ok: false, code: e.code === 'ECANCELLED' ? 'ETIMEOUT' : (e.code ?? 'EUNKNOWN') }),
  );
  try {
    return await Promise.race([query, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Verifies a DNS proof: any MCPv1 TXT record on `domain` whose key verifies the signature over the message wins. */
export async function verifyDnsProof(input: DnsProofInput, options: { resolver?: DnsResolverOptions } = {}): Promise<ProofResult> {
  const resolverOptions = options.resolver ?? {};
  const file = input.file !== undefined ? { file: input.file } : {};
  const { domain } = input;
  const invalid = proofInputProblem(input, 'dns');
  if (invalid) return { ok: false, problem: invalid };
  const fail = (p: Omit<Problem, 'severity' | 'file'>): ProofResult => ({ ok: false, problem: problem({ ...file, ...p }) });
  const apex = await lookupTxt(domain, resolverOptions);

  if (!apex.ok) {
    switch (apex.code) {
      case 'ENOTFOUND':
        return fail({
          code: 'ownership-dns-nxdomain',
          message: `The domain ${domain} does not exist in DNS (NXDOMAIN), so it can hold no proof record.`,
          hint: `Check the spelling of "domain" in proof.json (the namespace reversed: ${domain}); if the domain is new, wait until its delegation is live.`,
        });
      case 'ESERVFAIL':
        return fail({
          code: 'ownership-dns-servfail',
          message: `The DNS servers could not answer for ${domain} (SERVFAIL): its name servers are broken, unreachable, or its DNSSEC signatures do not validate.`,
          hint: `Check the zone with \`dig +dnssec TXT ${domain}\` and a DNSSEC analyser; fix the name server or DS records, then run the check again.`,
        });
      case 'ETIMEOUT':
        return fail({
          code: 'ownership-dns-timeout',
          message: `No DNS answer for the TXT records of ${domain} within ${(resolverOptions.timeoutMs ?? 5000) / 1000} s.`,
          hint: `The domain's name servers are slow or unreachable; check \`dig TXT ${domain}\`, then run the check again. A repeated timeout is a problem of the name servers.`,
        });
      case 'ENODATA':
        break; // the name exists but has no TXT record: explained below with the misplacement probes
      default:
        return fail({
          code: 'ownership-dns-lookup-failed',
          message: `The TXT lookup for ${domain} failed (${apex.code}).`,
          hint: `Check \`dig TXT ${domain}\`; if it answers, run the check again.`,
        });
    }
  }

  const records = apex.ok ? apex.records : [];
  const check = checkSignatureAgainstRecords(records, input);
  if (check.kind === 'verified') return { ok: true, fingerprint: check.fingerprint };
  if (check.kind !== 'no-record') {
    return { ok: false, problem: recordCheckProblem(check, { where: `the TXT records of ${domain}`, algorithm: input.algorithm, message: input.message, codes: CODES, republish: 'publish', ...file }) };
  }

  // No MCPv1 record on the apex: a record under a selector name is the commonest cause; look there to say so.
  const probes = await Promise.all(
    MISPLACED_PREFIXES.map(async (prefix) => {
      const name = `${prefix}.${domain}`;
      const found = await lookupTxt(name, resolverOptions);
      return found.ok && found.records.some((r) => parseProofRecord(r) !== undefined) ? name : undefined;
    }),
  );
  const misplaced = probes.filter((n): n is string => n !== undefined);
  if (misplaced.length > 0) {
    return fail({
      code: 'ownership-dns-record-not-at-apex',
      message: `The MCPv1 TXT record is on ${misplaced.join(' and ')}, but it must be on ${domain} itself; the registry reads only the apex of the claimed domain.`,
      hint: `Move it to the apex: a TXT record with the name ${domain} (often written "@" in DNS consoles) and the same value, then delete the one on ${misplaced[0]}.`,
    });
  }
  if (records.length === 0) {
    return fail({
      code: 'ownership-dns-no-txt-record',
      message: `${domain} has no TXT record at all.`,
      hint: `Add a TXT record on ${domain} (the apex, "@") with the value \`npm run publisher -- keygen\` printed: v=MCPv1; k=${input.algorithm}; p=<base64 public key>. New records can take the record's TTL to appear.`,
    });
  }
  return fail({
    code: 'ownership-dns-no-mcp-record',
    message: `${domain} has ${records.length} TXT record${records.length === 1 ? '' : 's'}, but none in the MCPv1 format (${records.slice(0, 3).map((r) => JSON.stringify(r.length > 60 ? `${r.slice(0, 57)}...` : r)).join(', ')}${records.length > 3 ? ', …' : ''}).`,
    hint: `Add a separate TXT record on ${domain} with the value v=MCPv1; k=${input.algorithm}; p=<base64 public key> (exactly this spelling: "v=MCPv1;" first, then "k=" and "p=", separated by ";").`,
  });
}
