// Incidents end to end, in Debian's chromium at a phone's width (360 px),
// against a demo:
//   - the demo's KPU Kab/Kota officer enrols and approves a phone for
//     PHONE_TPS, then opens the incident screen (its queue, the dashboard,
//     live notices);
//   - the phone, cut off by a proxy outside the browser, files a critical
//     report with a photo: sealed and signed on the phone, it waits in the
//     outbox with its photo; the connection returns and the outbox shows
//     the report accepted with its log index and the photo uploaded;
//   - the officer's screen hears of it live (a "new" notice, no reload)
//     and lists it in the queue; the incident's page shows what was
//     reported, its owner (the KPU Kab/Kota) and history; the officer
//     acknowledges it, then resolves it with a resolution;
//   - the officer files a report from the workspace with the session.
//
// Environment: CHROMIUM, SAKSI_URL, ACCOUNTS (demo-accounts.json),
// PHONE_TPS, SHOTS (a directory for the screenshots).
// Standard output: one JSON object that the Rust test checks
// (crates/saksi/tests/saksi/incidents_browser.rs).

import { readFileSync } from "node:fs";
import { PHONE, launch } from "./browser.mjs";
import { png } from "./paper.mjs";
import { WAIT, certifiedKey, enrolAndApprove, logIn, looker } from "./pages.mjs";
import { proxy } from "./proxy.mjs";
import { totpCode } from "./totp.mjs";

const { SAKSI_URL, ACCOUNTS, PHONE_TPS, SHOTS } = process.env;
for (const [name, value] of Object.entries({ SAKSI_URL, ACCOUNTS, PHONE_TPS, SHOTS })) {
  if (!value) throw new Error(`${name} is not set`);
}
const accounts = JSON.parse(readFileSync(ACCOUNTS, "utf8"));
const account = (role) => accounts.find((a) => a.role === role);
const out = { widths: {}, errors: [] };
const look = looker(out, SHOTS);

/** The phone's outbox items: kind, state and log index. */
function outbox(page) {
  return page.$$eval("#outbox-items li", (l) =>
    l.map((li) => ({ kind: li.dataset.kind, state: li.dataset.state, label: li.querySelector(".outbox-label").textContent, log_index: li.dataset.logIndex ?? null })),
  );
}

/** Waits for the incident page to show `status`. */
function statusIs(page, status) {
  return page.waitForFunction((s) => document.getElementById("incident-status").dataset.status === s, status, WAIT);
}

/** Chooses `action` on the incident page, with `text`, and saves it. */
async function act(page, action, text) {
  await page.selectOption("#event-action", action);
  await page.fill("#event-text", text);
  await page.click("#event-submit");
}

const relay = proxy(new URL(SAKSI_URL));
const PHONE_URL = `http://127.0.0.1:${await relay.listen()}`;
const browser = await launch();
try {
  const officer = account("kpu-kabkota");
  const staff = await browser.newContext({ viewport: PHONE });
  const page = await staff.newPage();
  page.on("pageerror", (e) => out.errors.push(`officer: ${e}`));
  await logIn(page, SAKSI_URL, officer.username, officer.password, totpCode(officer.totp_secret));
  await certifiedKey(page, SAKSI_URL);
  const { phone } = await enrolAndApprove(browser, page, SAKSI_URL, PHONE_TPS, out.errors, undefined, PHONE_URL);

  // The officer watches the incident screen, live.
  await page.goto(`${SAKSI_URL}/workspace/incidents`);
  await page.waitForFunction(() => !document.getElementById("queue").hidden || !document.getElementById("queue-empty").hidden, null, WAIT);
  await page.waitForFunction(() => /aktif|on/.test(document.getElementById("stream-state").textContent), null, WAIT);
  out.lang = await look(page, "incidents-before");

  // The phone reports with no signal: the report and its photo wait.
  await phone.waitForSelector("#report-form", WAIT);
  relay.set("refuse");
  await phone.selectOption("#report-category", "security");
  await phone.selectOption("#report-severity", "critical");
  await phone.fill("#report-title", "Kotak suara rusak");
  await phone.fill("#report-description", "Segel kotak suara DPR putus saat tiba di TPS.");
  await phone.check("#report-form input[value='dpr']");
  await phone.setInputFiles("#report-photo-input", { name: "segel.png", mimeType: "image/png", buffer: png(320, 240, 7) });
  await phone.waitForSelector("#report-photos li", WAIT);
  out.photo = await phone.getAttribute("#report-photos li", "data-sha256");
  await phone.locator("#report").scrollIntoViewIfNeeded();
  await look(phone, "kpps-report");
  await phone.click("#report-form button[type=submit]");
  await phone.waitForFunction(() => document.getElementById("report").dataset.lastIncident, null, WAIT);
  out.incident = await phone.getAttribute("#report", "data-last-incident");
  out.said = await phone.textContent("#report-said");
  await phone.waitForFunction(() => document.querySelectorAll("#outbox-items li").length === 2, null, WAIT);
  out.queued = await outbox(phone);

  // The signal returns: the report, then its photo, are accepted.
  relay.set("open");
  await phone.evaluate(async () => (await import("/static/js/queue.js")).flush());
  await phone.waitForFunction(
    () => [...document.querySelectorAll("#outbox-items li")].every((li) => li.dataset.state === "accepted" || li.dataset.state === "refused"),
    null,
    WAIT,
  );
  out.sent = await outbox(phone);
  await look(phone, "kpps-report-sent");

  // The officer heard of it without a reload, and it is in the queue.
  const row = page.locator(`#queue-rows tr[data-id='${out.incident}']`);
  await row.waitFor(WAIT);
  out.notices = await page.$$eval("#notices li", (l) => l.map((li) => ({ event: li.dataset.event, text: li.textContent })));
  out.queue_row = await row.textContent();
  await look(page, "incidents-queue");

  // The public TPS page, no login: flagged while it is open, the
  // report's text not shown.
  const visitor = await browser.newPage({ viewport: { width: 360, height: 780 } });
  visitor.on("pageerror", (e) => out.errors.push(`visitor: ${e}`));
  await visitor.goto(`${SAKSI_URL}/#/tps/${PHONE_TPS}`);
  await visitor.waitForSelector(".incident-flag", WAIT);
  out.tps_flag = await visitor.textContent(".incident-flag");
  await look(visitor, "public-tps-flagged");
  await visitor.close();

  // Its page: what was reported, who owns it, its history; acknowledged,
  // then resolved.
  await row.locator("a").click();
  await page.waitForSelector("#incident:not([hidden])", WAIT);
  out.page = {
    title: await page.textContent("#incident-title"),
    description: await page.textContent("#incident-description"),
    owner: await page.getAttribute("#incident-owner", "data-level"),
    status: await page.getAttribute("#incident-status", "data-status"),
    history: await page.$$eval("#history li", (l) => l.map((li) => li.dataset.action)),
    actions: await page.$$eval("#event-action option", (l) => l.map((o) => o.value)),
  };
  await look(page, "incident");
  await act(page, "acknowledge", "");
  await statusIs(page, "acknowledged");
  await act(page, "resolve", "");
  await page.waitForSelector("#ws-error:not([hidden])", WAIT);
  out.resolve_without_text = await page.textContent("#ws-error");
  await act(page, "resolve", "Kotak diganti dari gudang PPK, segel baru dicatat.");
  await statusIs(page, "resolved");
  out.resolved_history = await page.$$eval("#history li", (l) => l.map((li) => li.dataset.action));
  await look(page, "incident-resolved");

  // A report filed from the workspace with the session.
  await page.goto(`${SAKSI_URL}/workspace/incidents/new`);
  await page.fill("#incident-region", PHONE_TPS);
  await page.selectOption("#incident-category", "logistics");
  await page.fill("#incident-title", "Tinta kurang");
  await page.fill("#incident-description", "Dua botol tinta tidak ada di kotak logistik.");
  await look(page, "incident-new");
  await Promise.all([page.waitForURL(/\/workspace\/incidents\/[0-9a-f]{32}$/, WAIT), page.click("#incident-submit")]);
  await page.waitForSelector("#incident:not([hidden])", WAIT);
  out.filed_by_session = {
    url: page.url(),
    owner: await page.getAttribute("#incident-owner", "data-level"),
    history: await page.$$eval("#history li", (l) => l.map((li) => li.dataset.action)),
  };
} catch (e) {
  out.failure = String(e && e.stack ? e.stack : e);
} finally {
  await browser.close();
  await relay.close();
}
console.log(JSON.stringify(out));
