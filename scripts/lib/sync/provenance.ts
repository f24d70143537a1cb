// `entries/<namespace>/<server>/upstream.json`: where a mirrored server comes from and the upstream state of each
// of its versions. Written by the sync only, read by the build (timestamps and status) and the validator.

import { compareBytewise } from '../query/compare.ts';
import { escapePointerSegment, problem, type Problem } from '../problems.ts';
import { parseUpstreamState } from './api-source.ts';
import type { Provenance, UpstreamState } from './types.ts';

const HINT = 'This file is written by npm run sync; run it again rather than editing the file (docs/sub-registry.md).';

export function parseProvenance(file: string, text: string): { provenance?: Provenance; problems: Problem[] } {
  const bad = (jsonPath: string, message: string) => ({ problems: [problem({ code: 'provenance-invalid', file, jsonPath, message, hint: HINT })] });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return bad('', `not valid JSON: ${(error as Error).message}`);
  }
  const o = value as Record<string, unknown> | null;
  if (!o || typeof o !== 'object' || Array.isArray(o)) return bad('', 'expected an object with source, from and versions');
  if (typeof o.source !== 'string') return bad('/source', 'source must be the id of a source in registry.yaml');
  if (typeof o.from !== 'string') return bad('/from', 'from must be the source URL or file');
  const raw = o.versions as Record<string, unknown> | null;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return bad('/versions', 'versions must map each version to its upstream state');
  const versions: Record<string, UpstreamState> = {};
  for (const [version, state] of Object.entries(raw)) {
    const parsed = parseUpstreamState(state);
    if (typeof parsed === 'string') return bad(`/versions/${escapePointerSegment(version)}${parsed}`, 'not an upstream state (status, statusChangedAt, publishedAt, updatedAt)');
    versions[version] = parsed;
  }
  return { provenance: { source: o.source, from: o.from, versions }, problems: [] };
}

/** The file's text: versions in bytewise order, two-space indentation, so that sync diffs stay small. */
export function formatProvenance(provenance: Provenance): string {
  const versions: Record<string, UpstreamState> = {};
  for (const version of Object.keys(provenance.versions).sort(compareBytewise)) versions[version] = provenance.versions[version]!;
  return `${JSON.stringify({ source: provenance.source, from: provenance.from, versions }, null, 2)}\n`;
}
