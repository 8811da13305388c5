// The incident screen of the workspace: my office's queue (incidents it
// owns or may act on, overdue first), the dashboard of my region (counts
// per child region), and live notices from the server (server-sent
// events) that refresh both without a reload.
import { $, api, clearError, fill, messages, pageData, refusal, setStatus, showError, showTime } from "./workspace.js";
import { el } from "./chasil.js";
import { ownerText } from "./incident.js";

const m = messages.incidents;
const REFRESH_MS = 30_000;

function cell(text, label, child) {
  const td = el("td", { dataset: { label } });
  if (child) td.appendChild(child);
  else td.textContent = text;
  return td;
}

// A KPU office's queue is what it owns (at its own level, in its
// region); anyone else sees the incidents of its region.
const OWNER_LEVEL = { "kpu-kabkota": "kabkota", "kpu-prov": "provinsi", "kpu-ri": "nasional" };

async function drawQueue() {
  const owned = OWNER_LEVEL[pageData.role] ? `&owner_level=${OWNER_LEVEL[pageData.role]}` : "";
  const answer = await api("GET", `/api/v1/incidents?per_page=100${owned}`);
  if (answer.status !== 200) {
    setStatus("");
    showError(refusal(answer));
    return;
  }
  clearError();
  const list = answer.body.incidents || [];
  setStatus(fill(m.queue_count, { n: answer.body.total ?? list.length }));
  $("queue").hidden = list.length === 0;
  $("queue-empty").hidden = list.length !== 0;
  $("queue-rows").replaceChildren(
    ...list.map((i) => {
      const link = el("a", { href: `/workspace/incidents/${i.id}`, text: `${messages.report.severities[i.severity]} · ${messages.report.categories[i.category]}` });
      const row = el("tr", { dataset: { id: i.id, status: i.status, overdue: String(Boolean(i.overdue)) } }, [
        cell("", m.incident, link),
        cell(i.region, m.where),
        cell(m.statuses[i.status] + (i.overdue ? ` · ${m.overdue}` : ""), m.status),
        cell(ownerText(messages, i.owner), m.owner),
        cell(showTime(i.ack_due ?? i.resolve_due), m.due),
      ]);
      if (i.overdue) row.classList.add("error");
      return row;
    }),
  );
}

async function drawDashboard() {
  const answer = await api("GET", `/api/v1/incidents/stats/${encodeURIComponent(pageData.region)}`);
  if (answer.status !== 200) return;
  const s = answer.body;
  const open = (x) => (x.status.open || 0) + (x.status.acknowledged || 0);
  $("dashboard-summary").textContent = fill(m.summary, {
    name: s.name,
    total: s.total,
    open: open(s),
    overdue: s.overdue,
    ack: s.ack_seconds.p50 === null ? "–" : Math.round(s.ack_seconds.p50 / 60),
    resolve: s.resolve_seconds.p50 === null ? "–" : Math.round(s.resolve_seconds.p50 / 60),
  });
  $("dashboard").hidden = s.children.length === 0;
  $("dashboard-rows").replaceChildren(
    ...s.children.map((c) =>
      el("tr", { dataset: { code: c.code } }, [
        cell(`${c.name} (${c.code})`, m.region),
        cell(String(c.total), m.total),
        cell(String(open(c)), m.open),
        cell(String(c.overdue), m.overdue),
        cell(String(c.severity.critical || 0), m.critical),
      ]),
    ),
  );
}

function refresh() {
  return Promise.all([drawQueue(), drawDashboard()]);
}

// Live: each notice is listed (newest first, the last 20) and the queue
// and dashboard are drawn again; the browser reconnects by itself.
function listen() {
  const stream = new EventSource("/api/v1/incidents/stream");
  stream.onopen = () => ($("stream-state").textContent = m.stream_live);
  stream.onerror = () => ($("stream-state").textContent = m.stream_lost);
  const notice = (event) => {
    const data = JSON.parse(event.data);
    const incident = data.incident || {};
    const text = fill(m.notice, {
      event: m.events[event.type] || event.type,
      severity: messages.report.severities[incident.severity] || "",
      category: messages.report.categories[incident.category] || "",
      region: incident.region || "",
    });
    const item = el("li", { dataset: { event: event.type } }, [
      el("a", { href: `/workspace/incidents/${incident.id}`, text }),
    ]);
    $("notices").prepend(item);
    while ($("notices").children.length > 20) $("notices").lastChild.remove();
    refresh();
  };
  for (const name of Object.keys(m.events)) stream.addEventListener(name, notice);
}

refresh();
listen();
setInterval(refresh, REFRESH_MS);
