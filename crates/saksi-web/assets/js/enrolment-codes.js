// "Enrolment codes for KPPS phones": the officer lists TPS (typed, or all
// of a kecamatan at once from the tree the server rendered), the page
// posts them to POST /api/v1/enrolment-codes (at most 1,000 per request)
// and draws the printable sheet from the answer. The codes exist only in
// this answer (the server keeps their hashes), so the sheet says so.
import { $, messages, pageData, api, refusal, showError, clearError, setStatus, fill, showTime } from "./workspace.js";

const m = messages.codes;
const PER_REQUEST = 1000;
const TPS_CODE = /^\d{2}\.\d{2}\.\d{2}\.\d{4}\.\d{3}$/;

// TPS code -> {name, desa, kecamatan}, for the sheet.
const known = new Map();
for (const k of pageData.kecamatan) {
  for (const t of k.tps) known.set(t.code, { name: t.name, desa: t.desa, kecamatan: k.name });
}

function fillKecamatan() {
  const code = $("kecamatan").value;
  const k = pageData.kecamatan.find(x => x.code === code);
  if (!k) return;
  const area = $("tps-list");
  const have = new Set(area.value.split(/\s+/).filter(Boolean));
  const add = k.tps.map(t => t.code).filter(c => !have.has(c));
  area.value = [...have, ...add].join("\n");
  setStatus(fill(m.tps_count, { n: have.size + add.length }));
}

function block(issued, address) {
  const t = known.get(issued.tps) || {};
  const div = document.createElement("div");
  div.className = "sheet-block";
  const h = document.createElement("h3");
  h.textContent = "TPS " + issued.tps;
  div.appendChild(h);
  if (t.name) {
    const where = document.createElement("p");
    where.className = "muted";
    where.textContent = [t.name, t.desa, t.kecamatan].filter(Boolean).join(" · ");
    div.appendChild(where);
  }
  const label = document.createElement("p");
  label.textContent = m.code_label;
  div.appendChild(label);
  const code = document.createElement("p");
  code.className = "enrol-code";
  code.textContent = issued.code;
  div.appendChild(code);
  const expires = document.createElement("p");
  expires.textContent = fill(m.expires, { time: showTime(issued.expires_at) });
  div.appendChild(expires);
  const where = document.createElement("p");
  where.textContent = fill(m.address, { address });
  div.appendChild(where);
  const once = document.createElement("p");
  once.className = "muted";
  once.textContent = m.shown_once;
  div.appendChild(once);
  return div;
}

async function issue(event) {
  event.preventDefault();
  clearError();
  const lines = [...new Set($("tps-list").value.split(/[\s,;]+/).map(s => s.trim()).filter(Boolean))];
  if (!lines.length) {
    showError(m.none_chosen);
    return;
  }
  const bad = lines.filter(l => !TPS_CODE.test(l) || !known.has(l));
  if (bad.length) {
    showError(fill(m.bad_tps, { lines: bad.slice(0, 20).join(", ") }));
    $("tps-list").focus();
    return;
  }
  const b = $("issue");
  b.disabled = true;
  setStatus(messages.ws.working);
  const issued = [];
  try {
    for (let i = 0; i < lines.length; i += PER_REQUEST) {
      const answer = await api("POST", "/api/v1/enrolment-codes", { tps: lines.slice(i, i + PER_REQUEST) });
      if (answer.status !== 201) {
        showError(refusal(answer));
        break;
      }
      issued.push(...(answer.body.codes || []));
    }
  } finally {
    b.disabled = false;
  }
  if (!issued.length) {
    setStatus("");
    return;
  }
  // Issuing again would void these codes: the list starts empty.
  $("tps-list").value = "";
  const address = location.origin + "/kpps/";
  const blocks = $("sheet-blocks");
  blocks.replaceChildren(...issued.map(c => block(c, address)));
  $("sheet").hidden = false;
  setStatus(fill(m.issued, { n: issued.length }));
  $("sheet-heading").tabIndex = -1;
  $("sheet-heading").focus();
}

$("fill-kecamatan").addEventListener("click", fillKecamatan);
$("codes-form").addEventListener("submit", issue);
$("print").addEventListener("click", () => window.print());
