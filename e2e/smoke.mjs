// The smallest end-to-end run: Debian's chromium, driven by Playwright's
// library, opens a Saksi server's home page as a phone would (360x800),
// and shows that this browser can do what signing.js needs: WebCrypto
// Ed25519 with a non-extractable key kept in IndexedDB, and signing.js
// itself signing a statement there.
//
// Environment: CHROMIUM (the browser), SAKSI_URL (the server, no trailing
// slash), SCREENSHOT (where to write the page's PNG).
// Standard output: one JSON object for the Rust test to check
// (crates/saksi/tests/saksi/browser_signing.rs).

import { PHONE, launch } from "./browser.mjs";

const { CHROMIUM, SAKSI_URL, SCREENSHOT } = process.env;
for (const [name, value] of Object.entries({ CHROMIUM, SAKSI_URL, SCREENSHOT })) {
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
  const response = await page.goto(`${SAKSI_URL}/`);
  const status = response.status();
  const lang = await page.locator("html").getAttribute("lang");
  // What a phone shows first; the page's own width is reported (a page
  // wider than the phone scrolls sideways).
  await page.screenshot({ path: SCREENSHOT });
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);

  // WebCrypto and IndexedDB themselves: a key pair made non-extractable,
  // stored, read back in a new transaction, and signing with what was read.
  const webcrypto = await page.evaluate(async () => {
    const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open("smoke", 1);
      open.onupgradeneeded = () => open.result.createObjectStore("keys");
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const done = (tx, req) =>
      new Promise((resolve, reject) => {
        tx.oncomplete = () => resolve(req?.result);
        tx.onabort = () => reject(tx.error);
      });
    let tx = db.transaction("keys", "readwrite");
    await done(tx, tx.objectStore("keys").put(pair, "k"));
    tx = db.transaction("keys", "readonly");
    const stored = await done(tx, tx.objectStore("keys").get("k"));
    db.close();
    const message = new TextEncoder().encode("saksi smoke");
    const signature = await crypto.subtle.sign({ name: "Ed25519" }, stored.privateKey, message);
    const raw = await crypto.subtle.exportKey("raw", stored.publicKey);
    const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)));
    return {
      private_key_class: stored.privateKey.constructor.name,
      private_key_extractable: stored.privateKey.extractable,
      public_key: b64(raw),
      message: "saksi smoke",
      signature: b64(signature),
    };
  });

  // signing.js as a page uses it: a key made and kept in IndexedDB, found
  // again after a reload, signing a statement.
  const made = await page.evaluate(async () => {
    const signing = await import("/static/js/signing.js");
    return signing.makeKey("kpps-11.01.01.2001.001");
  });
  await page.reload();
  const signed = await page.evaluate(async () => {
    const signing = await import("/static/js/signing.js");
    const statement = {
      v: 1,
      type: "key",
      action: "revoke",
      origin: "saksi.localhost/log",
      key: (await signing.loadKey("kpps-11.01.01.2001.001")).verifier,
      signed_at: "2024-02-14T15:00:00Z",
    };
    return {
      has_key: await signing.hasKey("kpps-11.01.01.2001.001"),
      envelope: await signing.signStatement("kpps-11.01.01.2001.001", statement),
    };
  });

  process.stdout.write(
    JSON.stringify({ status, lang, scroll_width: scrollWidth, errors, webcrypto, made, ...signed }),
  );
} finally {
  await browser.close();
}
