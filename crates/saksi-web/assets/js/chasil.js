// The C.Hasil entry screen, shared by the KPPS app (/kpps/) and the
// workspace's entry on behalf (/workspace/entry/{tps}): the form laid out
// like the paper (voters, voters who used their right, disabled voters,
// ballot papers, votes per pair / per party and candidate / per DPD
// candidate, totals), big inputs with the numeric keyboard, every number
// checked as it is typed with the server's own rules (rules.js over
// GET /api/v1/forms/rules) and every finding explained in the page's
// language with its numbers, beside the field it concerns. Then the
// double entry: the totals and each option's votes typed again without
// the first entry in sight; a disagreement shows both values and asks
// which is on the paper. Only a form whose two entries agree is handed
// on (`onAgreed(form)`, the C.Hasil JSON of docs/form-codes.md).
// Text is set with textContent only; every string comes from the page's
// catalogue (`messages.chasil`, `messages.error`).
import { evaluate, term } from "./rules.js";

// The count fields, section by section as on the paper; a triple is one
// row of L, P and Jumlah boxes.
const SECTIONS = [
  ["voters", [["pemilih_dpt", true]]],
  [
    "users",
    [
      ["pengguna_dpt", true],
      ["pengguna_dptb", true],
      ["pengguna_non_dpt", true],
      ["pengguna_total", true],
    ],
  ],
  ["disabilitas", [["pemilih_disabilitas", true], ["pengguna_disabilitas", true]]],
  [
    "ballots",
    [
      ["surat_suara_diterima", false],
      ["surat_suara_rusak", false],
      ["surat_suara_tidak_digunakan", false],
      ["surat_suara_digunakan", false],
    ],
  ],
];
const TOTALS = ["suara_sah", "suara_tidak_sah", "suara_total"];
const SEXES = ["l", "p", "j"];

// What the second entry asks again: the totals of voters and votes, and
// every option box (see `boxes`).
const SECOND_COUNTS = ["pemilih_dpt_j", "pengguna_total_j", ...TOTALS];

export function fill(text, values) {
  return Object.entries(values).reduce((s, [k, v]) => s.split("{" + k + "}").join(v ?? ""), text);
}

export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "text") node.textContent = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k in node) node[k] = v;
    else node.setAttribute(k, v);
  }
  for (const c of children) node.appendChild(c);
  return node;
}

async function getJSON(path) {
  const r = await fetch(path, { headers: { Accept: "application/json" }, cache: "no-store" });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw Object.assign(new Error(path), { status: r.status, body });
  return body;
}

// The rules document the server publishes (public, no session).
export function loadRules() {
  return getJSON("/api/v1/forms/rules");
}

// The ballot of `contest` at TPS `tps`, from the public API:
// {kind: "paslon" | "dpd", options: [{key, name}]} or
// {kind: "party", parties: [{key, name, candidates: [{key, name}]}]}.
// Pairs and DPD candidates are the result's `option_names`; a party
// list's parties and candidates are its dapil's (the one the TPS's result
// names), numbers without a name being no candidate of this ballot.
// `get(path)` reads one of them (JSON), throwing {status, body} when it
// has no answer (the KPPS app's also answers from what it kept).
export async function loadBallot(tps, contest, get = getJSON) {
  const result = await get(`/api/v1/results/${contest}/${tps}`);
  if (contest === "ppwp" || contest === "dpd") {
    const options = Object.entries(result.option_names || {}).map(([key, name]) => ({ key, name }));
    return { kind: contest === "ppwp" ? "paslon" : "dpd", options };
  }
  const dapil = (result.dapil || [])[0];
  if (!dapil) throw Object.assign(new Error("no dapil"), { status: 404, body: {} });
  const d = await get(`/api/v1/results/${contest}/dapil/${encodeURIComponent(dapil.code)}`);
  const parties = (d.parties || []).map((p) => ({
    key: String(p.number),
    name: p.name || "",
    candidates: (p.candidates || [])
      .filter((c) => c.name !== null && c.name !== undefined)
      .map((c) => ({ key: String(c.number), name: c.name })),
  }));
  return { kind: "party", parties };
}

// Every option box of `ballot` as {field, label, party?}: the field path
// the server names (`options.01`, `options.5.party`,
// `options.5.candidates.3`) and what the officer reads beside it.
function boxes(ballot, m) {
  if (ballot.kind !== "party") {
    return ballot.options.map((o) => ({ field: `options.${o.key}`, label: `${o.key}. ${o.name}` }));
  }
  const out = [];
  for (const p of ballot.parties) {
    out.push({ field: `options.${p.key}.party`, label: `${p.key}. ${p.name}: ${m.party_votes}`, party: p.key });
    for (const c of p.candidates) {
      out.push({ field: `options.${p.key}.candidates.${c.key}`, label: `${p.key}. ${p.name}: ${c.key}. ${c.name}`, party: p.key });
    }
  }
  return out;
}

// A typed box as a count: undefined when empty, a number for digits, the
// text itself otherwise (rules.js reports it as form.invalid_number).
function parse(text) {
  const t = (text ?? "").trim();
  if (t === "") return undefined;
  return /^\d+$/.test(t) ? Number(t) : t;
}

// The C.Hasil JSON of `values` (field path -> typed text). An empty option
// box is null, so that `options_total` waits until every box is typed.
function build(values, ballot) {
  const form = {};
  for (const [field, text] of Object.entries(values)) {
    if (field.startsWith("options.")) continue;
    const v = parse(text);
    if (v !== undefined) form[field] = v;
  }
  const box = (field) => parse(values[field]) ?? null;
  const options = {};
  if (ballot.kind === "party") {
    for (const p of ballot.parties) {
      const candidates = {};
      for (const c of p.candidates) candidates[c.key] = box(`options.${p.key}.candidates.${c.key}`);
      options[p.key] = { party: box(`options.${p.key}.party`), candidates };
    }
  } else {
    for (const o of ballot.options) options[o.key] = box(`options.${o.key}`);
  }
  form.options = options;
  return form;
}

// Every count field of the form, in the paper's order.
function countFields() {
  const out = [];
  for (const [, rows] of SECTIONS) {
    for (const [name, triple] of rows) {
      if (triple) SEXES.forEach((s) => out.push(`${name}_${s}`));
      else out.push(name);
    }
  }
  return out.concat(TOTALS);
}

// What the officer reads for a count field or a term of a rule.
function labelOf(name, m, ballot, optionLabels) {
  if (name === "options_total") return m.options_total[ballot.kind];
  if (optionLabels.has(name)) return optionLabels.get(name);
  const sex = /_(l|p|j)$/.exec(name);
  if (sex && m.row[name.slice(0, -2)]) return `${m.row[name.slice(0, -2)]} (${m.sex_long[sex[1]]})`;
  return m.row[name] || name;
}

// One finding of rules.js in words with its numbers, e.g. "Jumlah suara
// sah + Jumlah suara tidak sah = 400 + 12 = 412, tetapi Jumlah suara sah
// dan tidak sah = 413." `rules` is the rules document; `form` the JSON.
export function describe(finding, rules, form, ballot, messages) {
  const m = messages.chasil;
  const optionLabels = new Map(boxes(ballot, m).map((b) => [b.field, b.label]));
  const label = (n) => labelOf(n, m, ballot, optionLabels);
  const severity = m.severity[finding.severity] || "";
  if (finding.code === "form.invalid_number") {
    const value = valueAt(form, finding.field);
    return `${severity} ${fill(m.invalid_number, { label: label(finding.field), value: String(value), max: rules.max_count })}`;
  }
  const rule = rules.rules.find((r) => r.code === finding.code && r.field === finding.field);
  const template = m.rule[finding.code];
  if (!rule || !template) return `${severity} ${m.plain[finding.code] || finding.code}`;
  const side = (terms) => {
    const names = terms.map(label).join(" + ");
    const values = terms.map((t) => term(t, form));
    const total = values.reduce((a, b) => a + b, 0);
    return terms.length > 1 ? `${names} = ${values.join(" + ")} = ${total}` : `${names} = ${total}`;
  };
  const [ls, rs] = rule.scale ?? [1, 1];
  const rightSum = rule.right.reduce((a, t) => a + term(t, form), 0);
  const limit = Math.floor((rightSum * rs) / ls);
  return `${severity} ${fill(template, { left: side(rule.left), right: side(rule.right), limit })}`;
}

// The value at a field path of the form's JSON (`options.5.party`).
function valueAt(form, field) {
  return field.split(".").reduce((node, key) => (node == null ? undefined : node[key]), form);
}

// One box: its label, the input (numeric keyboard, big) and the line
// where its findings are explained.
function input(field, label, stage, onInput) {
  const id = `${stage}-${field.replace(/\./g, "-")}`;
  const box = el("input", {
    id,
    type: "text",
    inputmode: "numeric",
    pattern: "[0-9]*",
    autocomplete: "off",
    enterkeyhint: "next",
    maxlength: "6",
    dataset: { field },
    "aria-describedby": `${id}-finding`,
  });
  box.addEventListener("input", onInput);
  const finding = el("p", { id: `${id}-finding`, className: "finding", hidden: true, dataset: { for: field } });
  return { box, finding, wrap: el("div", { className: "box" }, [el("label", { for: id, text: label }), box]) };
}

// A box on a line of its own, its findings under it.
function single(field, label, stage, onInput, inputs) {
  const made = input(field, label, stage, onInput);
  inputs.set(field, made);
  made.wrap.appendChild(made.finding);
  return made.wrap;
}

function tripleRow(name, m, stage, onInput, inputs, only) {
  const fields = SEXES.map((s) => `${name}_${s}`).filter((f) => !only || only.has(f));
  if (fields.length === 0) return null;
  // L, P and Jumlah side by side; their findings below, full width.
  const row = el("div", { className: "triple" });
  const findings = [];
  for (const f of fields) {
    const made = input(f, m.sex[f.slice(-1)], stage, onInput);
    inputs.set(f, made);
    row.appendChild(made.wrap);
    findings.push(made.finding);
  }
  return el("fieldset", {}, [el("legend", { text: m.row[name] }), row, ...findings]);
}

// Draws the boxes of `fields` (all when null) under `root`, section by
// section; returns field -> {box, finding}.
function draw(root, ballot, m, stage, onInput, only) {
  const inputs = new Map();
  const section = (key, heading) => {
    const s = el("section", { className: "chasil-section", dataset: { section: key } }, [el("h3", { text: heading })]);
    return s;
  };
  for (const [key, rows] of SECTIONS) {
    const s = section(key, m.section[key]);
    for (const [name, triple] of rows) {
      if (triple) {
        const row = tripleRow(name, m, stage, onInput, inputs, only);
        if (row) s.appendChild(row);
      } else if (!only || only.has(name)) {
        s.appendChild(single(name, m.row[name], stage, onInput, inputs));
      }
    }
    if (s.childElementCount > 1) root.appendChild(s);
  }
  const votes = section("votes", `${m.section.votes}: ${m.votes_heading[ballot.kind]}`);
  let party = null;
  for (const b of boxes(ballot, m)) {
    if (b.party !== undefined && b.party !== party) {
      party = b.party;
      const p = ballot.parties.find((x) => x.key === party);
      votes.appendChild(el("h4", { text: `${p.key}. ${p.name}` }));
    }
    const label = b.party === undefined ? b.label : b.label.slice(b.label.indexOf(": ") + 2);
    votes.appendChild(single(b.field, label, stage, onInput, inputs));
    const last = ballot.kind === "party" && isLastOfParty(ballot, b);
    if (last) votes.appendChild(el("p", { className: "muted party-total", dataset: { party } }));
  }
  root.appendChild(votes);
  const totals = section("totals", m.section.totals);
  for (const name of TOTALS) {
    if (only && !only.has(name)) continue;
    totals.appendChild(single(name, m.row[name], stage, onInput, inputs));
  }
  if (totals.childElementCount > 1) root.appendChild(totals);
  return inputs;
}

function isLastOfParty(ballot, b) {
  const p = ballot.parties.find((x) => x.key === b.party);
  const lastField = p.candidates.length
    ? `options.${p.key}.candidates.${p.candidates[p.candidates.length - 1].key}`
    : `options.${p.key}.party`;
  return b.field === lastField;
}

// Mounts the entry under `root` and returns {agreed, form, edit}.
// `onAgreed(form)` is called once both entries agree and no rule error
// remains; `onEdit()` when the officer goes back to change a number.
export function mountChasil(root, { ballot, rules, messages, onAgreed, onEdit }) {
  const m = messages.chasil;
  const optionLabels = new Map(boxes(ballot, m).map((b) => [b.field, b.label]));
  const values = {};
  let agreed = null;
  root.replaceChildren();

  const first = el("div", { id: "entry-first", className: "chasil" });
  first.appendChild(el("h2", { text: m.first_heading }));
  first.appendChild(el("p", { text: m.first_intro }));
  const firstInputs = draw(first, ballot, m, "first", (e) => {
    values[e.target.dataset.field] = e.target.value;
    check();
  });
  const summary = el("p", { id: "entry-summary", "aria-live": "polite" });
  const blocked = el("p", { id: "entry-blocked", className: "error", role: "alert", hidden: true });
  const toSecond = el("button", { type: "button", id: "to-second", text: m.to_second });
  first.append(summary, blocked, toSecond);

  const second = el("div", { id: "entry-second", className: "chasil", hidden: true });
  const secondValues = {};
  const secondFields = new Set([...SECOND_COUNTS, ...boxes(ballot, m).map((b) => b.field)]);
  second.appendChild(el("h2", { text: m.second_heading }));
  second.appendChild(el("p", { text: m.second_intro }));
  draw(second, ballot, m, "second", (e) => {
    secondValues[e.target.dataset.field] = e.target.value;
  }, secondFields);
  const mismatches = el("div", { id: "entry-mismatches", role: "alert", hidden: true });
  const compare = el("button", { type: "button", id: "compare", text: m.compare });
  second.append(mismatches, compare);

  const done = el("div", { id: "entry-agreed", hidden: true }, [
    el("p", { className: "ok", text: m.agreed }),
  ]);
  const edit = el("button", { type: "button", className: "secondary", id: "edit-numbers", text: m.edit });
  done.appendChild(edit);
  root.append(first, second, done);

  const allFields = [...countFields(), ...boxes(ballot, m).map((b) => b.field)];

  // Runs the rules on what is typed and writes each finding beside its
  // field; answers {errors, warnings, blank}.
  function check() {
    const form = build(values, ballot);
    const findings = evaluate(rules, form).filter(
      (f) => !(f.code === "form.invalid_number" && valueAt(form, f.field) == null),
    );
    const byField = new Map();
    for (const f of findings) {
      const list = byField.get(f.field) || [];
      list.push(f);
      byField.set(f.field, list);
    }
    for (const [field, { box, finding }] of firstInputs) {
      const list = byField.get(field) || [];
      finding.textContent = list.map((f) => describe(f, rules, form, ballot, messages)).join("\n");
      finding.hidden = list.length === 0;
      const severity = list.some((f) => f.severity === "error") ? "error" : list.length ? "warning" : "";
      finding.dataset.severity = severity;
      box.setAttribute("aria-invalid", severity === "error" ? "true" : "false");
    }
    if (ballot.kind === "party") {
      for (const p of ballot.parties) {
        const line = first.querySelector(`.party-total[data-party="${p.key}"]`);
        const entry = form.options[p.key];
        const parts = [entry.party, ...Object.values(entry.candidates)];
        line.textContent = parts.every((v) => Number.isInteger(v))
          ? fill(m.party_total, { n: parts.reduce((a, b) => a + b, 0) })
          : "";
      }
    }
    const errors = findings.filter((f) => f.severity === "error").length;
    const warnings = findings.length - errors;
    const blank = allFields.filter((f) => parse(values[f]) === undefined).length;
    const parts = [];
    if (blank) parts.push(fill(m.blank, { n: blank }));
    parts.push(errors || warnings ? fill(m.counts, { errors, warnings }) : m.clean);
    summary.textContent = parts.join(" ");
    return { errors, warnings, blank, form };
  }

  function block(text) {
    blocked.textContent = text;
    blocked.hidden = !text;
  }

  toSecond.addEventListener("click", () => {
    const state = check();
    if (state.blank) return block(fill(m.blank, { n: state.blank }));
    if (state.errors) return block(`${messages.error["entry.rules_failed"]} (entry.rules_failed)`);
    block("");
    first.hidden = true;
    second.hidden = false;
    mismatches.hidden = true;
    for (const k of Object.keys(secondValues)) delete secondValues[k];
    second.querySelectorAll("input").forEach((i) => (i.value = ""));
    const firstBox = second.querySelector("input");
    if (firstBox) firstBox.focus();
  });

  compare.addEventListener("click", () => {
    const differing = [...secondFields].filter((f) => parse(secondValues[f]) !== parse(values[f]));
    if (differing.length === 0) return agree();
    showMismatches(differing);
  });

  // Each disagreement with both values and a button for each: the one the
  // officer picks (read from the paper) becomes the entry's value.
  function showMismatches(differing) {
    mismatches.replaceChildren(
      el("p", { className: "error", text: `${messages.error["entry.double_mismatch"]} (entry.double_mismatch)` }),
    );
    const pending = new Set(differing);
    for (const field of differing) {
      const a = values[field] ?? "";
      const b = secondValues[field] ?? "";
      const row = el("div", { className: "mismatch", dataset: { field } });
      row.appendChild(
        el("p", {
          text: fill(m.mismatch, { label: labelOf(field, m, ballot, optionLabels), first: a || "–", second: b || "–" }),
        }),
      );
      for (const [which, value] of [["first", a], ["second", b]]) {
        const choose = el("button", { type: "button", className: "secondary", text: fill(m.choose, { value: value || "–" }), dataset: { which } });
        choose.addEventListener("click", () => {
          values[field] = value;
          secondValues[field] = value;
          firstInputs.get(field).box.value = value;
          const secondBox = second.querySelector(`input[data-field="${field}"]`);
          if (secondBox) secondBox.value = value;
          row.remove();
          pending.delete(field);
          if (pending.size === 0) settle();
        });
        row.appendChild(choose);
      }
      mismatches.appendChild(row);
    }
    mismatches.hidden = false;
    mismatches.scrollIntoView();
  }

  // Every disagreement settled: the chosen numbers must still follow the
  // rules, else back to the first entry with the findings shown.
  function settle() {
    mismatches.hidden = true;
    const state = check();
    if (state.errors || state.blank) {
      second.hidden = true;
      first.hidden = false;
      block(`${messages.error["entry.rules_failed"]} (entry.rules_failed)`);
      return;
    }
    agree();
  }

  function agree() {
    const state = check();
    agreed = state.form;
    second.hidden = true;
    done.hidden = false;
    onAgreed(agreed);
  }

  edit.addEventListener("click", () => {
    agreed = null;
    done.hidden = true;
    first.hidden = false;
    check();
    if (onEdit) onEdit();
  });

  check();
  return {
    // The agreed C.Hasil JSON, or null while the two entries have not agreed.
    agreed: () => agreed,
    // Every box in the paper's order as [what the officer reads, number],
    // for the review before signing.
    rows: () => allFields.map((f) => [labelOf(f, m, ballot, optionLabels), parse(values[f])]),
    // The findings of the agreed form explained in words (for the
    // answer's warnings and a refusal's details).
    explain: (finding) => describe(finding, rules, agreed || build(values, ballot), ballot, messages),
  };
}
