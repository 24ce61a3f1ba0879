// Debian's Chromium driven by playwright-core (which downloads no browser of its own): where it is, the
// skip reason when it is not installed, and a headless launch closed after the test.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));

/** For `test(name, { skip: chromiumSkip }, …)`. */
export const chromiumSkip: string | false = chromiumPath ? false : 'Debian chromium is not installed';

/** A headless Chromium with extra command-line switches; closed by `after`. */
export async function launchChromium(args: string[], after: (fn: () => Promise<void>) => void): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: chromiumPath!, args: ['--no-sandbox', '--headless=new', ...args] });
  after(() => browser.close());
  return browser;
}
