//! The OpenAPI file the server serves against the types: every sample of a
//! type validates against its schema, and the property names of each
//! schema are exactly the names serde writes over the samples. A small
//! checker of the JSON Schema keywords the file uses (`$ref`, `type`,
//! `required`, `properties`, `additionalProperties`, `items`, `enum`,
//! `oneOf`, `minimum`, `maximum`); anything else is a description.

use super::samples;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

const OPENAPI: &str = include_str!("../../../saksi-server/src/openapi.json");

/// Object keys seen per schema location (a JSON pointer into the file).
type Seen = BTreeMap<String, BTreeSet<String>>;

struct Checker {
    doc: Value,
    seen: Seen,
}

impl Checker {
    fn new() -> Checker {
        Checker {
            doc: serde_json::from_str(OPENAPI).expect("openapi.json is JSON"),
            seen: Seen::new(),
        }
    }

    fn schema(&self, pointer: &str) -> &Value {
        self.doc
            .pointer(pointer)
            .unwrap_or_else(|| panic!("openapi.json has no {pointer}"))
    }

    /// Checks a sample against the schema at `pointer`; panics with the
    /// path of the first difference.
    fn check<T: Serialize>(&mut self, pointer: &str, sample: &T) {
        let value = serde_json::to_value(sample).expect("a shape serialises");
        let mut seen = Seen::new();
        if let Err(e) = validate(&self.doc, pointer, &value, "$", &mut seen) {
            panic!("{pointer}: {e}\nvalue: {value:#}");
        }
        for (at, keys) in seen {
            self.seen.entry(at).or_default().extend(keys);
        }
    }

    /// Every closed object schema visited lists exactly the keys written.
    fn assert_properties_match(&self) {
        let mut differences = Vec::new();
        for (at, keys) in &self.seen {
            let schema = self.schema(at);
            let Some(props) = schema.get("properties").and_then(Value::as_object) else {
                continue;
            };
            if schema
                .get("additionalProperties")
                .is_some_and(|a| a != &Value::Bool(false))
            {
                continue;
            }
            let declared: BTreeSet<String> = props.keys().cloned().collect();
            if &declared != keys {
                differences.push(format!(
                    "{at}: documented but never written {:?}, written but not documented {:?}",
                    declared.difference(keys).collect::<Vec<_>>(),
                    keys.difference(&declared).collect::<Vec<_>>(),
                ));
            }
        }
        assert!(differences.is_empty(), "{}", differences.join("\n"));
    }
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn type_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn validate(
    doc: &Value,
    at: &str,
    value: &Value,
    path: &str,
    seen: &mut Seen,
) -> Result<(), String> {
    let schema = doc
        .pointer(at)
        .ok_or_else(|| format!("no schema at {at}"))?;
    if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
        let target = target
            .strip_prefix('#')
            .ok_or_else(|| format!("{at}: only local $ref are supported"))?;
        return validate(doc, target, value, path, seen);
    }
    if let Some(types) = schema.get("type") {
        let allowed: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
            _ => return Err(format!("{at}: bad type")),
        };
        let actual = type_of(value);
        let ok = allowed
            .iter()
            .any(|t| *t == actual || (*t == "number" && actual == "integer"));
        if !ok {
            return Err(format!("{path} is {actual}, the schema says {allowed:?}"));
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        return Err(format!("{path} = {value} is not one of {options:?}"));
    }
    if let Some(n) = value.as_f64() {
        if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
            && n < min
        {
            return Err(format!("{path} = {n} is below {min}"));
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
            && n > max
        {
            return Err(format!("{path} = {n} is above {max}"));
        }
    }
    if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
        let mut matched = Vec::new();
        for i in 0..branches.len() {
            let mut branch_seen = Seen::new();
            let branch = format!("{at}/oneOf/{i}");
            if validate(doc, &branch, value, path, &mut branch_seen).is_ok() {
                matched.push(branch_seen);
            }
        }
        if matched.len() != 1 {
            return Err(format!("{path} matches {} of oneOf at {at}", matched.len()));
        }
        for (k, v) in matched.remove(0) {
            seen.entry(k).or_default().extend(v);
        }
    }
    if let Value::Array(items) = value
        && schema.get("items").is_some()
    {
        for (i, item) in items.iter().enumerate() {
            validate(
                doc,
                &format!("{at}/items"),
                item,
                &format!("{path}[{i}]"),
                seen,
            )?;
        }
    }
    if let Value::Object(fields) = value {
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            if !fields.contains_key(name) {
                return Err(format!("{path} lacks the required `{name}`"));
            }
        }
        let props = schema.get("properties").and_then(Value::as_object);
        if props.is_some() {
            seen.entry(at.to_owned())
                .or_default()
                .extend(fields.keys().cloned());
        }
        for (key, field) in fields {
            let field_path = format!("{path}.{key}");
            if props.is_some_and(|p| p.contains_key(key)) {
                let sub = format!("{at}/properties/{}", escape(key));
                validate(doc, &sub, field, &field_path, seen)?;
                continue;
            }
            match schema.get("additionalProperties") {
                Some(Value::Bool(false)) => {
                    return Err(format!("{field_path} is not allowed"));
                }
                Some(Value::Object(_)) => {
                    validate(
                        doc,
                        &format!("{at}/additionalProperties"),
                        field,
                        &field_path,
                        seen,
                    )?;
                }
                _ => {}
            }
        }
    }
    Ok(())
}

const SCHEMAS: &str = "/components/schemas";

fn response(path: &str, method: &str, status: &str) -> String {
    format!(
        "/paths/{}/{method}/responses/{status}/content/application~1json/schema",
        escape(path)
    )
}

#[test]
fn every_shape_matches_the_openapi_file() {
    use samples::*;
    let mut c = Checker::new();
    let s = |name: &str| format!("{SCHEMAS}/{name}");
    for details in [true, false] {
        c.check(&s("Error"), &error(details));
    }
    c.check(&s("Issue"), &issue(true));
    c.check(&s("Issue"), &issue(false));
    c.check(&s("Totals"), &totals(1));
    for path in ["/api/v1/regions", "/api/v1/regions/{code}"] {
        c.check(&response(path, "get", "200"), &region(true));
        c.check(&response(path, "get", "200"), &region(false));
    }
    for path in [
        "/api/v1/results/{contest}",
        "/api/v1/results/{contest}/{code}",
    ] {
        c.check(&response(path, "get", "200"), &results(true));
        c.check(&response(path, "get", "200"), &results(false));
    }
    let dapil = response("/api/v1/results/{contest}/dapil/{dapil}", "get", "200");
    c.check(&dapil, &dapil_results(true));
    c.check(&dapil, &dapil_results(false));
    c.check(&response("/api/v1/tps/{code}", "get", "200"), &tps_page());
    c.check(
        &response("/api/v1/tps/{code}/diff/{contest}", "get", "200"),
        &form_diff(),
    );
    c.check(
        &response("/api/v1/objections", "post", "201"),
        &recap_accepted(false),
    );
    c.check(
        &response("/api/v1/objections/{log_index}/ruling", "post", "201"),
        &recap_accepted(true),
    );
    c.check(
        &response("/api/v1/recap/{contest}/{code}/signoffs", "post", "201"),
        &recap_accepted(true),
    );
    c.check(
        &response("/api/v1/recap/{contest}/{code}/reopen", "post", "201"),
        &recap_accepted(true),
    );
    c.check(
        &response(
            "/api/v1/recap/{contest}/{kecamatan}/no-form/{tps}",
            "post",
            "201",
        ),
        &recap_accepted(true),
    );
    for pending in [true, false] {
        c.check(
            &response("/api/v1/recap/{contest}/{code}", "get", "200"),
            &recap_state(pending),
        );
    }
    c.check(
        &response("/api/v1/recap/{contest}/{kecamatan}/queue", "get", "200"),
        &review_queue(),
    );
    c.check(&s("CHasil"), &chasil_with_sections());
    let forms = "/api/v1/tps/{code}/forms/{contest}";
    c.check(&response(forms, "post", "201"), &accepted());
    c.check(
        &response("/api/v1/log/receipt/{index}", "get", "200"),
        &receipt_form(),
    );
    c.check(
        &response("/api/v1/log/receipt/{index}", "get", "200"),
        &receipt_key(),
    );
    c.check(&response("/api/v1/keys", "post", "201"), &key_accepted());
    for status in ["200", "201"] {
        c.check(
            &response("/api/v1/photos/{sha256}", "put", status),
            &photo_stored(),
        );
    }
    c.check(&response("/api/v1/keys", "post", "200"), &bulk());
    c.check(
        &response("/api/v1/log/entries", "get", "200"),
        &log_entries(),
    );
    for kind in ["inclusion", "consistency"] {
        let path = format!("/api/v1/log/proof/{kind}");
        c.check(&response(&path, "get", "200"), &proof());
    }
    c.check(&response("/api/v1/auth/login", "post", "200"), &session());
    c.check(&response("/api/v1/auth/totp", "post", "201"), &totp_offer());
    c.check(
        &response("/api/v1/auth/totp/confirm", "post", "200"),
        &recovery_codes(),
    );
    for party in [None, Some(2)] {
        c.check(
            &response("/api/v1/auth/session", "get", "200"),
            &session_info(party),
        );
    }
    for status in ["ok", "degraded"] {
        c.check(&response("/healthz", "get", "200"), &health(status));
    }
    c.check(&response("/healthz", "get", "503"), &health("error"));
    c.check(
        &response("/api/v1/logistics/allocation/{code}", "get", "200"),
        &allocation(),
    );
    c.check(
        &response("/api/v1/logistics/stock/{code}", "get", "200"),
        &allocation(),
    );
    c.check(
        &response("/api/v1/logistics/readiness/{code}", "get", "200"),
        &readiness(),
    );
    for delivered in [true, false] {
        c.check(
            &response("/api/v1/logistics/shipments/{id}", "get", "200"),
            &shipment(delivered),
        );
    }
    for path in [
        "/api/v1/logistics/shipments",
        "/api/v1/logistics/shipments/{id}/delivery",
    ] {
        c.check(&response(path, "post", "201"), &recap_accepted(true));
    }
    c.assert_properties_match();

    // Every named schema of a JSON answer was reached by some sample
    // (`Receipt` is only the union of the form's and the key's).
    for name in [
        "Error",
        "Issue",
        "Totals",
        "Region",
        "Results",
        "DapilResults",
        "CandidateVotes",
        "CHasil",
        "Accepted",
        "LogEntry",
        "FormReceipt",
        "KeyReceipt",
        "Dpt",
        "FormVersion",
        "FormSigner",
        "FormPhoto",
        "PhotoStored",
        "TpsPage",
        "TpsObjection",
        "FormDiff",
        "RecapAccepted",
        "RecapState",
        "ReviewQueue",
        "FinalTotals",
        "KeyAccepted",
        "BulkResults",
        "Health",
        "SessionInfo",
        "Allocation",
        "Stock",
        "Shipment",
        "Delivery",
        "DeliveredItem",
        "Readiness",
        "ReadinessCounts",
        "TpsLogistics",
    ] {
        assert!(c.seen.contains_key(&s(name)), "no sample reaches {name}");
    }
}

#[test]
fn a_wrong_value_is_refused() {
    let doc: Value = serde_json::from_str(OPENAPI).unwrap();
    let mut seen = Seen::new();
    let mut receipt = serde_json::to_value(samples::receipt_form()).unwrap();
    receipt.as_object_mut().unwrap().remove("signed");
    let at = format!("{SCHEMAS}/Receipt");
    assert!(validate(&doc, &at, &receipt, "$", &mut seen).is_err());
    // A form version's receipt names its version; a key's names no TPS.
    let mut receipt = serde_json::to_value(samples::receipt_form()).unwrap();
    receipt.as_object_mut().unwrap().remove("version");
    assert!(validate(&doc, &at, &receipt, "$", &mut seen).is_err());
    let mut receipt = serde_json::to_value(samples::receipt_key()).unwrap();
    receipt["tps"] = Value::from("32.73.01.1001.001");
    assert!(validate(&doc, &at, &receipt, "$", &mut seen).is_err());
    // A form's members are exactly the commission's fields.
    let mut form = samples::chasil();
    form["suara_lain"] = Value::from(1);
    assert!(validate(&doc, &format!("{SCHEMAS}/CHasil"), &form, "$", &mut seen).is_err());
    let mut totals = serde_json::to_value(samples::totals(1)).unwrap();
    totals["dpt"] = Value::from("many");
    assert!(validate(&doc, &format!("{SCHEMAS}/Totals"), &totals, "$", &mut seen).is_err());
}

/// What a client reads is what the server wrote.
#[test]
fn every_shape_round_trips() {
    use samples::*;
    fn same<T: Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(v: T) {
        let bytes = serde_json::to_vec(&v).unwrap();
        let back: T = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, v);
        assert_eq!(serde_json::to_vec(&back).unwrap(), bytes);
    }
    same(error(true));
    same(error(false));
    same(region(true));
    same(allocation());
    same(readiness());
    same(results(true));
    same(results(false));
    same(dapil_results(true));
    same(dapil_results(false));
    same(tps_page());
    same(form_diff());
    same(recap_accepted(true));
    same(review_queue());
    same(accepted());
    same(key_accepted());
    same(photo_stored());
    same(bulk());
    same(log_entries());
    same(proof());
    same(session());
    same(session_info(None));
    same(session_info(Some(2)));
    for status in ["ok", "degraded", "error"] {
        same(health(status));
    }
}

/// The officers' workspace's answers against their schemas,
/// and each round trip.
#[test]
fn every_workspace_shape_matches_the_openapi_file() {
    use saksi_api::EnrolmentStatus;
    use samples::*;
    let mut c = Checker::new();
    c.check(
        &response("/api/v1/enrolment-codes", "post", "201"),
        &issued_codes(),
    );
    c.check(
        &response("/api/v1/enrolments", "post", "201"),
        &enrolment_created(),
    );
    for status in EnrolmentStatus::ALL {
        c.check(
            &response("/api/v1/enrolments/{id}", "get", "200"),
            &enrolment(status),
        );
    }
    c.check(
        &response("/api/v1/enrolments/{id}/reject", "post", "200"),
        &enrolment(EnrolmentStatus::Rejected),
    );
    c.check(&response("/api/v1/enrolments", "get", "200"), &enrolments());
    c.check(
        &response("/api/v1/officer-keys", "post", "201"),
        &officer_key_submitted(),
    );
    for path in ["/api/v1/officer-keys", "/api/v1/officer-keys/mine"] {
        c.check(&response(path, "get", "200"), &officer_keys());
    }
    c.check(
        &response("/api/v1/keys/defaults", "get", "200"),
        &key_defaults(),
    );
    c.assert_properties_match();
    for name in [
        "Enrolment",
        "EnrolmentEntry",
        "OfficerKeyEntry",
        "KeyDefaults",
    ] {
        assert!(
            c.seen.contains_key(&format!("{SCHEMAS}/{name}")),
            "no sample reaches {name}"
        );
    }

    fn same<T: Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(v: T) {
        let bytes = serde_json::to_vec(&v).unwrap();
        let back: T = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, v);
    }
    same(issued_codes());
    same(enrolment_created());
    same(enrolment(EnrolmentStatus::Rejected));
    same(enrolments());
    same(officer_key_submitted());
    same(officer_keys());
    same(key_defaults());
}
