// What the workspace's signing pages share: the page's strings and data
// (JSON blocks the server rendered), calls to the API with the session
// cookie and its CSRF token, errors shown as the catalogue's message with
// the API's stable code, and the `key` statements of docs/statements.md.
// Text is only ever set with textContent, never parsed as HTML.
import { loadKey } from "./signing.js";

export const $ = id => document.getElementById(id);
export const messages = JSON.parse($("messages").textContent);
export const pageData = JSON.parse($("page-data").textContent);

export function fill(text, values) {
  return Object.entries(values).reduce((s, [k, v]) => s.split("{" + k + "}").join(v ?? ""), text);
}

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute("content") : "";
}

// Calls the API as the signed-in officer: the cookie goes along
// (same-origin) and every call that changes something carries the CSRF
// token; `extra` adds headers (an Idempotency-Key). Answers {status,
// body}; status 0 when the server was not reached.
export async function api(method, path, body, extra = {}) {
  const headers = { Accept: "application/json", ...extra };
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  try {
    const r = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const parsed = await r.json().catch(() => ({}));
    return { status: r.status, body: parsed };
  } catch (e) {
    return { status: 0, body: {} };
  }
}

// The catalogue's message for a refusal, with the API's code (officers
// read it out to the help desk).
export function refusal(answer) {
  if (answer.status === 0) return messages.ws.offline;
  const err = (answer.body && answer.body.error) || {};
  const code = err.code || String(answer.status);
  const text = messages.error[code] || err.message || code;
  return text + " (" + code + ")";
}

export function showError(text) {
  const el = $("ws-error");
  if (!el) return;
  el.textContent = messages.ws.failed + " " + text;
  el.hidden = false;
}

export function clearError() {
  const el = $("ws-error");
  if (el) el.hidden = true;
}

export function setStatus(text) {
  const el = $("ws-status");
  if (el) el.textContent = text;
}

// WebCrypto works only in a secure context (HTTPS or localhost).
export function secureContext() {
  const ok = window.isSecureContext && window.crypto && window.crypto.subtle && window.indexedDB;
  const el = $("ws-insecure");
  if (!ok && el) el.hidden = false;
  return Boolean(ok);
}

// RFC 3339 in UTC without fractions, as docs/statements.md writes times.
export function now() {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}

// An API time (RFC 3339 text or Unix seconds) in the officer's locale.
export function showTime(value) {
  if (value === null || value === undefined) return "";
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString(document.documentElement.lang === "en" ? "en-GB" : "id-ID");
}

// This officer's key in this browser, if the registry has certified it:
// {name, verifier} or null (no key here, not yet certified, or revoked).
export async function certifiedKey(name) {
  let key;
  try {
    key = await loadKey(name);
  } catch (e) {
    return null;
  }
  if (!key) return null;
  const mine = await api("GET", "/api/v1/officer-keys/mine");
  if (mine.status !== 200) return null;
  const found = (mine.body.keys || []).find(k => k.key === key.verifier && k.status === "certified");
  return found ? key : null;
}

// The validity window and origin the server decides for registrations
// made in the browser; fetched once per page.
let defaults = null;
export async function keyDefaults() {
  if (defaults) return defaults;
  const answer = await api("GET", "/api/v1/keys/defaults");
  if (answer.status !== 200) throw answer;
  defaults = answer.body;
  return defaults;
}

// A `key` register statement (docs/statements.md), every member required.
export function registerStatement(d, key, role, region, commissioner = false) {
  const statement = {
    v: 1,
    type: "key",
    action: "register",
    origin: d.origin,
    key,
    role,
    region,
    valid_from: d.valid_from,
    valid_until: d.valid_until,
    signed_at: now(),
  };
  // Only when true: absent is the same as false, and older verifiers
  // know no such member.
  if (commissioner) statement.commissioner = true;
  return statement;
}

// A `key` revoke statement (docs/statements.md).
export function revokeStatement(d, key) {
  return { v: 1, type: "key", action: "revoke", origin: d.origin, key, signed_at: now() };
}

// A table cell holding `text` (and, if given, as <code>); `label` names
// it where narrow screens draw each row as a card without the header.
export function cell(row, text, code, label) {
  const td = document.createElement("td");
  if (label) td.dataset.label = label;
  if (code) {
    const c = document.createElement("code");
    c.textContent = text;
    td.appendChild(c);
  } else {
    td.textContent = text;
  }
  row.appendChild(td);
  return td;
}

export function button(text, label) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  if (label) b.setAttribute("aria-label", label);
  return b;
}

// A row's result cell: success or the refusal, announced to screen readers
// by the page's live region.
export function result(td, ok, text) {
  td.textContent = text;
  td.className = ok ? "status-ok" : "status-err";
}
