// Runs crates/saksi-web/assets/js/signing.js in Node (WebCrypto Ed25519,
// no IndexedDB: an in-memory key store stands in) on the statements the
// Rust test `browser_signing` generates, and prints what the library made
// of each so that Rust can check it with its own canonicaliser and
// verifier (crates/saksi/tests/saksi/browser_signing.rs).
//
// Standard input: {"names": [key names], "statements": [values]}.
// Standard output: {"keys", "results", "refusals", "store"} (below).
// Needs no npm package.

import { webcrypto } from "node:crypto";
import {
  canonicalJSON,
  deleteKey,
  hasKey,
  loadKey,
  makeKey,
  setKeyStore,
  signStatement,
  statementDigest,
  verifierKey,
} from "../crates/saksi-web/assets/js/signing.js";

// Node 20 exposes WebCrypto as globalThis.crypto; older ones do not.
globalThis.crypto ??= webcrypto;

// IndexedDB's behaviour that signing.js relies on: records keyed by name,
// add refusing a name in use.
const records = new Map();
setKeyStore({
  get: async (name) => records.get(name),
  add: async (record) => {
    if (records.has(record.name)) {
      throw new Error("ConstraintError");
    }
    records.set(record.name, record);
  },
  delete: async (name) => {
    records.delete(name);
  },
});

const input = JSON.parse(await readStdin());

// Every key, with its id computed independently (WebCrypto's SHA-256) so
// the library's own SHA-256 is checked too.
const keys = [];
for (const name of input.names) {
  const made = await makeKey(name);
  const raw = new Uint8Array(
    await crypto.subtle.exportKey("raw", records.get(name).publicKey),
  );
  const nameBytes = new TextEncoder().encode(name);
  const hashed = new Uint8Array([...nameBytes, 0x0a, 0x01, ...raw]);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", hashed));
  const expectedId = Array.from(digest.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join("");
  keys.push({ name, verifier: made.verifier, expected_id: expectedId, again: verifierKey(name, raw) });
}

// Each statement: its canonical text, the envelope of a key (in turn) and
// the digest a next version names, or the error the library threw.
const results = [];
for (const [i, statement] of input.statements.entries()) {
  const name = input.names[i % input.names.length];
  try {
    const canonical = canonicalJSON(statement);
    const envelope = await signStatement(name, statement);
    results.push({ canonical, envelope, digest: statementDigest(statement), error: null });
  } catch (e) {
    results.push({ canonical: null, envelope: null, error: String(e) });
  }
}

// Values JSON cannot carry to this script, each of which must throw.
const refusals = Object.entries({
  fraction: 0.5,
  "2^53": 2 ** 53,
  "-(2^53)": -(2 ** 53),
  NaN: NaN,
  Infinity: Infinity,
  undefined: undefined,
  bigint: 1n,
  function: () => 1,
  symbol: Symbol("s"),
  date: new Date(0),
  map: new Map(),
  "lone high surrogate": "a\ud800",
  "lone low surrogate": "\udc00b",
  "lone surrogate in a name": { "\ud83d": 1 },
  "nested fraction": { a: [1, { b: 1.25 }] },
}).map(([what, value]) => {
  try {
    canonicalJSON(value);
    return { what, threw: false };
  } catch {
    return { what, threw: true };
  }
});
for (const name of ["", "a b", "a+b", "a\u0085b", "a\u3000b", "x\ud800"]) {
  try {
    verifierKey(name, new Uint8Array(32));
    refusals.push({ what: `key name ${JSON.stringify(name)}`, threw: false });
  } catch {
    refusals.push({ what: `key name ${JSON.stringify(name)}`, threw: true });
  }
}

// The key store's life cycle, as a page sees it.
const name = input.names[0];
const store = {
  loaded: (await loadKey(name))?.verifier === keys[0].verifier,
  has: await hasKey(name),
  duplicate_refused: await makeKey(name).then(
    () => false,
    () => true,
  ),
  unknown_is_null: (await loadKey("no-such-key")) === null,
  signing_with_unknown_refused: await signStatement("no-such-key", {}).then(
    () => false,
    () => true,
  ),
};
await deleteKey(name);
store.gone_after_delete = !(await hasKey(name)) && (await loadKey(name)) === null;
store.remade = (await makeKey(name)).verifier !== keys[0].verifier;

process.stdout.write(JSON.stringify({ keys, results, refusals, store }));

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
