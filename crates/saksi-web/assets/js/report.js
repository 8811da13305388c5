// The KPPS app's incident report: a short form (what, how urgent, a title,
// what happened, the contests it touches, up to 3 photos), sealed and
// signed on the phone (incident.js) and put in the outbox, so a report
// made where there is no signal leaves when the signal returns. Its
// photos follow it in the outbox, to the incident's own photo address
// (never the public one). Every string comes from the page's catalogue.
import { el, fill } from "./chasil.js";
import { reencode } from "./camera.js";
import { getter, logOrigin, now } from "./entry.js";
import { CATEGORIES, CONTESTS, PHOTOS_MAX, SEVERITIES, TEXT_MAX, TITLE_MAX, problem, sealReport } from "./incident.js";

// Mounts the report form under `root` for the device `keyName` of `tps`;
// `read` answers the server's reads, from what the phone kept when there
// is no connection (kept.js), `enqueue` is the outbox's (queue.js).
export function mountReport(root, { tps, keyName, messages, read, enqueue }) {
  const m = messages.report;
  const photos = [];
  const select = (id, values, names) =>
    el(
      "select",
      { id, name: id, required: true },
      values.map((v) => el("option", { value: v, text: names[v] || v })),
    );
  const category = select("report-category", CATEGORIES, m.categories);
  const severity = select("report-severity", SEVERITIES, m.severities);
  severity.value = "medium";
  const title = el("input", { id: "report-title", name: "title", maxLength: TITLE_MAX, required: true, autocomplete: "off" });
  const description = el("textarea", { id: "report-description", name: "description", maxLength: TEXT_MAX, rows: 5, required: true });
  const contests = CONTESTS.map((c) =>
    el("label", { className: "check" }, [
      el("input", { type: "checkbox", name: "contest", value: c }),
      document.createTextNode(messages.contest[c] || c),
    ]),
  );
  const pick = el("input", { id: "report-photo-input", type: "file", accept: "image/*", capture: "environment", className: "visually-hidden" });
  const add = el("label", { for: "report-photo-input", className: "button secondary", text: m.add_photo });
  const list = el("ul", { id: "report-photos", className: "photo-list" });
  const said = el("p", { id: "report-said", role: "status", "aria-live": "polite" });
  const submit = el("button", { type: "submit", text: m.file });
  const form = el("form", { id: "report-form", className: "stack", noValidate: true }, [
    el("label", { for: "report-category", text: m.category }),
    category,
    el("label", { for: "report-severity", text: m.severity }),
    severity,
    el("label", { for: "report-title", text: m.title }),
    title,
    el("label", { for: "report-description", text: m.description }),
    description,
    el("fieldset", {}, [el("legend", { text: m.contests }), ...contests]),
    list,
    pick,
    add,
    said,
    submit,
  ]);
  root.replaceChildren(el("h2", { id: "report-heading", text: m.heading }), el("p", { className: "muted", text: m.intro }), form);

  const say = (text, isError) => {
    said.textContent = text;
    said.className = isError ? "error" : "";
  };
  const redraw = () => {
    list.replaceChildren(
      ...photos.map((p, i) => {
        const remove = el("button", { type: "button", className: "secondary", text: fill(m.remove_photo, { n: i + 1 }) });
        remove.addEventListener("click", () => {
          photos.splice(i, 1);
          redraw();
        });
        return el("li", { dataset: { sha256: p.sha256 } }, [p.canvas, remove]);
      }),
    );
    add.hidden = photos.length >= PHOTOS_MAX;
  };
  pick.addEventListener("change", async () => {
    const files = Array.from(pick.files || []);
    pick.value = "";
    for (const file of files) {
      if (photos.length >= PHOTOS_MAX) {
        say(`${messages.error["incident.too_many_photos"]} (incident.too_many_photos)`, true);
        break;
      }
      try {
        const photo = await reencode(file);
        photo.canvas.className = "thumb";
        if (!photos.some((p) => p.sha256 === photo.sha256)) photos.push(photo);
      } catch (e) {
        const code = (e && e.code) || "entry.photo_not_an_image";
        say(`${messages.error[code]} (${code})`, true);
      }
    }
    redraw();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const report = {
      tps,
      category: category.value,
      severity: severity.value,
      title: title.value.trim(),
      description: description.value.trim(),
      contests: contests.map((l) => l.querySelector("input")).filter((i) => i.checked).map((i) => i.value),
      photos: photos.slice(),
    };
    const code = problem(report);
    if (code) {
      say(`${messages.error[code] || code} (${code})`, true);
      return;
    }
    submit.disabled = true;
    try {
      const origin = await logOrigin(getter(read, () => undefined));
      const { id, envelope } = await sealReport(keyName, origin, now(), report);
      const label = fill(m.outbox_report, { title: report.title });
      const filed = await enqueue({
        kind: "statement",
        label,
        url: "/api/v1/incidents",
        method: "POST",
        body: JSON.stringify(envelope),
        contentType: "application/json",
      });
      for (const [i, p] of report.photos.entries()) {
        await enqueue({
          kind: "photo",
          label: fill(m.outbox_photo, { n: i + 1, title: report.title }),
          url: `/api/v1/incidents/${id}/photos/${p.sha256}`,
          method: "PUT",
          body: p.blob,
          contentType: "image/jpeg",
          after: filed.id,
        });
      }
      form.reset();
      severity.value = "medium";
      photos.length = 0;
      redraw();
      say(fill(m.queued, { id }), false);
      root.dataset.lastIncident = id;
    } catch (e) {
      // A read not answered (no connection, nothing kept) has a status.
      say(e && "status" in e ? m.needs_log : String((e && e.message) || e), true);
    } finally {
      submit.disabled = false;
    }
  });
  redraw();
}
