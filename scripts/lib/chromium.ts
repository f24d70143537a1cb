// Real Chromium for the web site's end-to-end tests and the browser benchmark: Debian's `chromium` package, driven by
// playwright-core through `executablePath` (playwright never downloads a browser here). CHROMIUM_PATH overrides the
// binary.

import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A quiet headless run in containers and CI: no sandbox (often root, no user namespaces), no GPU, no /dev/shm
 * (small in containers), and none of the background traffic a fresh profile would start. */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Why Chromium cannot run here, or null. */
export function chromiumMissing(): string | null {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return null;
  } catch {
    return `Chromium is not installed at ${CHROMIUM_PATH} (Debian: apt-get install chromium)`;
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}
