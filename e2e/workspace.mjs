// The workspace end to end, as its users walk it, in Debian's chromium at
// a phone's width (360 px):
//   - a new PPK account sets up its authenticator app (QR page, code,
//     recovery codes), when NEW_USER / NEW_PASSWORD are given;
//   - the demo's KPU Kab/Kota officer logs in with password and TOTP code,
//     makes a signing key in the browser and sees it certified (by the
//     demo's simulated KPU Provinsi), issues an enrolment code for TPS,
//     and approves the phone that enrols with it;
//   - the phone (a second browser: its own cookies and IndexedDB) enrols
//     at /kpps/ without a password and sees itself approved;
//   - English is chosen by the link and remembered on the next page;
//   - a write without its CSRF token is refused, by the API and a form.
//
// Environment: CHROMIUM, SAKSI_URL, ACCOUNTS (demo-accounts.json), TPS (a
// TPS of the kab/kota officer's kab/kota), SHOTS (a directory for the
// screenshots), optionally NEW_USER and NEW_PASSWORD.
// Standard output: one JSON object that the Rust test checks
// (crates/saksi/tests/saksi/workspace_browser.rs).

import { readFileSync } from "node:fs";
import { PHONE, launch } from "./browser.mjs";
import { WAIT, certifiedKey, enrolAndApprove, logIn as logInAt, looker } from "./pages.mjs";
import { totpCode } from "./totp.mjs";

const { SAKSI_URL, ACCOUNTS, TPS, SHOTS, NEW_USER, NEW_PASSWORD } = process.env;
for (const [name, value] of Object.entries({ SAKSI_URL, ACCOUNTS, TPS, SHOTS })) {
  if (!value) throw new Error(`${name} is not set`);
}
const accounts = JSON.parse(readFileSync(ACCOUNTS, "utf8"));
const officer = accounts.find((a) => a.role === "kpu-kabkota");
const out = { widths: {}, errors: [] };
const look = looker(out, SHOTS);
const logIn = (page, username, password, code) => logInAt(page, SAKSI_URL, username, password, code);

const browser = await launch();
try {
  const staff = await browser.newContext({ viewport: PHONE, locale: "id-ID" });
  const page = await staff.newPage();
  page.on("pageerror", (e) => out.errors.push(`staff: ${e}`));

  // A new account: the password alone opens only the authenticator page.
  // It then makes its own signing key, which the KPU Kab/Kota officer
  // certifies below (it is no demo account: no simulated officer does).
  let fresh = null;
  let freshPage = null;
  if (NEW_USER) {
    fresh = await browser.newContext({ viewport: PHONE });
    const p = await fresh.newPage();
    freshPage = p;
    p.on("pageerror", (e) => out.errors.push(`new user: ${e}`));
    await logIn(p, NEW_USER, NEW_PASSWORD);
    out.new_user_landed = new URL(p.url()).pathname;
    await look(p, "totp");
    const secret = (await p.textContent("#totp-secret")).replace(/\s/g, "");
    await p.fill("#code", totpCode(secret));
    await Promise.all([p.waitForNavigation(), p.click("form.stack button[type=submit]")]);
    out.recovery_codes = await p.locator("#recovery-codes li").count();
    await p.goto(`${SAKSI_URL}/workspace/`);
    out.new_user_home = new URL(p.url()).pathname;
    await p.goto(`${SAKSI_URL}/workspace/keys`);
    await p.click("#make-key");
    await p.waitForFunction(
      () => document.getElementById("key-status").dataset.status === "pending",
      null,
      WAIT,
    );
    out.new_user_key = await p.textContent("#key-verifier");
  }

  // The KPU Kab/Kota officer, password and authenticator code.
  await page.goto(`${SAKSI_URL}/login`);
  out.login_lang = await look(page, "login");
  await logIn(page, officer.username, officer.password, totpCode(officer.totp_secret));
  out.officer_landed = new URL(page.url()).pathname;
  out.home_lang = await look(page, "home");

  // Writes without the CSRF token: the API (cookie, no header) and a form.
  out.api_without_csrf = await page.evaluate(async () => {
    const r = await fetch("/api/v1/enrolment-codes", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ tps: [] }),
    });
    return { status: r.status, code: (await r.json()).error.code };
  });
  out.form_without_csrf = await page.evaluate(async () => {
    const r = await fetch("/logout", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "csrf=wrong",
    });
    const text = await r.text();
    return { status: r.status, code_shown: text.includes("auth.csrf_invalid") };
  });

  // The officer's own signing key, made here and certified above.
  out.key = await certifiedKey(page, SAKSI_URL);
  await look(page, "keys");

  // The officer certifies the new PPK's key, signing in this browser; the
  // PPK's page sees it certified (it polls).
  if (freshPage) {
    await page.goto(`${SAKSI_URL}/workspace/certify`);
    const pending = page.locator("#pending-rows tr", { hasText: NEW_USER });
    await pending.first().waitFor(WAIT);
    await look(page, "certify");
    await pending.first().locator("input.commissioner").check();
    await pending.first().locator("button").click();
    await freshPage.waitForFunction(
      () => document.getElementById("key-status").dataset.status === "certified",
      null,
      WAIT,
    );
    out.new_user_key_status = "certified";
    await fresh.close();
  }

  // A one-time enrolment code for the TPS, on the printable sheet; the
  // phone (no password, its own key) enrols with it; the officer approves
  // it with a registration signed in this browser; the phone sees itself
  // approved (it polls).
  const enrolled = await enrolAndApprove(browser, page, SAKSI_URL, TPS, out.errors, look);
  const phone = enrolled.phone;
  const phoneContext = enrolled.context;
  out.code = enrolled.code;
  out.phone_key = enrolled.key;
  out.devices_listed = enrolled.listed;
  out.phone_status = "approved";
  await look(phone, "kpps-approved");

  // The phone is lost: one click on the officer's list revokes its key,
  // and the phone says so.
  await page.goto(`${SAKSI_URL}/workspace/devices`);
  const approved = page.locator(`#approved-list li[data-tps="${TPS}"]`);
  await approved.waitFor(WAIT);
  await approved.locator("button").click();
  await page.waitForSelector(`#approved-list li[data-tps="${TPS}"][data-status="revoked"]`, WAIT);
  await phone.reload();
  await phone.waitForFunction(
    () => document.getElementById("status-text").dataset.status === "revoked",
    null,
    WAIT,
  );
  out.phone_after_revocation = "revoked";

  // English, chosen once, stays chosen.
  await Promise.all([page.waitForNavigation(), page.click("#lang-switch")]);
  out.switched_lang = await page.locator("html").getAttribute("lang");
  await page.goto(`${SAKSI_URL}/workspace/`);
  out.remembered_lang = await look(page, "home-en");
  await phoneContext.close();
  await staff.close();
} catch (e) {
  out.failure = String(e && e.stack ? e.stack : e);
} finally {
  await browser.close();
}
console.log(JSON.stringify(out));
