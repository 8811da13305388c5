// Checking on the phone that an accepted statement is in the log: the
// receipt the server signed, the latest checkpoint signed with the log key
// this device pinned, and an inclusion proof from the receipt's leaf to the
// checkpoint's root (docs/log-entries.md, "Receipts"). The phone trusts the
// server for nothing it can check itself.
//
// Formats, the same bytes as crates/saksi-log:
// - Merkle tree: RFC 9162 §2.1.1, leaf SHA-256(0x00 || entry), node
//   SHA-256(0x01 || left || right); inclusion checked as §2.1.3.2 says;
// - signed note (C2SP signed-note): a text ending in a newline, a blank
//   line, then lines "— <key name> <base64(4-byte key id || signature)>",
//   split at the LAST blank line, no control character but newline;
// - checkpoint (C2SP tlog-checkpoint): "<origin>\n<size>\n<base64 root>\n"
//   then non-empty extension lines;
// - verifier key: "<name>+<8 hex key id>+<base64(0x01 || Ed25519 key)>",
//   the key id being SHA-256(name || 0x0A || 0x01 || key)[:4].
//
// Plain ES module, no dependency: WebCrypto for SHA-256 and Ed25519, so it
// runs alike in the browser and in Node (the tests run it on the shared
// reference vectors there).

const ALG_ED25519 = 0x01;
const HASH_LEN = 32;
// Go's limit, which saksi-log keeps: it bounds what one note costs to open.
const MAX_SIGNATURES = 100;
const SIG_PREFIX = "\u2014 ";
const RECEIPT_HEADER = "saksi/receipt/v1";
// Where pinLogKey keeps the log key (localStorage, one string).
const PIN_ITEM = "saksi-log-key";
const U64_MAX = (1n << 64n) - 1n;

// Why a check failed: `code` is stable (the catalogues explain it as
// `error.<code>`), the message is for a developer's console.
export class ProofError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

const fail = (code, message) => {
  throw new ProofError(code, message);
};

// ---------------------------------------------------------------- Merkle

// SHA-256(0x00 || entry): the leaf hash of an entry's bytes.
export async function leafHash(entry) {
  return sha256(concat(Uint8Array.of(0x00), bytes(entry)));
}

// SHA-256(0x01 || left || right): an interior node.
export async function nodeHash(left, right) {
  return sha256(concat(Uint8Array.of(0x01), left, right));
}

// Whether `proof` (a list of 32-byte hashes, bottom-up) proves the leaf
// hash `leaf` at `index` in the tree of `size` leaves whose root is
// `root` (RFC 9162 §2.1.3.2). `index` and `size` are numbers or BigInts:
// a log may reach 2^64 - 1 leaves. Throws a ProofError saying why not.
export async function verifyInclusion(index, size, leaf, proof, root) {
  const i = BigInt(index);
  const n = BigInt(size);
  if (i < 0n || n > U64_MAX || i >= n) {
    fail("proof.not_included", `index ${i} is not below size ${n}`);
  }
  for (const [what, h] of [["leaf", leaf], ["root", root], ...proof.map((p) => ["proof", p])]) {
    if (bytes(h).length !== HASH_LEN) {
      fail("proof.not_included", `a ${what} hash is ${bytes(h).length} bytes, not ${HASH_LEN}`);
    }
  }
  let fn = i;
  let sn = n - 1n;
  let r = bytes(leaf);
  for (const p of proof) {
    if (sn === 0n) {
      fail("proof.not_included", "the proof is longer than the path to the root");
    }
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(bytes(p), r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = await nodeHash(r, bytes(p));
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) {
    fail("proof.not_included", "the proof is shorter than the path to the root");
  }
  if (!equal(r, bytes(root))) {
    fail("proof.not_included", "the proof leads to another root");
  }
}

// ---------------------------------------------------------------- keys

// Parses a verifier key text into {name, keyId (number), publicKey (32
// bytes), text}, checking its key id against its name and key.
export async function parseVerifierKey(text) {
  if (typeof text !== "string") {
    fail("proof.bad_key", "a verifier key is text");
  }
  const first = text.indexOf("+");
  const second = text.indexOf("+", first + 1);
  if (first < 0 || second < 0) {
    fail("proof.bad_key", "a verifier key is <name>+<key id>+<key>");
  }
  const name = text.slice(0, first);
  const id = text.slice(first + 1, second);
  if (!validName(name) || !/^[0-9a-f]{8}$/.test(id)) {
    fail("proof.bad_key", "bad key name or key id");
  }
  const key = base64Decode(text.slice(second + 1));
  if (key === null || key.length !== 1 + HASH_LEN || key[0] !== ALG_ED25519) {
    fail("proof.bad_key", "not an Ed25519 key");
  }
  const keyId = await computeKeyId(name, key);
  if (keyId !== parseInt(id, 16)) {
    fail("proof.bad_key", "the key id does not match the name and key");
  }
  return { name, keyId, publicKey: key.subarray(1), text };
}

async function computeKeyId(name, algAndKey) {
  const digest = await sha256(concat(new TextEncoder().encode(name), Uint8Array.of(0x0a), algAndKey));
  return new DataView(digest.buffer).getUint32(0);
}

// A key name: not empty, no Unicode white space, no "+" (as saksi-log's
// is_valid_name).
const WHITE_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

function validName(name) {
  return name !== "" && !WHITE_SPACE.test(name) && !name.includes("+");
}

// ---------------------------------------------------------------- notes

// Parses a signed note (bytes or text) without checking signatures:
// {text, signatures: [{name, keyId, signature, line}]}.
export function parseNote(message) {
  let text;
  try {
    text = typeof message === "string" ? message : new TextDecoder("utf-8", { fatal: true }).decode(bytes(message));
  } catch {
    fail("proof.malformed_note", "not UTF-8");
  }
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) {
    fail("proof.malformed_note", "control character");
  }
  const split = text.lastIndexOf("\n\n");
  if (split < 0) {
    fail("proof.malformed_note", "no blank line");
  }
  const body = text.slice(0, split + 1);
  const block = text.slice(split + 2);
  if (block === "" || !block.endsWith("\n")) {
    fail("proof.malformed_note", "the signature block is empty or unterminated");
  }
  const lines = block.slice(0, -1).split("\n");
  if (lines.length > MAX_SIGNATURES) {
    fail("proof.malformed_note", "too many signatures");
  }
  return { text: body, signatures: lines.map(parseSignatureLine) };
}

function parseSignatureLine(line) {
  if (!line.startsWith(SIG_PREFIX)) {
    fail("proof.malformed_note", "not a signature line");
  }
  const rest = line.slice(SIG_PREFIX.length);
  const space = rest.indexOf(" ");
  const name = space < 0 ? "" : rest.slice(0, space);
  const payload = space < 0 ? null : base64Decode(rest.slice(space + 1));
  if (!validName(name) || payload === null || payload.length < 5) {
    fail("proof.malformed_note", "bad signature line");
  }
  const keyId = new DataView(payload.buffer, payload.byteOffset).getUint32(0);
  return { name, keyId, signature: payload.subarray(4), line };
}

// Opens a signed note against `verifiers` (parsed keys): signatures by
// other keys are ignored (kept as unverified), a known key's signature
// that does not verify refuses the note, and one valid known signature is
// required. Returns {text, verified, unverified} (each line once).
export async function openNote(message, verifiers) {
  const note = parseNote(message);
  const signed = new TextEncoder().encode(note.text);
  const verified = [];
  const unverified = [];
  const seen = (list, sig) => list.some((s) => s.line === sig.line);
  for (const sig of note.signatures) {
    const matching = verifiers.filter((v) => v.name === sig.name && v.keyId === sig.keyId);
    if (matching.length === 0) {
      if (!seen(unverified, sig)) unverified.push(sig);
      continue;
    }
    if (matching.length > 1) {
      fail("proof.bad_key", `two keys are ${sig.name}+${hex8(sig.keyId)}`);
    }
    if (seen(verified, sig)) continue;
    if (!(await ed25519Verify(matching[0].publicKey, sig.signature, signed))) {
      fail("proof.bad_signature", `the signature of ${sig.name} does not verify`);
    }
    verified.push(sig);
  }
  if (verified.length === 0) {
    fail("proof.unknown_key", "no signature by a known key");
  }
  return { text: note.text, verified, unverified };
}

async function ed25519Verify(publicKey, signature, message) {
  if (signature.length !== 64) return false;
  const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
  return crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
}

const hex8 = (n) => n.toString(16).padStart(8, "0");

// ---------------------------------------------------------------- checkpoints

// Parses a checkpoint body (a note's text): {origin, size (BigInt), root
// (32 bytes), extensions}.
export function parseCheckpoint(body) {
  if (!body.endsWith("\n")) {
    fail("proof.malformed_checkpoint", "no final newline");
  }
  const [origin, size, root, ...extensions] = body.slice(0, -1).split("\n");
  if (!origin) {
    fail("proof.malformed_checkpoint", "empty origin");
  }
  if (size === undefined || !/^(0|[1-9][0-9]*)$/.test(size) || BigInt(size) > U64_MAX) {
    fail("proof.malformed_checkpoint", "bad size");
  }
  const rootBytes = root === undefined ? null : base64Decode(root);
  if (rootBytes === null) {
    fail("proof.malformed_checkpoint", "bad root");
  }
  if (rootBytes.length !== HASH_LEN) {
    fail("proof.malformed_checkpoint", `the root is ${rootBytes.length} bytes, not ${HASH_LEN}`);
  }
  if (extensions.some((line) => line === "")) {
    fail("proof.malformed_checkpoint", "empty extension line");
  }
  return { origin, size: BigInt(size), root: rootBytes, extensions };
}

// Opens a signed checkpoint with the log key `logKey` (parsed): its
// signature must verify and its origin be the key's name.
export async function openCheckpoint(message, logKey) {
  const opened = await openNote(message, [logKey]);
  const checkpoint = parseCheckpoint(opened.text);
  if (checkpoint.origin !== logKey.name) {
    fail("proof.malformed_checkpoint", `the origin ${checkpoint.origin} is not ${logKey.name}`);
  }
  return checkpoint;
}

// ---------------------------------------------------------------- receipts

// The log key this device trusts, parsed. The first call fetches
// GET /api/v1/log/key and keeps its text in localStorage; every later call
// answers the kept key without asking the server, so a server that
// changes its key cannot make the phone trust the new one: checkpoints
// signed by another key then fail with `proof.unknown_key`.
export async function pinLogKey() {
  const pinned = localStorage.getItem(PIN_ITEM);
  if (pinned !== null) {
    return parseVerifierKey(pinned);
  }
  const r = await fetch("/api/v1/log/key", { cache: "no-store" });
  if (!r.ok) {
    fail("proof.unreachable", `GET /api/v1/log/key answered ${r.status}`);
  }
  const key = await parseVerifierKey((await r.text()).trim());
  // Another tab may have pinned a key meanwhile: the first pin stays.
  const again = localStorage.getItem(PIN_ITEM);
  if (again !== null && again !== key.text) {
    fail("proof.key_changed", "another log key was pinned meanwhile");
  }
  localStorage.setItem(PIN_ITEM, key.text);
  return key;
}

// Checks a receipt (the `receipt` of an accepted submission): its signed
// note is by the pinned log key and says the receipt's index and leaf
// hash; the latest checkpoint is signed by the same key; and the
// inclusion proof of that leaf at that index leads to the checkpoint's
// root. Answers {ok, log_index, size, reason?}: `size` is the checkpoint's
// size (null when none was read), `reason` a stable code when not ok
// (`proof.pending` while the checkpoint does not cover the entry yet: the
// log signs one every second, ask again).
export async function verifyReceipt(receipt) {
  const index = receipt?.log_index;
  let size = null;
  try {
    if (!Number.isSafeInteger(index) || index < 0 || typeof receipt.signed !== "string") {
      fail("proof.bad_receipt", "not a receipt");
    }
    const key = await pinLogKey();
    const leaf = base64Decode(receipt.leaf_hash);
    const promise = await openNote(receipt.signed, [key]);
    const lines = promise.text.split("\n");
    if (
      leaf === null ||
      lines[0] !== RECEIPT_HEADER ||
      lines[1] !== key.name ||
      lines[2] !== String(index) ||
      lines[3] !== receipt.leaf_hash ||
      lines[4] !== receipt.submitted_at
    ) {
      fail("proof.bad_receipt", "the signed receipt says something else");
    }
    const checkpoint = await openCheckpoint(await fetchBytes("/api/v1/log/checkpoint"), key);
    size = Number(checkpoint.size);
    if (BigInt(index) >= checkpoint.size) {
      fail("proof.pending", `the checkpoint covers ${size} entries, not yet ${index}`);
    }
    const answer = JSON.parse(
      new TextDecoder().decode(await fetchBytes(`/api/v1/log/proof/inclusion?index=${index}&size=${checkpoint.size}`)),
    );
    if (!Array.isArray(answer.proof)) {
      fail("proof.not_included", "the server sent no proof");
    }
    const proof = answer.proof.map((p) => base64Decode(p) ?? fail("proof.not_included", "bad base64 in the proof"));
    await verifyInclusion(index, checkpoint.size, leaf, proof, checkpoint.root);
    return { ok: true, log_index: index, size };
  } catch (e) {
    if (!(e instanceof ProofError)) {
      return { ok: false, log_index: index, size, reason: "proof.unreachable" };
    }
    return { ok: false, log_index: index, size, reason: e.code };
  }
}

async function fetchBytes(url) {
  const r = await fetch(url, { cache: "no-store" });
  if (!r.ok) {
    fail("proof.unreachable", `GET ${url} answered ${r.status}`);
  }
  return new Uint8Array(await r.arrayBuffer());
}

// ---------------------------------------------------------------- bytes

// Strict standard base64 (padding required, no white space, no stray
// bits), as Rust's base64 STANDARD engine decodes: the bytes, or null.
export function base64Decode(text) {
  if (typeof text !== "string" || !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) {
    return null;
  }
  const binary = atob(text);
  const out = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  return btoa(binary) === text ? out : null;
}

function bytes(value) {
  return value instanceof Uint8Array ? value : new Uint8Array(value);
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function equal(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function sha256(data) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
}
