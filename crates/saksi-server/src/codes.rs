//! Every error code the API answers with: the stable `code` clients match
//! on, its HTTP status and what it means. One list, so `README.md`
//! (checked by a test) and the responses cannot drift apart.
//!
//! Form problems found by parsing or validation travel inside
//! [`FORM_INVALID`] as `details.errors`; their own codes are in
//! `saksi_core::form::codes` and `docs/form-codes.md`.

/// One stable error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode {
    pub code: &'static str,
    pub status: u16,
    pub meaning: &'static str,
}

const fn code(code: &'static str, status: u16, meaning: &'static str) -> ErrorCode {
    ErrorCode {
        code,
        status,
        meaning,
    }
}

pub const MALFORMED_JSON: ErrorCode = code(
    "request.malformed_json",
    400,
    "The body is not well-formed JSON, or not the JSON object expected.",
);
pub const TOO_LARGE: ErrorCode = code(
    "request.too_large",
    413,
    "The body is larger than the limit (64 KiB).",
);
pub const UNSUPPORTED_MEDIA_TYPE: ErrorCode = code(
    "request.unsupported_media_type",
    415,
    "The endpoint reads a JSON body and the request's `Content-Type` is not `application/json`.",
);
pub const INVALID_PATH: ErrorCode = code(
    "request.invalid_path",
    400,
    "A path segment could not be decoded.",
);
pub const ROUTE_NOT_FOUND: ErrorCode = code("route.not_found", 404, "No endpoint has this path.");
pub const METHOD_NOT_ALLOWED: ErrorCode = code(
    "route.method_not_allowed",
    405,
    "The endpoint exists but not with this HTTP method.",
);
pub const AUTH_REQUIRED: ErrorCode = code(
    "auth.required",
    401,
    "The endpoint needs `Authorization: Bearer <token>` (or the browser's session cookie) and the request has none.",
);
pub const AUTH_INVALID_TOKEN: ErrorCode = code(
    "auth.invalid_token",
    401,
    "The bearer token is malformed, unknown, expired or logged out.",
);
pub const AUTH_INVALID_CREDENTIALS: ErrorCode = code(
    "auth.invalid_credentials",
    401,
    "Wrong username or password (the same answer for an unknown user or a user without a password).",
);
pub const AUTH_INVALID_USERNAME: ErrorCode = code(
    "auth.invalid_username",
    422,
    "A username is 3 to 64 characters of `A-Z a-z 0-9 _ . -`.",
);
pub const AUTH_THROTTLED: ErrorCode = code(
    "auth.throttled",
    429,
    "Too many login attempts for this username from this address (5 per 15 minutes, then longer), or from this address (50 per 15 minutes); retry after `Retry-After` seconds.",
);
pub const AUTH_BUSY: ErrorCode = code(
    "auth.busy",
    503,
    "The server is checking as many passwords as it has cores; retry after `Retry-After` seconds. The attempt was not counted.",
);
pub const AUTH_ACCOUNT_DISABLED: ErrorCode = code(
    "auth.account_disabled",
    403,
    "The password is right but the account is disabled (`saksi user disable`); a wrong password to a disabled account gets `auth.invalid_credentials` as any other.",
);
pub const AUTH_TOTP_REQUIRED: ErrorCode = code(
    "auth.totp_required",
    401,
    "The password is right but the account has TOTP enrolled and the login carries no `totp` code. Counted by the login throttle.",
);
pub const AUTH_TOTP_INVALID: ErrorCode = code(
    "auth.totp_invalid",
    401,
    "The TOTP code (or recovery code) is wrong, outside the clock-skew window, or already used. At login it is counted by the throttle like a wrong password.",
);
pub const AUTH_TOTP_ENROLMENT_REQUIRED: ErrorCode = code(
    "auth.totp_enrolment_required",
    403,
    "The session's account must enrol TOTP first (`POST /api/v1/auth/totp`, then `/confirm`); until then the session may only enrol, show itself and log out.",
);
pub const AUTH_TOTP_ALREADY_ENROLLED: ErrorCode = code(
    "auth.totp_already_enrolled",
    409,
    "The account has TOTP enrolled already; an operator resets it with `saksi user totp reset` (a lost phone).",
);
pub const AUTH_TOTP_NOT_BEGUN: ErrorCode = code(
    "auth.totp_not_begun",
    409,
    "There is no TOTP secret to confirm: `POST /api/v1/auth/totp` gives one first.",
);
pub const AUTH_CSRF_INVALID: ErrorCode = code(
    "auth.csrf_invalid",
    403,
    "A request with the session cookie (not GET or HEAD) lacks the `X-CSRF-Token` header of its session, or carries a wrong one.",
);
pub const REGION_INVALID_CODE: ErrorCode = code(
    "region.invalid_code",
    400,
    "The region code is malformed (dotted `11.01.01.2001.001`, compact `1101012001001`, or `0`).",
);
pub const REGION_NOT_FOUND: ErrorCode = code(
    "region.not_found",
    404,
    "No region (or, where a TPS is needed, no TPS) has this code.",
);
pub const CONTEST_NOT_FOUND: ErrorCode = code(
    "contest.not_found",
    404,
    "No contest has this id (`ppwp`, `dpr`, `dpd`, `dprd-prov`, `dprd-kabkota`).",
);
pub const DAPIL_NOT_FOUND: ErrorCode = code(
    "dapil.not_found",
    404,
    "The contest has no dapil with this code.",
);
pub const IDEMPOTENCY_KEY_REUSED: ErrorCode = code(
    "idempotency.key_reused",
    422,
    "This principal already used the key for a different request.",
);
pub const FORM_INVALID: ErrorCode = code(
    "form.invalid",
    422,
    "The form was refused; `details.errors` lists every problem as `{code, field, message}` (codes in docs/form-codes.md).",
);
pub const FORM_DIFF_RANGE: ErrorCode = code(
    "form.diff_range",
    400,
    "`from` and `to` are version numbers with `from` before `to` (`from` 0: no form), and nothing else.",
);
pub const FORM_VERSION_NOT_FOUND: ErrorCode = code(
    "form.version_not_found",
    404,
    "The form has no such version (the message says its current one).",
);
pub const OBJECTION_MALFORMED: ErrorCode = code(
    "objection.malformed",
    400,
    "The body is not `{\"tps\", \"contest\", \"version\", \"fields\", \"text\"}`, or the `Idempotency-Key` header is missing.",
);
pub const OBJECTION_INVALID: ErrorCode = code(
    "objection.invalid",
    422,
    "The objection names no box, a box twice, a box no C.Hasil of that contest has, or its text is empty or longer than 2,000 characters.",
);
pub const OBJECTION_NOT_AN_OBJECTOR: ErrorCode = code(
    "objection.not_an_objector",
    403,
    "Only a party's or a PPWP pair's witness (saksi) or Bawaslu objects.",
);
pub const OBJECTION_OUTSIDE_REGION: ErrorCode = code(
    "objection.outside_region",
    403,
    "The TPS is outside the region the account acts in.",
);
pub const OBJECTION_PASLON_OUTSIDE_PPWP: ErrorCode = code(
    "objection.paslon_outside_ppwp",
    403,
    "A PPWP pair's witness objects to the PPWP form only.",
);
pub const OBJECTION_NO_FORM: ErrorCode = code(
    "objection.no_form",
    409,
    "The TPS has no form for that contest yet: there is nothing to object to.",
);
pub const OBJECTION_NOT_CURRENT: ErrorCode = code(
    "objection.not_current",
    409,
    "The version objected to is not the form's current version; the message names it.",
);
pub const OBJECTION_NOT_FOUND: ErrorCode = code(
    "objection.not_found",
    404,
    "No objection was logged at that index.",
);
pub const OBJECTION_ALREADY_RULED: ErrorCode = code(
    "objection.already_ruled",
    409,
    "The objection was already ruled on; a ruling is final.",
);
pub const RECAP_CORRECTION_REFUSED: ErrorCode = code(
    "recap.correction_refused",
    409,
    "A form statement with `correction` answers an upheld objection against that TPS's form that no correction answered yet; this one does not (the message says why).",
);
pub const RECAP_NOT_A_LEVEL: ErrorCode = code(
    "recap.not_a_level",
    404,
    "No recap of that contest at that region: the recap runs from the kecamatan up to the level that decides the contest (kab/kota for DPRD Kab/Kota, province for DPRD Provinsi and DPD, national for DPR and PPWP).",
);
pub const RECAP_NOT_A_KECAMATAN: ErrorCode = code(
    "recap.not_a_kecamatan",
    404,
    "The review queue is a kecamatan's: the region named is another level.",
);
pub const RECAP_LOCKED: ErrorCode = code(
    "recap.locked",
    409,
    "The recap of that contest is final at the TPS's kecamatan or a region above it: no new version, objection or sign-off at or below a final region until it is reopened.",
);
pub const RECAP_ALREADY_CONFIRMED: ErrorCode = code(
    "recap.already_confirmed",
    409,
    "This commissioner's key already confirmed the pending sign-off; each key confirms once.",
);
pub const RECAP_SIGNOFF_DIFFERS: ErrorCode = code(
    "recap.signoff_differs",
    409,
    "Another sign-off statement of that region is pending: confirm that one, byte for byte (the recap state API gives it).",
);
pub const RECAP_CHILDREN: ErrorCode = code(
    "recap.children",
    422,
    "The sign-off does not name exactly the region's children holding the contest: one is missing, or one is named that does not hold it there.",
);
pub const RECAP_CHILD_NOT_IN: ErrorCode = code(
    "recap.child_not_in",
    409,
    "A child is not in yet: a TPS without a form, or a child region whose sign-off is not final.",
);
pub const RECAP_CHILD_CHANGED: ErrorCode = code(
    "recap.child_changed",
    409,
    "A child is named with a digest that is not its current version's or final sign-off's: sign the statement as it stands now.",
);
pub const RECAP_OBJECTION_OPEN: ErrorCode = code(
    "recap.objection_open",
    409,
    "An objection below the region is not ruled on, or was upheld and not yet corrected.",
);
pub const RECAP_NO_FORM_REFUSED: ErrorCode = code(
    "recap.no_form_refused",
    409,
    "A reason for no form is refused: `not_held` or `no_voters` for a TPS that has a form, or an `incident` not filed at that TPS or a region holding it (the message says which).",
);
pub const RECAP_NOT_FINAL: ErrorCode = code(
    "recap.not_final",
    409,
    "The region has no final sign-off with the digest the reopen names: nothing to reopen (or it was reopened already).",
);
pub const RECAP_QUORUM_MISMATCH: ErrorCode = code(
    "recap.quorum_mismatch",
    422,
    "The statement's `k` is not the confirmations it needs: the quorum of the signing commissioners' level, never more than are registered for their region (the recap state API gives a sign-off's).",
);
pub const RECAP_TOTALS_NOT_SUM: ErrorCode = code(
    "recap.totals_not_sum",
    422,
    "The sign-off's totals are not the sum of the children it names; the message names the first count that differs.",
);
pub const LOGISTICS_UNKNOWN_ITEM: ErrorCode = code(
    "logistics.unknown_item",
    422,
    "The shipment names an item the server's allocation table does not (`details.item`; the items are those `GET /api/v1/logistics/allocation/0` lists, docs/logistics.md).",
);
pub const LOGISTICS_NOT_NEXT_LEVEL: ErrorCode = code(
    "logistics.not_next_level",
    422,
    "The shipment does not go one level down the chain (kab/kota -> one of its kecamatan -> one of its desa -> one of its TPS) nor from a supplier to its own kab/kota (`from` = `to`).",
);
pub const LOGISTICS_NOT_SENDER: ErrorCode = code(
    "logistics.not_sender",
    403,
    "The signing key is not the sending office's: a `kpu-kabkota`, `ppk` or `pps` key registered for `from` (a `supplier` key registered for it, when `from` = `to`).",
);
pub const LOGISTICS_INSUFFICIENT_STOCK: ErrorCode = code(
    "logistics.insufficient_stock",
    409,
    "The sending office holds less of an item than the shipment carries (`details.item`, `details.held`, `details.asked`): its stock is its accepted deliveries in, minus its shipments out.",
);
pub const LOGISTICS_SHIPMENT_NOT_FOUND: ErrorCode = code(
    "logistics.shipment_not_found",
    404,
    "No shipment was logged at that index.",
);
pub const LOGISTICS_ALREADY_DELIVERED: ErrorCode = code(
    "logistics.already_delivered",
    409,
    "The shipment already has its proof of delivery (`details.delivery_log_index`); a shipment is delivered once.",
);
pub const LOGISTICS_NOT_RECEIVER: ErrorCode = code(
    "logistics.not_receiver",
    403,
    "The signing key is not the receiving office's: the `kpu-kabkota`, `ppk` or `pps` key registered for the shipment's `to`, or at a TPS its `kpps` device key.",
);
pub const LOGISTICS_ITEMS_MISMATCH: ErrorCode = code(
    "logistics.items_mismatch",
    422,
    "The delivery does not account for every item shipped exactly: an item missing or not shipped, or `accepted + rejected` not what was shipped (`details.item`, `details.shipped`, `details.stated`).",
);
pub const LOGISTICS_SEAL_NOT_SHIPPED: ErrorCode = code(
    "logistics.seal_not_shipped",
    422,
    "`seals_checked` names a seal number the shipment does not (`details.seal`).",
);
pub const FORM_SIGNATURE_REQUIRED: ErrorCode = code(
    "form.signature_required",
    400,
    "A bare C.Hasil was sent with `Authorization`: no session enters a form; a form is a statement signed by the TPS's KPPS device key, or on its behalf by a PPS or PPK key (docs/statements.md).",
);
pub const FORM_ON_BEHALF_OVER_KPPS: ErrorCode = code(
    "form.on_behalf_over_kpps",
    409,
    "The statement is signed on behalf of the TPS and the form's current version was signed by the TPS's KPPS device: only a KPPS device of the TPS signs its later versions (`details.current_version`).",
);
pub const FORM_UNCHANGED: ErrorCode = code(
    "form.unchanged",
    422,
    "The new version's form and photos equal the current version's: nothing is stored (`details.current_version`).",
);
pub const FORM_TOO_MANY_VERSIONS: ErrorCode = code(
    "form.too_many_versions",
    429,
    "The form (TPS, contest) already took 10 new versions in the last hour: nothing is stored; `Retry-After` says when one frees up.",
);
pub const STATEMENT_MALFORMED: ErrorCode = code(
    "statement.malformed",
    400,
    "The signed statement or its envelope (`statement`, `signature`, `key`) is malformed; the message names the member (docs/statements.md).",
);
pub const STATEMENT_WRONG_ORIGIN: ErrorCode = code(
    "statement.wrong_origin",
    422,
    "The statement names another log's origin (`details.origin` is this log's).",
);
pub const STATEMENT_PATH_MISMATCH: ErrorCode = code(
    "statement.path_mismatch",
    422,
    "The statement's `tps` or `contest` is not the one in the URL.",
);
pub const STATEMENT_VERSION_NOT_NEXT: ErrorCode = code(
    "statement.version_not_next",
    409,
    "The statement's `version` is not the next one of its form (`details.current_version`).",
);
pub const STATEMENT_PREV_MISMATCH: ErrorCode = code(
    "statement.prev_mismatch",
    409,
    "The statement's `prev` is not the digest of the form's current version (`details.expected_prev`).",
);
pub const STATEMENT_ON_BEHALF_REQUIRED: ErrorCode = code(
    "statement.on_behalf_required",
    422,
    "The form statement is signed by a PPS or PPK key and lacks `on_behalf`: those keys sign a TPS's form only on its behalf, with a reason.",
);
pub const STATEMENT_ON_BEHALF_NOT_ALLOWED: ErrorCode = code(
    "statement.on_behalf_not_allowed",
    422,
    "The form statement is signed by a KPPS key and carries `on_behalf`, which only PPS and PPK keys sign.",
);
pub const SIGNATURE_INVALID: ErrorCode = code(
    "signature.invalid",
    401,
    "The signature does not verify under `key` (strict Ed25519 over `saksi/statement/v1` and the statement's RFC 8785 bytes).",
);
pub const KEY_UNKNOWN: ErrorCode = code(
    "key.unknown",
    401,
    "The signing key (or the key to revoke) is neither a KPU RI root key nor registered in this log.",
);
pub const KEY_REVOKED: ErrorCode = code(
    "key.revoked",
    401,
    "The key was revoked (`details.revoked_at` is the log index of the revocation).",
);
pub const KEY_OUTSIDE_VALIDITY: ErrorCode = code(
    "key.outside_validity",
    401,
    "The signing key is not valid at the log's current time (`details.valid_from`, `details.valid_until`).",
);
pub const KEY_WRONG_TPS: ErrorCode = code(
    "key.wrong_tps",
    403,
    "The KPPS key is registered for another TPS (`details.key_tps`), or the PPS or PPK key for a desa or kecamatan that does not hold the TPS (`details.key_region`).",
);
pub const KEY_NOT_AUTHORISED: ErrorCode = code(
    "key.not_authorised",
    403,
    "The signing key's role or region may not make this statement (root → kpu-prov → kpu-kabkota → kpps, pps, ppk, supplier, within its region).",
);
pub const KEY_ALREADY_REGISTERED: ErrorCode = code(
    "key.already_registered",
    409,
    "The public key is already registered (`details.registered_at`); a key is registered once, even after it is revoked.",
);
pub const KEY_ROOT: ErrorCode = code(
    "key.root",
    422,
    "The statement names a KPU RI root key, which is pinned at `saksi init` and neither registered nor revoked in the log.",
);
pub const KEYS_TOO_MANY: ErrorCode = code(
    "keys.too_many",
    400,
    "A bulk key request holds more than 1,000 statements.",
);
pub const WORKSPACE_ROLE_FORBIDDEN: ErrorCode = code(
    "workspace.role_forbidden",
    403,
    "The session's role may not do this: enrolment codes and enrolments are a KPU Kab/Kota's; officers' keys are submitted by pps, ppk, kpu-kabkota, kpu-prov and kpu-ri, and listed for certifying by kpu-kabkota and kpu-prov.",
);
pub const WORKSPACE_INVALID_STATUS: ErrorCode = code(
    "workspace.invalid_status",
    400,
    "The `status` query parameter is not one the list knows (enrolments: `pending`, `approved`, `rejected`, `revoked`; officers' keys: `pending`, `certified`, `revoked`).",
);
pub const KEY_INVALID_VERIFIER: ErrorCode = code(
    "key.invalid_verifier",
    400,
    "The `key` is not a verifier key (`name+<8 hex key id>+<base64 of 0x01 and the Ed25519 public key>`, docs/statements.md).",
);
pub const ENROLMENT_TPS_COUNT: ErrorCode = code(
    "enrolment.tps_count",
    400,
    "An enrolment code request names no TPS, or more than 1,000.",
);
pub const ENROLMENT_OUTSIDE_JURISDICTION: ErrorCode = code(
    "enrolment.outside_jurisdiction",
    403,
    "The TPS (or the enrolment's TPS) is not in the KPU Kab/Kota account's kab/kota (`details.tps`); nothing was issued or changed.",
);
pub const ENROLMENT_CODE_INVALID: ErrorCode = code(
    "enrolment.code_invalid",
    422,
    "The enrolment code is not one issued for this TPS (mistyped, or replaced by a newer code); counted against the TPS's and the address's budgets.",
);
pub const ENROLMENT_CODE_USED: ErrorCode = code(
    "enrolment.code_used",
    409,
    "The enrolment code was already used by a device; ask the KPU Kab/Kota for a new one.",
);
pub const ENROLMENT_CODE_EXPIRED: ErrorCode = code(
    "enrolment.code_expired",
    410,
    "The enrolment code expired (codes last 7 days); ask the KPU Kab/Kota for a new one.",
);
pub const ENROLMENT_THROTTLED: ErrorCode = code(
    "enrolment.throttled",
    429,
    "Too many wrong enrolment codes for this TPS (10 per 15 minutes) or from this address (20 per 15 minutes); retry after `Retry-After` seconds.",
);
pub const ENROLMENT_NOT_FOUND: ErrorCode = code(
    "enrolment.not_found",
    404,
    "No enrolment has this id (32 lowercase hex digits).",
);
pub const ENROLMENT_NOT_PENDING: ErrorCode = code(
    "enrolment.not_pending",
    409,
    "Only a pending enrolment is rejected; this one is already approved, rejected or revoked (`details.status`).",
);
pub const ENROLMENT_REASON_INVALID: ErrorCode = code(
    "enrolment.reason_invalid",
    422,
    "A rejection needs a reason of 1 to 500 characters.",
);
pub const OFFICER_KEY_ALREADY_SUBMITTED: ErrorCode = code(
    "officer_key.already_submitted",
    409,
    "This verifier key was already submitted for certification; a key is submitted once.",
);
pub const PHOTO_MALFORMED_HASH: ErrorCode = code(
    "photo.malformed_hash",
    400,
    "The photo's path is not its SHA-256 as 64 lowercase hex digits.",
);
pub const PHOTO_HASH_MISMATCH: ErrorCode = code(
    "photo.hash_mismatch",
    400,
    "The bytes sent do not hash (SHA-256) to the photo's path; nothing was stored.",
);
pub const PHOTO_TOO_LARGE: ErrorCode = code(
    "photo.too_large",
    413,
    "The photo is larger than 10 MiB (10,485,760 bytes); nothing was stored.",
);
pub const PHOTO_NOT_AN_IMAGE: ErrorCode = code(
    "photo.not_an_image",
    415,
    "The bytes are neither a JPEG nor a PNG (read from the bytes, whatever the `Content-Type`); nothing was stored.",
);
pub const PHOTO_NOT_NAMED: ErrorCode = code(
    "photo.not_named",
    404,
    "No accepted statement in the log names this photo's hash: only the photos of logged statements are stored.",
);
pub const PHOTO_NOT_FOUND: ErrorCode = code(
    "photo.not_found",
    404,
    "No photo with this hash is stored and named by a public log entry.",
);
pub const AUTH_FORBIDDEN: ErrorCode = code(
    "auth.forbidden",
    403,
    "The act lies outside the session's jurisdiction (filing an incident at a region outside it).",
);
pub const INCIDENT_MALFORMED: ErrorCode = code(
    "incident.malformed",
    400,
    "The incident, the event or its envelope's `private` is not the JSON object expected (a member missing, extra or of the wrong type, an empty title or description, an unknown contest), a list's query parameter is not one it knows, or the `Idempotency-Key` header is missing.",
);
pub const INCIDENT_UNKNOWN_CATEGORY: ErrorCode = code(
    "incident.unknown_category",
    400,
    "`category` is not one of logistics, security, disaster, health, it, violation, other.",
);
pub const INCIDENT_UNKNOWN_SEVERITY: ErrorCode = code(
    "incident.unknown_severity",
    400,
    "`severity` is not one of low, medium, high, critical.",
);
pub const INCIDENT_UNKNOWN_ACTION: ErrorCode = code(
    "incident.unknown_action",
    400,
    "`action` is not one of acknowledge, assign, comment, escalate, resolve, close, reopen, publish.",
);
pub const INCIDENT_TITLE_TOO_LONG: ErrorCode = code(
    "incident.title_too_long",
    400,
    "The title has more than 120 characters.",
);
pub const INCIDENT_TEXT_TOO_LONG: ErrorCode = code(
    "incident.text_too_long",
    400,
    "The description or the event's text has more than 4,000 characters.",
);
pub const INCIDENT_TEXT_REQUIRED: ErrorCode = code(
    "incident.text_required",
    400,
    "The event needs a text: a resolution to resolve, a reason to reopen or escalate by hand, the comment itself.",
);
pub const INCIDENT_TOO_MANY_PHOTOS: ErrorCode =
    code("incident.too_many_photos", 400, "More than 3 photos.");
pub const INCIDENT_PHOTO_MALFORMED_HASH: ErrorCode = code(
    "incident.photo_malformed_hash",
    400,
    "A photo hash is not 64 lowercase hex digits.",
);
pub const INCIDENT_COMMITMENT_MISMATCH: ErrorCode = code(
    "incident.commitment_mismatch",
    400,
    "The signed statement's `content_sha256` is not SHA-256 of `private`'s salt and content.",
);
pub const INCIDENT_NOT_FOUND: ErrorCode = code(
    "incident.not_found",
    404,
    "No incident has this id that the caller may read (an incident outside the caller's reach is not revealed).",
);
pub const INCIDENT_NOT_OWNER: ErrorCode = code(
    "incident.not_owner",
    403,
    "Only the owning office, or a KPU office above it, may act on the incident.",
);
pub const INCIDENT_TRANSITION_FORBIDDEN: ErrorCode = code(
    "incident.transition_forbidden",
    409,
    "The lifecycle forbids the event in the incident's status (open -> acknowledged -> resolved -> closed, reopened from resolved or closed).",
);
pub const INCIDENT_NO_LEVEL_ABOVE: ErrorCode = code(
    "incident.no_level_above",
    409,
    "The KPU RI owns the incident: there is no level to escalate to.",
);
pub const INCIDENT_ASSIGNEE_NOT_IN_OFFICE: ErrorCode = code(
    "incident.assignee_not_in_office",
    400,
    "The assignee is not a staff account of the office that owns the incident.",
);
pub const LOG_INVALID_PARAMETER: ErrorCode = code(
    "log.invalid_parameter",
    400,
    "A log query parameter (`start`, `end`, `index`, `size`, `from`, `to`) or path index is missing or not a decimal integer.",
);
pub const LOG_INVALID_RANGE: ErrorCode = code(
    "log.invalid_range",
    400,
    "The log parameters are inconsistent: `start` > `end`, `index` >= `size`, `from` = 0 or `from` > `to`.",
);
pub const LOG_BEYOND_CHECKPOINT: ErrorCode = code(
    "log.beyond_checkpoint",
    400,
    "A size or start beyond the latest checkpoint's size (`details.checkpoint_size`); fetch a newer checkpoint.",
);
pub const LOG_ENTRY_NOT_FOUND: ErrorCode = code(
    "log.entry_not_found",
    404,
    "No log entry has this index yet.",
);
pub const LOG_BEHIND_SIGNED: ErrorCode = code(
    "log.behind_signed",
    503,
    "The database holds fewer log entries than a checkpoint the server already signed (a restored backup): it signs nothing and takes no submission until the entries are restored.",
);
pub const LOG_DIVERGED: ErrorCode = code(
    "log.diverged",
    503,
    "The database's log differs from a checkpoint the server already signed: it signs nothing and takes no submission.",
);
pub const OVERLOADED: ErrorCode = code(
    "server.overloaded",
    503,
    "The submission queue is full; retry after `Retry-After` seconds. Nothing was stored.",
);
pub const UNAVAILABLE: ErrorCode = code(
    "server.unavailable",
    503,
    "The server is shutting down; retry later. Nothing was stored.",
);
pub const STORE_UNAVAILABLE: ErrorCode = code(
    "store.unavailable",
    503,
    "The database is unavailable (down, unreachable, out of disk or failing); nothing was stored. Retry after `Retry-After` seconds; reads keep being served.",
);
pub const LEASE_LOST: ErrorCode = code(
    "lease.lost",
    503,
    "Another server took over writing this election (its writer lease); this one no longer writes nor signs. Nothing was stored; submit to the server that writes now.",
);
pub const INTERNAL: ErrorCode = code(
    "internal",
    500,
    "An unexpected failure; the detail is in the server log, not in the answer.",
);

/// Every code, in the order of `README.md`.
pub const ALL: &[ErrorCode] = &[
    MALFORMED_JSON,
    TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    INVALID_PATH,
    ROUTE_NOT_FOUND,
    METHOD_NOT_ALLOWED,
    AUTH_REQUIRED,
    AUTH_INVALID_TOKEN,
    AUTH_INVALID_CREDENTIALS,
    AUTH_INVALID_USERNAME,
    AUTH_THROTTLED,
    AUTH_BUSY,
    AUTH_ACCOUNT_DISABLED,
    AUTH_TOTP_REQUIRED,
    AUTH_TOTP_INVALID,
    AUTH_TOTP_ENROLMENT_REQUIRED,
    AUTH_TOTP_ALREADY_ENROLLED,
    AUTH_TOTP_NOT_BEGUN,
    AUTH_CSRF_INVALID,
    REGION_INVALID_CODE,
    REGION_NOT_FOUND,
    CONTEST_NOT_FOUND,
    DAPIL_NOT_FOUND,
    IDEMPOTENCY_KEY_REUSED,
    FORM_INVALID,
    FORM_SIGNATURE_REQUIRED,
    FORM_ON_BEHALF_OVER_KPPS,
    FORM_UNCHANGED,
    FORM_TOO_MANY_VERSIONS,
    STATEMENT_MALFORMED,
    STATEMENT_WRONG_ORIGIN,
    STATEMENT_PATH_MISMATCH,
    STATEMENT_VERSION_NOT_NEXT,
    STATEMENT_PREV_MISMATCH,
    STATEMENT_ON_BEHALF_REQUIRED,
    STATEMENT_ON_BEHALF_NOT_ALLOWED,
    SIGNATURE_INVALID,
    KEY_UNKNOWN,
    KEY_REVOKED,
    KEY_OUTSIDE_VALIDITY,
    KEY_WRONG_TPS,
    KEY_NOT_AUTHORISED,
    KEY_ALREADY_REGISTERED,
    KEY_ROOT,
    KEYS_TOO_MANY,
    WORKSPACE_ROLE_FORBIDDEN,
    WORKSPACE_INVALID_STATUS,
    KEY_INVALID_VERIFIER,
    ENROLMENT_TPS_COUNT,
    ENROLMENT_OUTSIDE_JURISDICTION,
    ENROLMENT_CODE_INVALID,
    ENROLMENT_CODE_USED,
    ENROLMENT_CODE_EXPIRED,
    ENROLMENT_THROTTLED,
    ENROLMENT_NOT_FOUND,
    ENROLMENT_NOT_PENDING,
    ENROLMENT_REASON_INVALID,
    OFFICER_KEY_ALREADY_SUBMITTED,
    PHOTO_MALFORMED_HASH,
    PHOTO_HASH_MISMATCH,
    PHOTO_TOO_LARGE,
    PHOTO_NOT_AN_IMAGE,
    PHOTO_NOT_NAMED,
    PHOTO_NOT_FOUND,
    AUTH_FORBIDDEN,
    INCIDENT_MALFORMED,
    INCIDENT_UNKNOWN_CATEGORY,
    INCIDENT_UNKNOWN_SEVERITY,
    INCIDENT_UNKNOWN_ACTION,
    INCIDENT_TITLE_TOO_LONG,
    INCIDENT_TEXT_TOO_LONG,
    INCIDENT_TEXT_REQUIRED,
    INCIDENT_TOO_MANY_PHOTOS,
    INCIDENT_PHOTO_MALFORMED_HASH,
    INCIDENT_COMMITMENT_MISMATCH,
    INCIDENT_NOT_FOUND,
    INCIDENT_NOT_OWNER,
    OBJECTION_MALFORMED,
    OBJECTION_INVALID,
    OBJECTION_NOT_AN_OBJECTOR,
    OBJECTION_OUTSIDE_REGION,
    OBJECTION_PASLON_OUTSIDE_PPWP,
    OBJECTION_NO_FORM,
    OBJECTION_NOT_CURRENT,
    OBJECTION_NOT_FOUND,
    OBJECTION_ALREADY_RULED,
    RECAP_CORRECTION_REFUSED,
    RECAP_NOT_A_LEVEL,
    RECAP_NOT_A_KECAMATAN,
    RECAP_LOCKED,
    RECAP_ALREADY_CONFIRMED,
    RECAP_SIGNOFF_DIFFERS,
    RECAP_CHILDREN,
    RECAP_CHILD_NOT_IN,
    RECAP_CHILD_CHANGED,
    RECAP_OBJECTION_OPEN,
    RECAP_TOTALS_NOT_SUM,
    RECAP_QUORUM_MISMATCH,
    RECAP_NOT_FINAL,
    RECAP_NO_FORM_REFUSED,
    LOGISTICS_UNKNOWN_ITEM,
    LOGISTICS_NOT_NEXT_LEVEL,
    LOGISTICS_NOT_SENDER,
    LOGISTICS_INSUFFICIENT_STOCK,
    LOGISTICS_SHIPMENT_NOT_FOUND,
    LOGISTICS_ALREADY_DELIVERED,
    LOGISTICS_NOT_RECEIVER,
    LOGISTICS_ITEMS_MISMATCH,
    LOGISTICS_SEAL_NOT_SHIPPED,
    FORM_DIFF_RANGE,
    FORM_VERSION_NOT_FOUND,
    INCIDENT_TRANSITION_FORBIDDEN,
    INCIDENT_NO_LEVEL_ABOVE,
    INCIDENT_ASSIGNEE_NOT_IN_OFFICE,
    LOG_INVALID_PARAMETER,
    LOG_INVALID_RANGE,
    LOG_BEYOND_CHECKPOINT,
    LOG_ENTRY_NOT_FOUND,
    LOG_BEHIND_SIGNED,
    LOG_DIVERGED,
    OVERLOADED,
    UNAVAILABLE,
    STORE_UNAVAILABLE,
    LEASE_LOST,
    INTERNAL,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_documented() {
        let doc = include_str!("../../../README.md");
        for (i, c) in ALL.iter().enumerate() {
            assert!(
                ALL[i + 1..].iter().all(|d| d.code != c.code),
                "{} twice",
                c.code
            );
            let row = format!("| `{}` | {} |", c.code, c.status);
            assert!(doc.contains(&row), "README.md lacks {row}");
        }
    }
}
