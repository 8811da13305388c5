// The C.Hasil's arithmetic rules, evaluated in the browser with the data the
// server publishes at GET /api/v1/forms/rules (saksi_core::form::rules), so
// the phone checks each number as it is typed with the server's own rules,
// not a copy that drifts. The server's validator stays the authority; tests
// run this module in Node on thousands of generated forms and compare its
// findings with the validator's (crates/saksi/tests/saksi/browser_rules.rs).
//
// A rule holds when scale[0] * sum(left) op scale[1] * sum(right); a term is
// a count field of the form's JSON or "options_total", the sum of every
// option box. A rule with `when` applies only when the form carries that
// section; a rule with a term not (yet) typed is skipped, so a half-filled
// form shows only what is already wrong. No dependencies.

// The fields of each optional section, for `when`.
const SECTIONS = {
  ballots_given: [
    "surat_suara_diterima",
    "surat_suara_digunakan",
    "surat_suara_tidak_digunakan",
    "surat_suara_rusak",
  ],
  disabilitas_given: [
    "pemilih_disabilitas_l",
    "pemilih_disabilitas_p",
    "pemilih_disabilitas_j",
    "pengguna_disabilitas_l",
    "pengguna_disabilitas_p",
    "pengguna_disabilitas_j",
  ],
};

// A count that can take part in a sum: a whole number, not negative.
function usable(v) {
  return Number.isInteger(v) && v >= 0;
}

// Every option box of `options` as [field path, value]: "options.01" for a
// paslon, "options.7" for a DPD candidate, "options.5.party" and
// "options.5.candidates.3" for a party and its candidates (as the server
// names them).
export function optionBoxes(options) {
  const out = [];
  for (const [key, v] of Object.entries(options ?? {})) {
    if (v !== null && typeof v === "object") {
      out.push([`options.${key}.party`, v.party]);
      for (const [c, n] of Object.entries(v.candidates ?? {})) {
        out.push([`options.${key}.candidates.${c}`, n]);
      }
    } else {
      out.push([`options.${key}`, v]);
    }
  }
  return out;
}

// The value of a term, or undefined when it is not (yet) a usable count
// (chasil.js shows it in the words that explain a finding).
export function term(name, form) {
  if (name === "options_total") {
    let sum = 0;
    for (const [, v] of optionBoxes(form.options)) {
      if (!usable(v)) return undefined;
      sum += v;
    }
    return sum;
  }
  const v = form[name];
  return usable(v) ? v : undefined;
}

function sum(terms, form) {
  let total = 0;
  for (const t of terms) {
    const v = term(t, form);
    if (v === undefined) return undefined;
    total += v;
  }
  return total;
}

function applies(rule, form) {
  return !rule.when || (SECTIONS[rule.when] ?? []).some((f) => f in form);
}

// The two sides of `rule` for `form` (scaled), or undefined when a term is
// missing or the rule's section is not given.
function sides(rule, form) {
  if (!applies(rule, form)) return undefined;
  const left = sum(rule.left, form);
  const right = sum(rule.right, form);
  if (left === undefined || right === undefined) return undefined;
  const [ls, rs] = rule.scale ?? [1, 1];
  return [left * ls, right * rs];
}

// Whether `rule` fails on `form` (false when it does not apply yet).
export function fails(rule, form) {
  const s = sides(rule, form);
  if (!s) return false;
  return rule.op === "le" ? !(s[0] <= s[1]) : s[0] !== s[1];
}

// Every finding of `doc` (the document GET /api/v1/forms/rules answers)
// on `form` (the form's JSON, possibly half typed): R9's range on every
// count and option box, then each rule that does not hold, as
// [{code, severity, field}]. Warnings come beside errors (the server
// reports warnings only for a form without errors).
export function evaluate(doc, form) {
  const out = [];
  const max = doc.max_count;
  const invalid = (field) =>
    out.push({ code: "form.invalid_number", severity: "error", field });
  for (const [field, v] of Object.entries(form)) {
    if (field === "options") continue;
    if (v !== undefined && v !== null && !(usable(v) && v <= max)) invalid(field);
  }
  for (const [field, v] of optionBoxes(form.options)) {
    if (!(usable(v) && v <= max)) invalid(field);
  }
  for (const rule of doc.rules) {
    if (fails(rule, form)) {
      out.push({ code: rule.code, severity: rule.severity, field: rule.field });
    }
  }
  return out;
}

// One line with the numbers for a failing rule, e.g.
// "suara_total = 412, but suara_sah + suara_tidak_sah = 400 + 13 = 413";
// undefined when the rule holds or does not apply.
export function explain(rule, form) {
  if (!fails(rule, form)) return undefined;
  const side = (terms) => {
    const names = terms.join(" + ");
    const values = terms.map((t) => term(t, form));
    return terms.length > 1
      ? `${names} = ${values.join(" + ")} = ${values.reduce((a, b) => a + b, 0)}`
      : `${names} = ${values[0]}`;
  };
  const [ls, rs] = rule.scale ?? [1, 1];
  const left = ls === 1 ? side(rule.left) : `${ls} x (${side(rule.left)})`;
  const right = rs === 1 ? side(rule.right) : `${rs} x (${side(rule.right)})`;
  const relation = rule.op === "le" ? "is more than" : "differs from";
  return `${left}, which ${relation} ${right}`;
}
