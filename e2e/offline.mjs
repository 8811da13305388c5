// The KPPS app without a connection, in Debian's chromium. The connection
// is cut OUTSIDE the browser: chromium reaches the server only through a
// TCP proxy (proxy.mjs), which can let traffic through, refuse every
// connection, or pass requests on and lose their answers (chromium's own
// offline emulation would not reach the service worker's requests).
//   - /kpps/ registers its service worker, which caches the app shell;
//   - cut off, the page still loads (from that cache), the form rules
//     still answer, and an /api/ read or a POST is not answered from it;
//   - signed statements (signing.js, with a key made in the page and
//     registered as the TPS's KPPS device) wait in the outbox (queue.js),
//     the head backing off 1 s, 2 s, ... while the others wait behind it,
//     and stay queued across a reload;
//   - a statement the server logged but whose answer was lost is sent
//     again, byte for byte, and answered its first answer; so is one
//     still "sent" when the page was reloaded before its answer came;
//   - connected again, they are accepted in order with their log indexes;
//     one the server refuses shows its code, and the photo and the next
//     version queued after it are refused with it;
//   - verifyReceipt (proof.js) proves an accepted receipt against the
//     latest checkpoint with the pinned log key, and fails with another
//     pinned key, a tampered proof or a tampered receipt.
//
// Environment: CHROMIUM, SAKSI_URL, TPS, ORIGIN, FORM and FORM_2 (two
// versions of a valid C.Hasil of TPS), KABKOTA_KEY and KABKOTA_VERIFIER
// (a registered KPU Kab/Kota key over TPS, to register the page's key).
// Standard output: one JSON object that the Rust test checks
// (crates/saksi/tests/saksi/offline_browser.rs).

import { PHONE, launch } from "./browser.mjs";
import { proxy } from "./proxy.mjs";
import { setKeyStore, signStatement } from "../crates/saksi-web/assets/js/signing.js";

const { SAKSI_URL, TPS, ORIGIN, FORM, FORM_2, KABKOTA_KEY, KABKOTA_VERIFIER } = process.env;
for (const [name, value] of Object.entries({ SAKSI_URL, TPS, ORIGIN, FORM, FORM_2, KABKOTA_KEY, KABKOTA_VERIFIER })) {
  if (!value) throw new Error(`${name} is not set`);
}
const out = { errors: [] };
const WAIT = { timeout: 30000 };

// ---------------------------------------------------------------- the server, directly

async function logSize() {
  const r = await fetch(`${SAKSI_URL}/api/v1/results/ppwp`);
  return (await r.json()).log_size;
}

// Registers `verifier` as TPS's KPPS device, signed in Node by the
// KPU Kab/Kota key (signing.js with an imported key in place of IndexedDB).
async function registerDevice(verifier) {
  // PRIVATE+KEY+<name>+<key id>+<base64(0x01 || seed)>; base64 may hold "+".
  const [, , name, , ...rest] = KABKOTA_KEY.split("+");
  const b64 = rest.join("+");
  const seed = Buffer.from(b64, "base64").subarray(1);
  const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]);
  const privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, ["sign"]);
  setKeyStore({ get: async (n) => (n === name ? { name, privateKey, verifier: KABKOTA_VERIFIER } : undefined) });
  const time = (offset) => new Date(Date.now() + offset * 1000).toISOString().replace(/\.\d+Z$/, "Z");
  const statement = {
    v: 1,
    type: "key",
    action: "register",
    origin: ORIGIN,
    key: verifier,
    role: "kpps",
    region: TPS,
    valid_from: time(-3600),
    valid_until: time(30 * 86400),
    signed_at: time(0),
  };
  const r = await fetch(`${SAKSI_URL}/api/v1/keys`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(await signStatement(name, statement)),
  });
  if (r.status !== 201) throw new Error(`registering the page's key: ${r.status} ${await r.text()}`);
}

// ---------------------------------------------------------------- the page

const relay = proxy(new URL(SAKSI_URL));
const APP = `http://127.0.0.1:${await relay.listen()}`;
const browser = await launch();
try {
  const context = await browser.newContext({ viewport: PHONE, locale: "id-ID" });
  const page = await context.newPage();
  page.on("pageerror", (e) => out.errors.push(String(e)));
  await page.goto(`${APP}/kpps/`);

  // The service worker: registered, in control, the shell cached.
  out.worker = await page.evaluate(async () => {
    const { registerServiceWorker } = await import("/static/js/offline.js");
    const registration = await registerServiceWorker();
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve));
    }
    const names = await caches.keys();
    const cached = (await (await caches.open(names[0])).keys()).map((r) => new URL(r.url).pathname);
    return { scope: new URL(registration.scope).pathname, caches: names, cached };
  });

  // The page's own key, registered as the TPS's KPPS device, signs three
  // statements: versions 1 and 2 of the form, and a version 1 again
  // (signed later, so not the same bytes), which the server must refuse.
  const made = await page.evaluate(async (tps) => {
    const { makeKey } = await import("/static/js/signing.js");
    return makeKey(`kpps-${tps}`);
  }, TPS);
  await registerDevice(made.verifier);
  const statements = await page.evaluate(
    async ({ tps, origin, form, form2 }) => {
      const { signStatement, canonicalJSON } = await import("/static/js/signing.js");
      const name = `kpps-${tps}`;
      const at = (s) => new Date(Date.now() + s * 1000).toISOString().replace(/\.\d+Z$/, "Z");
      const statement = (version, prev, numbers, signedAt) => ({
        v: 1,
        type: "form",
        origin,
        tps,
        contest: "ppwp",
        version,
        prev,
        form: JSON.parse(numbers),
        photos: [],
        signed_at: signedAt,
      });
      const first = statement(1, null, form, at(0));
      const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(canonicalJSON(first)));
      const prev = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
      const again = statement(1, null, form, at(-60));
      return Promise.all(
        [first, statement(2, prev, form2, at(0)), again].map(async (s) => JSON.stringify(await signStatement(name, s))),
      );
    },
    { tps: TPS, origin: ORIGIN, form: FORM, form2: FORM_2 },
  );
  const sizeBefore = await logSize();

  // Cut off. The page reloads from the worker's cache; the rules answer
  // from it; other reads and writes are not answered from it.
  relay.set("refuse");
  const reloaded = await page.reload();
  out.offline_page = {
    status: reloaded.status(),
    from_worker: reloaded.fromServiceWorker(),
    title: await page.title(),
    lang: await page.locator("html").getAttribute("lang"),
  };
  out.offline_fetches = await page.evaluate(async () => {
    const tryFetch = async (url, init) => {
      try {
        return (await fetch(url, init)).status;
      } catch {
        return "failed";
      }
    };
    return {
      rules: await tryFetch("/api/v1/forms/rules"),
      region: await tryFetch("/api/v1/regions/0"),
      post: await tryFetch("/api/v1/keys", { method: "POST", body: "{}" }),
    };
  });

  // Queued while cut off: the head backs off, the others wait behind it.
  const url = `/api/v1/tps/${TPS}/forms/ppwp`;
  out.enqueued = await page.evaluate(
    async ({ url, statements }) => {
      const q = await import("/static/js/queue.js");
      window.changes = [];
      q.start({ onChange: (items) => window.changes.push({ at: Date.now(), items }) });
      const queued = [];
      for (const [i, body] of statements.entries()) {
        queued.push(await q.enqueue({ kind: "statement", label: `C.Hasil ${i + 1}`, url, method: "POST", body }));
      }
      const photo = new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0])], { type: "image/jpeg" });
      queued.push(
        await q.enqueue({
          kind: "photo",
          label: "foto C.Hasil 3",
          url: "/api/v1/photos/" + "0".repeat(64),
          method: "PUT",
          body: photo,
          contentType: "image/jpeg",
          after: queued[2].id,
        }),
      );
      // The next version signed while the refused one still waited, built
      // on it: never sent, refused with it.
      queued.push(
        await q.enqueue({ kind: "statement", label: "C.Hasil 4", url, method: "POST", body: statements[1], after: queued[2].id }),
      );
      return queued;
    },
    { url, statements },
  );
  await page.waitForTimeout(3500);
  out.backing_off = await page.evaluate(() => {
    // Each failure of the head: the wait it set, from the time it was seen.
    const head = window.changes.at(-1).items[0].id;
    const waits = [];
    for (const change of window.changes) {
      const item = change.items.find((i) => i.id === head);
      const key = `${item.state}/${item.attempts}`;
      if (item.state === "waiting" && item.attempts > 0 && !waits.some((w) => w.key === key)) {
        waits.push({ key, wait: item.next_attempt_at - change.at });
      }
    }
    return { items: window.changes.at(-1).items, waits: waits.map((w) => w.wait) };
  });
  out.refused_connections = relay.state.refused;

  // A reload while cut off: the outbox is still there, nothing sent.
  await page.reload();
  out.after_reload = await page.evaluate(async () => (await import("/static/js/queue.js")).items());

  // The answer is lost: the server logs the first statement, the page
  // never hears so and keeps it waiting.
  relay.set("lose");
  out.lost = await page.evaluate(async () => {
    const q = await import("/static/js/queue.js");
    window.changes = [];
    q.start({ onChange: (items) => window.changes.push({ at: Date.now(), items }) });
    await q.flush();
    return q.items();
  });
  out.lost_answers = relay.state.lost;
  out.size_after_lost = (await logSize()) - sizeBefore;

  // Sent, and its answer held back until the page is reloaded: after the
  // reload it is still "sent", and is sent again.
  relay.set("hold");
  await page.evaluate(async () => {
    const q = await import("/static/js/queue.js");
    q.flush(); // never settles: the answer does not come
  });
  for (let i = 0; i < 200 && relay.state.held === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  out.held_answers = relay.state.held;
  await page.reload();
  out.after_held = await page.evaluate(async () => (await import("/static/js/queue.js")).items());
  out.size_after_held = (await logSize()) - sizeBefore;

  // Connected again: everything is answered, in order.
  relay.set("open");
  out.final = await page.evaluate(async () => {
    const q = await import("/static/js/queue.js");
    await q.flush();
    return q.items();
  });
  out.size_after = (await logSize()) - sizeBefore;
  out.size_before = sizeBefore;

  // The receipt of the first statement, proved; then with another pinned
  // key, a tampered proof and a tampered receipt.
  out.proofs = await page.evaluate(async () => {
    const { verifyReceipt } = await import("/static/js/proof.js");
    const q = await import("/static/js/queue.js");
    const receipt = (await q.items())[0].receipt;
    let verified = await verifyReceipt(receipt);
    for (let i = 0; i < 50 && verified.reason === "proof.pending"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      verified = await verifyReceipt(receipt);
    }
    const pinned = localStorage.getItem("saksi-log-key");

    localStorage.setItem("saksi-log-key", "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
    const otherKey = await verifyReceipt(receipt);
    localStorage.setItem("saksi-log-key", pinned);

    const realFetch = window.fetch;
    window.fetch = async (url, init) => {
      const answer = await realFetch(url, init);
      if (!String(url).includes("/proof/inclusion")) return answer;
      const body = await answer.json();
      const first = Uint8Array.from(atob(body.proof[0]), (c) => c.charCodeAt(0));
      first[0] ^= 1;
      body.proof[0] = btoa(String.fromCharCode(...first));
      return new Response(JSON.stringify(body), { status: 200 });
    };
    const tamperedProof = await verifyReceipt(receipt);
    window.fetch = realFetch;

    const leaf = Uint8Array.from(atob(receipt.leaf_hash), (c) => c.charCodeAt(0));
    leaf[31] ^= 1;
    const tamperedReceipt = await verifyReceipt({ ...receipt, leaf_hash: btoa(String.fromCharCode(...leaf)) });
    const again = await verifyReceipt(receipt);
    return { verified, pinned, otherKey, tamperedProof, tamperedReceipt, again };
  });
  out.served_key = (await (await fetch(`${SAKSI_URL}/api/v1/log/key`)).text()).trim();
  await context.close();
} catch (e) {
  out.failure = String(e && e.stack ? e.stack : e);
} finally {
  await browser.close();
  await relay.close();
}
console.log(JSON.stringify(out));
