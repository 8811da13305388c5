// "Certify officers' keys": lists the keys waiting for this officer
// (GET /api/v1/officer-keys?status=pending) and certifies one by signing
// a `key` register statement in this browser with the officer's own
// certified key and posting the envelope to POST /api/v1/keys.
import { signStatement } from "./signing.js";
import {
  $, messages, pageData, api, refusal, showError, clearError, setStatus, fill, secureContext,
  certifiedKey, keyDefaults, registerStatement, cell, button, result,
} from "./workspace.js";

const m = messages.certify;
let myKey = null;

async function certify(k, btn, out, commissioner) {
  btn.disabled = true;
  result(out, true, messages.ws.working);
  try {
    const d = await keyDefaults();
    const statement = registerStatement(d, k.key, k.role, k.region, commissioner);
    const envelope = await signStatement(myKey.name, statement);
    const answer = await api("POST", "/api/v1/keys", envelope);
    if (answer.status === 201) {
      result(out, true, m.certified);
      btn.hidden = true;
      setStatus(fill(m.certify_label, { username: k.username }) + ": " + m.certified);
      return;
    }
    result(out, false, refusal(answer));
    setStatus(refusal(answer));
  } catch (e) {
    const text = e && e.status !== undefined ? refusal(e) : String((e && e.message) || e);
    result(out, false, text);
    setStatus(text);
  }
  btn.disabled = false;
}

function row(k) {
  const tr = document.createElement("tr");
  const th = document.createElement("th");
  th.scope = "row";
  th.textContent = k.username;
  tr.appendChild(th);
  cell(tr, messages.role[k.role] || k.role, false, m.role);
  cell(tr, k.region, false, m.region);
  cell(tr, k.key, true, m.key);
  const td = cell(tr, "", false, m.action);
  const wrap = document.createElement("div");
  wrap.className = "actions";
  const btn = button(m.certify, fill(m.certify_label, { username: k.username }));
  const out = document.createElement("span");
  btn.disabled = !myKey;
  // A PPK member's or a commissioner's key: checked, its confirmations
  // count towards the sign-off quorum of its region.
  let commissioner = null;
  if ((pageData.commissioner_roles || []).includes(k.role)) {
    const label = document.createElement("label");
    commissioner = document.createElement("input");
    commissioner.type = "checkbox";
    commissioner.className = "commissioner";
    commissioner.setAttribute("aria-label", fill(m.commissioner_label, { username: k.username }));
    label.appendChild(commissioner);
    label.appendChild(document.createTextNode(" " + m.commissioner));
    wrap.appendChild(label);
  }
  btn.addEventListener("click", () => certify(k, btn, out, !!(commissioner && commissioner.checked)));
  wrap.appendChild(btn);
  wrap.appendChild(out);
  td.appendChild(wrap);
  return tr;
}

async function start() {
  const secure = secureContext();
  myKey = secure ? await certifiedKey(pageData.key_name) : null;
  if (!myKey) $("no-key").hidden = false;
  const answer = await api("GET", "/api/v1/officer-keys?status=pending");
  if (answer.status !== 200) {
    setStatus("");
    showError(refusal(answer));
    return;
  }
  clearError();
  const keys = answer.body.keys || [];
  const rows = $("pending-rows");
  keys.forEach(k => rows.appendChild(row(k)));
  $("pending-table").hidden = keys.length === 0;
  $("pending-empty").hidden = keys.length !== 0;
  setStatus(keys.length ? fill(m.count, { n: keys.length }) : "");
}

start();
