// Filing an incident from the workspace with the officer's session: the
// server seals the report's text in its private store and logs the
// public part. The Idempotency-Key made once per report makes a retry
// after a lost answer file it once.
import { $, api, clearError, refusal, showError } from "./workspace.js";

let idempotencyKey = crypto.randomUUID();

$("incident-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  clearError();
  const form = event.target;
  const body = {
    region: $("incident-region").value.trim(),
    category: $("incident-category").value,
    severity: $("incident-severity").value,
    title: $("incident-title").value.trim(),
    description: $("incident-description").value.trim(),
    contests: Array.from(form.querySelectorAll('input[name="contest"]:checked'), (i) => i.value),
  };
  $("incident-submit").disabled = true;
  try {
    const answer = await api("POST", "/api/v1/incidents", body, { "Idempotency-Key": idempotencyKey });
    if (answer.status === 201) {
      idempotencyKey = crypto.randomUUID();
      location.assign(`/workspace/incidents/${answer.body.id}`);
      return;
    }
    showError(refusal(answer));
  } finally {
    $("incident-submit").disabled = false;
  }
});
