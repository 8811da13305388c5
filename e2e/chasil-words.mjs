// Runs the entry screen's explanations (crates/saksi-web/assets/js/chasil.js,
// `describe`) in Node on the forms the Rust test `browser_rules`
// generates: every finding rules.js reports, in each catalogue's language,
// must be a sentence that starts with its severity, holds no unfilled
// placeholder, and, for an arithmetic rule, states both sides' sums.
//
// Standard input: {"rules": <GET /api/v1/forms/rules>, "catalogues":
// {"id": <id.json>, "en": <en.json>}, "forms": [form JSON]}.
// Standard output: {"described": n, "problems": [{lang, finding, text}],
// "sample": {lang: one sentence per rule code}}. Needs no npm package.

import { evaluate, term } from "../crates/saksi-web/assets/js/rules.js";
import { describe } from "../crates/saksi-web/assets/js/chasil.js";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { rules, catalogues, forms } = JSON.parse(input);

// The ballot a form's options imply (what chasil.js labels boxes with).
function ballotOf(form) {
  const entries = Object.entries(form.options || {});
  if (entries.some(([, v]) => v !== null && typeof v === "object")) {
    return {
      kind: "party",
      parties: entries.map(([key, v]) => ({
        key,
        name: `Partai ${key}`,
        candidates: Object.keys((v && v.candidates) || {}).map((c) => ({ key: c, name: `Calon ${c}` })),
      })),
    };
  }
  return { kind: "paslon", options: entries.map(([key]) => ({ key, name: `Paslon ${key}` })) };
}

const sum = (terms, form) => terms.reduce((a, t) => a + term(t, form), 0);
let described = 0;
const problems = [];
const sample = {};
for (const form of forms) {
  const ballot = ballotOf(form);
  for (const finding of evaluate(rules, form)) {
    const rule = rules.rules.find((r) => r.code === finding.code && r.field === finding.field);
    for (const [lang, catalogue] of Object.entries(catalogues)) {
      const text = describe(finding, rules, form, ballot, { chasil: catalogue.chasil });
      const numbers = rule ? [sum(rule.left, form), sum(rule.right, form)] : [];
      const ok =
        text.startsWith(catalogue.chasil.severity[finding.severity]) &&
        !/[{}]|undefined|NaN/.test(text) &&
        numbers.every((n) => text.includes(`= ${n}`));
      if (ok) {
        described += 1;
        sample[lang] = sample[lang] || {};
        sample[lang][finding.code] = sample[lang][finding.code] || text;
      } else {
        problems.push({ lang, finding, text });
      }
    }
  }
}
process.stdout.write(JSON.stringify({ described, problems: problems.slice(0, 20), sample }));
