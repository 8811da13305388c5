// One incident in the workspace: what was reported, its owner and
// deadlines, its history (who, in role and region, did what, when), and
// the actions the lifecycle allows now, offered only to those who may
// take them: the owning office or a level above acts; anyone who may
// read it may comment. The server decides again on every action.
import { $, api, clearError, fill, messages, pageData, refusal, setStatus, showError, showTime } from "./workspace.js";
import { el } from "./chasil.js";
import { ownerText } from "./incident.js";

const m = messages.incidents;
// What each status allows the owning office (docs: the lifecycle).
const ALLOWED = {
  open: ["acknowledge", "assign", "comment", "escalate", "resolve"],
  acknowledged: ["assign", "comment", "escalate", "resolve"],
  resolved: ["comment", "close", "reopen"],
  closed: ["comment", "reopen"],
};
const STAFF = ["kpu-kabkota", "kpu-prov", "kpu-ri"];
let idempotencyKey = crypto.randomUUID();

// Whether this officer's office owns the incident or sits above it.
function mayAct(owner) {
  const region = pageData.region;
  return STAFF.includes(pageData.role) && (region === "0" || owner.region === region || owner.region.startsWith(region + "."));
}

function by(actor) {
  if (actor.role === "system") return m.system;
  return `${messages.role[actor.role] || actor.role} ${actor.region}`;
}

async function draw() {
  const answer = await api("GET", `/api/v1/incidents/${pageData.id}`);
  if (answer.status !== 200) {
    setStatus("");
    showError(refusal(answer));
    return;
  }
  const i = answer.body;
  setStatus("");
  $("incident").hidden = false;
  $("incident-title").textContent = i.title || `${m.incident} ${i.id}`;
  $("incident-status").textContent = m.statuses[i.status] + (i.overdue ? ` · ${m.overdue}` : "");
  $("incident-status").dataset.status = i.status;
  $("incident-category").textContent = messages.report.categories[i.category];
  $("incident-severity").textContent = messages.report.severities[i.severity];
  $("incident-region").textContent = i.region;
  $("incident-owner").textContent = ownerText(messages, i.owner);
  $("incident-owner").dataset.level = i.owner.level;
  $("incident-due").textContent = [
    i.ack_due ? fill(m.ack_by, { at: showTime(i.ack_due) }) : "",
    i.resolve_due ? fill(m.resolve_by, { at: showTime(i.resolve_due) }) : "",
  ]
    .filter(Boolean)
    .join(" · ");
  $("incident-assignee").textContent = i.assignee || "–";
  $("incident-description").textContent = i.description || "";
  $("history").replaceChildren(
    ...(i.history || []).map((h) =>
      el("li", { dataset: { action: h.action, seq: String(h.seq) } }, [
        el("strong", { text: m.actions[h.action] || h.action }),
        document.createTextNode(` · ${by(h.by)} · ${showTime(h.at)}`),
        ...(h.assignee ? [document.createTextNode(` → ${h.assignee}`)] : []),
        ...(h.text ? [el("p", { className: "prose", text: h.text })] : []),
      ]),
    ),
  );
  const actions = mayAct(i.owner) ? ALLOWED[i.status] : ["comment"];
  const choose = $("event-action");
  const chosen = choose.value;
  choose.replaceChildren(...actions.map((a) => el("option", { value: a, text: m.actions[a] })));
  if (actions.includes(chosen)) choose.value = chosen;
  showAssignee();
}

function showAssignee() {
  const assign = $("event-action").value === "assign";
  $("event-assignee").hidden = !assign;
  $("event-assignee-label").hidden = !assign;
}

$("event-action").addEventListener("change", showAssignee);
$("event-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  clearError();
  const action = $("event-action").value;
  const body = { action, text: $("event-text").value.trim() };
  if (action === "assign") body.assignee = $("event-assignee").value.trim();
  $("event-submit").disabled = true;
  try {
    const answer = await api("POST", `/api/v1/incidents/${pageData.id}/events`, body, { "Idempotency-Key": idempotencyKey });
    if (answer.status !== 201) {
      showError(refusal(answer));
      return;
    }
    idempotencyKey = crypto.randomUUID();
    $("event-text").value = "";
    $("event-assignee").value = "";
    await draw();
  } finally {
    $("event-submit").disabled = false;
  }
});

draw();
