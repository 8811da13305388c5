// C.Hasil entry end to end, in Debian's chromium at a phone's width
// (360 px), against a demo that makes no forms of its own:
//   - the demo's KPU Kab/Kota officer (key certified by the demo's
//     simulated KPU Provinsi) enrols and approves a phone for PHONE_TPS;
//   - the phone reaches the server through a TCP proxy (proxy.mjs) that
//     can cut the connection outside chromium, service worker included;
//   - the phone enters the PPWP C.Hasil: a deliberate slip (the total
//     votes one more than valid + invalid) is caught in words with its
//     numbers beside the field, corrected; the double entry first
//     disagrees on a pair's votes (both values shown, the paper's chosen),
//     then agrees; a file that is no image is refused, a generated PNG is
//     taken as the photo (re-encoded to JPEG and hashed on the phone);
//   - the connection is cut; the form is signed with the phone's key and
//     waits in the outbox with its photo; the connection returns and the
//     outbox shows it accepted with its log index (the same signed bytes
//     on every attempt), the photo uploaded, and "check in the log"
//     verifies its inclusion proof;
//   - a correction is entered and accepted as version 2 (its `prev` the
//     digest of version 1);
//   - the demo's PPS officer (key certified by the demo's simulated KPU
//     Kab/Kota) opens its home, follows the TPS's link to the entry on
//     behalf of BEHALF_TPS, is asked for the reason, and enters (the DPR
//     C.Hasil, parties with their candidates), signs and sends a form that
//     is accepted;
//   - the public results page's TPS view shows each version's numbers
//     beside its photo, loaded from the server;
//   - the connection is cut again and the phone reloads its app: it opens
//     (service worker), says it shows what it kept on an earlier visit and
//     from when, lays out the PPWP ballot from it; a form (version 3) and
//     then a correction (version 4, built on version 3 still waiting in
//     the outbox) are entered and signed; the connection returns and both
//     are accepted, in order.
//
// Environment: CHROMIUM, SAKSI_URL, ACCOUNTS (demo-accounts.json),
// PHONE_TPS, BEHALF_TPS, SHOTS (a directory for the screenshots).
// Standard output: one JSON object that the Rust test checks
// (crates/saksi/tests/saksi/entry_browser.rs).

import { readFileSync } from "node:fs";
import { PHONE, launch } from "./browser.mjs";
import { PAPER, optionVotes, png, secondEntry, type } from "./paper.mjs";
import { WAIT, certifiedKey, enrolAndApprove, logIn, looker } from "./pages.mjs";
import { proxy } from "./proxy.mjs";
import { totpCode } from "./totp.mjs";

const { SAKSI_URL, ACCOUNTS, PHONE_TPS, BEHALF_TPS, SHOTS } = process.env;
for (const [name, value] of Object.entries({ SAKSI_URL, ACCOUNTS, PHONE_TPS, BEHALF_TPS, SHOTS })) {
  if (!value) throw new Error(`${name} is not set`);
}
const accounts = JSON.parse(readFileSync(ACCOUNTS, "utf8"));
const account = (role) => accounts.find((a) => a.role === role);
const out = { widths: {}, errors: [] };
const look = looker(out, SHOTS);

/** Photo, review, sign and send; answers the answer's text and log index. */
async function photoAndSign(page, shot) {
  await page.setInputFiles("#photo-input", { name: "c-hasil.png", mimeType: "image/png", buffer: png(320, 240) });
  await page.waitForSelector("#photo-list li", WAIT);
  const sha = await page.getAttribute("#photo-list li", "data-sha256");
  if (shot) await look(page, shot);
  await page.click("#to-review");
  await page.waitForSelector("#review:not([hidden]) #sign", WAIT);
  return sha;
}

/** What the phone's outbox shows: each item's kind, state, words and log index. */
function outbox(page) {
  return page.$$eval("#outbox-items li", (l) =>
    l.map((li) => ({
      kind: li.dataset.kind,
      state: li.dataset.state,
      label: li.querySelector(".outbox-label").textContent,
      text: li.querySelector(".outbox-state").textContent,
      log_index: li.dataset.logIndex ?? null,
    })),
  );
}

/** Waits until every item in the phone's outbox is accepted (or one refused). */
async function outboxSettled(page, count) {
  await page.waitForFunction(
    (count) => {
      const states = [...document.querySelectorAll("#outbox-items li")].map((li) => li.dataset.state);
      return states.length === count && (states.every((s) => s === "accepted") || states.includes("refused"));
    },
    count,
    WAIT,
  );
  return outbox(page);
}

/** Presses "check in the log" on the newest statement until the log's checkpoint covers it. */
async function checkInLog(page) {
  const item = page.locator("#outbox-items li[data-kind='statement']").first();
  for (let i = 0; i < 20; i++) {
    await item.locator(".check-log").click();
    await item.locator(".outbox-check[data-ok]").waitFor(WAIT);
    await page.waitForFunction(() => !document.querySelector(".check-log").disabled, null, WAIT);
    const ok = await item.locator(".outbox-check").getAttribute("data-ok");
    const text = await item.locator(".outbox-check").textContent();
    if (ok === "true" || !text.includes("proof.pending")) return { ok: ok === "true", text };
    await page.waitForTimeout(500);
  }
  throw new Error("the log's checkpoint never covered the entry");
}

/**
 * One PPWP entry from the contest list to the outbox, typed in bulk:
 * `values` on the paper, a photo of `size`, the review photographed as
 * `shot` if given; answers what the review and the answer said, and the
 * photo's hash.
 */
async function enterToOutbox(page, values, [w, h], shot) {
  await page.click("#contests button[data-contest='ppwp']");
  await page.waitForSelector("#entry-first input[data-field='suara_total']", WAIT);
  const ballot_kept = await page.locator("#entry .kept-notice").allTextContents();
  await type(page, "first", { ...PAPER, ...values }, true);
  await secondEntry(page, values, {}, true);
  await page.waitForSelector("#entry-agreed:not([hidden])", WAIT);
  await page.setInputFiles("#photo-input", { name: "c-hasil.png", mimeType: "image/png", buffer: png(w, h) });
  await page.waitForSelector("#photo-list li", WAIT);
  const photo = await page.getAttribute("#photo-list li", "data-sha256");
  await page.click("#to-review");
  await page.waitForSelector("#review:not([hidden]) #sign", WAIT);
  const review = await page.textContent("#review-version");
  const after = await page.locator("#review-after").allTextContents();
  const review_kept = await page.locator("#review .kept-notice").allTextContents();
  if (shot) await look(page, shot);
  await page.click("#sign");
  await page.waitForFunction(() => document.getElementById("answer").dataset.state === "ok", null, WAIT);
  return { ballot_kept, review, after, review_kept, photo, answer: await page.textContent("#answer-text") };
}

/** Signs and sends; answers the answer's text, state and log index. */
async function signAndSend(page) {
  await page.click("#sign");
  await page.waitForFunction(() => {
    const state = document.getElementById("answer").dataset.state;
    return state === "ok" || state === "refused";
  }, null, WAIT);
  return {
    text: await page.textContent("#answer-text"),
    state: await page.getAttribute("#answer", "data-state"),
    log_index: await page.getAttribute("#answer", "data-log-index"),
  };
}

const relay = proxy(new URL(SAKSI_URL));
const PHONE_URL = `http://127.0.0.1:${await relay.listen()}`;
const browser = await launch();
try {
  // The KPU Kab/Kota officer enrols and approves the phone.
  const officer = account("kpu-kabkota");
  const staff = await browser.newContext({ viewport: PHONE });
  const page = await staff.newPage();
  page.on("pageerror", (e) => out.errors.push(`officer: ${e}`));
  await logIn(page, SAKSI_URL, officer.username, officer.password, totpCode(officer.totp_secret));
  await certifiedKey(page, SAKSI_URL);
  const { phone, context } = await enrolAndApprove(browser, page, SAKSI_URL, PHONE_TPS, out.errors, undefined, PHONE_URL);
  await staff.close();

  // The phone chooses PPWP among the contests held at its TPS.
  await phone.waitForSelector("#contests button[data-contest='ppwp']", WAIT);
  out.contests = await phone.$$eval("#contests button", (l) => l.map((b) => b.dataset.contest));
  await look(phone, "entry-contests");
  await phone.click("#contests button[data-contest='ppwp']");
  await phone.waitForSelector("#entry-first input[data-field='suara_total']", WAIT);
  out.numeric_keyboard = await phone.$$eval("#entry-first input", (l) => l.every((i) => i.inputMode === "numeric"));
  const options = await optionVotes(phone);
  out.options = Object.keys(options);

  // A slip: one vote too many in the total. The page says so, in words
  // with the numbers, beside the field.
  await type(phone, "first", { ...PAPER, ...options, suara_total: 206 });
  const finding = "#entry-first .finding[data-for='suara_total']";
  await phone.waitForSelector(`${finding}:not([hidden])`, WAIT);
  out.slip = await phone.textContent(finding);
  out.slip_blocks = await (async () => {
    await phone.click("#to-second");
    return (await phone.textContent("#entry-blocked")).includes("entry.rules_failed");
  })();
  await phone.locator(finding).scrollIntoViewIfNeeded();
  await look(phone, "entry-slip");
  await type(phone, "first", { suara_total: 205 });
  await phone.waitForSelector(finding, { state: "hidden", ...WAIT });
  out.after_correction = await phone.textContent("#entry-summary");

  // The double entry disagrees on the first pair: both numbers shown.
  const [firstOption] = Object.keys(options);
  await secondEntry(phone, options, { [firstOption]: options[firstOption] + 1 });
  await phone.waitForSelector("#entry-mismatches:not([hidden]) .mismatch", WAIT);
  out.mismatch = await phone.textContent("#entry-mismatches");
  out.mismatch_fields = await phone.$$eval("#entry-mismatches .mismatch", (l) => l.map((m) => m.dataset.field));
  await look(phone, "entry-mismatch");
  // The paper says the first entry's number.
  await phone.click("#entry-mismatches .mismatch button[data-which='first']");
  await phone.waitForSelector("#entry-agreed:not([hidden])", WAIT);
  out.agreed = true;

  // No photo, no review; a file that is no image is refused; the photo
  // is taken.
  await phone.click("#to-review");
  await phone.waitForSelector("#photo-problem:not([hidden])", WAIT);
  out.no_photo = await phone.textContent("#photo-problem");
  await phone.setInputFiles("#photo-input", { name: "c-hasil.png", mimeType: "image/png", buffer: Buffer.from("not an image") });
  await phone.waitForSelector("#photo-problem:not([hidden])", WAIT);
  out.not_an_image = await phone.textContent("#photo-problem");
  out.photo_sha256 = await photoAndSign(phone, "entry-photo");
  out.png_sha256 = (await import("node:crypto")).createHash("sha256").update(png(320, 240)).digest("hex");
  out.review_version = await phone.textContent("#review-version");
  await look(phone, "entry-review");
  // The connection is cut (outside chromium) before the officer signs:
  // the signed form and its photo wait in the outbox, the form first.
  const posted = [];
  const photoAnswers = [];
  phone.on("request", (r) => {
    if (r.method() === "POST" && r.url().includes("/forms/")) posted.push(r.postData());
  });
  phone.on("response", (r) => {
    if (r.request().method() === "PUT" && r.url().includes("/api/v1/photos/")) photoAnswers.push(r.status());
  });
  relay.set("refuse");
  await phone.click("#sign");
  await phone.waitForFunction(() => document.getElementById("answer").dataset.state === "ok", null, WAIT);
  out.queued = await phone.textContent("#answer-text");
  await phone.waitForFunction(() => document.querySelectorAll("#outbox-items li").length === 2, null, WAIT);
  // The outbox tried, found no connection, and waits to try again.
  for (let i = 0; i < 100 && relay.state.refused === 0; i++) await phone.waitForTimeout(50);
  await phone.waitForSelector("#outbox-items li[data-kind='statement'][data-state='waiting']", WAIT);
  out.offline_outbox = await outbox(phone);
  await phone.locator("#outbox").scrollIntoViewIfNeeded();
  await look(phone, "kpps-outbox-waiting");

  // The connection returns: the outbox sends the form, then the photo.
  relay.set("open");
  out.outbox = await outboxSettled(phone, 2);
  out.refused_connections = relay.state.refused;
  out.resent_identical = posted.length >= 1 && posted.every((p) => p === posted[0]);
  out.photo_answers = [...photoAnswers];
  out.check = await checkInLog(phone);
  await phone.locator("#outbox").scrollIntoViewIfNeeded();
  await look(phone, "kpps-outbox");

  // A correction: the paper's first two pairs had one vote swapped. It is
  // version 2, naming version 1's digest.
  const [a, b] = Object.keys(options);
  const corrected = { ...options, [a]: options[a] - 1, [b]: options[b] + 1 };
  await phone.click("#another");
  await phone.waitForSelector("#contests button[data-contest='ppwp']", WAIT);
  out.ppwp_state = await phone.textContent("#contests button[data-contest='ppwp'] .contest-state");
  await phone.click("#contests button[data-contest='ppwp']");
  await phone.waitForSelector("#entry-first input[data-field='suara_total']", WAIT);
  await type(phone, "first", { ...PAPER, ...corrected }, true);
  await secondEntry(phone, corrected, {}, true);
  await phone.waitForSelector("#entry-agreed:not([hidden])", WAIT);
  await phone.setInputFiles("#photo-input", { name: "c-hasil-2.png", mimeType: "image/png", buffer: png(300, 220) });
  await phone.waitForSelector("#photo-list li", WAIT);
  out.correction_photo = await phone.getAttribute("#photo-list li", "data-sha256");
  await phone.click("#to-review");
  await phone.waitForSelector("#review:not([hidden]) #sign", WAIT);
  out.correction_review = await phone.textContent("#review-version");
  await phone.click("#sign");
  out.correction_outbox = await outboxSettled(phone, 4);

  // The party and DPD ballots are laid out from the TPS's dapil.
  await phone.click("#another");
  await phone.waitForSelector("#contests button[data-contest='dpr']", WAIT);
  await phone.click("#contests button[data-contest='dpr']");
  await phone.waitForSelector("#entry-first input[data-field$='.party']", WAIT);
  out.dpr = {
    parties: await phone.locator("#entry-first input[data-field$='.party']").count(),
    candidates: await phone.locator("#entry-first input[data-field*='.candidates.']").count(),
  };
  await phone.evaluate(() => document.querySelector("#entry-first [data-section='votes']").scrollIntoView());
  await look(phone, "entry-dpr");
  await phone.click("#back-to-contests");
  await phone.click("#contests button[data-contest='dpd']");
  await phone.waitForSelector("#entry-first input[data-field^='options.']", WAIT);
  out.dpd_candidates = await phone.locator("#entry-first input[data-field^='options.']").count();

  // The PPS enters on behalf of a TPS of its desa, from its home.
  const pps = account("pps");
  const ppsContext = await browser.newContext({ viewport: PHONE });
  const desk = await ppsContext.newPage();
  desk.on("pageerror", (e) => out.errors.push(`pps: ${e}`));
  await logIn(desk, SAKSI_URL, pps.username, pps.password, totpCode(pps.totp_secret));
  await certifiedKey(desk, SAKSI_URL);
  await desk.goto(`${SAKSI_URL}/workspace/`);
  await Promise.all([desk.waitForNavigation(), desk.click(`a[href="/workspace/entry/${BEHALF_TPS}"]`)]);
  out.behalf_path = new URL(desk.url()).pathname;
  // The DPR C.Hasil: every party's votes and each of its candidates'.
  await desk.waitForSelector("#contests button[data-contest='dpr']", WAIT);
  await desk.click("#contests button[data-contest='dpr']");
  await desk.waitForSelector("#entry-first input[data-field$='.party']", WAIT);
  const deskOptions = await optionVotes(desk);
  out.behalf_boxes = Object.keys(deskOptions).length;
  await type(desk, "first", { ...PAPER, ...deskOptions }, true);
  await desk.evaluate(() => window.scrollTo(0, 0));
  await look(desk, "behalf-entry");
  await secondEntry(desk, deskOptions, {}, true);
  await desk.waitForSelector("#entry-agreed:not([hidden])", WAIT);
  // Three photos at most: a fourth is refused.
  for (const [w, h] of [[300, 200], [280, 200]]) {
    await desk.setInputFiles("#photo-input", { name: "page.png", mimeType: "image/png", buffer: png(w, h) });
  }
  await desk.waitForFunction(() => document.querySelectorAll("#photo-list li").length === 2, null, WAIT);
  await photoAndSign(desk);
  out.behalf_photos = await desk.locator("#photo-list li").count();
  await desk.setInputFiles("#photo-input", { name: "page.png", mimeType: "image/png", buffer: png(260, 180) });
  await desk.waitForSelector("#photo-problem:not([hidden])", WAIT);
  out.fourth_photo = await desk.textContent("#photo-problem");
  // No reason, no signature.
  await desk.click("#sign");
  await desk.waitForSelector("#answer:not([hidden])", WAIT);
  out.without_reason = await desk.textContent("#answer-text");
  await desk.fill("#reason", "HP KPPS rusak");
  out.behalf_answer = await signAndSend(desk);
  await look(desk, "behalf-accepted");
  await ppsContext.close();

  // The public results page, TPS view: each version's numbers beside its
  // photo, loaded from the server.
  const reader = await browser.newContext({ viewport: PHONE });
  const results = await reader.newPage();
  results.on("pageerror", (e) => out.errors.push(`results: ${e}`));
  await results.goto(`${SAKSI_URL}/#/tps/${PHONE_TPS}`);
  await results.waitForSelector(".photos img", WAIT);
  await results.waitForFunction(() => [...document.querySelectorAll(".photos img")].every((img) => img.complete), null, WAIT);
  out.public_rows = await results.$$eval("tr", (rows) =>
    rows
      .filter((tr) => tr.querySelector(".photos img"))
      .map((tr) => ({
        version: tr.cells[0].textContent,
        suara_sah: tr.cells[1].textContent,
        photo: tr.querySelector(".photos img").getAttribute("src"),
        loaded_width: tr.querySelector(".photos img").naturalWidth,
      })),
  );
  await look(results, "tps-public");
  await reader.close();

  // No signal at the TPS: the phone reloads its app and enters PPWP
  // again (version 3), then a correction (version 4) while version 3
  // still waits in the outbox.
  const cut = Date.now();
  relay.set("refuse");
  await phone.reload();
  await phone.waitForSelector("#contests button[data-contest='ppwp']", WAIT);
  out.no_signal_list_kept = await phone.locator("#entry .kept-notice").allTextContents();
  await look(phone, "kpps-offline-kept");
  const offline = [await enterToOutbox(phone, options, [310, 230])];
  await phone.click("#another");
  await phone.waitForSelector("#contests button[data-contest='ppwp']", WAIT);
  offline.push(await enterToOutbox(phone, corrected, [290, 210], "entry-review-offline"));
  out.no_signal = { entries: offline, waiting: await outbox(phone) };
  relay.set("open");
  const back = Date.now();
  out.no_signal.outbox = await outboxSettled(phone, 8);
  out.no_signal.settled_ms = Date.now() - back;
  out.no_signal.ms = Date.now() - cut;
  await context.close();
} catch (e) {
  out.failure = String(e && e.stack ? e.stack : e);
} finally {
  await browser.close();
  await relay.close();
}
console.log(JSON.stringify(out));
