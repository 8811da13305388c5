// Steps the end-to-end scripts share: logging in through the form, a
// screenshot with the page's width, and a phone enrolled at /kpps/ and
// approved by the KPU Kab/Kota officer on /workspace/devices.

import { join } from "node:path";
import { PHONE } from "./browser.mjs";

export const WAIT = { timeout: 30000 };

/** Logs in through /login (with the authenticator's code when given). */
export async function logIn(page, url, username, password, code) {
  await page.goto(`${url}/login`);
  await page.fill("#username", username);
  await page.fill("#password", password);
  if (code) await page.fill("#totp", code);
  await Promise.all([page.waitForNavigation(), page.click("form.stack button[type=submit]")]);
}

/**
 * A function that photographs a page into `shots/<name>.png`, records its
 * width in `out.widths[name]` (a screen must not scroll sideways) and
 * answers the page's language.
 */
export function looker(out, shots) {
  return async (page, name) => {
    await page.waitForLoadState("load");
    try {
      await page.screenshot({ path: join(shots, `${name}.png`) });
    } catch (e) {
      // Headless chromium sometimes cannot capture a frame at once on a
      // loaded machine; once more after a moment.
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(shots, `${name}.png`) });
    }
    out.widths[name] = await page.evaluate(() => document.documentElement.scrollWidth);
    return page.locator("html").getAttribute("lang");
  };
}

/**
 * The officer on `page` (a KPU Kab/Kota with a certified key) issues an
 * enrolment code for `tps`; a phone (a new browser context: its own
 * cookies and IndexedDB) enrols with it at /kpps/; the officer approves
 * it and the phone sees itself approved. `step(page, name)` is called at
 * each screen worth a photograph; `phoneUrl` is where the phone reaches
 * the server (through a proxy that can cut it off). Answers {phone,
 * context, code, key, listed}.
 */
export async function enrolAndApprove(browser, page, url, tps, errors, step = async () => {}, phoneUrl = url) {
  await page.goto(`${url}/workspace/enrolment-codes`);
  await page.fill("#tps-list", tps);
  await page.click("#issue");
  await page.waitForSelector("#sheet:not([hidden]) .enrol-code", WAIT);
  const code = (await page.textContent(".enrol-code")).trim();
  await step(page, "enrolment-codes");

  const context = await browser.newContext({ viewport: PHONE });
  const phone = await context.newPage();
  phone.on("pageerror", (e) => errors.push(`phone: ${e}`));
  await phone.goto(`${phoneUrl}/kpps/`);
  await phone.fill("#tps", tps);
  await phone.fill("#code", code);
  await phone.click("#enrol-form button");
  await phone.waitForFunction(
    () => document.getElementById("status-text").dataset.status === "pending",
    null,
    WAIT,
  );
  const key = await phone.textContent("#device-key");
  await step(phone, "kpps-pending");

  await page.goto(`${url}/workspace/devices`);
  const row = page.locator("#pending-rows tr", { hasText: tps });
  await row.first().waitFor(WAIT);
  const listed = await row.count();
  await step(page, "devices");
  await row.first().locator("button").first().click();
  await phone.waitForFunction(
    () => document.getElementById("status-text").dataset.status === "approved",
    null,
    WAIT,
  );
  return { phone, context, code, key, listed };
}

/** Makes the officer's signing key on /workspace/keys and waits until it is certified. */
export async function certifiedKey(page, url) {
  await page.goto(`${url}/workspace/keys`);
  await page.click("#make-key");
  await page.waitForFunction(
    () => document.getElementById("key-status").dataset.status === "certified",
    null,
    WAIT,
  );
  return page.textContent("#key-verifier");
}
