// The Markdown body of `server.md` → the HTML of the server page's "About" section. One function for the build (which
// renders with it) and the validator (which runs it on every body a change touches), so that a body the build could
// not render is a problem in the pull request, never a crash or a stall of the deployment.
//
// markdown-it is a CommonMark parser whose time is linear in the input (unlike regex-based converters, which can
// backtrack for ever on lines of spaces) and whose recursion stops at `maxNesting`. On top of it: raw HTML is shown
// as text, links go only to http(s), mailto or relative targets, headings move down two levels so the page's own
// h1 and h2 stay the outline, and size and depth are bounded with a problem, not a silent cut.

import markdownIt, { type Env, type MarkdownIt } from 'markdown-it';
import type { StatusFile } from '../model.ts';
import { problem, type Problem } from '../problems.ts';
import { escapeHtml } from './html.ts';

/**
 * Largest accepted body: 32 KiB of Markdown, about 5,000 words, far more than a long description needs, and half of
 * the 64 KiB limit on the whole server.md (MAX_STATUS_FILE_BYTES), which only the validator checks; this one the
 * build checks too.
 */
export const MAX_LONG_DESCRIPTION_BYTES = 32 * 1024;

/**
 * Largest HTML a body may render to. Markdown can amplify: one long reference definition (`[a]: <16 KB URL>`) used
 * thousands of times (`[a]`) would write megabytes into one page. 512 KiB is 16 times the largest body.
 */
export const MAX_LONG_DESCRIPTION_HTML_BYTES = 512 * 1024;

/** Block quotes and lists nest at most this deep (a README rarely goes past 3). */
export const MAX_MARKDOWN_DEPTH = 8;

/**
 * markdown-it stops parsing, silently dropping the rest of the block, where nesting reaches `maxNesting`. A block
 * quote raises its level by one, a list by two (list, item), so at 2 × MAX_MARKDOWN_DEPTH + 2 every input it would
 * cut is already deeper than MAX_MARKDOWN_DEPTH and refused below: nothing is ever dropped without a problem.
 */
const MAX_NESTING = 2 * MAX_MARKDOWN_DEPTH + 2;

const CONTAINERS = new Set(['blockquote_open', 'bullet_list_open', 'ordered_list_open']);
const CONTAINER_ENDS = new Set(['blockquote_close', 'bullet_list_close', 'ordered_list_close']);

const ALLOWED_SCHEMES = new Set(['http', 'https', 'mailto']);

/**
 * True for http:, https: and mailto: URLs and for URLs without a scheme (relative paths, `#fragments`, `//host`,
 * which is https on an https page). Browsers ignore tabs, newlines and leading controls or spaces in a URL, so
 * `java&#9;script:` is javascript:; the scheme is read with all of those removed.
 */
function isAllowedLinkTarget(url: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.replace(/[\u0000-\u0020]/g, ''));
  return !scheme || ALLOWED_SCHEMES.has(scheme[1]!.toLowerCase());
}

interface RenderEnv extends Env {
  /** How many links the renderer is inside: an image there is shown as its text (`<a>` cannot nest). */
  linkDepth: number;
}

function createRenderer(): MarkdownIt {
  // Linkify is off: bare URLs stay text (CommonMark's `<https://…>` autolinks still work), so linkify-it's large
  // regular expressions never run over untrusted text. Typographer is off: the text is shown as written.
  const md = markdownIt('default', { html: false, linkify: false, typographer: false, maxNesting: MAX_NESTING });
  md.validateLink = isAllowedLinkTarget;
  const rules = md.renderer.rules;
  rules.link_open = (tokens, idx, options, env, self) => {
    (env as RenderEnv).linkDepth++;
    tokens[idx]!.attrSet('rel', 'nofollow noopener');
    return self.renderToken(tokens, idx, options);
  };
  rules.link_close = (tokens, idx, options, env, self) => {
    (env as RenderEnv).linkDepth--;
    return self.renderToken(tokens, idx, options);
  };
  // Images are not shown: an <img> would make every visitor's browser fetch a URL of the publisher's choosing (a
  // tracking pixel that sees each visitor's address and when they looked), and a registry page should load nothing
  // from outside the registry. An image becomes a link to it, labelled by its alt text; inside a link (the usual
  // badge, `[![npm](badge.svg)](https://npmjs.com/…)`) just the alt text, so the outer link keeps working.
  rules.image = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    const alt = escapeHtml(self.renderInlineAsText(token.children ?? [], options, env));
    if ((env as RenderEnv).linkDepth > 0) return alt;
    const src = escapeHtml(String(token.attrGet('src') ?? ''));
    return `<a href="${src}" rel="nofollow noopener">${alt || src}</a>`;
  };
  return md;
}

let renderer: MarkdownIt | undefined;

/**
 * Renders a server.md body to HTML, or refuses it with problems (and no HTML): over MAX_LONG_DESCRIPTION_BYTES,
 * nested deeper than MAX_MARKDOWN_DEPTH, or rendering to more than MAX_LONG_DESCRIPTION_HTML_BYTES.
 */
export function renderLongDescription(statusFile: Pick<StatusFile, 'file' | 'body' | 'bodyLine'>): { html: string; problems: Problem[] } {
  const { file, body } = statusFile;
  const bodyLine = statusFile.bodyLine ?? 1;
  const refuse = (p: Omit<Problem, 'severity' | 'file'>): { html: string; problems: Problem[] } => ({ html: '', problems: [problem({ file, ...p })] });
  const bytes = Buffer.byteLength(body);
  if (bytes > MAX_LONG_DESCRIPTION_BYTES) {
    return refuse({
      code: 'status-file-body-too-large', line: bodyLine,
      message: `the Markdown body is ${bytes} bytes; the limit is ${MAX_LONG_DESCRIPTION_BYTES}`,
      hint: 'Shorten the long description and link to the full documentation (websiteUrl or the repository\'s README).',
    });
  }
  renderer ??= createRenderer();
  const env: RenderEnv = { linkDepth: 0 };
  const tokens = renderer.parse(body, env);
  let depth = 0;
  for (const token of tokens) {
    if (CONTAINER_ENDS.has(token.type)) depth--;
    else if (CONTAINERS.has(token.type) && ++depth > MAX_MARKDOWN_DEPTH) {
      return refuse({
        code: 'status-file-body-too-deep', line: bodyLine + (token.map?.[0] ?? 0),
        message: `block quotes and lists are nested more than ${MAX_MARKDOWN_DEPTH} deep here`,
        hint: `Nest block quotes (>) and lists at most ${MAX_MARKDOWN_DEPTH} levels deep.`,
      });
    }
    // The page's h1 is the server's title and its sections are h2: the body's headings go below them.
    if (token.type === 'heading_open' || token.type === 'heading_close') token.tag = `h${Math.min(6, Number(token.tag.slice(1)) + 2)}`;
    // Table column alignment as a class, not a style attribute, so the pages need no inline styles (site CSP).
    const align = token.type === 'th_open' || token.type === 'td_open' ? /^text-align:(left|center|right)$/.exec(String(token.attrGet('style'))) : null;
    if (align) token.attrs = [['class', `align-${align[1]}`]];
  }
  const html = renderer.renderer.render(tokens, renderer.options, env).trimEnd();
  const htmlBytes = Buffer.byteLength(html);
  if (htmlBytes > MAX_LONG_DESCRIPTION_HTML_BYTES) {
    return refuse({
      code: 'status-file-body-too-large', line: bodyLine,
      message: `the Markdown body renders to ${htmlBytes} bytes of HTML; the limit is ${MAX_LONG_DESCRIPTION_HTML_BYTES}`,
      hint: 'Repeat long link targets less often: write each link in full where it is used, or link to fewer places.',
    });
  }
  return { html, problems: [] };
}
