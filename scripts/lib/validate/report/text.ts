// Problem messages quote what publishers wrote (names, URLs, descriptions): untrusted text. Before it goes into a
// terminal, Markdown or HTML it is made inert here: no escape sequences, no Markdown or HTML, no @mentions, no way
// to forge the bot's hidden marker or break out of a table cell. In a PR comment every piece of untrusted text
// (messages, hints, JSON paths, file names, names, versions) goes through markdownText, directly or by
// markdownCode: the comment's source then holds no `<`, `>` or line break from the untrusted text, and only escaped
// backticks and `|`, so no `<!--` either.

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
 * Untrusted text shown as code, escaped by the same function as all other comment text. Not a Markdown code span:
 * inside backticks `<`, `&` and `|` stay raw in the comment's source, so a quoted `<!--` would open an HTML comment
 * in the body the bot later reads back (its records), whatever the rendered page shows. `<code>` holds ordinary
 * inline Markdown, which markdownText makes literal.
 */
export function markdownCode(text: string): string {
  return `<code>${markdownText(text)}</code>`;
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
