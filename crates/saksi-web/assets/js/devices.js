// "KPPS phones to approve": pending enrolments of this kab/kota
// (GET /api/v1/enrolments?status=pending). Approving signs a `key`
// register statement (role kpps, region the TPS, the phone's key) with the
// officer's certified key in this browser and posts it to
// POST /api/v1/keys, one at a time or all selected in one bulk request;
// rejecting posts a reason; a lost phone's key is revoked by a signed
// `key` revoke statement.
import { signStatement } from "./signing.js";
import {
  $, messages, pageData, api, refusal, showError, clearError, setStatus, fill, secureContext,
  certifiedKey, keyDefaults, registerStatement, revokeStatement, cell, button, result, showTime,
} from "./workspace.js";

const m = messages.devices;
const PER_REQUEST = 1000;
let myKey = null;
const rows = [];

// Marks a row done: its controls are gone, its result stays.
function settle(r, text) {
  result(r.out, true, text);
  r.done = true;
  r.check.checked = false;
  r.check.disabled = true;
  r.controls.hidden = true;
}

function failed(text) {
  return text && text.status !== undefined ? refusal(text) : String((text && text.message) || text);
}

async function approve(r) {
  r.approve.disabled = true;
  result(r.out, true, messages.ws.working);
  try {
    const d = await keyDefaults();
    const envelope = await signStatement(myKey.name, registerStatement(d, r.e.key, "kpps", r.e.tps));
    const answer = await api("POST", "/api/v1/keys", envelope);
    if (answer.status === 201) {
      settle(r, m.approved);
      setStatus("TPS " + r.e.tps + ": " + m.approved);
      await showApproved();
    } else {
      result(r.out, false, refusal(answer));
      setStatus("TPS " + r.e.tps + ": " + refusal(answer));
    }
  } catch (e) {
    result(r.out, false, failed(e));
  }
  r.approve.disabled = false;
}

async function reject(r) {
  const reason = r.reason.value.trim();
  if (!reason) {
    result(r.out, false, m.reason_required);
    r.reason.focus();
    return;
  }
  r.reject.disabled = true;
  const answer = await api("POST", "/api/v1/enrolments/" + encodeURIComponent(r.e.id) + "/reject", { reason });
  r.reject.disabled = false;
  if (answer.status === 200) {
    settle(r, m.rejected);
    setStatus("TPS " + r.e.tps + ": " + m.rejected);
  } else {
    result(r.out, false, refusal(answer));
    setStatus("TPS " + r.e.tps + ": " + refusal(answer));
  }
}

// Every selected phone in one bulk request; each row shows its own result.
async function approveSelected() {
  const chosen = rows.filter(r => !r.done && r.check.checked);
  if (!chosen.length) {
    setStatus(m.none_selected);
    return;
  }
  const b = $("approve-selected");
  b.disabled = true;
  setStatus(messages.ws.working);
  try {
    const d = await keyDefaults();
    let ok = 0;
    // POST /api/v1/keys takes at most 1,000 statements at once.
    for (let i = 0; i < chosen.length; i += PER_REQUEST) {
      const part = chosen.slice(i, i + PER_REQUEST);
      const statements = [];
      for (const r of part) {
        statements.push(await signStatement(myKey.name, registerStatement(d, r.e.key, "kpps", r.e.tps)));
      }
      const answer = await api("POST", "/api/v1/keys", { statements });
      if (answer.status !== 200) {
        part.forEach(r => result(r.out, false, refusal(answer)));
        continue;
      }
      const results = answer.body.results || [];
      part.forEach((r, j) => {
        const one = results[j] || {};
        if (one.status === 201) {
          ok += 1;
          settle(r, m.approved);
        } else {
          result(r.out, false, refusal({ status: one.status, body: { error: one.error } }));
        }
      });
    }
    setStatus(fill(m.approved_count, { ok, n: chosen.length }));
  } catch (e) {
    setStatus(failed(e));
  } finally {
    b.disabled = false;
  }
}

function row(e) {
  const tr = document.createElement("tr");
  const checkCell = cell(tr, "", false, m.select);
  const check = document.createElement("input");
  check.type = "checkbox";
  check.setAttribute("aria-label", fill(m.select_label, { tps: e.tps }));
  checkCell.appendChild(check);
  const th = document.createElement("th");
  th.scope = "row";
  th.textContent = e.tps;
  if (e.created_at !== undefined && e.created_at !== null) {
    const when = document.createElement("div");
    when.className = "muted";
    when.textContent = fill(m.sent_at, { time: showTime(e.created_at) });
    th.appendChild(when);
  }
  tr.appendChild(th);
  cell(tr, e.key, true, m.key);
  const td = cell(tr, "", false, m.actions);
  const controls = document.createElement("div");
  controls.className = "actions";
  const approveBtn = button(m.approve, fill(m.approve_label, { tps: e.tps }));
  const reason = document.createElement("input");
  reason.type = "text";
  reason.maxLength = 500;
  reason.placeholder = m.reason_placeholder;
  reason.setAttribute("aria-label", fill(m.reason_label, { tps: e.tps }));
  const rejectBtn = button(m.reject, fill(m.reason_label, { tps: e.tps }));
  rejectBtn.className = "secondary";
  controls.append(approveBtn, reason, rejectBtn);
  td.appendChild(controls);
  const out = cell(tr, "", false, m.result);
  const r = { e, check, approve: approveBtn, reject: rejectBtn, reason, out, controls, done: false };
  approveBtn.disabled = !myKey;
  check.disabled = !myKey;
  approveBtn.addEventListener("click", () => approve(r));
  rejectBtn.addEventListener("click", () => reject(r));
  rows.push(r);
  return tr;
}

async function revoke(event) {
  event.preventDefault();
  const out = $("revoke-status");
  const key = $("revoke-key").value.trim();
  if (!key) {
    out.textContent = m.revoke_empty;
    return;
  }
  const b = event.submitter || document.querySelector("#revoke-form button");
  b.disabled = true;
  out.textContent = messages.ws.working;
  try {
    const d = await keyDefaults();
    const envelope = await signStatement(myKey.name, revokeStatement(d, key));
    const answer = await api("POST", "/api/v1/keys", envelope);
    out.textContent = answer.status === 201 ? m.revoked : messages.ws.failed + " " + refusal(answer);
    if (answer.status === 201) $("revoke-key").value = "";
  } catch (e) {
    out.textContent = messages.ws.failed + " " + failed(e);
  } finally {
    b.disabled = false;
  }
}

// An approved phone with its one-click revocation (a signed `key` revoke
// statement): for a phone lost or stolen after approval.
function approvedItem(e) {
  const li = document.createElement("li");
  const what = document.createElement("p");
  what.textContent = "TPS " + e.tps;
  const key = document.createElement("code");
  key.textContent = e.key;
  const revokeBtn = button(m.revoke_one, fill(m.revoke_one_label, { tps: e.tps }));
  revokeBtn.className = "secondary";
  revokeBtn.disabled = !myKey;
  const out = document.createElement("p");
  out.setAttribute("aria-live", "polite");
  revokeBtn.addEventListener("click", async () => {
    revokeBtn.disabled = true;
    out.textContent = messages.ws.working;
    try {
      const d = await keyDefaults();
      const envelope = await signStatement(myKey.name, revokeStatement(d, e.key));
      const answer = await api("POST", "/api/v1/keys", envelope);
      if (answer.status === 201) {
        out.textContent = m.revoked;
        revokeBtn.hidden = true;
        li.dataset.status = "revoked";
      } else {
        out.textContent = messages.ws.failed + " " + refusal(answer);
        revokeBtn.disabled = false;
      }
    } catch (err) {
      out.textContent = messages.ws.failed + " " + failed(err);
      revokeBtn.disabled = false;
    }
  });
  li.dataset.tps = e.tps;
  li.append(what, key, revokeBtn, out);
  return li;
}

async function showApproved() {
  const answer = await api("GET", "/api/v1/enrolments?status=approved");
  if (answer.status !== 200) {
    showError(refusal(answer));
    return;
  }
  const list = answer.body.enrolments || [];
  const ul = $("approved-list");
  ul.replaceChildren(...list.map(approvedItem));
  $("approved-empty").hidden = list.length !== 0;
}

async function start() {
  const secure = secureContext();
  myKey = secure ? await certifiedKey(pageData.key_name) : null;
  if (!myKey) {
    $("no-key").hidden = false;
    document.querySelector("#revoke-form button").disabled = true;
  } else {
    $("revoke-form").addEventListener("submit", revoke);
  }
  const answer = await api("GET", "/api/v1/enrolments?status=pending");
  if (answer.status !== 200) {
    setStatus("");
    showError(refusal(answer));
    return;
  }
  clearError();
  const list = answer.body.enrolments || [];
  const body = $("pending-rows");
  list.forEach(e => body.appendChild(row(e)));
  $("pending-table").hidden = list.length === 0;
  $("pending-empty").hidden = list.length !== 0;
  $("approve-selected").hidden = list.length === 0 || !myKey;
  $("approve-selected").addEventListener("click", approveSelected);
  $("select-all-row").hidden = list.length === 0 || !myKey;
  $("select-all").addEventListener("change", event => {
    rows.filter(r => !r.done).forEach(r => { r.check.checked = event.target.checked; });
  });
  setStatus(list.length ? fill(m.count, { n: list.length }) : "");
  await showApproved();
}

start();
