// server.md bodies → HTML (scripts/lib/site/markdown.ts): what the page shows for each construct, nothing active
// from the body, and hostile bodies refused with a problem in validation and in the build, never a crash or a stall.
// Nothing here measures time: a pathological input finishing within the test's timeout is the proof.

import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRegistry } from '../scripts/lib/build/build-registry.ts';
import { ProblemsError, type Problem } from '../scripts/lib/problems.ts';
import { MAX_LONG_DESCRIPTION_BYTES, MAX_MARKDOWN_DEPTH, renderLongDescription } from '../scripts/lib/site/markdown.ts';
import { validateRegistry } from '../scripts/lib/validate/validate.ts';
import { Repo } from './support/git-fixture.ts';

const render = (body: string, bodyLine?: number): { html: string; problems: Problem[] } =>
  renderLongDescription({ file: 'io.github.acme/weather/server.md', body, ...(bodyLine ? { bodyLine } : {}) });
const html = (body: string): string => {
  const out = render(body);
  expect(out.problems).toEqual([]);
  return out.html;
};

describe('what a body renders to', () => {
  it('moves headings two levels down, below the page\'s h1 and h2', () => {
    expect(html('# One\n\n## Two\n\nThree\n=====\n\n##### Five\n\n###### Six')).toBe('<h3>One</h3>\n<h4>Two</h4>\n<h3>Three</h3>\n<h6>Five</h6>\n<h6>Six</h6>');
  });

  it('renders CommonMark blocks and inlines, with tables and strikethrough', () => {
    expect(html('Some *em*, **strong**, `code`, ~~old~~ and a\nsoft break.\n\n- a\n- b\n  1. c\n\n---\n\n    indented <code>\n\n```ts\nconst a = 1 < 2;\n```\n\n| Tool | Safe |\n| --- | :-: |\n| `ls` | yes |'))
      .toBe([
        '<p>Some <em>em</em>, <strong>strong</strong>, <code>code</code>, <s>old</s> and a\nsoft break.</p>',
        '<ul>\n<li>a</li>\n<li>b\n<ol>\n<li>c</li>\n</ol>\n</li>\n</ul>',
        '<hr>',
        '<pre><code>indented &lt;code&gt;\n</code></pre>',
        '<pre><code class="language-ts">const a = 1 &lt; 2;\n</code></pre>',
        '<table>\n<thead>\n<tr>\n<th>Tool</th>\n<th class="align-center">Safe</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td><code>ls</code></td>\n<td class="align-center">yes</td>\n</tr>\n</tbody>\n</table>',
      ].join('\n'));
  });

  it('shows raw HTML as text: <script> and event handlers never become markup', () => {
    const out = html('<script>alert(1)</script>\n\nText <img src=x onerror=alert(2)> and <iframe src="https://evil.example"></iframe> <!-- c -->\n\n# <b>t</b>\n\n```"><script>alert(3)</script>\nx\n```');
    expect(out).toBe([
      '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>',
      '<p>Text &lt;img src=x onerror=alert(2)&gt; and &lt;iframe src=&quot;https://evil.example&quot;&gt;&lt;/iframe&gt; &lt;!-- c --&gt;</p>',
      '<h3>&lt;b&gt;t&lt;/b&gt;</h3>',
      '<pre><code class="language-&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;">x\n</code></pre>',
    ].join('\n'));
    expect(out).not.toMatch(/<(script|img|iframe|b)[\s>]/);
  });

  it('links http, https, mailto and relative targets, nofollow, and leaves every other scheme as text', () => {
    const linked: Array<[string, string]> = [
      ['https://example.com/a?b=1&c=2', 'https://example.com/a?b=1&amp;c=2'], ['http://example.com', 'http://example.com'],
      ['mailto:team@example.com', 'mailto:team@example.com'], ['../other/', '../other/'], ['#install', '#install'], ['docs/setup.md', 'docs/setup.md'],
    ];
    for (const [target, href] of linked) expect(html(`[go](${target})`), target).toBe(`<p><a href="${href}" rel="nofollow noopener">go</a></p>`);
    for (const target of ['javascript:alert(1)', 'JavaScript:alert(1)', 'jav&#x61;script:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'file:///etc/passwd', 'ftp://example.com']) {
      const out = html(`[go](${target}) <${target}>`);
      expect(out, target).not.toContain('<a');
      expect(out, target).toMatch(/^<p>\[go\]\(/);
    }
    expect(html('[x]: javascript:alert(1)\n\n[x]')).not.toContain('<a');
    expect(html('<https://example.com/mcp>')).toBe('<p><a href="https://example.com/mcp" rel="nofollow noopener">https://example.com/mcp</a></p>');
    expect(html('Bare https://example.com stays text.')).toBe('<p>Bare https://example.com stays text.</p>');
  });

  it('never loads an image: it becomes a link to it, or its alt text inside a link', () => {
    expect(html('![Screenshot <1>](https://example.com/s.png "t")')).toBe('<p><a href="https://example.com/s.png" rel="nofollow noopener">Screenshot &lt;1&gt;</a></p>');
    expect(html('[![npm version](https://badge.example/npm.svg)](https://www.npmjs.com/package/weather)')).toBe('<p><a href="https://www.npmjs.com/package/weather" rel="nofollow noopener">npm version</a></p>');
    const hostile = html('![x](data:image/png;base64,AAAA) ![y](javascript:alert(1))');
    expect(hostile).not.toMatch(/<img|<a/);
  });
});

describe('hostile bodies', () => {
  it('refuses 5 KB of nested > with a problem at its line, instead of overflowing the stack', () => {
    expect(render('Intro\n\n' + '>'.repeat(5 * 1024), 7)).toEqual({
      html: '',
      problems: [expect.objectContaining({ code: 'status-file-body-too-deep', file: 'io.github.acme/weather/server.md', line: 9, severity: 'error', hint: expect.stringContaining(`${MAX_MARKDOWN_DEPTH} levels`) })],
    });
  });

  it(`renders block quotes and lists ${MAX_MARKDOWN_DEPTH} deep, and refuses one level more`, () => {
    expect(html('> '.repeat(MAX_MARKDOWN_DEPTH) + 'deep')).toBe('<blockquote>\n'.repeat(MAX_MARKDOWN_DEPTH) + '<p>deep</p>' + '\n</blockquote>'.repeat(MAX_MARKDOWN_DEPTH));
    expect(render('> '.repeat(MAX_MARKDOWN_DEPTH + 1) + 'deeper').problems.map((p) => p.code)).toEqual(['status-file-body-too-deep']);
    const list = (depth: number): string => Array.from({ length: depth }, (_, i) => `${'  '.repeat(i)}- item ${i}`).join('\n');
    expect(html(list(MAX_MARKDOWN_DEPTH))).toContain(`item ${MAX_MARKDOWN_DEPTH - 1}</li>`);
    expect(render(`Intro\n\n${list(MAX_MARKDOWN_DEPTH + 1)}`).problems).toEqual([expect.objectContaining({ code: 'status-file-body-too-deep', line: 3 + MAX_MARKDOWN_DEPTH })]);
  });

  it('renders a heading padded with 32 KiB of spaces, and refuses 64 KB of spaces by size', () => {
    expect(html('#' + ' '.repeat(MAX_LONG_DESCRIPTION_BYTES - 2) + 'x')).toBe('<h3>x</h3>');
    expect(render(' '.repeat(64 * 1024), 5)).toEqual({
      html: '', problems: [expect.objectContaining({ code: 'status-file-body-too-large', line: 5, message: `the Markdown body is 65536 bytes; the limit is ${MAX_LONG_DESCRIPTION_BYTES}` })],
    });
  });

  it('refuses a body that would render to megabytes of HTML', () => {
    const body = `[a]: <https://example.com/${'y'.repeat(16_000)}>\n\n${'[a] '.repeat(4_000)}`;
    expect(Buffer.byteLength(body)).toBeLessThan(MAX_LONG_DESCRIPTION_BYTES);
    expect(render(body).problems).toEqual([expect.objectContaining({ code: 'status-file-body-too-large', message: expect.stringContaining('bytes of HTML') })]);
  });

  it('gets through inputs that make backtracking or recursive renderers explode', () => {
    const fill = (unit: string, prefix = '', suffix = ''): string => prefix + unit.repeat(Math.floor((MAX_LONG_DESCRIPTION_BYTES - prefix.length - suffix.length) / unit.length)) + suffix;
    const inputs = [
      fill(' '), fill('\n'), fill(' \n'), fill(' ', '#', '#'), fill('*a'), fill('**a'), fill('_a'), fill('*_a'), fill('['), fill('[a'), fill('[]('), fill(']('),
      fill('![['), fill('`a'), fill('``a'), fill('<a'), fill('<!--'), fill('<![CDATA['), fill('\\'), fill('&#'), fill('- a\n'), fill('> a\n'), fill('|'),
      fill('***\n'), fill('[a]: b\n'), fill('[a](b "'), fill('a\n=\n'), fill('```\n'), fill('~~a'), fill(' -'), fill('1. '), fill('> - '), fill('<http://a'),
      `|${'a|'.repeat(3000)}\n|${'-|'.repeat(3000)}\n${'x\n'.repeat(3000)}`, `[${'a'.repeat(MAX_LONG_DESCRIPTION_BYTES - 2)}]`,
    ];
    for (const input of inputs) {
      const out = render(input);
      expect(Buffer.byteLength(input), input.slice(0, 20)).toBeLessThanOrEqual(MAX_LONG_DESCRIPTION_BYTES);
      expect(typeof out.html).toBe('string');
      for (const p of out.problems) expect(['status-file-body-too-deep', 'status-file-body-too-large'], input.slice(0, 20)).toContain(p.code);
    }
  });
});

describe('in a registry: validation reports what the build refuses', () => {
  const repos: Repo[] = [];
  afterEach(() => {
    while (repos.length) repos.pop()!.cleanup();
  });

  /** A registry whose one server.md has `body` after a one-line front matter: the body starts on line 5. */
  function registry(body: string): Repo {
    const repo = Repo.init('markdown', 'entries');
    repos.push(repo);
    repo.server('io.github.acme/weather', '1.0.0').status('io.github.acme/weather', 'status: active', body);
    return repo;
  }

  async function buildProblems(repo: Repo): Promise<Problem[]> {
    try {
      await buildRegistry({ entriesDir: repo.entries, outDir: path.join(repo.root, 'out'), env: { SOURCE_DATE_EPOCH: '1764547200' } });
    } catch (error) {
      expect(error).toBeInstanceOf(ProblemsError);
      return (error as ProblemsError).problems;
    }
    throw new Error('the build was expected to fail');
  }

  const where = (problems: Problem[]): unknown[] => problems.map((p) => [p.code, p.file, p.line]);

  it('nested > overflowing the old renderer: the same problem from validate and build', async () => {
    const repo = registry('>'.repeat(5 * 1024));
    expect(where((await validateRegistry({ root: repo.root, entriesDir: 'entries' })).problems)).toEqual([['status-file-body-too-deep', 'entries/io.github.acme/weather/server.md', 5]]);
    expect(where(await buildProblems(repo))).toEqual([['status-file-body-too-deep', 'io.github.acme/weather/server.md', 5]]);
  });

  it('a body over the limit in a server.md under the file limit', async () => {
    const repo = registry('x'.repeat(40 * 1024));
    expect(where((await validateRegistry({ root: repo.root, entriesDir: 'entries' })).problems)).toEqual([['status-file-body-too-large', 'entries/io.github.acme/weather/server.md', 5]]);
    expect(where(await buildProblems(repo))).toEqual([['status-file-body-too-large', 'io.github.acme/weather/server.md', 5]]);
  });

  it('64 KB of spaces, which the build (it has no file limit) refuses instead of stalling', async () => {
    expect(where(await buildProblems(registry(`#${' '.repeat(64 * 1024)}x`)))).toEqual([['status-file-body-too-large', 'io.github.acme/weather/server.md', 5]]);
  });
});
