// The njs function behind `$registry_build`, the build's part of the key of cached list pages (nginx-config.ts).
// A module of its own, bundled to `_nginx/build-identity.js` by njs-bundle.ts: njs 0.7 sets up a request's copy of
// every module its location imports, top-level code included, and this runs on every list request, where the
// list-query bundle's set-up alone cost as much as serving the cached page. Keep to the syntax in query/README.md.

import fs from 'fs';
import { QUERY_ROOT } from '../query/layout.ts';

interface NjsRequest {
  variables: Record<string, string | undefined>;
}

/**
 * The device, inode and change time of the root folder and of its row-index folder. A build swaps in a new folder
 * (write-output.ts), and a file renamed into `_query` changes that folder's change time, so pages computed from
 * another build are never found. When the folder cannot be read, a key no other request has: nothing cached is used.
 */
function buildIdentity(r: NjsRequest): string {
  const root = r.variables.document_root + '/';
  try {
    const top = fs.statSync(root);
    const rows = fs.statSync(root + QUERY_ROOT);
    return top.dev + ':' + top.ino + ':' + top.ctimeMs + ':' + rows.ino + ':' + rows.ctimeMs;
  } catch (e) {
    return 'unreadable:' + Math.random();
  }
}

export default { buildIdentity: buildIdentity };
