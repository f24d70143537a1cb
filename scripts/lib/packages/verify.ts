// Every package and remote a server.json points to, checked concurrently under one deadline: npm, PyPI, NuGet and
// cargo packages name the server back, OCI images carry its label, MCPB files match their hash, remotes answer.

import { problem, type Problem } from '../problems.ts';
import { createBoundedFetch, type BoundedFetch } from './fetch.ts';
import { createMcpbFetch, verifyMcpbPackage } from './mcpb.ts';
import { verifyOciPackage } from './oci.ts';
import { REGISTRY_VERIFIERS, type VerifiedRegistryType } from './registries.ts';
import { checkRemote, createRemoteFetch } from './remotes.ts';

/** The whole verification of one server.json finishes within this (the 60 s for a pull request). */
export const PACKAGES_DEADLINE_MS = 60_000;

export interface PackageVerificationOptions {
  /** Tests point the registries at local servers; production uses the official ones. */
  baseUrls?: Partial<Record<VerifiedRegistryType, string>>;
  ociRegistryOverrides?: Record<string, string>;
  mcpbHostOverrides?: (url: URL) => URL;
  fetch?: { registries?: BoundedFetch; mcpb?: BoundedFetch; remotes?: BoundedFetch };
  deadlineMs?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deadline(ms: number, file: string): { promise: Promise<Problem[]>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<Problem[]>((resolve) => {
    timer = setTimeout(() => resolve([problem({
      code: 'package-verification-timeout', file,
      message: `checking the packages and remotes took longer than ${ms / 1000} s`,
      hint: 'Re-run the check; if it keeps happening, one of the registries or remotes is answering very slowly.',
    })]), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/** Checks one server.json's packages and remotes; problems point at `/packages/<i>` and `/remotes/<i>`. */
export function createPackageVerifier(options: PackageVerificationOptions = {}): (doc: { file: string; server: Record<string, unknown> }) => Promise<Problem[]> {
  const registries = options.fetch?.registries ?? createBoundedFetch();
  const mcpb = options.fetch?.mcpb ?? createMcpbFetch();
  const remotes = options.fetch?.remotes ?? createRemoteFetch();
  return async ({ file, server }) => {
    const serverName = typeof server.name === 'string' ? server.name : '';
    const checks: Array<Promise<Problem[]>> = [];
    const packages = Array.isArray(server.packages) ? server.packages : [];
    packages.forEach((pkg, i) => {
      if (!isRecord(pkg) || typeof pkg.identifier !== 'string') return;
      const jsonPath = `/packages/${i}`;
      const type = pkg.registryType;
      if (type === 'oci') checks.push(verifyOciPackage({ identifier: pkg.identifier }, { serverName, file, jsonPath, fetch: registries, registryOverrides: options.ociRegistryOverrides }));
      else if (type === 'mcpb') checks.push(verifyMcpbPackage({ identifier: pkg.identifier, fileSha256: typeof pkg.fileSha256 === 'string' ? pkg.fileSha256 : undefined }, { serverName, file, jsonPath, fetch: mcpb, hostOverrides: options.mcpbHostOverrides }));
      else if (typeof type === 'string' && type in REGISTRY_VERIFIERS) {
        const verify = REGISTRY_VERIFIERS[type as VerifiedRegistryType];
        checks.push(verify({
          identifier: pkg.identifier,
          version: typeof pkg.version === 'string' ? pkg.version : undefined,
          registryBaseUrl: typeof pkg.registryBaseUrl === 'string' ? pkg.registryBaseUrl : undefined,
        }, { serverName, file, jsonPath, fetch: registries, baseUrls: options.baseUrls }));
      }
      // Other registry types are rule errors already (rule-package-registry-type-unsupported).
    });
    const remoteList = Array.isArray(server.remotes) ? server.remotes : [];
    remoteList.forEach((remote, i) => {
      if (isRecord(remote)) checks.push(checkRemote({ url: remote.url }, { file, jsonPath: `/remotes/${i}`, fetch: remotes }));
    });
    const limit = deadline(options.deadlineMs ?? PACKAGES_DEADLINE_MS, file);
    try {
      return await Promise.race([Promise.all(checks).then((found) => found.flat()), limit.promise]);
    } finally {
      limit.cancel();
    }
  };
}

/** The verifier with the official registries, for the CLI, the pull-request workflow and the nightly re-check. */
export const verifyServerPackages = createPackageVerifier();
