// The KPPS device app: enrols this browser as its TPS's device. The phone
// makes its own Ed25519 key (WebCrypto, non-extractable, kept in
// IndexedDB by signing.js), sends only the verifier key with the one-time
// code, and polls until the KPU Kab/Kota approves (registers the key) or
// rejects it. Once approved, the phone pins the log's key and enters its
// TPS's C.Hasil forms (entry.js), signs them with that key and puts them
// in the outbox (queue.js): the numbers first, their photos after them,
// sent whenever there is a connection; the outbox lists each item's state
// and checks an accepted one's inclusion in the log (proof.js). The app
// opens without a connection (offline.js), and so does its entry, from
// what the phone kept of its TPS's reads (kept.js) once approved: the
// approval is remembered on the phone. A version signed while the one
// before it still waits in the outbox builds on it. The approved phone also
// files incident reports, signed and queued the same way (report.js).
// Every string shown comes from the page's catalogue.
import { makeKey, loadKey, statementDigest } from "./signing.js";
import { entryScreen, reasonText } from "./entry.js";
import { el, fill } from "./chasil.js";
import { enqueue, items, lastPending, start as startOutbox } from "./queue.js";
import { keeper } from "./kept.js";
import { pinLogKey, verifyReceipt } from "./proof.js";
import { registerServiceWorker } from "./offline.js";
import { mountReport } from "./report.js";

const messages = JSON.parse(document.getElementById("messages").textContent);
const $ = id => document.getElementById(id);
const STORE = "saksi-kpps-enrolment";
const POLL_MS = 4000;

const formUrl = (tps, contest) => `/api/v1/tps/${tps}/forms/${contest}`;

// How a signed C.Hasil and its photos leave the phone: into the outbox,
// the statement first (after the version it builds on, when that one
// still waits) and each photo after it (a photo is stored only once its
// statement is accepted).
async function send({ tps, contest, contestName, envelope, photos, after }) {
  const version = envelope.statement.version;
  const statement = await enqueue({
    kind: "statement",
    label: fill(messages.kpps.outbox_statement, { contest: contestName, version }),
    url: formUrl(tps, contest),
    method: "POST",
    body: JSON.stringify(envelope),
    contentType: "application/json",
    after,
  });
  for (const [i, p] of photos.entries()) {
    await enqueue({
      kind: "photo",
      label: fill(messages.kpps.outbox_photo, { n: i + 1, contest: contestName, version }),
      url: `/api/v1/photos/${p.sha256}`,
      method: "PUT",
      body: p.blob,
      contentType: "image/jpeg",
      after: statement.id,
    });
  }
  return { queued: true };
}

// The newest version of `contest` at `tps` signed here and still waiting
// in the outbox: {id, version, digest} (its statement's digest, which the
// next version names as `prev`), or null.
async function pending(tps, contest) {
  const item = await lastPending(formUrl(tps, contest));
  if (!item) return null;
  const { statement } = JSON.parse(item.body);
  return { id: item.id, version: statement.version, digest: statementDigest(statement) };
}

// What the log check found for each statement (by outbox id), kept while
// the page is open so that a redraw of the outbox keeps it; and the items
// last drawn.
const checks = new Map();
let shown = [];

// The outbox's items newest entry first, each entry's form before its
// photos.
function byEntry(list) {
  const statements = new Set(list.filter((i) => i.kind === "statement").map((i) => i.id));
  const photosOf = (id) => list.filter((i) => i.kind === "photo" && i.after === id);
  return list
    .slice()
    .reverse()
    .filter((i) => !(i.kind === "photo" && statements.has(i.after)))
    .flatMap((i) => (i.kind === "statement" ? [i, ...photosOf(i.id)] : [i]));
}

// The outbox in words, newest entry first: each item and its state, and
// for an accepted statement the button that checks it is in the log.
function drawOutbox(list) {
  const k = messages.kpps;
  shown = list;
  $("outbox").hidden = list.length === 0;
  $("outbox-items").replaceChildren(
    ...byEntry(list)
      .map((item) => {
        const li = el("li", { dataset: { id: String(item.id), kind: item.kind, state: item.state } }, [
          el("span", { className: "outbox-label", text: item.label }),
          el("span", { className: "outbox-state", text: stateText(item) }),
        ]);
        if (item.state === "refused") li.classList.add("error");
        if (item.kind === "statement" && item.state === "accepted" && item.receipt) {
          li.dataset.logIndex = String(item.log_index);
          const check = el("button", { type: "button", className: "secondary check-log", text: k.check_log });
          const said = el("span", { className: "outbox-check", "aria-live": "polite" });
          check.addEventListener("click", async () => {
            check.disabled = true;
            said.textContent = k.checking;
            checks.set(item.id, await verifyReceipt(item.receipt));
            // The outbox may have been redrawn meanwhile: draw it again.
            drawOutbox(shown);
          });
          if (checks.has(item.id)) showCheck(said, checks.get(item.id));
          li.append(check, said);
        }
        return li;
      }),
  );
}

function stateText(item) {
  const k = messages.kpps;
  if (item.state === "accepted") {
    return item.kind === "statement" ? fill(k.outbox_accepted, { log_index: item.log_index }) : k.outbox_stored;
  }
  if (item.state === "refused") {
    return fill(k.outbox_refused, { reason: reasonText(messages, item.error.code, item.error.message) });
  }
  return item.state === "sent" ? k.outbox_sent : k.outbox_waiting;
}

// The result of a log check in words: the checkpoint's size, or why not.
function showCheck(said, result) {
  const k = messages.kpps;
  said.dataset.ok = String(result.ok);
  said.textContent = result.ok
    ? fill(k.verified, { log_index: result.log_index, size: result.size })
    : fill(k.not_verified, { reason: reasonText(messages, result.reason) });
}

function showError(code, fallback) {
  const box = $("kpps-error");
  box.textContent = messages.kpps.failed + " " + (messages.error[code] || fallback || code) + (code ? " (" + code + ")" : "");
  box.hidden = false;
}

function showStatus(enrolment, status, reason) {
  $("status").hidden = false;
  $("device-key").textContent = enrolment.key;
  const text = messages.kpps[status] || status;
  $("status-text").textContent = fill(text, { tps: enrolment.tps, reason });
  $("status-text").dataset.status = status;
  $("enrol").hidden = status === "pending" || status === "approved";
  if (status !== "pending") {
    // Remembered, so that an approved phone opens its entry without a
    // connection (and a revoked one no longer does).
    localStorage.setItem(STORE, JSON.stringify({ ...enrolment, approved: status === "approved" }));
  }
  if (status === "approved" && $("entry").hidden) {
    // Approved is first heard online: the moment to pin the log key the
    // receipts are later checked against (kept if it was pinned before).
    pinLogKey().catch((e) => console.warn("the log key was not pinned:", e));
    $("entry").hidden = false;
    entryScreen($("entry"), {
      tps: enrolment.tps,
      keyName: "kpps-" + enrolment.tps,
      messages,
      reason: null,
      send,
      read: keeper(enrolment.tps),
      warm: true,
      pending,
    });
    $("report").hidden = false;
    mountReport($("report"), {
      tps: enrolment.tps,
      keyName: "kpps-" + enrolment.tps,
      messages,
      read: keeper(enrolment.tps),
      enqueue,
    });
  }
}

async function poll(enrolment) {
  try {
    const r = await fetch("/api/v1/enrolments/" + encodeURIComponent(enrolment.id), { cache: "no-store" });
    if (r.ok) {
      const body = await r.json();
      showStatus(enrolment, body.status, body.reason);
      if (body.status !== "pending") return;
    } else if (r.status === 404) {
      localStorage.removeItem(STORE);
      return;
    }
  } catch (e) {
    if (!enrolment.approved) $("status-text").textContent = messages.kpps.offline;
  }
  setTimeout(() => poll(enrolment), POLL_MS);
}

async function enrol(event) {
  event.preventDefault();
  $("kpps-error").hidden = true;
  const tps = $("tps").value.trim();
  const code = $("code").value.trim();
  if (!/^\d{2}\.\d{2}\.\d{2}\.\d{4}\.\d{3}$/.test(tps)) {
    showError("", messages.kpps.bad_tps);
    return;
  }
  const button = event.submitter || document.querySelector("#enrol-form button");
  button.disabled = true;
  try {
    const name = "kpps-" + tps;
    const key = (await loadKey(name)) || (await makeKey(name));
    const r = await fetch("/api/v1/enrolments", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ tps, code, key: key.verifier }),
    });
    const body = await r.json().catch(() => ({}));
    if (r.status !== 201) {
      const err = body.error || {};
      showError(err.code, err.message || String(r.status));
      return;
    }
    const enrolment = { id: body.id, tps, key: key.verifier };
    localStorage.setItem(STORE, JSON.stringify(enrolment));
    showStatus(enrolment, body.status, null);
    setTimeout(() => poll(enrolment), POLL_MS);
  } catch (e) {
    showError("", String(e && e.message || e));
  } finally {
    button.disabled = false;
  }
}

function start() {
  if (!window.isSecureContext || !window.crypto || !window.crypto.subtle) {
    $("kpps-insecure").hidden = false;
    document.querySelector("#enrol-form button").disabled = true;
    return;
  }
  $("enrol-form").addEventListener("submit", enrol);
  registerServiceWorker();
  items().then(drawOutbox);
  startOutbox({ onChange: drawOutbox });
  const saved = localStorage.getItem(STORE);
  if (saved) {
    const enrolment = JSON.parse(saved);
    showStatus(enrolment, enrolment.approved ? "approved" : "pending", null);
    poll(enrolment);
  }
}

start();
