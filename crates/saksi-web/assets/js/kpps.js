// The KPPS device app: enrols this browser as its TPS's device. The phone
// makes its own Ed25519 key (WebCrypto, non-extractable, kept in
// IndexedDB by signing.js), sends only the verifier key with the one-time
// code, and polls until the KPU Kab/Kota approves (registers the key) or
// rejects it. Once approved, the phone enters its TPS's C.Hasil forms
// (entry.js) and signs them with that key. Every string shown comes from
// the page's catalogue.
import { makeKey, loadKey } from "./signing.js";
import { entryScreen, submitNow } from "./entry.js";

const messages = JSON.parse(document.getElementById("messages").textContent);
const $ = id => document.getElementById(id);
const STORE = "saksi-kpps-enrolment";
const POLL_MS = 4000;

// How a signed C.Hasil and its photos leave the phone: the one function
// the app sends forms through (straight to the server for now; the
// offline queue takes it over).
const send = submitNow;

function fill(text, values) {
  return Object.entries(values).reduce((s, [k, v]) => s.split("{" + k + "}").join(v ?? ""), text);
}

function showError(code, fallback) {
  const el = $("kpps-error");
  el.textContent = messages.kpps.failed + " " + (messages.error[code] || fallback || code) + (code ? " (" + code + ")" : "");
  el.hidden = false;
}

function showStatus(enrolment, status, reason) {
  $("status").hidden = false;
  $("device-key").textContent = enrolment.key;
  const text = messages.kpps[status] || status;
  $("status-text").textContent = fill(text, { tps: enrolment.tps, reason });
  $("status-text").dataset.status = status;
  $("enrol").hidden = status === "pending" || status === "approved";
  if (status === "approved" && $("entry").hidden) {
    $("entry").hidden = false;
    entryScreen($("entry"), { tps: enrolment.tps, keyName: "kpps-" + enrolment.tps, messages, reason: null, send });
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
    $("status-text").textContent = messages.kpps.offline;
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
  const saved = localStorage.getItem(STORE);
  if (saved) {
    const enrolment = JSON.parse(saved);
    showStatus(enrolment, "pending", null);
    poll(enrolment);
  }
}

start();
