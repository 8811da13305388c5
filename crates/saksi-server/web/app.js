"use strict";
const CONTESTS = [
  ["ppwp", "Presiden"], ["dpr", "DPR RI"], ["dpd", "DPD RI"],
  ["dprd-prov", "DPRD Provinsi"], ["dprd-kabkota", "DPRD Kab/Kota"],
];
const LEVELS = { nasional: "Nasional", provinsi: "Provinsi", kabkota: "Kabupaten/Kota",
  kecamatan: "Kecamatan", desa: "Desa/Kelurahan", tps: "TPS" };
const fmt = new Intl.NumberFormat("id-ID");
const pct = (a, b) => b > 0 ? (100 * a / b).toLocaleString("id-ID", { maximumFractionDigits: 2 }) + "%" : "–";

/** Builds an element; children may be strings (set as text, never HTML). */
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    // Widths go through the CSSOM: the page's CSP forbids style attributes.
    if (k === "class") e.className = v;
    else if (k === "width") e.style.width = v;
    else if (v !== undefined && v !== null) e.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  return e;
}

async function getJson(url) {
  const r = await fetch(url, { cache: "no-cache", headers: { Accept: "application/json" } });
  const body = await r.json().catch(() => null);
  if (!r.ok) {
    const msg = body && body.error ? body.error.message + " (" + body.error.code + ")" : r.status + " " + r.statusText;
    throw new Error(msg);
  }
  return body;
}

/** Route from the hash: #/{contest}/{code}, #/tps/{code}, #/dapil/{contest}/{code}. */
function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "tps" && parts[1]) return { kind: "tps", code: parts[1], contest: sessionStorage.contest || "ppwp" };
  if (parts[0] === "dapil" && parts[1] && parts[2]) return { kind: "dapil", contest: parts[1], code: parts[2] };
  const contest = CONTESTS.some(c => c[0] === parts[0]) ? parts[0] : "ppwp";
  return { kind: "results", contest, code: parts[1] || "0" };
}

function contestNav(current) {
  const nav = document.getElementById("contests");
  nav.replaceChildren(...CONTESTS.map(([id, name]) => {
    const r = route();
    const code = r.kind === "results" ? r.code : "0";
    return el("a", { href: "#/" + id + "/" + code, "aria-current": id === current ? "page" : null }, name);
  }));
}

/** Ancestors of a dotted code, root first, without the code itself. */
function ancestors(code) {
  if (code === "0") return [];
  const segs = code.split(".");
  const out = ["0"];
  for (let i = 1; i < segs.length; i++) out.push(segs.slice(0, i).join("."));
  return out;
}

const nameCache = new Map([["0", "Indonesia"]]);
async function crumbs(code, hrefOf) {
  const codes = ancestors(code);
  await Promise.all(codes.filter(c => !nameCache.has(c)).map(async c => {
    try { nameCache.set(c, (await getJson("/api/v1/regions/" + c)).name); } catch { nameCache.set(c, c); }
  }));
  const items = [];
  for (const c of codes) { items.push(el("a", { href: hrefOf(c) }, nameCache.get(c))); items.push(" › "); }
  return el("div", { class: "crumbs" }, items);
}

function optionName(data, key) {
  return (data.option_names && data.option_names[key]) || (data.contest === "ppwp" ? "Paslon " + key : "No. " + key);
}

function card(k, v, extra) { return el("div", { class: "card" }, el("div", { class: "k" }, k), el("div", { class: "v" }, v), extra || null); }

function optionsTable(data, totals) {
  const entries = Object.entries(totals.options);
  if (entries.length === 0) return el("p", { class: "muted" }, "Perolehan per calon ditampilkan per dapil di bawah.");
  const max = Math.max(1, ...entries.map(e => e[1]));
  const isParty = ["dpr", "dprd-prov", "dprd-kabkota"].includes(data.contest);
  return el("table", { id: "options" },
    el("thead", {}, el("tr", {}, el("th", {}, isParty ? "Partai" : data.contest === "ppwp" ? "Pasangan calon" : "Calon"),
      el("th", { class: "n" }, "Suara"), el("th", { class: "n" }, "%"))),
    el("tbody", {}, entries.map(([k, v]) => el("tr", {},
      el("td", {}, k + " · " + optionName(data, k)),
      el("td", { class: "n" }, fmt.format(v), el("span", { class: "opt-bar hide-sm", width: Math.round(80 * v / max) + "px" })),
      el("td", { class: "n" }, pct(v, totals.suara_sah))))));
}

function childrenTable(data) {
  const keys = Object.keys(data.totals.options);
  const showOptions = keys.length > 0 && keys.length <= 4;
  const childHref = c => c.code.split(".").length === 5 ? "#/tps/" + c.code : "#/" + data.contest + "/" + c.code;
  return el("table", { id: "children" },
    el("thead", {}, el("tr", {}, el("th", {}, "Wilayah"),
      el("th", { class: "n" }, "TPS masuk"), el("th", { class: "n hide-sm" }, "DPT"), el("th", { class: "n" }, "Suara sah"),
      showOptions ? keys.map(k => el("th", { class: "n" }, k)) : el("th", {}, "Terbanyak"))),
    el("tbody", {}, data.children.map(c => {
      const t = c.totals;
      const cells = showOptions
        ? keys.map(k => el("td", { class: "n" }, fmt.format(t.options[k] || 0), el("div", { class: "muted" }, pct(t.options[k] || 0, t.suara_sah))))
        : el("td", {}, leader(data, t));
      return el("tr", {},
        el("td", {}, el("a", { href: childHref(c) }, c.name), c.final ? el("span", { class: "badge final" }, "final") : null,
          el("div", { class: "muted" }, c.code)),
        el("td", { class: "n" }, fmt.format(t.tps_reported) + " / " + fmt.format(t.tps_expected)),
        el("td", { class: "n hide-sm" }, fmt.format(t.dpt)),
        el("td", { class: "n" }, fmt.format(t.suara_sah)),
        cells);
    })));
}

function leader(data, t) {
  const e = Object.entries(t.options).sort((a, b) => b[1] - a[1])[0];
  return e && e[1] > 0 ? optionName(data, e[0]) + " (" + pct(e[1], t.suara_sah) + ")" : "–";
}

async function showResults(r) {
  const url = "/api/v1/results/" + r.contest + (r.code === "0" ? "" : "/" + r.code);
  const data = await getJson(url);
  sessionStorage.contest = r.contest;
  const t = data.totals;
  const parts = [
    await crumbs(data.code, c => "#/" + r.contest + "/" + c),
    el("div", { class: "level" }, LEVELS[data.level] || data.level),
    el("h2", { id: "region-name" }, data.name,
      data.final ? el("span", { class: "badge final" }, "final") : el("span", { class: "badge" }, "sementara")),
    data.final ? el("p", { id: "final" }, "Rekapitulasi disahkan: entri log #" + fmt.format(data.final.log_index) + ", " +
      new Date(data.final.signed_at).toLocaleString("id-ID") + ".") : null,
    el("div", { class: "muted" }, data.code === "0" ? "" : "Kode " + data.code),
    el("div", { class: "cards" },
      card("TPS masuk", fmt.format(t.tps_reported) + " / " + fmt.format(t.tps_expected),
        el("div", { class: "progress" }, el("span", { width: (t.tps_expected ? 100 * t.tps_reported / t.tps_expected : 0) + "%" }))),
      card("DPT", fmt.format(t.dpt)),
      card("Pengguna hak pilih", fmt.format(t.pengguna_total_j)),
      card("Suara sah", fmt.format(t.suara_sah)),
      card("Suara tidak sah", fmt.format(t.suara_tidak_sah))),
    el("h3", {}, "Perolehan suara"),
    optionsTable(data, t),
  ];
  if (data.dapil && data.dapil.length) {
    parts.push(el("h3", {}, "Per dapil"), el("table", { id: "dapil" },
      el("thead", {}, el("tr", {}, el("th", {}, "Dapil"), el("th", { class: "n" }, "TPS masuk"), el("th", { class: "n" }, "Suara sah"), el("th", {}, "Terbanyak"))),
      el("tbody", {}, data.dapil.map(d => el("tr", {},
        el("td", {}, el("a", { href: "#/dapil/" + r.contest + "/" + d.code }, d.name || d.code)),
        el("td", { class: "n" }, fmt.format(d.totals.tps_reported) + " / " + fmt.format(d.totals.tps_expected)),
        el("td", { class: "n" }, fmt.format(d.totals.suara_sah)),
        el("td", {}, leader(data, d.totals)))))));
  }
  const counts = flagCounts(data.flags);
  if (counts) parts.push(counts);
  if (data.children.length) parts.push(el("h3", {}, "Rincian wilayah"), childrenTable(data));
  return { parts, status: "log " + fmt.format(data.log_size) + (data.last_updated ? " · " + new Date(data.last_updated).toLocaleString("id-ID") : "") };
}

async function showDapil(r) {
  const data = await getJson("/api/v1/results/" + r.contest + "/dapil/" + r.code);
  const t = data.totals || {};
  const rows = [];
  for (const p of data.parties || []) {
    rows.push(el("tr", {}, el("td", {}, el("strong", {}, p.number + " · " + (p.name || "Partai " + p.number))),
      el("td", { class: "n" }, el("strong", {}, fmt.format(p.total))), el("td", { class: "n" }, pct(p.total, t.suara_sah))));
    rows.push(el("tr", {}, el("td", { class: "muted" }, "    suara partai saja"), el("td", { class: "n" }, fmt.format(p.party_votes)), el("td", {})));
    for (const c of p.candidates || []) rows.push(el("tr", {}, el("td", {}, "    " + c.number + ". " + c.name), el("td", { class: "n" }, fmt.format(c.votes)), el("td", { class: "n" }, pct(c.votes, t.suara_sah))));
  }
  for (const c of data.candidates || []) rows.push(el("tr", {}, el("td", {}, c.number + ". " + c.name), el("td", { class: "n" }, fmt.format(c.votes)), el("td", { class: "n" }, pct(c.votes, t.suara_sah))));
  return { parts: [
    el("div", { class: "crumbs" }, el("a", { href: "#/" + r.contest + "/0" }, "Nasional"), " › Dapil"),
    el("h2", { id: "region-name" }, data.name || r.code, el("span", { class: "badge" }, "sementara")),
    el("div", { class: "muted" }, (data.seats ? data.seats + " kursi · " : "") + "TPS masuk " + fmt.format(t.tps_reported || 0) + " / " + fmt.format(t.tps_expected || 0)),
    el("table", { id: "candidates" }, el("thead", {}, el("tr", {}, el("th", {}, "Partai / calon"), el("th", { class: "n" }, "Suara"), el("th", { class: "n" }, "%"))), el("tbody", {}, rows)),
  ], status: "log " + fmt.format(data.log_size || 0) };
}

// The size of the latest signed checkpoint (its second line), or null.
async function checkpointSize() {
  try {
    const r = await fetch("/api/v1/log/checkpoint", { cache: "no-cache" });
    if (!r.ok) return null;
    const size = Number((await r.text()).split("\n")[1]);
    return Number.isSafeInteger(size) ? size : null;
  } catch (_) {
    return null;
  }
}

// A version's log index, linked to its inclusion proof at the latest
// checkpoint once a checkpoint covers it.
function logCell(v, size) {
  if (typeof v.log_index !== "number") return el("span", { class: "muted" }, "–");
  const label = "#" + v.log_index;
  if (size === null || v.log_index >= size) return label;
  const href = "/api/v1/log/proof/inclusion?index=" + v.log_index + "&size=" + size;
  return el("a", { href, title: "Bukti inklusi (leaf " + (v.leaf_hash || "") + ")" }, label);
}

// Who signed a version: the TPS's KPPS device, a PPS/PPK on its behalf
// (with the reason), or the PPK correcting it after an upheld objection
// (naming it, with the plenary's reason); "tidak ditandatangani" for a
// version entered through a session in an old log.
function signerCell(s) {
  if (!s) return el("span", { class: "warn" }, "tidak ditandatangani");
  const who = { kpps: "KPPS", pps: "PPS", ppk: "PPK" }[s.role] || s.role;
  const label = el("span", { title: s.key }, who + " · kunci " + s.key_id);
  if (s.correction) {
    return el("div", {}, label, el("div", { class: "correction" }, "koreksi atas keberatan #" +
      s.correction.objection + ": " + s.correction.reason));
  }
  if (!s.on_behalf) return label;
  return el("div", {}, label, el("div", { class: "muted" }, "atas nama KPPS: " + s.on_behalf.reason));
}

// The objections said against a form in the plenary: who, which boxes,
// the text, and what became of each (with a link to what its correction
// changed).
const OBJECTION_STATUS = { open: "belum diputus", upheld: "diterima", rejected: "ditolak" };
function objectionItem(tps, contest, o) {
  const by = o.by.role === "bawaslu" ? "Bawaslu " + o.by.region
    : "Saksi " + (o.by.paslon ? "paslon " + String(o.by.paslon).padStart(2, "0") : "partai " + o.by.party) + " · " + o.by.region;
  const parts = [el("strong", {}, "Keberatan #" + o.log_index + " (" + (OBJECTION_STATUS[o.status] || o.status) + ")"),
    " · " + by + " · versi " + o.version + " · " + o.fields.join(", ") + ": " + o.text];
  if (typeof o.corrected_log_index === "number") {
    parts.push(" · ", el("a", { href: "/api/v1/tps/" + tps + "/diff/" + contest }, "lihat koreksi"));
  }
  return el("li", { class: "objection" }, ...parts);
}

// The photos a version's statement names, beside its numbers: each stored
// one as a thumbnail linking to the full photo (served from this origin,
// the bytes the KPPS signed), each not yet uploaded as a note.
function photosCell(photos) {
  if (!photos || !photos.length) return el("span", { class: "muted" }, "–");
  return el("div", { class: "photos" }, photos.map((p, i) => p.stored
    ? el("a", { href: "/api/v1/photos/" + p.sha256, class: "photo", title: "Foto " + (i + 1) + " · SHA-256 " + p.sha256 },
      el("img", { src: "/api/v1/photos/" + p.sha256, alt: "Foto C.Hasil " + (i + 1), loading: "lazy" }))
    : el("span", { class: "photo-pending", title: "SHA-256 " + p.sha256 }, "foto belum diterima")));
}

// An open high or critical incident reported at this TPS about some of
// its contests: its public fields only (the report's text stays private).
const INCIDENT_WORDS = {
  high: "tinggi", critical: "kritis", open: "belum ditangani", acknowledged: "sedang ditangani",
  logistics: "logistik", security: "keamanan", disaster: "bencana", health: "kesehatan",
  it: "TI", violation: "pelanggaran", other: "lainnya",
};
function incidentFlag(i) {
  const word = k => INCIDENT_WORDS[k] || k;
  const contests = i.contests.map(c => (CONTESTS.find(x => x[0] === c) || [c, c])[1]).join(", ");
  return el("p", { class: "warn incident-flag" }, "⚠ Insiden " + word(i.category) + " (tingkat " + word(i.severity) +
    ") dilaporkan di TPS ini tentang " + contests + ": " + word(i.status) + ".");
}

// An anomaly flag on one contest's current form: numbers odd beside their
// neighbours', for the reviewers to look at (never a refusal). The kind in
// Indonesian, the server's sentence with its numbers as it wrote it.
const FLAG_WORDS = {
  above_dpt: "Suara melebihi DPT lebih dari 2%",
  unanimous: "Semua suara sah untuk satu pilihan",
  same_votes: "Perolehan sama persis dengan TPS lain di kecamatan ini",
  turnout_outlier: "Partisipasi jauh dari median kecamatan",
  last_digits: "Angka terakhir perolehan di kabupaten/kota ini tidak merata",
  ballots_unreconciled: "Surat suara yang diterima tidak cocok dengan yang digunakan, tidak digunakan dan rusak",
};
function anomalyFlag(f) {
  const contest = (CONTESTS.find(x => x[0] === f.contest) || [f.contest, f.contest])[1];
  return el("p", { class: "warn anomaly-flag" }, "⚑ Tanda anomali, " + contest + ": " + (FLAG_WORDS[f.code] || f.code) + ". ",
    el("span", { class: "muted", lang: "en" }, f.message));
}

// Per flag, how many TPS of the region carry it; nothing when none do.
function flagCounts(flags) {
  const entries = Object.entries(flags || {}).filter(e => e[1] > 0);
  if (!entries.length) return null;
  return el("div", { id: "flag-counts" }, el("h3", {}, "Tanda anomali"),
    el("p", { class: "muted" }, "TPS yang ditandai untuk diperiksa; tanda tidak menolak atau menahan formulir apa pun."),
    el("ul", {}, entries.map(([k, n]) => el("li", {}, (FLAG_WORDS[k] || k) + ": " + fmt.format(n) + " TPS"))));
}

async function showTps(r) {
  const [data, size] = await Promise.all([getJson("/api/v1/tps/" + r.code), checkpointSize()]);
  const parts = [
    await crumbs(data.code, c => "#/" + r.contest + "/" + c),
    el("div", { class: "level" }, "TPS"),
    el("h2", { id: "region-name" }, data.name || data.code),
    el("div", { class: "muted" }, "Kode " + data.code + (data.dpt ? " · DPT " + fmt.format(data.dpt.j) : "")),
    ...(data.incidents || []).map(incidentFlag),
    ...(data.flags || []).map(anomalyFlag),
  ];
  for (const c of data.contests || []) {
    const name = (CONTESTS.find(x => x[0] === c.contest) || [c.contest, c.contest])[1];
    parts.push(el("h3", {}, "C.Hasil " + name));
    if (c.held === false) { parts.push(el("p", { class: "muted" }, "Tidak diselenggarakan di TPS ini.")); continue; }
    const versions = c.versions || [];
    if (!versions.length) { parts.push(el("p", { class: "muted" }, "Belum ada formulir yang diterima.")); continue; }
    // The numbers and their photos first, so a phone shows them side by
    // side; the table scrolls within its box, not the page.
    parts.push(el("div", { class: "scroll" }, el("table", {}, el("thead", {}, el("tr", {}, el("th", {}, "Versi"), el("th", { class: "n" }, "Suara sah"), el("th", { class: "n" }, "Tidak sah"), el("th", {}, "Foto"), el("th", {}, "Log"), el("th", {}, "Diterima"), el("th", {}, "Ditandatangani"), el("th", {}, "Catatan"))),
      el("tbody", {}, versions.slice().reverse().map(v => el("tr", {},
        el("td", {}, String(v.version) + (v.version === versions.length ? " (berlaku)" : "")),
        el("td", { class: "n" }, fmt.format(v.form.suara_sah)),
        el("td", { class: "n" }, fmt.format(v.form.suara_tidak_sah)),
        el("td", {}, photosCell(v.photos)),
        el("td", {}, logCell(v, size)),
        el("td", {}, v.submitted_at ? new Date(v.submitted_at).toLocaleString("id-ID") : ""),
        el("td", {}, signerCell(v.signer)),
        el("td", {}, (v.warnings || []).length ? v.warnings.map(w => el("div", { class: "warn" }, "⚠ " + w.message)) : el("span", { class: "muted" }, "–"))))))));
    if ((c.objections || []).length) {
      parts.push(el("ul", { class: "objections" }, c.objections.map(o => objectionItem(data.code, c.contest, o))));
    }
  }
  return { parts, status: "log " + fmt.format(data.log_size || 0) };
}

let timer = null;
let rendering = false;
async function render() {
  if (rendering) return;
  rendering = true;
  const r = route();
  contestNav(r.kind === "results" || r.kind === "dapil" ? r.contest : null);
  const view = document.getElementById("view");
  try {
    const out = r.kind === "tps" ? await showTps(r) : r.kind === "dapil" ? await showDapil(r) : await showResults(r);
    view.replaceChildren(...out.parts.filter(p => p !== null));
    document.getElementById("status").textContent = out.status;
  } catch (e) {
    view.replaceChildren(el("div", { class: "error", role: "alert" }, "Tidak dapat memuat data: " + e.message));
  } finally {
    rendering = false;
  }
}
window.addEventListener("hashchange", () => { window.scrollTo(0, 0); render(); });
clearInterval(timer);
timer = setInterval(render, 5000);
render();
