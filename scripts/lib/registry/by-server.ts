import type { RegistryRecord } from '../model.ts';

/** Rows in (name, version) order cut into one run per server. */
export function groupByServer(records: readonly RegistryRecord[]): RegistryRecord[][] {
  const groups: RegistryRecord[][] = [];
  for (const record of records) {
    const last = groups[groups.length - 1];
    if (last && last[0]!.name === record.name) last.push(record);
    else groups.push([record]);
  }
  return groups;
}
