// The owners ledger: `entries/<namespace>/owners.json`, the GitHub users who may publish in a namespace without a
// new proof, recorded after the namespace's first proven publication. The ledger is read from the pull request's
// BASE, never from the pull request: a change to the ledger must itself be proven.

import { problem, type Problem } from '../problems.ts';

export const LEDGER_FILE_NAME = 'owners.json';
const LOGIN = /^[a-zA-Z0-9-]+$/;

export interface Ledger {
  /** GitHub logins, as GitHub spells them. */
  owners: string[];
}

export function ledgerFile(entriesDir: string, namespace: string): string {
  return `${entriesDir}/${namespace}/${LEDGER_FILE_NAME}`;
}

/** Parses a ledger's text; problems name the file and the JSON path. */
export function parseLedger(file: string, text: string): { ledger?: Ledger; problems: Problem[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problems: [problem({ code: 'ownership-ledger-invalid', file, jsonPath: '', message: `not valid JSON: ${(error as Error).message}`, hint: 'Write {"owners": ["<github login>", …]}.' })] };
  }
  const owners = (value as { owners?: unknown } | null)?.owners;
  if (!Array.isArray(owners) || owners.length === 0) {
    return { problems: [problem({ code: 'ownership-ledger-invalid', file, jsonPath: '/owners', message: '"owners" must be a non-empty list of GitHub logins', hint: 'Write {"owners": ["<github login>", …]}.' })] };
  }
  const problems: Problem[] = [];
  owners.forEach((owner, i) => {
    if (typeof owner !== 'string' || !LOGIN.test(owner)) {
      problems.push(problem({ code: 'ownership-ledger-invalid', file, jsonPath: `/owners/${i}`, message: `${JSON.stringify(owner)} is not a GitHub login`, hint: 'List GitHub logins exactly as GitHub spells them (letters, digits and "-").' }));
    }
  });
  return problems.length ? { problems } : { ledger: { owners: owners as string[] }, problems };
}

export function ledgerAllows(ledger: Ledger | undefined, author: string): boolean {
  return ledger?.owners.includes(author) ?? false;
}

/** The ledger text a namespace's first proven publication should add. */
export function renderLedger(owners: readonly string[]): string {
  return JSON.stringify({ owners: [...new Set(owners)].sort() }, null, 2) + '\n';
}
