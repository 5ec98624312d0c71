import type { TestContext } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";

/** Debian's chromium, headless (no browser download), closed when the test ends. */
export async function browserPage(t: TestContext, baseURL: string): Promise<Page> {
  const browser: Browser = await chromium.launch({
    executablePath: process.env["SLUICE_CHROMIUM"] ?? "/usr/bin/chromium",
    headless: true,
    // root has no user namespace sandbox for chromium here; the pages are our own
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  t.after(() => browser.close());
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 } });
  return context.newPage();
}
