// Runs crates/saksi-web/assets/js/proof.js in Node on the shared reference
// vectors (RFC 9162 inclusion probes, C2SP signed notes and checkpoints)
// and on a real server's log, and prints what it found for the Rust test
// (crates/saksi/tests/saksi/browser_proof.rs) to judge.
//
// Environment: VECTORS, the vectors' directory (absent: that part is not
// run, the Rust test says why); SAKSI_URL, a server whose log has entries.
// Standard output: one JSON object; every list of names in it lists what
// went wrong, so the Rust test expects them empty. Needs no npm package.

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

import {
  base64Decode,
  leafHash,
  nodeHash,
  openCheckpoint,
  openNote,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  verifyInclusion,
} from "../crates/saksi-web/assets/js/proof.js";

const b64 = (s) => new Uint8Array(Buffer.from(s ?? "", "base64"));
const hex = (s) => new Uint8Array(Buffer.from(s, "hex"));
const same = (a, b) => Buffer.from(a).equals(Buffer.from(b));

// Whether `work` throws; its error's `code` if it does.
async function outcome(work) {
  try {
    await work();
    return { ok: true };
  } catch (e) {
    return { ok: false, code: e.code, message: e.message };
  }
}

// ---------------------------------------------------------------- vectors

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".json") ? [path] : [];
  });
}

// Indexes and sizes go up to 2^64 - 1: read them as BigInts, not doubles.
function probe(path) {
  const text = readFileSync(path, "utf8").replace(/"(leafIdx|treeSize)": (\d+)/g, '"$1": "$2"');
  return JSON.parse(text);
}

async function inclusionProbes(vectors) {
  const wrong = [];
  const all = files(join(vectors, "merkle/transparency-dev/testdata/inclusion"));
  for (const path of all) {
    const p = probe(path);
    const result = await outcome(() =>
      verifyInclusion(BigInt(p.leafIdx), BigInt(p.treeSize), b64(p.leafHash), (p.proof ?? []).map(b64), b64(p.root)),
    );
    if (result.ok === p.wantErr) wrong.push(`${path}: ${JSON.stringify(result)}`);
  }
  return { probes: all.length, wrong };
}

async function ctKnownAnswers(vectors) {
  const kat = JSON.parse(readFileSync(join(vectors, "merkle/ct_cpp_kat.json"), "utf8"));
  const wrong = [];
  let paths = 0;
  for (const c of kat.leaf_hashes) {
    if (!same(await leafHash(hex(c.input_hex)), hex(c.leaf_hash_hex))) wrong.push(`leaf ${c.input_hex}`);
  }
  for (const c of kat.node_hashes) {
    if (!same(await nodeHash(hex(c.left_hex), hex(c.right_hex)), hex(c.node_hash_hex))) wrong.push("node");
  }
  for (const c of kat.inclusion_paths) {
    if (c.leaf_index === null) continue;
    paths += 1;
    const leaf = await leafHash(hex(kat.inputs_hex[c.leaf_index]));
    const root = hex(kat.roots_hex[c.tree_size - 1]);
    const result = await outcome(() => verifyInclusion(c.leaf_index, c.tree_size, leaf, c.path_hex.map(hex), root));
    if (!result.ok) wrong.push(`inclusion of ${c.leaf_index} in ${c.tree_size}: ${result.message}`);
  }
  return { paths, wrong };
}

// The exact bytes of a {text, base64} message (base64 is authoritative).
const message = (m) => (m.base64 ? b64(m.base64) : new TextEncoder().encode(m.text));
const ids = (sigs) => sigs.map((s) => `${s.name}+${s.keyId.toString(16).padStart(8, "0")}`);

async function signedNotes(vectors) {
  const v = JSON.parse(readFileSync(join(vectors, "signed_note/golang_mod_sumdb_note.json"), "utf8"));
  const wrong = [];
  const keys = {};
  for (const name of ["peter", "enoch"]) {
    keys[name] = await parseVerifierKey(v.keys[name].vkey);
    if (keys[name].text !== v.keys[name].vkey) wrong.push(`key ${name}`);
  }
  for (const bad of v.bad_vkeys) {
    if ((await outcome(() => parseVerifierKey(bad.vkey))).ok) wrong.push(`bad key accepted: ${bad.why}`);
  }
  for (const c of v.sign_vectors) {
    const opened = await outcome(() => openNote(message(c.want_signed_note), [keys[c.signer]]));
    if (!opened.ok) wrong.push(`${c.name}: ${opened.message}`);
  }
  let cases = 0;
  for (const c of v.open_cases) {
    cases += 1;
    const verifiers = c.verifiers.map((k) => keys[k]);
    let opened = null;
    const result = await outcome(async () => {
      opened = await openNote(message(c.message), verifiers);
    });
    if (result.ok !== c.expect.ok) {
      wrong.push(`${c.name}: ${JSON.stringify(result)}`);
      continue;
    }
    if (!result.ok) continue;
    const expect = c.expect;
    if (expect.text !== undefined && opened.text !== expect.text) wrong.push(`${c.name}: text`);
    if (expect.verified && JSON.stringify(ids(opened.verified)) !== JSON.stringify(expect.verified)) {
      wrong.push(`${c.name}: verified ${ids(opened.verified)}`);
    }
    if (expect.unverified && JSON.stringify(ids(opened.unverified)) !== JSON.stringify(expect.unverified)) {
      wrong.push(`${c.name}: unverified ${ids(opened.unverified)}`);
    }
    const lines = opened.unverified.map((s) => s.line);
    if (expect.unverified_lines && JSON.stringify(lines) !== JSON.stringify(expect.unverified_lines)) {
      wrong.push(`${c.name}: unverified lines`);
    }
  }
  return { cases, wrong };
}

async function checkpoints(vectors) {
  const v = JSON.parse(readFileSync(join(vectors, "signed_note/transparency_dev_formats_checkpoint.json"), "utf8"));
  const wrong = [];
  // A real sum.golang.org checkpoint (its origin is not its key's name).
  const c = v.sumdb_checkpoint;
  const opened = await openNote(message(c.signed_note), [await parseVerifierKey(c.vkey)]);
  const sumdb = parseCheckpoint(opened.text);
  if (sumdb.size !== BigInt(c.expect.size) || sumdb.origin !== c.origin) wrong.push("sum.golang.org checkpoint");
  // Upstream's fake roots ("bananas") are not 32 bytes: refused for that.
  for (const m of v.marshal) {
    const result = await outcome(() => parseCheckpoint(m.want_body));
    if (result.ok || !/not 32/.test(result.message)) wrong.push(`marshal ${m.origin}: ${JSON.stringify(result)}`);
  }
  for (const u of v.unmarshal) {
    const result = await outcome(() => parseCheckpoint(u.body));
    if (u.wantErr) {
      if (result.ok) wrong.push(`accepted: ${u.desc}`);
      continue;
    }
    const root = u.body.split("\n")[2];
    const fixed = u.body.replace(root, Buffer.alloc(32, 9).toString("base64"));
    const parsed = await outcome(() => parseCheckpoint(fixed));
    // Blank lines after the root are not extension lines (C2SP).
    if (parsed.ok === u.wantRest.startsWith("\n")) {
      wrong.push(`${u.desc}: ${JSON.stringify(parsed)}`);
      continue;
    }
    if (parsed.ok) {
      const p = parseCheckpoint(fixed);
      const rest = p.extensions.map((l) => l + "\n").join("");
      if (p.origin !== u.want.origin || p.size !== BigInt(u.want.size) || rest !== u.wantRest) wrong.push(u.desc);
    }
  }
  const spec = JSON.parse(readFileSync(join(vectors, "signed_note/c2sp_spec_examples.json"), "utf8"));
  for (const e of spec.cases) {
    const bytes = message(e.signed_note);
    if (e.vkey) {
      const result = await outcome(async () => openNote(bytes, [await parseVerifierKey(e.vkey)]));
      if (result.ok !== e.expect.ok) wrong.push(`${e.name}: ${JSON.stringify(result)}`);
      continue;
    }
    parseNote(bytes);
    if ((await outcome(() => openNote(bytes, []))).ok) wrong.push(`${e.name} opened with no key`);
    if (e.expect.size !== undefined) {
      const p = parseCheckpoint(parseNote(bytes).text);
      if (p.size !== BigInt(e.expect.size) || Buffer.from(p.root).toString("base64") !== e.expect.root_b64) {
        wrong.push(e.name);
      }
    }
  }
  return { wrong };
}

// ---------------------------------------------------------------- server

async function server(url) {
  const get = async (path) => {
    const r = await fetch(url + path);
    if (!r.ok) throw new Error(`GET ${path}: ${r.status}`);
    return new Uint8Array(await r.arrayBuffer());
  };
  const key = await parseVerifierKey(new TextDecoder().decode(await get("/api/v1/log/key")).trim());
  const checkpoint = await openCheckpoint(await get("/api/v1/log/checkpoint"), key);
  const size = Number(checkpoint.size);
  const { entries } = JSON.parse(new TextDecoder().decode(await get(`/api/v1/log/entries?start=0&end=${size}`)));
  const wrong = [];
  let proved = 0;
  let tampered = 0;
  for (const entry of entries) {
    const leaf = await leafHash(b64(entry.data));
    if (!same(leaf, b64(entry.leaf_hash))) wrong.push(`leaf hash of ${entry.index}`);
    const { proof } = JSON.parse(
      new TextDecoder().decode(await get(`/api/v1/log/proof/inclusion?index=${entry.index}&size=${size}`)),
    );
    const hashes = proof.map(base64Decode);
    const result = await outcome(() => verifyInclusion(entry.index, size, leaf, hashes, checkpoint.root));
    if (result.ok) proved += 1;
    else wrong.push(`entry ${entry.index}: ${result.message}`);
    // One flipped bit anywhere, or another index, and it fails.
    for (const [i, bit] of hashes.map((_, i) => [i, (entry.index + i) % 256])) {
      const bad = hashes.map((h) => Uint8Array.from(h));
      bad[i][bit >> 3] ^= 1 << (bit & 7);
      if ((await outcome(() => verifyInclusion(entry.index, size, leaf, bad, checkpoint.root))).ok) {
        wrong.push(`tampered proof of ${entry.index} accepted`);
      } else tampered += 1;
    }
    if (size > 1 && (await outcome(() => verifyInclusion((entry.index + 1) % size, size, leaf, hashes, checkpoint.root))).ok) {
      wrong.push(`entry ${entry.index} proved at another index`);
    }
  }
  // The checkpoint under another key: refused, by name or by signature.
  const note = await get("/api/v1/log/checkpoint");
  const stranger = await parseVerifierKey("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  const forged = { ...key, publicKey: stranger.publicKey };
  const other = {
    by_another_key: (await outcome(() => openCheckpoint(note, stranger))).code,
    by_a_forged_key: (await outcome(() => openCheckpoint(note, forged))).code,
  };
  // A receipt's signed promise names the entry's index and leaf hash.
  const receipt = JSON.parse(new TextDecoder().decode(await get(`/api/v1/log/receipt/${size - 1}`)));
  const promise = await openNote(receipt.signed, [key]);
  const receipt_text_ok =
    promise.text === `saksi/receipt/v1\n${key.name}\n${size - 1}\n${receipt.leaf_hash}\n${receipt.submitted_at}\n`;
  return { size, proved, tampered, wrong, other, receipt_text_ok, origin: checkpoint.origin, key: key.name };
}

// ---------------------------------------------------------------- main

const out = {};
const vectors = process.env.VECTORS;
if (vectors) {
  out.inclusion = await inclusionProbes(vectors);
  out.ct = await ctKnownAnswers(vectors);
  out.notes = await signedNotes(vectors);
  out.checkpoints = await checkpoints(vectors);
}
out.server = await server(process.env.SAKSI_URL);
process.stdout.write(JSON.stringify(out));
