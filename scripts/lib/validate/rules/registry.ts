// Rules over the whole set of entries rather than one file: server names that differ only by case collide, and a
// remote URL belongs to one server (official-registry.md §3.3: a publish fails when a non-deleted version of another server uses the URL).
// Plain data in, Problem values out; every problem sits on one file so a pull request's check keeps the ones about
// the files it adds. (Folders that differ only by case, at any level, are the tree check's file-name-case-collision.)

import { compareBytewise } from '../../query/compare.ts';
import { problem, type Problem } from '../../problems.ts';
import type { ServerDocument } from '../types.ts';

/** What the registry-wide rules need of a document. */
export type RegistryDocument = Pick<ServerDocument, 'file' | 'pathName' | 'pathVersion' | 'server'>;

/** Whether a version is deleted (its status in the server's status file). */
export type IsDeleted = (name: string, version: string) => boolean;

/** Every code the registry-wide rules report (docs/errors.md has a section for each). */
export const REGISTRY_RULE_CODES = ['rule-name-case-collision', 'rule-remote-url-taken'] as const;

const q = (s: string): string => JSON.stringify(s);

/** The first file of each distinct spelling in `group`, sorted, for naming in messages. */
function firstFiles(docs: readonly RegistryDocument[], key: (d: RegistryDocument) => string): Map<string, string> {
  const first = new Map<string, string>();
  for (const doc of docs) {
    const k = key(doc);
    const seen = first.get(k);
    if (seen === undefined || compareBytewise(doc.file, seen) < 0) first.set(k, doc.file);
  }
  return new Map([...first].sort(([a], [b]) => compareBytewise(a, b)));
}

/**
 * `rule-name-case-collision`: two servers whose names differ only by case (`io.github.Alice/x`, `io.github.alice/x`).
 * Each document of a colliding name gets one problem naming the other spellings and one file of each.
 */
export function checkNameCaseCollisions(docs: readonly RegistryDocument[]): Problem[] {
  const problems: Problem[] = [];
  const byName = new Map<string, RegistryDocument[]>();
  for (const doc of docs) {
    push(byName, doc.pathName.toLowerCase(), doc);
  }
  for (const group of byName.values()) {
    const spellings = firstFiles(group, (d) => d.pathName);
    if (spellings.size < 2) continue;
    for (const doc of group) {
      const others = [...spellings].filter(([name]) => name !== doc.pathName);
      const [otherName, otherFile] = others[0]!;
      problems.push(problem({
        code: 'rule-name-case-collision', file: doc.file, jsonPath: '/name',
        message: `server name ${q(doc.pathName)} differs only by case from ${others.map(([n, f]) => `${q(n)} (${f})`).join(', ')}; names that differ only by case are the same server`,
        hint: others.length === 1
          ? `If this is the same server, publish it as ${q(otherName)}: move the file to `
            + `${otherFile.replace(/\/[^/]+\/server\.json$/, `/${doc.pathVersion}/server.json`)} and set "name" to ${q(otherName)}. `
            + 'Otherwise choose a name that differs by more than case.'
          : `Use the existing spelling of the name (one of ${others.map(([n]) => q(n)).join(', ')}) for this server, `
            + 'or choose a name that differs by more than case.',
      }));
    }
  }
  return problems;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The `url` of each remote of a document, with its index. */
function remoteUrls(doc: RegistryDocument): Array<{ index: number; url: string }> {
  const remotes = doc.server && Object.hasOwn(doc.server, 'remotes') ? doc.server.remotes : undefined;
  if (!Array.isArray(remotes)) return [];
  const out: Array<{ index: number; url: string }> = [];
  remotes.forEach((remote: unknown, index) => {
    if (typeof remote !== 'object' || remote === null || Array.isArray(remote)) return;
    const url = Object.hasOwn(remote, 'url') ? (remote as Record<string, unknown>).url : undefined;
    if (typeof url === 'string' && url !== '') out.push({ index, url });
  });
  return out;
}

/**
 * `rule-remote-url-taken`: a remote URL (exact string) that a non-deleted version of another server also lists.
 * Deleted versions neither claim a URL nor are reported.
 */
export function checkRemoteUrlsTaken(docs: readonly RegistryDocument[], isDeleted: IsDeleted): Problem[] {
  // url → server name → first file (bytewise) of a non-deleted version listing it
  const owners = new Map<string, Map<string, string>>();
  const live = docs.filter((doc) => !isDeleted(doc.pathName, doc.pathVersion));
  for (const doc of live) {
    for (const { url } of remoteUrls(doc)) {
      let names = owners.get(url);
      if (!names) owners.set(url, (names = new Map()));
      const seen = names.get(doc.pathName);
      if (seen === undefined || compareBytewise(doc.file, seen) < 0) names.set(doc.pathName, doc.file);
    }
  }
  const problems: Problem[] = [];
  for (const doc of live) {
    for (const { index, url } of remoteUrls(doc)) {
      const others = [...(owners.get(url) ?? [])].filter(([name]) => name !== doc.pathName).sort(([a], [b]) => compareBytewise(a, b));
      if (!others.length) continue;
      const [otherName, otherFile] = others[0]!;
      problems.push(problem({
        code: 'rule-remote-url-taken', file: doc.file, jsonPath: `/remotes/${index}/url`,
        message: `remote url ${q(url)} is already used by ${others.map(([n, f]) => `${q(n)} (${f})`).join(', ')}; a remote URL belongs to one server`,
        hint: `Use this server's own endpoint URL. If it is the same service as ${q(otherName)}, publish a new version of ${q(otherName)} `
          + `instead (${otherFile.replace(/\/[^/]+\/server\.json$/, '/<version>/server.json')}); if ${q(otherName)} is gone, `
          + 'a maintainer can mark its versions deleted in its server.md.',
      }));
    }
  }
  return problems;
}

/** Every registry-wide rule. `isDeleted` tells which versions are deleted (by path name and path version). */
export function checkRegistry(docs: readonly RegistryDocument[], isDeleted: IsDeleted): Problem[] {
  return [...checkNameCaseCollisions(docs), ...checkRemoteUrlsTaken(docs, isDeleted)];
}
