// JSON bytes as the official registry's Go encoder writes them: compact, HTML left unescaped, newline at the end.

const LINE_SEPARATORS = /[\u2028\u2029]/g;

function escapeLineSeparator(c: string): string {
  return c === '\u2028' ? '\\u2028' : '\\u2029';
}

/** JSON.stringify differs from Go's encoder only in U+2028/U+2029, which Go always escapes. */
export function encodeJson(value: unknown): string {
  return JSON.stringify(value).replace(LINE_SEPARATORS, escapeLineSeparator);
}

const HTML_SPECIALS = /[<>&]/g;
const HTML_SAFE_ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026' };

/**
 * JSON text with `<`, `>` and `&` written as `\u003c`, `\u003e`, `\u0026`: the same value for every JSON parser,
 * but no markup for a host that serves the file as HTML. Outside strings JSON has none of the three, and inside
 * one a backslash never escapes them, so replacing each character is exact.
 */
export function htmlSafeJson(json: string): string {
  return json.replace(HTML_SPECIALS, function (c) { return HTML_SAFE_ESCAPES[c]!; });
}

/** A `ServerList` body from already-encoded items (each the bytes of a detail file without its newline). */
export function renderServerList(items: string[], nextCursor: string | undefined): string {
  const frame = serverListFrame(items.length, nextCursor);
  return frame[0] + items.join(',') + frame[1];
}

/** The text before and after a list's items (joined by commas); the build splices the complete list with it. */
export function serverListFrame(count: number, nextCursor: string | undefined): [string, string] {
  const metadata = nextCursor !== undefined
    ? '{"nextCursor":' + encodeJson(nextCursor) + ',"count":' + count + '}'
    : '{"count":' + count + '}';
  return ['{"servers":[', '],"metadata":' + metadata + '}\n'];
}

/** An RFC 9457 problem body in huma's field order (title, status, detail, errors). */
export function renderProblem(status: number, title: string, detail: string, errors?: unknown[]): string {
  const body: Record<string, unknown> = { title: title, status: status, detail: detail };
  if (errors && errors.length) body.errors = errors;
  return encodeJson(body) + '\n';
}

/**
 * The official registry's answer to a path no route matches. Its keys are in alphabetical order there (it is a
 * marshalled Go map, unlike the other problems), so they are here too.
 */
export function renderUnknownEndpoint(path: string): string {
  const detail = /^\/v0(\.1)?\//.test(path)
    ? 'Endpoint not found. See /docs for the API documentation.'
    : "Endpoint not found. Did you mean '/v0.1" + path + "' or '/v0" + path + "'? See /docs for the API documentation.";
  return encodeJson({ detail: detail, status: 404, title: 'Not Found' }) + '\n';
}
