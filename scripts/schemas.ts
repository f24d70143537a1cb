// npm run schemas -- [--check]
// Writes the project's own server.json schemas (schemas/<date>/server.schema.json) from
// scripts/lib/validate/schemas/define.ts. With --check, writes nothing and exits 1 when a file differs.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags, runMain } from './lib/cli.ts';
import { buildServerSchema, schemaFilePath, SCHEMA_VERSIONS, serializeSchema } from './lib/validate/schemas/define.ts';

const USAGE = `usage: npm run schemas -- [--check]
Writes the project's server.json schemas into schemas/ from scripts/lib/validate/schemas/define.ts.
  --check   write nothing; exit 1 when a file is out of date`;

const flags = parseFlags({ check: { type: 'boolean', default: false } }, USAGE);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

runMain(async () => {
  const stale: string[] = [];
  for (const version of SCHEMA_VERSIONS) {
    const file = path.join(root, schemaFilePath(version));
    const text = serializeSchema(buildServerSchema(version));
    if (readOrNull(file) === text) continue;
    stale.push(schemaFilePath(version));
    if (!flags.check) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
  }
  if (flags.check) {
    if (stale.length) {
      console.error(`out of date (run npm run schemas): ${stale.join(', ')}`);
      process.exit(1);
    }
    console.log(`${SCHEMA_VERSIONS.length} schemas up to date`);
    return;
  }
  console.log(stale.length ? `wrote ${stale.join(', ')}` : `${SCHEMA_VERSIONS.length} schemas up to date`);
});
