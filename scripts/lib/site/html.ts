// HTML escaping, and links only for http(s) URLs, for the strings of server.json shown on the site. (server.md
// bodies are Markdown: markdown.ts.)

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Escapes element text (not attribute values): `&`, `<` and `>` only, so JSON in a <pre> stays compact. */
export function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (c) => ESCAPES[c]!);
}

/** The URL when it is an absolute http(s) URL, else undefined (javascript:, data:, relative, malformed…). */
export function safeHttpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^https?:\/\/[^\s]+$/i.test(value)) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A link when the URL is http(s), else the URL as escaped text. */
export function linkOrText(url: unknown, text?: string): string {
  const safe = safeHttpUrl(url);
  const label = escapeHtml(text ?? String(url ?? ''));
  return safe ? `<a href="${escapeHtml(safe)}" rel="nofollow noopener">${label}</a>` : label;
}
