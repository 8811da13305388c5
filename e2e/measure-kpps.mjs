// Measures the KPPS app on a slow phone link, in Debian's chromium at a
// phone's width, against a running demo that makes no forms of its own
// (`saksi demo --rate 0`): the README's Performance section gives the
// commands and the figures.
//
// The phone reaches the server through proxy.mjs made a slow link (KBPS
// kilobits a second each way, RTT_MS round trip), which also counts every
// byte, the service worker's own requests included:
//   1. the app shell: /kpps/ opened by a new phone (nothing cached), until
//      the service worker has cached the shell and the line is quiet;
//      then opened again (the shell from the cache);
//   2. the time from pressing "sign and send" to the receipt (the outbox
//      shows the form accepted with its log index), and to the photo
//      uploaded after it: a 12-megapixel photograph of the paper form,
//      re-encoded on the phone as the app does.
// Enrolment and the entry itself go over the fast link: they are the
// officer's typing, not the network's.
//
// Environment: CHROMIUM, SAKSI_URL, ACCOUNTS (demo-accounts.json);
// KBPS (default 400), RTT_MS (default 400).
// Standard output: one JSON object.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PHONE, launch } from "./browser.mjs";
import { WAIT, certifiedKey, enrolAndApprove, logIn } from "./pages.mjs";
import { PAPER, optionVotes, png, secondEntry, type } from "./paper.mjs";
import { proxy } from "./proxy.mjs";
import { totpCode } from "./totp.mjs";

const { SAKSI_URL, ACCOUNTS } = process.env;
if (!SAKSI_URL || !ACCOUNTS) throw new Error("SAKSI_URL and ACCOUNTS must be set");
const link = { kbps: Number(process.env.KBPS || 400), rttMs: Number(process.env.RTT_MS || 400) };
const officer = JSON.parse(readFileSync(ACCOUNTS, "utf8")).find((a) => a.role === "kpu-kabkota");

/** A TPS under `code` with no PPWP form yet (so that runs can repeat on one demo). */
async function freshTps(code) {
  const region = await (await fetch(`${SAKSI_URL}/api/v1/regions/${code}`)).json();
  if (region.level === "tps") {
    const tps = await (await fetch(`${SAKSI_URL}/api/v1/tps/${code}`)).json();
    return tps.contests.find((c) => c.contest === "ppwp").current ? null : code;
  }
  for (const child of region.children) {
    const found = await freshTps(child.code);
    if (found) return found;
  }
  return null;
}

/** Waits until the line has carried nothing for a second; answers the bytes carried. */
async function quiet(relay) {
  let last = -1;
  while (relay.state.up + relay.state.down !== last) {
    last = relay.state.up + relay.state.down;
    await new Promise((r) => setTimeout(r, 1000));
  }
  return { down: relay.state.down, up: relay.state.up };
}

function reset(relay) {
  relay.state.up = 0;
  relay.state.down = 0;
}

const relay = proxy(new URL(SAKSI_URL));
const PHONE_URL = `http://127.0.0.1:${await relay.listen()}`;
const browser = await launch();
const out = { link, errors: [] };
const scratch = mkdtempSync(join(tmpdir(), "saksi-measure-"));
try {
  // 1. The app shell, first load and cached.
  relay.link(link);
  const fresh = await browser.newContext({ viewport: PHONE });
  const shell = await fresh.newPage();
  shell.on("pageerror", (e) => out.errors.push(`shell: ${e}`));
  let started = performance.now();
  await shell.goto(`${PHONE_URL}/kpps/`);
  const loaded = performance.now() - started;
  await shell.evaluate(() => navigator.serviceWorker.ready);
  await shell.waitForFunction(async () => (await caches.keys()).some((k) => k.startsWith("saksi-kpps-")), null, WAIT);
  out.first_load = { ...(await quiet(relay)), load_ms: Math.round(loaded) };
  reset(relay);
  started = performance.now();
  await shell.reload();
  out.cached_load = { load_ms: Math.round(performance.now() - started), ...(await quiet(relay)) };
  out.cached_load.from_service_worker = await shell.evaluate(() => navigator.serviceWorker.controller != null);
  await fresh.close();

  // 2. Send to receipt: enrol and enter over the fast link, sign over the slow one.
  relay.link(null);
  const tps = await freshTps(officer.region);
  if (!tps) throw new Error(`every TPS of ${officer.region} has a PPWP form: start a new demo`);
  const staff = await browser.newContext({ viewport: PHONE });
  const page = await staff.newPage();
  await logIn(page, SAKSI_URL, officer.username, officer.password, totpCode(officer.totp_secret));
  await certifiedKey(page, SAKSI_URL);
  const { phone } = await enrolAndApprove(browser, page, SAKSI_URL, tps, out.errors, undefined, PHONE_URL);
  await phone.click("#contests button[data-contest='ppwp']");
  await phone.waitForSelector("#entry-first input[data-field='suara_total']", WAIT);
  const options = await optionVotes(phone);
  await type(phone, "first", { ...PAPER, ...options }, true);
  await secondEntry(phone, options, {}, true);
  await phone.waitForSelector("#entry-agreed:not([hidden])", WAIT);
  const photo = join(scratch, "c-hasil.png");
  writeFileSync(photo, png(4000, 3000, 24));
  await phone.setInputFiles("#photo-input", photo);
  await phone.waitForSelector("#photo-list li", { timeout: 120000 });
  const sha = await phone.getAttribute("#photo-list li", "data-sha256");
  await phone.click("#to-review");
  await phone.waitForSelector("#review:not([hidden]) #sign", WAIT);

  relay.link(link);
  await quiet(relay);
  reset(relay);
  started = performance.now();
  await phone.click("#sign");
  // Waits until the newest item of `kind` is settled; a refusal ends the run.
  const accepted = async (kind) => {
    const item = `#outbox-items li[data-kind='${kind}']`;
    await phone.waitForFunction(
      (item) => ["accepted", "refused"].includes(document.querySelector(item)?.dataset.state),
      item,
      { timeout: 300000 },
    );
    if ((await phone.getAttribute(item, "data-state")) !== "accepted") {
      throw new Error(`${kind} refused: ${await phone.textContent(item)}`);
    }
  };
  await accepted("statement");
  out.send_to_receipt_ms = Math.round(performance.now() - started);
  await accepted("photo");
  out.send_to_photo_stored_ms = Math.round(performance.now() - started);
  out.sent = await quiet(relay);
  const stored = await fetch(`${SAKSI_URL}/api/v1/photos/${sha}`);
  out.photo_bytes = (await stored.arrayBuffer()).byteLength;
} finally {
  await browser.close();
  await relay.close();
  rmSync(scratch, { recursive: true, force: true });
}
console.log(JSON.stringify(out));
