// The KPPS phone's outbox: signed statements and photos wait here, in
// IndexedDB, until the server has answered them, so that a form signed
// where there is no signal is sent when the signal returns, and a page
// reload or a dead battery loses nothing.
//
// Database "saksi-outbox", store "items", one record per item, its `id`
// given by IndexedDB in the order items were queued:
//   {id, kind: "statement"|"photo", label, url, method, body, contentType,
//    after, state: "waiting"|"sent"|"accepted"|"refused", attempts,
//    next_attempt_at, created_at (ms since 1970), log_index?, receipt?,
//    response?, error?: {code, message}}
//
// Sending, one item at a time:
// - statements first, oldest first; photos after every statement, oldest
//   first ("the numbers go first"); a photo also waits for its `after`
//   statement, and is refused with it (`queue.after_refused`);
// - the item at the head blocks those behind it while it waits: a form's
//   next version names the previous one, so it must never overtake it;
// - the body sent is the one stored, byte for byte, on every attempt: the
//   server recognises a statement it has already logged and answers its
//   first answer, so a retry never stores anything twice;
// - a network error, a timeout, 408, 429 or 5xx waits 1 s, then 2, 4, ...
//   up to 60 s (or the server's Retry-After, within 60 s); any other 4xx
//   refuses the item with the server's {code, message}; a 2xx accepts it
//   and keeps the answer (its receipt and log index);
// - an item is marked "sent" before its request leaves: one still "sent"
//   after a reload never had its answer and is sent again.

const DB_NAME = "saksi-outbox";
const STORE_NAME = "items";
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 60_000;
// A request that has not answered by then is abandoned and retried: a
// dropped connection may otherwise hang for minutes. Photos get time for
// their bytes on a slow link (16 KiB/s).
const TIMEOUT_MS = 30_000;
const SLOW_LINK_BYTES_PER_MS = 16;

const KINDS = ["statement", "photo"];
const METHODS = ["POST", "PUT"];

let onChangeHandler = null;
let started = false;
let timer = null;
// Passes run one after another in this tab (and, through the Web Locks
// API where there is one, across the phone's tabs).
let passes = Promise.resolve();

// Queues a request. `body` is a string (a signed statement's JSON, sent as
// it is on every attempt) or a Blob/ArrayBuffer (a photo's bytes); `after`
// the id of a queued item that must be accepted first. Returns the stored
// item, with its `id`.
export async function enqueue({ kind, label, url, method, body, contentType, after }) {
  if (!KINDS.includes(kind)) throw new TypeError(`kind is one of ${KINDS.join(", ")}`);
  if (!METHODS.includes(method)) throw new TypeError(`method is one of ${METHODS.join(", ")}`);
  if (typeof url !== "string" || !url.startsWith("/api/")) throw new TypeError("url is an /api/ path");
  if (!(typeof body === "string" || body instanceof Blob || body instanceof ArrayBuffer)) {
    throw new TypeError("body is a string, a Blob or an ArrayBuffer");
  }
  const now = Date.now();
  const record = {
    kind,
    label: String(label ?? ""),
    url,
    method,
    body,
    contentType: contentType ?? (typeof body === "string" ? "application/json" : "application/octet-stream"),
    after: after ?? null,
    state: "waiting",
    attempts: 0,
    next_attempt_at: now,
    created_at: now,
  };
  const id = await transaction("readwrite", (store, done, abort) => {
    const add = () => {
      const req = store.add(record);
      req.onsuccess = () => done(req.result);
    };
    if (record.after === null) {
      add();
      return;
    }
    const req = store.get(record.after);
    req.onsuccess = () => (req.result ? add() : abort(new RangeError(`no queued item ${record.after}`)));
  });
  const stored = publicView({ ...record, id });
  await changed();
  if (started) schedule(0);
  return stored;
}

// Every item, oldest first, without its body.
export async function items() {
  const all = await allRecords();
  return all.map(publicView);
}

// The newest item for `url` still waiting (or sent, unanswered), with
// its body, or null: a form's next version signed while this one waits
// builds on it (its `version` + 1, `prev` its digest) and is queued
// `after` it.
export async function lastPending(url) {
  const all = await allRecords();
  const last = all.filter((item) => item.url === url && isPending(item)).pop();
  return last ? { ...publicView(last), body: last.body } : null;
}

// Starts sending (once per page; a second call only replaces `onChange`).
// `onChange(items)` is called with every item after each change of state.
export function start({ onChange } = {}) {
  onChangeHandler = onChange ?? null;
  if (started) return;
  started = true;
  addEventListener("online", () => flush());
  schedule(0);
}

// Tries now: every unfinished item is due at once, even if it was backing
// off and even if the browser believes it is offline. Resolves once the
// queue is empty or waiting again.
export function flush() {
  return run(true);
}

// ---------------------------------------------------------------- sending

function schedule(delay) {
  clearTimeout(timer);
  timer = setTimeout(() => run(false), Math.max(0, delay));
}

function run(force) {
  passes = passes.then(() => exclusive(() => pass(force))).catch((e) => console.error("outbox:", e));
  return passes;
}

function exclusive(work) {
  return navigator.locks ? navigator.locks.request(DB_NAME, work) : work();
}

// Sends due items until the queue is empty or its head must wait, then
// sets the timer for the head's next attempt. A forced pass first makes
// every unfinished item due, inside the pass: a send still in flight when
// flush() was called may fail and set a wait, and that wait must not
// outlive the flush.
async function pass(force) {
  if (force) await makeDue();
  for (;;) {
    const all = await allRecords();
    const byId = new Map(all.map((item) => [item.id, item]));
    const pending = all
      .filter(isPending)
      .sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind) || a.id - b.id);
    const refusedFirst = pending.find((item) => byId.get(item.after)?.state === "refused");
    if (refusedFirst) {
      const first = byId.get(refusedFirst.after);
      await save({
        ...refusedFirst,
        state: "refused",
        error: { code: "queue.after_refused", message: `item ${first.id} was refused: ${first.error?.code}` },
      });
      continue;
    }
    const head = pending.find((item) => item.after === null || byId.get(item.after)?.state === "accepted") ?? null;
    if (head === null) return;
    if (!force && !navigator.onLine) return; // the "online" event flushes
    const wait = head.next_attempt_at - Date.now();
    if (wait > 0) {
      schedule(wait);
      return;
    }
    await send(head);
  }
}

async function makeDue() {
  const now = Date.now();
  await transaction("readwrite", (store, done) => {
    const req = store.openCursor();
    req.onsuccess = () => {
      const cursor = req.result;
      if (!cursor) return done();
      if (isPending(cursor.value)) cursor.update({ ...cursor.value, next_attempt_at: now });
      cursor.continue();
    };
  });
}

async function send(item) {
  const attempts = item.attempts + 1;
  await save({ ...item, state: "sent", attempts, next_attempt_at: Date.now() });
  const size = typeof item.body === "string" ? item.body.length : item.body.size ?? item.body.byteLength;
  let answer;
  try {
    answer = await fetch(item.url, {
      method: item.method,
      headers: { "Content-Type": item.contentType },
      body: item.body,
      cache: "no-store",
      signal: AbortSignal.timeout(TIMEOUT_MS + Math.ceil(size / SLOW_LINK_BYTES_PER_MS)),
    });
  } catch {
    return backOff(item, attempts, 0);
  }
  const body = await answer.json().catch(() => null);
  if (answer.ok) {
    return save({
      ...item,
      state: "accepted",
      attempts,
      log_index: body?.log_index ?? body?.receipt?.log_index ?? null,
      receipt: body?.receipt ?? null,
      response: body,
      error: undefined,
    });
  }
  if (answer.status === 408 || answer.status === 429 || answer.status >= 500) {
    return backOff(item, attempts, retryAfter(answer));
  }
  const error = body?.error;
  return save({
    ...item,
    state: "refused",
    attempts,
    response: body,
    error:
      typeof error?.code === "string"
        ? { code: error.code, message: String(error.message ?? "") }
        : { code: "queue.unexplained_refusal", message: `HTTP ${answer.status}` },
  });
}

// Back to waiting after the `attempts`-th failure: 1 s doubling to 60 s,
// longer if the server asked for it (never beyond 60 s).
function backOff(item, attempts, serverDelay) {
  const delay = Math.min(MAX_DELAY_MS, Math.max(FIRST_DELAY_MS * 2 ** (attempts - 1), serverDelay));
  return save({ ...item, state: "waiting", attempts, next_attempt_at: Date.now() + delay });
}

// Retry-After in seconds, as milliseconds (0 when absent or a date).
function retryAfter(answer) {
  const seconds = Number(answer.headers.get("Retry-After"));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

const isPending = (item) => item.state === "waiting" || item.state === "sent";

async function save(record) {
  await transaction("readwrite", (store, done) => {
    const req = store.put(record);
    req.onsuccess = () => done();
  });
  await changed();
}

async function changed() {
  if (onChangeHandler) onChangeHandler(await items());
}

// What callers see of an item: everything but its body.
function publicView(record) {
  const { body: _body, ...rest } = record;
  return rest;
}

// ---------------------------------------------------------------- storage

// Every stored record, with its body, oldest first.
function allRecords() {
  return transaction("readonly", (store, done) => {
    const req = store.getAll();
    req.onsuccess = () => done(req.result);
  });
}

function openDatabase() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE_NAME, { keyPath: "id", autoIncrement: true });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

// Runs `work(store, done, abort)` in one transaction; resolves with what
// `done` was given once the transaction has committed.
async function transaction(mode, work) {
  const db = await openDatabase();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE_NAME, mode);
      let result;
      let failure = null;
      tx.oncomplete = () => (failure ? reject(failure) : resolve(result));
      tx.onabort = () => reject(failure ?? tx.error);
      work(
        tx.objectStore(STORE_NAME),
        (value) => {
          result = value;
        },
        (error) => {
          failure = error;
          tx.abort();
        },
      );
    });
  } finally {
    db.close();
  }
}
