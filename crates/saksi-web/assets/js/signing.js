// Saksi's signing in the browser: an officer's or a KPPS device's Ed25519
// key, made with WebCrypto and kept in IndexedDB, signing statements the
// server checks exactly as it checks `saksi kpps sign` (docs/statements.md).
//
// The private key is made non-extractable: no script, this one included,
// can read it back, so a key never leaves the browser that made it. The
// key pair (two CryptoKey objects) is stored in IndexedDB, database
// "saksi-keys", store "keys", one record per key name.
//
// Formats (the same bytes as crates/saksi-log and crates/saksi-statement):
// - verifier key: `<name>+<8 hex key id>+<base64(0x01 || public key)>`, the
//   key id being the first 4 bytes of SHA-256(name || 0x0A || 0x01 || pk)
//   (C2SP signed-note);
// - signed bytes: "saksi/statement/v1\n" then the statement's RFC 8785
//   (JSON Canonicalization Scheme) bytes, UTF-8;
// - envelope: {statement, signature: standard base64 of 64 bytes, key}.
//
// Plain ES module, no dependency, no build step: served as
// /static/js/signing.js under `script-src 'self'`.

const DB_NAME = "saksi-keys";
const STORE_NAME = "keys";
const ALGORITHM = { name: "Ed25519" };
const STATEMENT_PREFIX = "saksi/statement/v1\n";
// Ed25519's algorithm byte in signed-note keys.
const ALG_ED25519 = 0x01;

// ---------------------------------------------------------------- keys

// Makes a new key named `name` in this browser and keeps it in IndexedDB.
// Refuses a name already in use here: replacing a key silently would lose
// one that may already be certified (deleteKey first, on purpose).
// Returns {name, verifier}.
export async function makeKey(name) {
  checkName(name);
  if (await store.get(name)) {
    throw new Error(`a key named ${name} already exists in this browser`);
  }
  const pair = await crypto.subtle.generateKey(ALGORITHM, false, ["sign", "verify"]);
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  const verifier = verifierKey(name, raw);
  await store.add({ name, privateKey: pair.privateKey, publicKey: pair.publicKey, verifier });
  return { name, verifier };
}

// The key named `name` kept in this browser, as {name, verifier}, or null.
export async function loadKey(name) {
  const record = await store.get(name);
  return record ? { name: record.name, verifier: record.verifier } : null;
}

// Whether this browser holds a key named `name`.
export async function hasKey(name) {
  return (await store.get(name)) != null;
}

// Forgets the key named `name` (nothing happens if there is none). Its
// registration in the log is untouched: revoke it there too.
export async function deleteKey(name) {
  await store.delete(name);
}

// Signs `statement` (a plain object) with the key named `name` and returns
// the envelope to POST: {statement, signature, key}.
export async function signStatement(name, statement) {
  const record = await store.get(name);
  if (!record) {
    throw new Error(`no key named ${name} in this browser`);
  }
  const bytes = new TextEncoder().encode(STATEMENT_PREFIX + canonicalJSON(statement));
  const signature = await crypto.subtle.sign(ALGORITHM, record.privateKey, bytes);
  return { statement, signature: base64(new Uint8Array(signature)), key: record.verifier };
}

// The digest a statement's next version names as its `prev`: lowercase
// hex SHA-256 of the statement's RFC 8785 bytes (docs/statements.md), the
// same canonical bytes it was signed over, without the signing prefix.
export function statementDigest(statement) {
  const digest = sha256(new TextEncoder().encode(canonicalJSON(statement)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

// The verifier key text of the 32-byte Ed25519 public key `rawPublicKey`
// (Uint8Array or ArrayBuffer) under `name`.
export function verifierKey(name, rawPublicKey) {
  checkName(name);
  const pk = new Uint8Array(rawPublicKey);
  if (pk.length !== 32) {
    throw new Error("an Ed25519 public key is 32 bytes");
  }
  const nameBytes = new TextEncoder().encode(name);
  const keyBytes = new Uint8Array(33);
  keyBytes[0] = ALG_ED25519;
  keyBytes.set(pk, 1);
  const hashed = new Uint8Array(nameBytes.length + 1 + keyBytes.length);
  hashed.set(nameBytes);
  hashed[nameBytes.length] = 0x0a;
  hashed.set(keyBytes, nameBytes.length + 1);
  const id = Array.from(sha256(hashed).subarray(0, 4), (b) => b.toString(16).padStart(2, "0"));
  return `${name}+${id.join("")}+${base64(keyBytes)}`;
}

// Unicode White_Space, as Rust's char::is_whitespace (saksi_log::keys)
// judges names: JavaScript's \s differs (it has U+FEFF, lacks U+0085).
const WHITE_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

// A key name is published in the log with everything the key signs: not
// empty, no white space, no "+" (the verifier key's separator).
function checkName(name) {
  if (typeof name !== "string" || name === "" || WHITE_SPACE.test(name) || name.includes("+")) {
    throw new Error(`not a key name (no spaces, no "+"): ${JSON.stringify(name)}`);
  }
  checkWellFormed(name);
}

// ---------------------------------------------------------------- RFC 8785

// The RFC 8785 text of `value`: strings, integers within ±(2^53 − 1),
// null, booleans, arrays and plain objects (members sorted by the UTF-16
// code units of their names, §3.2.3; strings escaped as JSON.stringify
// does, §3.2.2.2). Anything else throws: a fraction or a larger number
// (the server refuses them, and a double would round them), undefined,
// a string that is not well-formed UTF-16, any other object.
export function canonicalJSON(value) {
  if (value === null || value === true || value === false) {
    return String(value);
  }
  switch (typeof value) {
    case "string":
      checkWellFormed(value);
      return JSON.stringify(value);
    case "number":
      if (!Number.isSafeInteger(value)) {
        throw new RangeError(`${value} is not an integer within ±(2^53 - 1)`);
      }
      // -0 is written "0", as RFC 8785 says.
      return String(value === 0 ? 0 : value);
    case "object": {
      if (Array.isArray(value)) {
        return `[${value.map(canonicalJSON).join(",")}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError("only plain objects have a canonical form");
      }
      // The default sort compares UTF-16 code units, as §3.2.3 requires.
      const members = Object.keys(value).sort().map((k) => {
        checkWellFormed(k);
        return `${JSON.stringify(k)}:${canonicalJSON(value[k])}`;
      });
      return `{${members.join(",")}}`;
    }
    default:
      throw new TypeError(`a ${typeof value} has no canonical JSON form`);
  }
}

// A lone surrogate has no UTF-8 form: the server could never see the
// string that was signed.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function checkWellFormed(s) {
  if (LONE_SURROGATE.test(s)) {
    throw new RangeError("a string holds a lone UTF-16 surrogate");
  }
}

// ---------------------------------------------------------------- storage

// Where key pairs live: IndexedDB in a browser. Records are
// {name, privateKey, publicKey, verifier}, keyed by name.
const indexedDbStore = {
  get: (name) => request("readonly", (s) => s.get(name)),
  add: (record) => request("readwrite", (s) => s.add(record)),
  delete: (name) => request("readwrite", (s) => s.delete(name)),
};

let store = indexedDbStore;

// Replaces IndexedDB with another store of the same three methods (async
// get(name) -> record | undefined, add(record) refusing a name in use,
// delete(name)): for Node, which has WebCrypto but no IndexedDB, so the
// tests can run every function here outside a browser.
export function setKeyStore(replacement) {
  store = replacement ?? indexedDbStore;
}

function openDatabase() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE_NAME, { keyPath: "name" });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

// One request in its own transaction; resolves once the transaction has
// committed, with the request's result.
async function request(mode, make) {
  const db = await openDatabase();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE_NAME, mode);
      const req = make(tx.objectStore(STORE_NAME));
      tx.oncomplete = () => resolve(req.result);
      tx.onabort = () => reject(tx.error ?? req.error);
    });
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------- bytes

function base64(bytes) {
  let binary = "";
  for (const b of bytes) {
    binary += String.fromCharCode(b);
  }
  return btoa(binary);
}

// SHA-256 (FIPS 180-4), synchronous so that verifierKey can be: WebCrypto's
// digest is asynchronous only. Used for the 4-byte key id.
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

function sha256(bytes) {
  const length = bytes.length;
  const padded = new Uint8Array((((length + 8) >> 6) + 1) << 6);
  padded.set(bytes);
  padded[length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(length / 0x20000000));
  view.setUint32(padded.length - 4, (length << 3) >>> 0);
  const h = new Uint32Array([
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
  ]);
  const w = new Uint32Array(64);
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  for (let block = 0; block < padded.length; block += 64) {
    for (let i = 0; i < 16; i++) {
      w[i] = view.getUint32(block + 4 * i);
    }
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 64; i++) {
      const s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + s1 + ch + K[i] + w[i]) | 0;
      const s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (s0 + maj) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
    h[5] += f;
    h[6] += g;
    h[7] += hh;
  }
  const out = new Uint8Array(32);
  const outView = new DataView(out.buffer);
  h.forEach((word, i) => outView.setUint32(4 * i, word));
  return out;
}
