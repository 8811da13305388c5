// What the KPPS app keeps of the server's answers so that its entry opens
// without a connection: the reads of ITS OWN TPS (the TPS page with each
// contest's current version, each contest's ballot: GET
// /api/v1/results/{contest}/{tps} and its dapil's
// /api/v1/results/{contest}/dapil/{code}) and the log's latest checkpoint
// (its origin is signed into every statement).
//
// Kept by the page in IndexedDB (database "saksi-kpps-kept", store
// "reads", one record {path, tps, body, at} per path), not by the service
// worker: the worker answers no /api/ read but the form rules (a contract
// the outbox relies on: an /api/ answer is always the server's), only the
// page knows which TPS the phone belongs to, and only the page can say on
// screen that what it shows was kept, and from when.
//
// Reads go to the network first; an answer that has not come within
// NETWORK_WAIT_MS (as the service worker waits for the page), or no
// connection at all, is replaced by the kept copy, if there is one (else
// the network is waited for: a slow first visit still gets its answer).
// An answer from the server, a refusal included, is never replaced; one
// that comes late still refreshes the kept copy. Records of another TPS
// (the phone enrolled again elsewhere) are deleted.

const DB_NAME = "saksi-kpps-kept";
const STORE_NAME = "reads";
const NETWORK_WAIT_MS = 4000;

// A reader for the entry of `tps` (entry.js's `read`): `read(path,
// {text})` answers {status, body, keptAt}: `body` parsed JSON (or text
// when `text`), `keptAt` null for the network's answer, else the time
// (ms since 1970) the kept copy was read from the network; status 0 when
// neither the network nor the phone has it.
export function keeper(tps) {
  const keeps = keptPaths(tps);
  const forgotten = forgetOthers(tps).catch((e) => console.warn("kept reads of another TPS stay:", e));
  return async function read(path, { text = false } = {}) {
    const network = fetch(path, { headers: { Accept: text ? "text/plain" : "application/json" }, cache: "no-store" }).then(
      async (response) => {
        const body = text ? await response.text() : await response.json().catch(() => ({}));
        if (response.ok && keeps(path)) {
          await forgotten;
          await request("readwrite", (store) => store.put({ path, tps, body, at: Date.now() })).catch((e) =>
            console.warn("not kept:", path, e),
          );
        }
        return { status: response.status, body, keptAt: null };
      },
    );
    const unreached = () => ({ status: 0, body: {}, keptAt: null });
    if (!keeps(path)) return network.catch(unreached);
    // Answered by the kept copy, the network's failure is nobody's error.
    network.catch(() => undefined);
    try {
      return await Promise.race([network, late(NETWORK_WAIT_MS)]);
    } catch {
      // No connection, or a slow one: the kept copy, else the network's
      // answer whenever it comes (which is then kept).
      await forgotten;
      const record = await request("readonly", (store) => store.get(path)).catch(() => undefined);
      return record ? { status: 200, body: record.body, keptAt: record.at } : network.catch(unreached);
    }
  };
}

function late(ms) {
  return new Promise((_, reject) => setTimeout(() => reject(new Error("the network is slow")), ms));
}

// Whether a path is one of `tps`'s reads the phone keeps.
function keptPaths(tps) {
  const own = new Set(["/api/v1/log/checkpoint", `/api/v1/tps/${tps}`]);
  const escaped = tps.replace(/\./g, "\\.");
  const ballot = new RegExp(`^/api/v1/results/[a-z-]+/(${escaped}|dapil/[^/]+)$`);
  return (path) => own.has(path) || ballot.test(path);
}

async function forgetOthers(tps) {
  const all = await request("readonly", (store) => store.getAll());
  const others = all.filter((r) => r.tps !== tps).map((r) => r.path);
  if (others.length) await request("readwrite", (store) => others.map((p) => store.delete(p)).pop());
}

// Runs one request on the store and answers its result.
function request(mode, make) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE_NAME, { keyPath: "path" });
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const tx = db.transaction(STORE_NAME, mode);
      const req = make(tx.objectStore(STORE_NAME));
      tx.oncomplete = () => {
        db.close();
        resolve(req.result);
      };
      tx.onabort = () => {
        db.close();
        reject(tx.error ?? req.error);
      };
    };
  });
}
