// HTML escaping and a tiny, safe Markdown converter for the long descriptions in server.md.
// Everything is escaped; no raw HTML passes through; links are kept only for http(s) URLs.

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

/** Inline Markdown on one run of text: `code`, [links](https://…), **bold**, *italic*. */
export function renderInline(text: string): string {
  let out = '';
  const parts = text.split(/(`[^`]+`)/);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i % 2 === 1) {
      out += `<code>${escapeHtml(part.slice(1, -1))}</code>`;
      continue;
    }
    let html = '';
    let last = 0;
    const link = /\[([^\]\n]+)\]\(([^)\s]+)\)/g;
    for (let m = link.exec(part); m; m = link.exec(part)) {
      html += emphasis(escapeHtml(part.slice(last, m.index)));
      const safe = safeHttpUrl(m[2]);
      const label = emphasis(escapeHtml(m[1]!));
      html += safe ? `<a href="${escapeHtml(safe)}" rel="nofollow noopener">${label}</a>` : label;
      last = m.index + m[0].length;
    }
    out += html + emphasis(escapeHtml(part.slice(last)));
  }
  return out;
}

function emphasis(escaped: string): string {
  return escaped.replace(/\*\*([^*\n]+)\*\*/g, '<strong>$1</strong>').replace(/(^|[^*\w])\*([^*\n]+)\*(?![*\w])/g, '$1<em>$2</em>');
}

/**
 * Markdown → HTML: ATX headings (shifted down so the page's h1 stays the only one), paragraphs, unordered and
 * ordered lists, fenced and indented code, block quotes, rules. Linear in the input.
 */
export function renderMarkdown(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let paragraph: string[] = [];
  let list: { tag: 'ul' | 'ol'; items: string[] } | undefined;
  const flushParagraph = (): void => {
    if (paragraph.length) out.push(`<p>${renderInline(paragraph.join(' '))}</p>`);
    paragraph = [];
  };
  const flushList = (): void => {
    if (list) out.push(`<${list.tag}>${list.items.map((item) => `<li>${renderInline(item)}</li>`).join('')}</${list.tag}>`);
    list = undefined;
  };
  const flush = (): void => {
    flushParagraph();
    flushList();
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^\s{0,3}(```+|~~~+)\s*([\w+-]*)/.exec(line);
    if (fence) {
      flush();
      const code: string[] = [];
      for (i++; i < lines.length && !lines[i]!.trimStart().startsWith(fence[1]!); i++) code.push(lines[i]!);
      out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
      continue;
    }
    if (!line.trim()) {
      flush();
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      flush();
      const level = Math.min(6, heading[1]!.length + 2);
      out.push(`<h${level}>${renderInline(heading[2]!)}</h${level}>`);
      continue;
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      flush();
      out.push('<hr>');
      continue;
    }
    const item = /^\s{0,3}(?:([-*+])|(\d{1,9})[.)])\s+(.*)$/.exec(line);
    if (item) {
      flushParagraph();
      const tag = item[1] ? 'ul' : 'ol';
      if (list && list.tag !== tag) flushList();
      list ??= { tag, items: [] };
      list.items.push(item[3]!);
      continue;
    }
    if (list && /^\s+\S/.test(line)) {
      list.items[list.items.length - 1] += ' ' + line.trim();
      continue;
    }
    if (!paragraph.length && !list && /^( {4}|\t)/.test(line)) {
      const code: string[] = [];
      for (; i < lines.length && (/^( {4}|\t)/.test(lines[i]!) || !lines[i]!.trim()); i++) code.push(lines[i]!.replace(/^( {4}|\t)/, ''));
      i--;
      while (code.length && !code[code.length - 1]!.trim()) code.pop();
      out.push(`<pre><code>${escapeHtml(code.join('\n'))}</code></pre>`);
      continue;
    }
    const quote = /^\s{0,3}>\s?(.*)$/.exec(line);
    if (quote) {
      flush();
      const quoted: string[] = [quote[1]!];
      for (; i + 1 < lines.length && /^\s{0,3}>/.test(lines[i + 1]!); i++) quoted.push(lines[i + 1]!.replace(/^\s{0,3}>\s?/, ''));
      out.push(`<blockquote>${renderMarkdown(quoted.join('\n'))}</blockquote>`);
      continue;
    }
    flushList();
    paragraph.push(line.trim());
  }
  flush();
  return out.join('\n');
}
