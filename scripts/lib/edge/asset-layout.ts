// Where a built file sits in the Worker's assets folder: the site at the root (so the asset layer serves it without
// the Worker), every other file under one reserved folder the Worker answers for, so a site path can never reach
// a row-index or deleted-row file and those are never public as raw files.

import { SITE_ROOT } from '../serve/routes.ts';

const SITE_PREFIX = SITE_ROOT + '/';
export const BUILD_FOLDER = '_build';

/** The asset path of a built file; null for a site path inside the reserved folder, which the site never has. */
export function assetPathOf(builtFile: string): string | null {
  if (!builtFile.startsWith(SITE_PREFIX)) return BUILD_FOLDER + '/' + builtFile;
  const sitePath = builtFile.slice(SITE_PREFIX.length);
  return sitePath === BUILD_FOLDER || sitePath.startsWith(BUILD_FOLDER + '/') ? null : sitePath;
}
