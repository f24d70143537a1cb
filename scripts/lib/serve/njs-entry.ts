// The nginx side of list queries: njs calls `answer` for `/v0.1/servers?…` with query parameters. Bundled into
// the build output (`_nginx/list-query.js`) by njs-bundle.ts; keep to the syntax in query/README.md.

import fs from 'fs';
import { answerListQuery, parseListParams, readListParams, type ListResponse } from '../query/list-query.ts';
import { API_SECURITY_HEADERS, CACHE_CONTROL } from './routes.ts';
import { renderUnknownEndpoint } from '../query/json.ts';

interface NjsRequest {
  variables: Record<string, string | undefined>;
  headersOut: Record<string, string>;
  return(status: number, body?: string): void;
}

function send(r: NjsRequest, result: ListResponse): void {
  r.headersOut['Content-Type'] = result.contentType;
  r.headersOut['Cache-Control'] = result.status === 200 ? CACHE_CONTROL.list : CACHE_CONTROL.error;
  Object.keys(API_SECURITY_HEADERS).forEach(function (name) { r.headersOut[name] = API_SECURITY_HEADERS[name]!; });
  r.return(result.status, result.body);
}

function answer(r: NjsRequest): void {
  const root = r.variables.document_root + '/';
  send(r, answerListQuery(readListParams(r.variables.args || ''), {
    readText: function (file: string) { return fs.readFileSync(root + file, 'utf8') as string; },
    readJson: function (file: string) { return JSON.parse(fs.readFileSync(root + file, 'utf8') as string); },
  }));
}

/** `include_deleted` on a detail or versions path that is not a boolean: the same 422 as the list gives. */
function rejectIncludeDeleted(r: NjsRequest): void {
  const parsed = parseListParams({ include_deleted: readListParams(r.variables.args || '').include_deleted });
  if (!parsed.ok) send(r, { status: parsed.status, contentType: parsed.contentType, body: parsed.body });
  else r.return(500);
}

/** A path no route matches: the official body names the path, which a static nginx `return` cannot do safely. */
function unknownEndpoint(r: NjsRequest): void {
  send(r, { status: 404, contentType: 'application/problem+json', body: renderUnknownEndpoint(r.variables.uri || '/') });
}

export default { answer: answer, rejectIncludeDeleted: rejectIncludeDeleted, unknownEndpoint: unknownEndpoint };
