// Runs crates/saksi-web/assets/js/rules.js in Node on the forms the Rust
// test `browser_rules` generates and prints its findings, so that Rust can
// compare them with its validator's (crates/saksi/tests/saksi/browser_rules.rs).
//
// Standard input: {"rules": <GET /api/v1/forms/rules>, "forms": [form JSON]}.
// Standard output: {"findings": [[{code, severity, field}], ...]} (one list
// per form, in order) and {"explained": n}, how many failing rules explain()
// put into words with their numbers. Needs no npm package.

import { evaluate, explain, fails } from "../crates/saksi-web/assets/js/rules.js";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { rules, forms } = JSON.parse(input);

let explained = 0;
const findings = forms.map((form) => {
  for (const rule of rules.rules) {
    if (fails(rule, form)) {
      const line = explain(rule, form);
      if (typeof line === "string" && /\d/.test(line) && line.includes(rule.left[0])) {
        explained += 1;
      }
    }
  }
  return evaluate(rules, form);
});
process.stdout.write(JSON.stringify({ findings, explained }));
