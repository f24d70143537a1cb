// Where each resource lives inside the built directory. URL paths map onto it directly, so `%2F`-decoding hosts
// find nested folders. A resource that is also a folder prefix (`/servers`, `…/versions`) is a sibling `.json` file.

/** The API is built once under v0.1; `/v0/…` is answered from the same files. */
export const API_ROOT = 'v0.1';
/** Rows hidden unless `include_deleted=true`: deleted versions, and versions lists that include them. */
export const DELETED_ROOT = '_include_deleted';
/** Row indexes for answering list queries. */
export const QUERY_ROOT = '_query';

export function serverListFile(): string {
  return API_ROOT + '/servers.json';
}

export function versionsListFile(name: string, includeDeleted: boolean): string {
  return (includeDeleted ? DELETED_ROOT : API_ROOT) + '/servers/' + name + '/versions.json';
}

/** Detail of one version; `latest` is a file like any other (the version string `latest` is reserved). */
export function versionFile(name: string, version: string, deleted: boolean): string {
  return (deleted ? DELETED_ROOT : API_ROOT) + '/servers/' + name + '/versions/' + version + '.json';
}
