// The one PR comment the bot keeps up to date: a hidden marker to find it again, a headline, the checklist, the
// problems by file with their fix, and what the PR publishes. Pure: report in, Markdown out.

import type { Problem } from '../../problems.ts';
import type { ValidationReport } from '../types.ts';
import { docsLink } from './docs-link.ts';
import { labelsFor } from './labels.ts';
import { checklist, countBySeverity, groupByFile, isClean, lineColumn, plural, sortedPublishes, type CheckState } from './summary.ts';
import { markdownCode, markdownText } from './text.ts';

export { labelsFor } from './labels.ts';

/** Begins every comment the bot writes; the bot finds its comment by it (and by its author). */
export const COMMENT_MARKER = '<!-- mcp-static-registry:validation -->';

/** GitHub refuses comments over 65,536 characters; stay well below, with room for the tail. */
export const COMMENT_LIMIT = 60_000;

export interface PrCommentOptions {
  /** The validation run, linked from the comment. */
  runUrl?: string;
  /** Address of docs/errors.md (absolute in a comment, e.g. `https://github.com/o/r/blob/HEAD/docs/errors.md`). */
  docsBaseUrl?: string;
  /** The commit that was validated, shown short. */
  headSha?: string;
  /** Files the PR changes outside entries/ (from the GitHub API, not the report): a maintainer must review. */
  filesOutsideEntries?: readonly string[];
  /**
   * Errors the PR's own validation run reported. That run executed the PR's code, so its report decides nothing;
   * when it disagrees with this (trusted) report, the comment says so.
   */
  untrustedErrors?: number;
  /** What the bot decided about merging (github/merge-decision.ts), and the commit when it merged. */
  merge?: { action: 'merge' | 'author' | 'maintainer'; reasons: readonly string[]; commit?: string };
  /** How each namespace was proven, and owners ledgers worth adding (from the trusted ownership check). */
  ownership?: {
    proven: ReadonlyArray<{ namespace: string; detail: string }>;
    ledgerSuggestions: ReadonlyArray<{ namespace: string; file: string; owners: readonly string[] }>;
  };
}

const STATE_ICON: Record<CheckState, string> = { passed: '✅', failed: '❌', 'not run': '⏭️' };

export function renderPrComment(report: ValidationReport, options: PrCommentOptions = {}): string {
  const { errors, warnings } = countBySeverity(report.problems);
  const outside = [...(options.filesOutsideEntries ?? [])].sort();
  const ready = isClean(report) && outside.length === 0 && !labelsFor(report).includes('needs-maintainer');
  const head: string[] = [COMMENT_MARKER];

  if (ready) head.push(`## ✅ Ready to merge`);
  else if (errors) head.push(`## ❌ ${plural(errors, 'problem')} to fix`);
  else if (!isClean(report)) head.push(`## ❌ Validation failed`);
  else head.push(`## 👀 Needs a maintainer`);
  const sub: string[] = [];
  if (ready) sub.push('Every check that ran passed.');
  else if (errors) sub.push('Fix these and push again: this comment updates itself.');
  if (warnings) sub.push(`${plural(warnings, 'warning')} ${warnings === 1 ? 'does' : 'do'} not block the merge but ${warnings === 1 ? 'is' : 'are'} worth a look.`);
  if (sub.length) head.push('', sub.join(' '));

  if (outside.length) {
    head.push(
      '',
      `> [!IMPORTANT]`,
      `> This PR changes ${plural(outside.length, 'file')} outside \`entries/\`. A publishing PR only adds entries; anything else needs a maintainer's review, and this result was produced by the PR's own code, so it cannot vouch for it.`,
      ...outside.slice(0, 20).map((f) => `> - ${markdownCode(f)}`),
      ...(outside.length > 20 ? [`> - … and ${outside.length - 20} more`] : []),
    );
  }

  if (options.untrustedErrors !== undefined && options.untrustedErrors !== errors) {
    head.push(
      '',
      `> [!WARNING]`,
      `> The pull request's own validation run reported ${plural(options.untrustedErrors, 'error')}; the registry's own code, run on the pull request's files, found ${errors}. This comment and the labels show the registry's result.`,
    );
  }

  if (options.merge) head.push('', ...mergeSection(options.merge));

  head.push('', '### Checks', '');
  for (const c of checklist(report)) head.push(`- ${STATE_ICON[c.state]} **${c.title}**: ${c.state} <sub>(${c.covers})</sub>`);

  if (options.ownership && (options.ownership.proven.length || options.ownership.ledgerSuggestions.length)) {
    head.push('', '### Ownership', '');
    for (const p of options.ownership.proven) head.push(`- ${markdownCode(p.namespace)}: ${markdownText(p.detail)}`);
    for (const s of options.ownership.ledgerSuggestions) {
      head.push(
        '', `> [!TIP]`,
        `> ${markdownCode(s.namespace)} has no owners ledger yet. Add ${markdownCode(s.file)} to this PR so later PRs by its owners need no new proof (this PR's proof covers it):`,
        '>', '> ```json', `> ${JSON.stringify({ owners: [...s.owners] })}`, '> ```',
      );
    }
  }

  const tail: string[] = ['', '### Publishes', ''];
  const publishes = sortedPublishes(report);
  if (publishes.length === 0) tail.push('No server version: this PR adds none.');
  else {
    if (!ready) tail.push(errors ? 'Once the problems are fixed, this PR publishes:' : 'Once a maintainer approves, this PR publishes:', '');
    tail.push('| Server | Version |', '| --- | --- |');
    for (const p of publishes) tail.push(`| ${markdownCode(p.name)} | ${markdownCode(p.version)} |`);
  }
  const footer: string[] = [];
  if (options.runUrl) footer.push(`[validation run](${safeUrl(options.runUrl)})`);
  if (options.headSha && /^[0-9a-f]{7,64}$/i.test(options.headSha)) footer.push(`commit ${options.headSha.slice(0, 7)}`);
  footer.push(`how to fix each problem: [docs/errors.md](${safeUrl(options.docsBaseUrl ?? 'docs/errors.md')})`);
  footer.push('run `npm run validate` locally to check before pushing');
  tail.push('', `<sub>${footer.join(' · ')}</sub>`);

  const headText = head.join('\n');
  const tailText = tail.join('\n');
  if (report.problems.length === 0) return `${headText}\n${tailText}\n`;

  // The problems, as many as fit; the rest are in the job summary and the annotations of the run.
  const budget = COMMENT_LIMIT - headText.length - tailText.length - 400;
  const lines: string[] = ['', '### Problems'];
  let used = 0;
  let shown = 0;
  outer: for (const group of groupByFile(report.problems)) {
    const heading = ['', `#### ${group.file === undefined ? 'The registry as a whole' : markdownCode(group.file)}`, ''];
    const headingLength = heading.join('\n').length;
    let first = true;
    for (const p of group.problems) {
      const item = problemItem(p, options.docsBaseUrl);
      const cost = item.length + 1 + (first ? headingLength + 1 : 0);
      if (used + cost > budget) break outer;
      if (first) lines.push(...heading);
      lines.push(item);
      used += cost;
      shown++;
      first = false;
    }
  }
  if (shown < report.problems.length) {
    const rest = report.problems.length - shown;
    lines.push('', `… and ${plural(rest, 'more problem')}: ${options.runUrl ? `see the [run's summary](${safeUrl(options.runUrl)})` : "see the validation run's summary"} or run \`npm run validate\`.`);
  }
  return `${headText}\n${lines.join('\n')}\n${tailText}\n`;
}

function mergeSection(merge: NonNullable<PrCommentOptions['merge']>): string[] {
  if (merge.commit) {
    return ['### Merged', '', `Every check passed and the author proved every namespace this pull request touches, so it was merged automatically as ${markdownCode(merge.commit.slice(0, 12))}. The registry deploys it now.`];
  }
  const reasons = merge.reasons.map((r) => `- ${markdownText(r)}`);
  if (merge.action === 'author') {
    return ['### Merge', '', 'This pull request merges by itself once the problems are fixed: push a fix, or comment `/recheck` after fixing something outside it (publishing the package, a DNS record).', ...(reasons.length ? ['', ...reasons] : [])];
  }
  if (merge.action === 'maintainer') return ['### Merge', '', 'A maintainer must merge this pull request:', '', ...reasons];
  return ['### Merge', '', 'Merging now.'];
}

function problemItem(p: Problem, docsBaseUrl: string | undefined): string {
  const where = lineColumn(p);
  const icon = p.severity === 'error' ? '❌' : '⚠️';
  const code = `[${markdownCode(p.code)}](${safeUrl(docsLink(p.code, docsBaseUrl))})`;
  const at = p.jsonPath ? ` <sub>at ${markdownCode(p.jsonPath)}</sub>` : '';
  return `- ${icon} ${where ? `**line ${where}** · ` : ''}${code} · ${markdownText(p.message)}${at}<br>**Fix:** ${markdownText(p.hint)}`;
}

/** A URL for a Markdown link target: no spaces, parentheses or angle brackets that could end it early. */
function safeUrl(url: string): string {
  return url.replace(/[\s()<>"'`]/g, (c) => encodeURIComponent(c));
}
