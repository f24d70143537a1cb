// What enters the registry from upstream: a version is admitted when it matches an allow rule (or there is none)
// and no deny rule. A deny wins. Rules look at the name, the namespace, the packages' registry types and
// transports, whether the version runs locally (packages) or remotely (remotes), and its upstream status.

import picomatch from 'picomatch';
import type { ServerJson, Status } from '../model.ts';
import type { Policy, PolicyRule } from './types.ts';

/** The facts about one upstream version that rules match against. */
export interface PolicySubject {
  name: string;
  namespace: string;
  registryTypes: string[];
  transports: string[];
  kinds: Array<'local' | 'remote'>;
  status: Status;
}

export function policySubject(server: ServerJson, status: Status): PolicySubject {
  const packages = Array.isArray(server.packages) ? (server.packages as Array<Record<string, unknown>>) : [];
  const remotes = Array.isArray(server.remotes) ? (server.remotes as Array<Record<string, unknown>>) : [];
  const registryTypes = new Set<string>();
  const transports = new Set<string>();
  for (const pkg of packages) {
    if (typeof pkg?.registryType === 'string') registryTypes.add(pkg.registryType);
    const transport = pkg?.transport as Record<string, unknown> | undefined;
    if (typeof transport?.type === 'string') transports.add(transport.type);
  }
  for (const remote of remotes) if (typeof remote?.type === 'string') transports.add(remote.type);
  const kinds: PolicySubject['kinds'] = [];
  if (packages.length > 0) kinds.push('local');
  if (remotes.length > 0) kinds.push('remote');
  const slash = server.name.indexOf('/');
  return {
    name: server.name,
    namespace: slash >= 0 ? server.name.slice(0, slash) : server.name,
    registryTypes: [...registryTypes],
    transports: [...transports],
    kinds,
    status,
  };
}

export type PolicyDecision = { admitted: true } | { admitted: false; reason: string };

/** A compiled policy: patterns are compiled once, then every version is decided by plain calls. */
export function compilePolicy(policy: Policy): (subject: PolicySubject) => PolicyDecision {
  const allow = policy.allow.map(compileRule);
  const deny = policy.deny.map(compileRule);
  return (subject) => {
    const denied = deny.findIndex((matches) => matches(subject));
    if (denied >= 0) return { admitted: false, reason: `policy.deny[${denied}]` };
    if (allow.length > 0 && !allow.some((matches) => matches(subject))) return { admitted: false, reason: 'no policy.allow rule' };
    return { admitted: true };
  };
}

function compileRule(rule: PolicyRule): (subject: PolicySubject) => boolean {
  const namespace = rule.namespace ? picomatch(rule.namespace, { dot: true }) : undefined;
  const name = rule.name ? picomatch(rule.name, { dot: true }) : undefined;
  const anyOf = (wanted: readonly string[] | undefined, have: readonly string[]): boolean => !wanted || have.some((v) => wanted.includes(v));
  return (s) =>
    (!namespace || namespace(s.namespace)) &&
    (!name || name(s.name)) &&
    anyOf(rule.registryType, s.registryTypes) &&
    anyOf(rule.transport, s.transports) &&
    anyOf(rule.kind, s.kinds) &&
    anyOf(rule.status, [s.status]);
}
