// Data the bot keeps in its own PR comments: base64 JSON in an HTML comment (invisible when rendered) on the line
// right after the comment's marker, where only the bot writes. Callers read only comments by the bot's own login.

/** The records line for `prefix` (`<!-- mcp-static-registry:<kind> `), with its newline; empty for no records. */
export function writeCommentRecords(prefix: string, records: readonly unknown[]): string {
  return records.length ? `${prefix}${Buffer.from(JSON.stringify(records)).toString('base64')} -->\n` : '';
}

/** The records of a comment that starts with `marker` and then the `prefix` line; [] for anything else. */
export function readCommentRecords(body: string, marker: string, prefix: string): unknown[] {
  const head = `${marker}\n${prefix}`;
  if (!body.startsWith(head)) return [];
  const end = body.indexOf(' -->\n', head.length);
  const encoded = end < 0 ? '' : body.slice(head.length, end);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return [];
  try {
    const value: unknown = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}
