// Entry on behalf of a TPS with no working KPPS phone
// (/workspace/entry/{tps}): the PPS or PPK officer's own certified key
// (workspace.js finds it) signs the form with `on_behalf` and the reason
// typed here; the entry itself is the KPPS app's (entry.js), sent at once.
import { $, messages, pageData, secureContext, certifiedKey, setStatus } from "./workspace.js";
import { entryScreen, submitNow } from "./entry.js";

async function start() {
  const key = secureContext() ? await certifiedKey(pageData.key_name) : null;
  setStatus("");
  if (!key) {
    $("no-key").hidden = false;
    return;
  }
  $("reason-box").hidden = false;
  $("entry").hidden = false;
  entryScreen($("entry"), {
    tps: pageData.tps,
    keyName: key.name,
    messages,
    reason: $("reason"),
    send: submitNow,
  });
}

start();
