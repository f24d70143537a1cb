// Chromium for the web site's end-to-end tests (the launcher lives in scripts/lib/chromium.ts, which the browser
// benchmark shares). Without it the tests fail in strict mode (.ci/run) and are skipped, visibly, elsewhere.

import { chromiumMissing } from '../../scripts/lib/chromium.ts';
import { STRICT_PREREQUISITES } from './strict.ts';

export { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumMissing, launchChromium } from '../../scripts/lib/chromium.ts';

/** True when the browser tests should be skipped: Chromium is missing and this is not strict mode. */
export function skipWithoutChromium(): boolean {
  return chromiumMissing() !== null && !STRICT_PREREQUISITES;
}
