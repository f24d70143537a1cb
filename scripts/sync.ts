// npm run sync -- [--source <id>]… [--full] [--root <dir>] [--entries <dir>] [--summary <file.json>]
// Mirrors the upstream registries of registry.yaml into entries/ (docs/sub-registry.md): progress on stderr, the
// summary on stdout, the summary as JSON in --summary. Exit 0 after a sync (with or without changes), 1 when a
// source cannot be read or the configuration is wrong, 2 for a bad command line.
import { writeFileSync } from 'node:fs';
import { parseFlags, runMain } from './lib/cli.ts';
import { syncRegistry } from './lib/sync/sync.ts';
import { renderSyncSummary, terminalProgress } from './lib/sync/terminal.ts';

const USAGE = `usage: npm run sync -- [--source <id>]… [--full] [--root <dir>] [--entries <dir>] [--summary <file.json>]
Mirrors the upstream registries of registry.yaml into entries/ (docs/sub-registry.md).
  --source <id>   only this source (repeatable)
  --full          read every source whole, not only what changed since the last sync
  --root <dir>    the repository root holding registry.yaml, entries/ and .sync/ (default: .)
  --entries <dir> the entries folder (default: <root>/entries)
  --summary <f>   also write the summary as JSON to this file`;

const flags = parseFlags({
  source: { type: 'string', multiple: true },
  full: { type: 'boolean', default: false },
  root: { type: 'string', default: '.' },
  entries: { type: 'string' },
  summary: { type: 'string' },
}, USAGE);

runMain(async () => {
  const summary = await syncRegistry({
    root: flags.root!,
    ...(flags.entries ? { entriesDir: flags.entries } : {}),
    ...(flags.source ? { sourceIds: flags.source } : {}),
    full: flags.full!,
    progress: terminalProgress(process.stderr),
  });
  if (flags.summary) writeFileSync(flags.summary, `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(renderSyncSummary(summary));
});
