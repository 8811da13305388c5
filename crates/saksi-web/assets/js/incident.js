// Filing an incident from the KPPS phone: the report is sealed and signed
// on the device, so it can wait in the outbox (queue.js) where there is no
// signal, exactly as a C.Hasil does (docs/statements.md, "incident").
//
// The device signs only what the log publishes: the log's origin, the
// category, severity, TPS, contests, when it signed, and
// `content_sha256`, a commitment to the private content
// (title, description, photo hashes) under a fresh random 32-byte salt:
// SHA-256(salt || RFC 8785 bytes of the content). The salt and the content
// travel beside the signed statement, in `private`, and the server keeps
// them out of the log; revealing one salt later proves what was reported.
import { canonicalJSON, signStatement, statementDigest } from "./signing.js";

export const CATEGORIES = ["logistics", "security", "disaster", "health", "it", "violation", "other"];
export const SEVERITIES = ["low", "medium", "high", "critical"];
export const CONTESTS = ["ppwp", "dpr", "dpd", "dprd-prov", "dprd-kabkota"];
export const TITLE_MAX = 120;
export const TEXT_MAX = 4000;
export const PHOTOS_MAX = 3;

const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

// What keeps a report from being filed, as the server's code, or null:
// the same limits the server enforces, checked before anything is signed.
export function problem({ category, severity, title, description, contests, photos }) {
  if (!CATEGORIES.includes(category)) return "incident.unknown_category";
  if (!SEVERITIES.includes(severity)) return "incident.unknown_severity";
  if ([...title].length > TITLE_MAX) return "incident.title_too_long";
  if ([...description].length > TEXT_MAX) return "incident.text_too_long";
  if (title.trim() === "" || description.trim() === "") return "incident.text_required";
  if (contests.some((c) => !CONTESTS.includes(c))) return "incident.malformed";
  if (photos.length > PHOTOS_MAX) return "incident.too_many_photos";
  return null;
}

// Seals and signs a report for the log `origin` with the device key
// `keyName`, at `signedAt` (RFC 3339). Returns
// {id, envelope}: the incident's id (the first 16 bytes of the statement's
// SHA-256, as the server derives it) and the envelope to POST to
// /api/v1/incidents: {statement, signature, key, private: {salt, content}}.
export async function sealReport(keyName, origin, signedAt, { tps, category, severity, title, description, contests, photos }) {
  const content = { title, description };
  if (photos.length > 0) content.photos = photos.map((p) => p.sha256);
  const salt = crypto.getRandomValues(new Uint8Array(32));
  const body = new TextEncoder().encode(canonicalJSON(content));
  const committed = new Uint8Array(salt.length + body.length);
  committed.set(salt);
  committed.set(body, salt.length);
  const statement = {
    category,
    content_sha256: hex(await crypto.subtle.digest("SHA-256", committed)),
    origin,
    region: tps,
    severity,
    signed_at: signedAt,
    type: "incident",
    v: 1,
  };
  const chosen = CONTESTS.filter((c) => contests.includes(c));
  if (chosen.length > 0) statement.contests = chosen;
  const signed = await signStatement(keyName, statement);
  return {
    id: statementDigest(statement).slice(0, 32),
    envelope: { ...signed, private: { salt: hex(salt), content } },
  };
}

// An owner in words: "KPU Kabupaten/Kota 11.01".
export function ownerText(messages, owner) {
  if (!owner) return "";
  return `${messages.incidents.owners[owner.level] || owner.level} ${owner.region}`;
}
