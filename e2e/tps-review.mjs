// The public results page's TPS view at phone width (360x800) after a
// review: each objection with its status, and the correction beside its
// version's signer, naming the objection it answers.
//
// Environment: CHROMIUM (the browser), SAKSI_URL (the server, no trailing
// slash), TPS (the TPS code), SCREENSHOT (where to write the page's PNG).
// Standard output: one JSON object for the Rust test to check
// (crates/saksi/tests/saksi/review.rs).

import { PHONE, launch } from "./browser.mjs";

const { CHROMIUM, SAKSI_URL, TPS, SCREENSHOT } = process.env;
for (const [name, value] of Object.entries({ CHROMIUM, SAKSI_URL, TPS, SCREENSHOT })) {
  if (!value) {
    throw new Error(`${name} is not set`);
  }
}

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error" && m.text().includes("Content Security Policy")) errors.push(m.text());
  });
  await page.goto(`${SAKSI_URL}/#/tps/${TPS}`);
  await page.waitForSelector(".objection");
  const out = await page.evaluate(() => ({
    objections: [...document.querySelectorAll(".objection")].map((li) => li.textContent),
    diff_links: [...document.querySelectorAll(".objection a")].map((a) => a.getAttribute("href")),
    corrections: [...document.querySelectorAll(".correction")].map((d) => d.textContent),
    scroll_width: document.documentElement.scrollWidth,
  }));
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  console.log(JSON.stringify({ ...out, errors }));
} finally {
  await browser.close();
}
