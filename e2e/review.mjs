// The PPK's review queue in Debian's chromium at a phone's width (360 px),
// against a demo whose PPK kecamatan has forms, a TPS without one and an
// open objection (made by the Rust test through the API):
//   - the demo's PPK member logs in, makes a signing key in this browser
//     and waits for the demo's KPU Kab/Kota to certify it;
//   - /workspace/review lists the kecamatan's TPS, those needing attention
//     first;
//   - the member rejects the objection with a reason, signed in this
//     browser; the queue shows it ruled.
//
// Environment: CHROMIUM, SAKSI_URL, ACCOUNTS (demo-accounts.json), SHOTS
// (a directory for the screenshots), OBJECTION (the objection's log index).
// Standard output: one JSON object that the Rust test checks
// (crates/saksi/tests/saksi/review_browser.rs).

import { readFileSync } from "node:fs";
import { PHONE, launch, required, watch } from "./browser.mjs";
import { WAIT, certifiedKey, logIn, looker } from "./pages.mjs";
import { totpCode } from "./totp.mjs";

const { SAKSI_URL, ACCOUNTS, SHOTS, OBJECTION } = required(
  "CHROMIUM", "SAKSI_URL", "ACCOUNTS", "SHOTS", "OBJECTION");
const accounts = JSON.parse(readFileSync(ACCOUNTS, "utf8"));
const ppk = accounts.find((a) => a.role === "ppk");
const out = { widths: {} };
const look = looker(out, SHOTS);

/** The queue as drawn: each TPS with its reasons for attention. */
function queue(page) {
  return page.$$eval("#queue > li", (items) =>
    items.map((li) => ({ tps: li.dataset.tps, attention: li.dataset.attention ? li.dataset.attention.split(" ") : [] })),
  );
}

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  out.errors = watch(page);
  await logIn(page, SAKSI_URL, ppk.username, ppk.password, totpCode(ppk.totp_secret));
  out.key = (await certifiedKey(page, SAKSI_URL)).trim();

  await page.goto(`${SAKSI_URL}/workspace/`);
  out.home_link = await page.getAttribute("#review-link", "href");
  await page.click("#review-link");
  await page.waitForSelector("#queue > li", WAIT);
  out.queue = await queue(page);
  out.state = await page.getAttribute("#recap-state", "data-state");
  await page.evaluate(() => document.getElementById("summary").scrollIntoView());
  out.lang = await look(page, "review-queue");

  // The objection's ruling, signed in this browser.
  const objection = page.locator(`li.objection[data-log-index="${OBJECTION}"]`);
  await objection.locator("select").selectOption("rejected");
  await objection.locator("input").fill("Dicocokkan dengan C.Hasil plano di pleno: angkanya benar.");
  await objection.locator("button.rule").click();
  await page.waitForSelector(`li.objection[data-log-index="${OBJECTION}"][data-status="rejected"]`, WAIT);
  out.ruled_status = await page.textContent("#ws-status");
  out.queue_after = await queue(page);
  await look(page, "review-ruled");
  console.log(JSON.stringify(out));
} catch (e) {
  out.failure = String((e && e.stack) || e);
  console.log(JSON.stringify(out));
} finally {
  await browser.close();
}
