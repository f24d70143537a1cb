// Problem messages quote what publishers wrote (names, URLs, descriptions): untrusted text. Before it goes into a
// terminal, Markdown or HTML it is made inert here: no escape sequences, no Markdown or HTML, no @mentions, no way
// to forge the bot's hidden marker or break out of a table cell.

/** One line of plain text: control characters (ANSI escapes included) shown as `\u{…}`, line breaks as spaces. */
export function plainLine(text: string): string {
  return text
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`)
    .replace(/\t/g, ' ');
}

/** Untrusted text as inline Markdown that renders literally, safe inside a table cell. */
export function markdownText(text: string): string {
  return plainLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]()!|~$]/g, (c) => `\\${c}`)
    .replace(/@/g, '@\u200b');
}

/**
 * Untrusted text as an inline code span: a fence longer than any run of backticks inside, so it cannot be closed
 * early. `|` is escaped, which GitHub honours in table cells even inside code spans.
 */
export function markdownCode(text: string): string {
  const line = plainLine(text).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = line.startsWith('`') || line.endsWith('`') || /^ .* $/.test(line) ? ' ' : '';
  return `${fence}${pad}${line}${pad}${fence}`;
}

/** Untrusted text for HTML (the job summary's table). */
export function htmlText(text: string): string {
  return plainLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/@/g, '@\u200b');
}
