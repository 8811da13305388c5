// Entering one C.Hasil, from the first number to the log's answer, for
// the KPPS app (the device's key) and the workspace's entry on behalf (an
// officer's own key, with a reason): the double-checked numbers
// (chasil.js), 1 to 3 photos (camera.js), a review, the `form` statement
// of docs/statements.md signed in this browser (signing.js) with
// `version` and `prev` from the TPS's current form, and the answer shown
// in words: version, log index and warnings, or the refusal with its
// code. How the signed statement leaves the browser is the caller's
// `send`: at once (`submitNow`, the workspace's entry on behalf) or
// through the KPPS app's outbox, which answers `{queued: true}` and shows
// each item's fate itself. How it reads the server is the caller's
// `read`: the network (`networkRead`), or the KPPS app's reader that
// falls back on what the phone kept (kept.js); what was kept from an
// earlier visit is said so on screen, with its time.
import { signStatement } from "./signing.js";
import { el, fill, loadBallot, loadRules, mountChasil } from "./chasil.js";
import { mountCamera } from "./camera.js";

async function call(path, init) {
  try {
    const r = await fetch(path, { cache: "no-store", ...init });
    return { status: r.status, body: await r.json().catch(() => ({})) };
  } catch (e) {
    return { status: 0, body: {} };
  }
}

// POST /api/v1/tps/{tps}/forms/{contest} with the envelope: {status, body},
// status 0 when the server was not reached. No session: the signature
// authenticates the statement.
export function postStatement(tps, contest, envelope) {
  return call(`/api/v1/tps/${tps}/forms/${contest}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(envelope),
  });
}

// PUT /api/v1/photos/{sha256} with the photo's bytes.
export function putPhoto(photo) {
  return call(`/api/v1/photos/${photo.sha256}`, {
    method: "PUT",
    headers: { "Content-Type": "image/jpeg", Accept: "application/json" },
    body: photo.blob,
  });
}

// Sends the statement now, then (once it is accepted) each photo it
// names: {answer, uploads: [{sha256, status, body}]}. For pages that sign
// while online (the workspace); the KPPS app queues instead.
export async function submitNow({ tps, contest, envelope, photos }) {
  const answer = await postStatement(tps, contest, envelope);
  const uploads = [];
  if (answer.status === 201) {
    for (const p of photos) uploads.push({ sha256: p.sha256, ...(await putPhoto(p)) });
  }
  return { answer, uploads };
}

// A GET of the server, JSON (or text when `text`), from the network:
// {status, body, keptAt: null}, status 0 when the server was not reached.
export async function networkRead(path, { text = false } = {}) {
  try {
    const r = await fetch(path, { headers: { Accept: text ? "text/plain" : "application/json" }, cache: "no-store" });
    return { status: r.status, body: text ? await r.text() : await r.json().catch(() => ({})), keptAt: null };
  } catch (e) {
    return { status: 0, body: {}, keptAt: null };
  }
}

// `read` as a getter that answers the body of a 200 and throws the
// answer otherwise; `onKept(at)` hears of each answer kept from an
// earlier visit.
export function getter(read, onKept) {
  return async (path, options) => {
    const answer = await read(path, options);
    if (answer.status !== 200) throw answer;
    if (answer.keptAt !== null) onKept(answer.keptAt);
    return answer.body;
  };
}

// The log's origin: the first line of its latest checkpoint.
export async function logOrigin(get) {
  return (await get("/api/v1/log/checkpoint", { text: true })).split("\n")[0];
}

// The contest's current version at the TPS ({version, digest} or null).
async function currentVersion(get, tps, contest) {
  const entry = ((await get(`/api/v1/tps/${tps}`)).contests || []).find((c) => c.contest === contest);
  return entry && entry.current ? entry.current : null;
}

// "Shown from what this phone kept on <time>": the oldest of `times`
// (ms since 1970) in the page's language, or nothing when none was kept.
function keptNotice(messages, times) {
  if (!times.length) return [];
  const when = new Date(Math.min(...times)).toLocaleString(document.documentElement.lang || undefined);
  return [el("p", { className: "kept-notice", text: fill(messages.entry.kept, { when }) })];
}

// RFC 3339 in UTC without fractions, as docs/statements.md writes times.
export function now() {
  return new Date().toISOString().replace(/\.\d+Z$/, "Z");
}

// A code in words: the catalogue's message (else the server's), and the code.
export function reasonText(messages, code, message) {
  return `${messages.error[code] || message || code} (${code})`;
}

// A refusal in words: the catalogue's message and the code.
export function refusalText(messages, answer) {
  if (answer.status === 0) return messages.entry.offline;
  const err = (answer.body && answer.body.error) || {};
  return reasonText(messages, err.code || String(answer.status), err.message);
}

// Runs one entry of `contest` at `tps` under `root`. `keyName` is the
// signing key's name in this browser; `reason` (on behalf only) an input
// whose text becomes `on_behalf.reason`; `send` delivers
// {tps, contest, contestName, envelope, photos, after} and answers like
// submitNow, or `{queued: true}` when it only queued them; `read` reads
// the server (networkRead's answers); `pending(tps, contest)` (the KPPS
// app's outbox) answers the newest version signed here and not yet
// answered, {id, version, digest}, or null: the entry then builds on it
// and `after` is its id; `onDone` takes the officer back to the choice
// of contest.
export async function runEntry(
  root,
  { tps, contest, contestName, keyName, messages, reason, send, onDone, read = networkRead, pending = async () => null },
) {
  const m = messages.entry;
  const status = el("p", { id: "entry-status", "aria-live": "polite", text: m.loading });
  const back = el("button", { type: "button", className: "secondary", id: "back-to-contests", text: m.back });
  back.addEventListener("click", onDone);
  root.replaceChildren(back, status);
  let rules;
  let ballot;
  const kept = [];
  try {
    [rules, ballot] = await Promise.all([loadRules(), loadBallot(tps, contest, getter(read, (at) => kept.push(at)))]);
  } catch (e) {
    status.textContent = `${m.refused} ${refusalText(messages, e && e.status !== undefined ? e : { status: 0 })}`;
    return;
  }
  status.textContent = "";
  status.after(...keptNotice(messages, kept));
  const numbers = el("div", { id: "chasil-root" });
  const photosRoot = el("section", { id: "photos", hidden: true });
  const toReview = el("button", { type: "button", id: "to-review", text: m.to_review, hidden: true });
  const review = el("section", { id: "review", hidden: true });
  const result = el("section", { id: "answer", "aria-live": "polite", hidden: true });
  root.append(numbers, photosRoot, toReview, review, result);

  const camera = mountCamera(photosRoot, { messages, onChange: () => (review.hidden = true) });
  const chasil = mountChasil(numbers, {
    ballot,
    rules,
    messages,
    onAgreed: () => {
      photosRoot.hidden = false;
      toReview.hidden = false;
      photosRoot.scrollIntoView();
    },
    onEdit: () => {
      photosRoot.hidden = true;
      toReview.hidden = true;
      review.hidden = true;
    },
  });

  toReview.addEventListener("click", async () => {
    const problem = camera.problem();
    camera.show(problem);
    if (problem) return;
    toReview.disabled = true;
    try {
      await drawReview();
    } finally {
      toReview.disabled = false;
    }
  });

  // What the statement builds on, read at the review: the log's origin
  // and the TPS's current version (from the server, or as the phone kept
  // them), or the version still waiting in the outbox, so that signing and
  // queueing need no connection.
  let basis = null;

  async function drawReview() {
    const keptNow = [];
    try {
      const get = getter(read, (at) => keptNow.push(at));
      const [origin, current, waiting] = await Promise.all([logOrigin(get), currentVersion(get, tps, contest), pending(tps, contest)]);
      basis = waiting
        ? { origin, version: waiting.version + 1, prev: waiting.digest, after: waiting.id }
        : { origin, version: current ? current.version + 1 : 1, prev: current ? current.digest ?? null : null, after: null };
    } catch (answer) {
      review.replaceChildren(el("p", { className: "error", text: `${m.refused} ${refusalText(messages, answer)}` }));
      review.hidden = false;
      return;
    }
    const version = basis.version;
    const rows = chasil.rows();
    const table = el("table", { className: "review-table" }, [
      el("tbody", {}, rows.map(([k, v]) => el("tr", {}, [el("th", { scope: "row", text: k }), el("td", { text: String(v) })]))),
    ]);
    const sign = el("button", { type: "button", id: "sign", text: m.sign });
    review.replaceChildren(
      el("h2", { text: m.review_heading }),
      el("p", { id: "review-version", text: fill(m.review_version, { contest: contestName, tps, version }) }),
      ...(basis.after === null ? [] : [el("p", { id: "review-after", text: fill(m.review_after, { version: version - 1 }) })]),
      ...keptNotice(messages, keptNow),
      el("p", { className: "muted", text: fill(m.review_intro, { key: keyName }) }),
      el("div", { className: "scroll" }, [table]),
      el("p", { text: fill(m.review_photos, { n: camera.photos().length }) }),
    );
    review.appendChild(sign);
    review.hidden = false;
    sign.addEventListener("click", () => signAndSend(sign));
    review.scrollIntoView();
  }

  // A statement signed but not answered (no connection, the server busy):
  // sent again byte for byte while nothing in it changed, so that a first
  // attempt that did arrive is answered as a retry, not refused as stale.
  let unanswered = null;

  async function signAndSend(button) {
    const form = chasil.agreed();
    const problem = !form ? "entry.double_mismatch" : camera.problem();
    if (problem) {
      show("refused", reasonText(messages, problem));
      return;
    }
    const why = reason ? reason.value.trim() : null;
    if (reason && (why.length < 1 || why.length > 500)) {
      show("refused", m.reason_invalid);
      reason.focus();
      return;
    }
    button.disabled = true;
    show("working", m.signing);
    try {
      const photos = camera.photos();
      const what = JSON.stringify([form, photos.map((p) => p.sha256), why]);
      const envelope =
        unanswered && unanswered.what === what ? unanswered.envelope : await sign(form, photos, why);
      const outcome = await send({ tps, contest, contestName, envelope, photos, after: basis.after });
      if (outcome.queued) {
        queued();
        return;
      }
      const { answer, uploads } = outcome;
      const again = answer.status === 0 || answer.status === 429 || answer.status >= 500;
      unanswered = again ? { what, envelope } : null;
      answered(answer, uploads, photos);
    } catch (e) {
      show("refused", `${m.refused} ${e && e.status !== undefined ? refusalText(messages, e) : String((e && e.message) || e)}`);
    } finally {
      button.disabled = false;
    }
  }

  // The `form` statement of the agreed numbers and the photos, signed,
  // on the basis read at the review.
  async function sign(form, photos, why) {
    const { origin, version, prev } = basis;
    const statement = {
      v: 1,
      type: "form",
      origin,
      tps,
      contest,
      version,
      prev,
      form,
      photos: photos.map((p) => p.sha256),
      signed_at: now(),
    };
    if (reason) statement.on_behalf = { reason: why };
    return signStatement(keyName, statement);
  }

  // The answer area: `state` is "working", "ok" or "refused".
  function show(state, text, extra = []) {
    const className = { ok: "ok", refused: "error" }[state] || "";
    result.replaceChildren(el("p", { id: "answer-text", className, text }), ...extra);
    result.dataset.state = state;
    result.hidden = false;
    result.scrollIntoView();
  }

  // Done with this entry: the back to the contests button, and the entry
  // itself hidden.
  function finished() {
    const another = el("button", { type: "button", className: "secondary", id: "another", text: m.another });
    another.addEventListener("click", onDone);
    review.hidden = true;
    toReview.hidden = true;
    photosRoot.hidden = true;
    numbers.hidden = true;
    return another;
  }

  // Signed and in the outbox, which shows what becomes of it.
  function queued() {
    show("ok", fill(m.queued, { contest: contestName }), [finished()]);
  }

  // The log's answer in words, and each photo's upload.
  function answered(answer, uploads, photos) {
    if (answer.status !== 201) {
      const details = ((answer.body.error || {}).details || {}).errors || [];
      const lines = details.map((f) => el("li", { text: chasil.explain({ ...f, severity: "error" }) }));
      show("refused", `${m.refused} ${refusalText(messages, answer)}`, lines.length ? [el("ul", {}, lines)] : []);
      return;
    }
    const receipt = answer.body.receipt || {};
    const extra = [];
    const warnings = answer.body.warnings || [];
    if (warnings.length) {
      extra.push(el("p", { text: m.warnings_heading }));
      extra.push(
        el("ul", { id: "answer-warnings" }, warnings.map((w) => el("li", { text: chasil.explain({ ...w, severity: "warning" }) }))),
      );
    }
    const failed = [];
    const uploadList = el("ul", { id: "photo-uploads" });
    uploads.forEach((u, i) => {
      const ok = u.status === 200 || u.status === 201;
      if (!ok) failed.push(photos[i]);
      const text = ok ? fill(m.photo_sent, { n: i + 1 }) : `${fill(m.photo_failed, { n: i + 1 })} ${refusalText(messages, u)}`;
      uploadList.appendChild(el("li", { text, dataset: { sha256: u.sha256, status: String(u.status) } }));
    });
    extra.push(uploadList);
    if (failed.length) {
      const retry = el("button", { type: "button", className: "secondary", id: "retry-photos", text: m.retry_photos });
      retry.addEventListener("click", async () => {
        retry.disabled = true;
        const again = [];
        for (const p of failed) again.push({ sha256: p.sha256, ...(await putPhoto(p)) });
        answered(answer, again, failed);
      });
      extra.push(retry);
    }
    extra.push(finished());
    show(
      "ok",
      fill(m.accepted, { contest: contestName, version: answer.body.version, log_index: receipt.log_index }),
      extra,
    );
    result.dataset.logIndex = String(receipt.log_index);
  }
}

// The entry screen of a TPS: the contests held there, each with its
// current version, and, once one is chosen, its entry (`runEntry`); back
// to the list when it is done. `options` as runEntry's, without
// `contest`, `contestName` and `onDone`; with `warm`, once the list came
// from the network, every held contest's ballot and the log's origin are
// read too (the KPPS app's reader keeps them for a visit without signal).
export async function entryScreen(root, options) {
  const { tps, messages, read = networkRead } = options;
  const m = messages.entry;
  const answer = await read(`/api/v1/tps/${tps}`);
  if (answer.status !== 200) {
    root.replaceChildren(el("p", { className: "error", text: `${m.refused} ${refusalText(messages, answer)}` }));
    return;
  }
  const held = (answer.body.contests || []).filter((c) => c.held);
  if (options.warm && answer.keptAt === null) warm(tps, held, read);
  const list = el("ul", { id: "contests", className: "contest-list" });
  for (const c of held) {
    const name = messages.contest[c.contest] || c.contest;
    const state = c.current ? fill(m.current, { version: c.current.version }) : m.none_yet;
    const choose = el("button", { type: "button", dataset: { contest: c.contest } }, [
      el("span", { text: name }),
      el("span", { className: "contest-state", text: state }),
    ]);
    choose.addEventListener("click", () =>
      runEntry(root, { ...options, contest: c.contest, contestName: name, onDone: () => entryScreen(root, options) }),
    );
    list.appendChild(el("li", {}, [choose]));
  }
  root.replaceChildren(
    el("h2", { text: m.choose_heading }),
    ...keptNotice(messages, answer.keptAt === null ? [] : [answer.keptAt]),
    el("p", { text: m.choose_intro }),
    list,
  );
}

// Reads what an entry of each `held` contest needs (once per TPS and
// page), so that `read` has it; a failure only means it was not kept.
const warmed = new Set();
function warm(tps, held, read) {
  if (warmed.has(tps)) return;
  warmed.add(tps);
  const get = getter(read, () => {});
  Promise.all([logOrigin(get), ...held.map((c) => loadBallot(tps, c.contest, get))]).catch((e) => {
    warmed.delete(tps);
    console.warn("not every ballot was kept for a visit without signal:", e);
  });
}
