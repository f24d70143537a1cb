// Chromium for the web site's end-to-end tests (the launcher lives in scripts/lib/chromium.ts, which the browser
// benchmark shares). Without it the tests fail in CI (CI=true) and are skipped, visibly, elsewhere.

import { chromiumMissing } from '../../scripts/lib/chromium.ts';

export { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumMissing, launchChromium } from '../../scripts/lib/chromium.ts';

/** True when the browser tests should be skipped: Chromium is missing and this is not CI. */
export function skipWithoutChromium(): boolean {
  return chromiumMissing() !== null && process.env.CI !== 'true';
}
