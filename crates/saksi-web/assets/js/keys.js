// "My signing key": makes the officer's Ed25519 key in this browser (kept
// non-extractable in IndexedDB by signing.js), sends its verifier key to
// POST /api/v1/officer-keys, and shows the registry's status, polling
// while the officer one level up has yet to certify it.
import { makeKey, loadKey, deleteKey } from "./signing.js";
import { $, messages, pageData, api, refusal, showError, clearError, fill, secureContext } from "./workspace.js";

const POLL_MS = 5000;
const m = messages.keys;
let timer = null;

function status(text, state) {
  const el = $("key-status");
  el.textContent = text;
  el.dataset.status = state;
}

function showKey(key) {
  $("key-none").hidden = true;
  $("key-shown").hidden = false;
  $("key-verifier").textContent = key.verifier;
}

async function refresh(key) {
  clearTimeout(timer);
  const mine = await api("GET", "/api/v1/officer-keys/mine");
  if (mine.status !== 200) {
    showError(refusal(mine));
    timer = setTimeout(() => refresh(key), POLL_MS);
    return;
  }
  clearError();
  const found = (mine.body.keys || []).find(k => k.key === key.verifier);
  if (!found) {
    status(m.not_sent, "unsent");
    offerSend(key);
    return;
  }
  $("make-key").hidden = true;
  const text = m[found.status] || found.status;
  status(fill(text, { certifier: pageData.certifier }), found.status);
  if (found.status === "pending") timer = setTimeout(() => refresh(key), POLL_MS);
  if (found.status === "revoked") offerRemake();
}

// A revoked key never signs again: this browser makes a new one (same
// name, new key id) to be certified afresh.
function offerRemake() {
  $("key-none").hidden = false;
  $("key-none-text").hidden = true;
  const b = $("make-key");
  b.hidden = false;
  b.textContent = m.remake;
  b.onclick = async () => {
    b.disabled = true;
    try {
      await deleteKey(pageData.key_name);
      const key = await makeKey(pageData.key_name);
      showKey(key);
      await send(key);
    } catch (e) {
      showError(String((e && e.message) || e));
    } finally {
      b.disabled = false;
    }
  };
}

// A key made here but never accepted by the server (the connection
// dropped): offer to send it again.
function offerSend(key) {
  $("key-none").hidden = false;
  $("key-none-text").hidden = true;
  const b = $("make-key");
  b.hidden = false;
  b.textContent = m.send;
  b.onclick = () => send(key);
}

async function send(key) {
  const b = $("make-key");
  b.disabled = true;
  const answer = await api("POST", "/api/v1/officer-keys", { key: key.verifier });
  b.disabled = false;
  const code = answer.body && answer.body.error && answer.body.error.code;
  // Sent before (its answer was lost on the way): the registry knows it.
  if (code === "officer_key.already_submitted") {
    refresh(key);
    return;
  }
  if (answer.status !== 201) {
    showError(refusal(answer));
    return;
  }
  clearError();
  $("key-none").hidden = true;
  status(m.sent, "sent");
  refresh(key);
}

async function make() {
  const b = $("make-key");
  b.disabled = true;
  try {
    const key = (await loadKey(pageData.key_name)) || (await makeKey(pageData.key_name));
    showKey(key);
    await send(key);
  } catch (e) {
    showError(String((e && e.message) || e));
  } finally {
    b.disabled = false;
  }
}

async function start() {
  if (!secureContext()) {
    $("key-none").hidden = false;
    $("make-key").disabled = true;
    return;
  }
  const key = await loadKey(pageData.key_name);
  if (!key) {
    $("key-none").hidden = false;
    $("make-key").onclick = make;
    return;
  }
  showKey(key);
  refresh(key);
}

start();
