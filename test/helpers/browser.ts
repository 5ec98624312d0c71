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

/** Fills the login form (on the page already) and waits for the home page. */
export async function logIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL(/\/$/);
}
