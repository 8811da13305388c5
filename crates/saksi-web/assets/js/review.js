// The review queue of a kecamatan (GET /api/v1/recap/{contest}/{kecamatan}/queue):
// every TPS holding the contest, those needing attention first, each with
// its current version, warnings, flags, open incidents, objections and
// reason for having no form, linked to its public page. A PPK member of
// the kecamatan with a certified key in this browser rules on each open
// objection (a `ruling` statement, docs/statements.md, posted to
// POST /api/v1/objections/{log_index}/ruling) and confirms the sign-off
// once the recap is ready (the `signoff` statement GET
// /api/v1/recap/{contest}/{code} offers, signed as it is and posted to
// POST /api/v1/recap/{contest}/{code}/signoffs). Text is set with
// textContent only.
import { signStatement } from "./signing.js";
import {
  $, messages, pageData, api, refusal, showError, clearError, setStatus, fill, secureContext,
  certifiedKey, keyDefaults, now, button, result,
} from "./workspace.js";

const m = messages.review;
const { kecamatan, contest } = pageData;
const recapPath = `/api/v1/recap/${contest}/${kecamatan}`;
let myKey = null;

function element(tag, text, className) {
  const el = document.createElement(tag);
  if (text !== undefined) el.textContent = text;
  if (className) el.className = className;
  return el;
}

// A `ruling` statement (docs/statements.md), every member required.
function rulingStatement(origin, objection, decision, reason) {
  return { v: 1, type: "ruling", origin, objection, decision, reason, signed_at: now() };
}

async function rule(objection, decision, reason, btn, out) {
  if (!reason.trim()) {
    result(out, false, m.reason_required);
    return;
  }
  btn.disabled = true;
  result(out, true, messages.ws.working);
  try {
    const d = await keyDefaults();
    const envelope = await signStatement(
      myKey.name, rulingStatement(d.origin, objection.log_index, decision, reason.trim()));
    const answer = await api("POST", `/api/v1/objections/${objection.log_index}/ruling`, envelope);
    if (answer.status === 201) {
      result(out, true, fill(m.ruled, { log_index: answer.body.log_index }));
      await load(fill(m.ruled, { log_index: answer.body.log_index }));
      return;
    }
    result(out, false, refusal(answer));
  } catch (e) {
    result(out, false, e && e.status !== undefined ? refusal(e) : String((e && e.message) || e));
  }
  btn.disabled = false;
}

// The form to rule on an open objection: upheld or rejected, and why.
function rulingForm(objection) {
  const form = element("div", undefined, "stack ruling");
  const id = `ruling-${objection.log_index}`;
  const label = element("label", m.decision_label);
  label.htmlFor = `${id}-decision`;
  const select = element("select");
  select.id = `${id}-decision`;
  for (const decision of ["upheld", "rejected"]) {
    const option = element("option", m.decision[decision]);
    option.value = decision;
    select.appendChild(option);
  }
  const reasonLabel = element("label", m.reason_label);
  reasonLabel.htmlFor = `${id}-reason`;
  const reason = element("input");
  reason.id = `${id}-reason`;
  reason.maxLength = 500;
  reason.autocomplete = "off";
  const btn = button(m.rule_button, fill(m.rule_label, { log_index: objection.log_index }));
  btn.className = "rule";
  const out = element("span");
  btn.addEventListener("click", () => rule(objection, select.value, reason.value, btn, out));
  form.append(label, select, reasonLabel, reason, btn, out);
  return form;
}

function objectionItem(o) {
  const li = element("li", undefined, "objection");
  li.dataset.status = o.status;
  li.dataset.logIndex = o.log_index;
  li.appendChild(element("p", fill(m.objection, {
    log_index: o.log_index, version: o.version, fields: o.fields.join(", "), text: o.text,
  })));
  const ruled = o.ruling_log_index === null ? "" : " " + fill(m.ruled_at, { log_index: o.ruling_log_index });
  li.appendChild(element("p", m.status[o.status] + ruled, "muted"));
  if (o.status === "open" && myKey) li.appendChild(rulingForm(o));
  return li;
}

function list(heading, items, make) {
  const wrap = element("div");
  wrap.appendChild(element("h4", heading));
  const ul = element("ul");
  items.forEach((i) => ul.appendChild(make(i)));
  wrap.appendChild(ul);
  return wrap;
}

function tpsItem(t) {
  const li = element("li", undefined, t.attention.length ? "tps warn" : "tps");
  li.dataset.tps = t.tps;
  li.dataset.attention = t.attention.join(" ");
  const h = element("h3");
  const link = element("a", t.tps);
  link.href = `/#/tps/${t.tps}`;
  h.append(link, " ", element("span", t.name, "muted"));
  li.appendChild(h);
  if (t.attention.length) {
    li.appendChild(element("p", t.attention.map((a) => m.reason[a] || a).join(" · "), "attention"));
  }
  const version = t.version === null
    ? m.no_version
    : fill(m.version, { version: t.version, log_index: t.log_index, photos: t.photos.length });
  li.appendChild(element("p", version));
  if (t.no_form) {
    li.appendChild(element("p", fill(m.no_form, {
      reason: m.no_form_reason[t.no_form.reason] || t.no_form.reason, log_index: t.no_form.log_index,
    })));
  }
  if (t.warnings.length) {
    li.appendChild(list(m.warnings, t.warnings, (w) => {
      const item = element("li", w.message);
      item.lang = "en";
      return item;
    }));
  }
  if (t.flags.length) {
    li.appendChild(list(m.flags, t.flags, (f) => {
      const item = element("li", f.message);
      item.lang = "en";
      return item;
    }));
  }
  if (t.incidents_open) li.appendChild(element("p", fill(m.incidents_open, { n: t.incidents_open })));
  if (t.objections.length) li.appendChild(list(m.objections, t.objections, objectionItem));
  return li;
}

async function confirmSignoff(btn) {
  const out = $("signoff-result");
  btn.disabled = true;
  result(out, true, messages.ws.working);
  const recap = await api("GET", recapPath);
  if (recap.status !== 200 || !recap.body.statement) {
    result(out, false, recap.status === 200 ? m.signoff_unavailable : refusal(recap));
    btn.disabled = false;
    return;
  }
  try {
    const envelope = await signStatement(myKey.name, recap.body.statement);
    const answer = await api("POST", `${recapPath}/signoffs`, envelope);
    if (answer.status === 201) {
      result(out, true, fill(m.signoff_done, { log_index: answer.body.log_index }));
      await load();
      return;
    }
    result(out, false, refusal(answer));
  } catch (e) {
    result(out, false, String((e && e.message) || e));
  }
  btn.disabled = false;
}

// The recap's state and counts, and the sign-off for a member who may sign.
async function summary(queue) {
  const c = queue.counts;
  $("recap-state").textContent = fill(m.state_line, { state: m.state[queue.state] || queue.state });
  $("recap-state").dataset.state = queue.state;
  $("counts").textContent = fill(m.counts, c);
  const offered = ["ready", "pending", "reopened"].includes(queue.state);
  if (!myKey || !offered) {
    $("signoff").hidden = true;
    return;
  }
  const recap = await api("GET", recapPath);
  if (recap.status !== 200 || !recap.body.statement) {
    $("signoff").hidden = true;
    return;
  }
  $("signoff-text").textContent = fill(m.signoff_text, {
    n: recap.body.confirmations.length, k: recap.body.k,
  });
  $("signoff").hidden = false;
}

// Draws the queue afresh; `status` is said once it is drawn.
async function load(status = "") {
  const answer = await api("GET", `${recapPath}/queue`);
  if (answer.status !== 200) {
    setStatus("");
    showError(refusal(answer));
    return;
  }
  clearError();
  const queue = answer.body;
  const ol = $("queue");
  ol.replaceChildren(...queue.tps.map(tpsItem));
  ol.hidden = queue.tps.length === 0;
  $("summary").hidden = false;
  await summary(queue);
  setStatus(queue.tps.length ? status : m.none);
}

async function start() {
  if (pageData.can_sign) {
    myKey = secureContext() ? await certifiedKey(pageData.key_name) : null;
    if (!myKey) $("no-key").hidden = false;
  }
  $("signoff-button").addEventListener("click", (e) => confirmSignoff(e.currentTarget));
  await load();
}

start();
