// The public results page's TPS view at phone width (360x800) after a
// review: each objection with its status, and the correction beside its
// version's signer, naming the objection it answers; then the PPWP results
// of its kecamatan, signed off: the badge and the line saying so.
//
// Environment: CHROMIUM (the browser), SAKSI_URL (the server, no trailing
// slash), TPS (the TPS code), KECAMATAN (its kecamatan's code), SCREENSHOT
// (where to write the TPS page's PNG).
// Standard output: one JSON object for the Rust test to check
// (crates/saksi/tests/saksi/review.rs).

import { PHONE, launch, required, watch } from "./browser.mjs";

const { SAKSI_URL, TPS, KECAMATAN, SCREENSHOT } = required(
  "CHROMIUM", "SAKSI_URL", "TPS", "KECAMATAN", "SCREENSHOT");

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  const errors = watch(page);
  await page.goto(`${SAKSI_URL}/#/tps/${TPS}`);
  await page.waitForSelector(".objection");
  const out = await page.evaluate(() => ({
    objections: [...document.querySelectorAll(".objection")].map((li) => li.textContent),
    diff_links: [...document.querySelectorAll(".objection a")].map((a) => a.getAttribute("href")),
    corrections: [...document.querySelectorAll(".correction")].map((d) => d.textContent),
    scroll_width: document.documentElement.scrollWidth,
  }));
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  await page.goto(`${SAKSI_URL}/#/ppwp/${KECAMATAN}`);
  await page.waitForSelector("#final");
  const signedOff = await page.evaluate(() => ({
    badge: document.querySelector("#region-name .badge").textContent,
    final: document.querySelector("#final").textContent,
  }));
  console.log(JSON.stringify({ ...out, ...signedOff, errors }));
} finally {
  await browser.close();
}
