// The public results page's TPS view at phone width (360x800): each photo
// the current version's statement names, stored ones as thumbnails that
// load from the server and link to the full photo, a pending one as a
// note, beside the numbers.
//
// Environment: CHROMIUM (the browser), SAKSI_URL (the server, no trailing
// slash), TPS (the TPS code), SCREENSHOT (where to write the page's PNG).
// Standard output: one JSON object for the Rust test to check
// (crates/saksi/tests/saksi/browser_photos.rs).

import { PHONE, launch, required, watch } from "./browser.mjs";

const { SAKSI_URL, TPS, SCREENSHOT } = required("CHROMIUM", "SAKSI_URL", "TPS", "SCREENSHOT");

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  // A CSP violation (an image from elsewhere, an inline style) is logged
  // to the console; a failed request is reported with its address (the
  // browser's own favicon request aside: the page has none).
  const errors = watch(page);
  page.on("response", (r) => {
    if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) errors.push(`${r.status()} ${r.url()}`);
  });
  await page.goto(`${SAKSI_URL}/#/tps/${TPS}`);
  await page.waitForSelector(".photos img");
  await page.waitForFunction(() =>
    [...document.querySelectorAll(".photos img")].every((img) => img.complete));
  const photos = await page.evaluate(() =>
    [...document.querySelectorAll(".photos")].map((cell) => ({
      thumbnails: [...cell.querySelectorAll("a.photo")].map((a) => {
        const img = a.querySelector("img");
        return {
          href: a.getAttribute("href"),
          src: img.getAttribute("src"),
          loaded_width: img.naturalWidth,
          shown_width: img.getBoundingClientRect().width,
          left: img.getBoundingClientRect().left,
        };
      }),
      pending: [...cell.querySelectorAll(".photo-pending")].map((s) => s.textContent),
    })));
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  console.log(JSON.stringify({ photos, errors, scroll_width: scrollWidth }));
} finally {
  await browser.close();
}
