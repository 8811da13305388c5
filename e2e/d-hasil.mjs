// The D.Hasil of a final region at phone width (360x800), on screen and
// as printed: no sideways scroll, the document's parts all there (the
// status, each child, each commissioner's key, the QR code drawn, the
// checkpoint and its proof link); under print media emulation the
// navigation, the language link, the skip link and the print button are
// gone and the document stays, the proof link printing its address. A
// region not final is a 404 page saying why.
//
// Environment: CHROMIUM (the browser), SAKSI_URL (the server, no trailing
// slash), CONTEST, REGION (final), NOT_FINAL (a region of that contest
// whose recap is not final), SCREENSHOT and PRINT_SCREENSHOT (where to
// write the first screen's PNG, on screen and as printed). Standard
// output: one JSON object for the Rust test to check
// (crates/saksi/tests/saksi/review.rs).

import { PHONE, launch, required, watch } from "./browser.mjs";

const { SAKSI_URL, CONTEST, REGION, NOT_FINAL, SCREENSHOT, PRINT_SCREENSHOT } = required(
  "CHROMIUM", "SAKSI_URL", "CONTEST", "REGION", "NOT_FINAL", "SCREENSHOT", "PRINT_SCREENSHOT");

// What the page shows, as laid out for the current media.
function look() {
  const shown = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const all = (selector) => [...document.querySelectorAll(selector)];
  const qr = document.getElementById("d-hasil-qr");
  const proof = document.getElementById("d-hasil-proof");
  return {
    scroll_width: document.documentElement.scrollWidth,
    status: document.getElementById("d-hasil-status")?.textContent ?? null,
    children: all("#d-hasil-children tbody tr").filter(shown).length,
    keys: all("#d-hasil-keys tbody th code").filter(shown).map((c) => c.textContent),
    qr_drawn: shown(qr) && qr.complete && qr.naturalWidth > 0,
    checkpoint: shown(document.getElementById("d-hasil-checkpoint")),
    proof_after: proof ? getComputedStyle(proof, "::after").content : null,
    document: shown(document.querySelector("article.d-hasil")),
    // Navigation and every control a reader could press.
    navigation: all("header.top, nav, .skip, #lang-switch").filter(shown).map((e) => e.id || e.className || e.tagName),
    controls: all("button, input, select, textarea, form").filter(shown).map((e) => e.id || e.tagName),
  };
}

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  const errors = watch(page);
  const response = await page.goto(`${SAKSI_URL}/recap/${CONTEST}/${REGION}/d-hasil`);
  await page.waitForSelector("#print:not([hidden])");
  const screen = await page.evaluate(look);
  await page.screenshot({ path: SCREENSHOT });
  await page.emulateMedia({ media: "print" });
  const paper = await page.evaluate(look);
  await page.screenshot({ path: PRINT_SCREENSHOT });
  await page.emulateMedia({ media: "screen" });
  const missing = await page.goto(`${SAKSI_URL}/recap/${CONTEST}/${NOT_FINAL}/d-hasil`);
  const not_final = {
    status: missing.status(),
    code: await page.textContent("#error-code"),
    scroll_width: await page.evaluate(() => document.documentElement.scrollWidth),
  };
  console.log(JSON.stringify({ status: response.status(), screen, paper, not_final, errors }));
} finally {
  await browser.close();
}
