//! `GET /kpps/sw.js`: the KPPS app's service worker (`assets/sw.js`), which
//! lets the app open on a phone with no signal. Served from `/kpps/` so its
//! scope is the app and nothing else.
//!
//! The worker's own text starts with two constants built here once:
//! `CACHE`, named after a hash of every static file and of the worker
//! itself, so a release whose files differ has a new worker (the browser
//! compares the script byte for byte) and a new cache (the old one is
//! deleted when the new worker activates); and `SHELL`, the URLs the
//! install caches.
//!
//! `SHELL` holds only files the server has: the app's modules are found by
//! following their `./x.js` imports from [`ENTRIES`] through [`FILES`], so
//! a module the app does not import yet (or that is not served) is never
//! listed, and the install, which caches the shell all or nothing, cannot
//! fail on a 404. A module added to the app is cached as soon as a shell
//! module imports it.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::assets::FILES;

const WORKER: &str = include_str!("../../assets/sw.js");

/// The modules the KPPS app loads: the page's script and the modules it
/// calls by name (registration, outbox, proofs), under `/static/`.
const ENTRIES: &[&str] = &["js/kpps.js", "js/offline.js", "js/queue.js", "js/proof.js"];

/// What the shell holds besides modules: the page, its form rules and its
/// stylesheet.
const PAGES: &[&str] = &["/kpps/", "/api/v1/forms/rules", "/static/workspace.css"];

static SCRIPT: LazyLock<String> = LazyLock::new(|| script(FILES, WORKER));

pub async fn show() -> Response {
    let mut response = SCRIPT.as_str().into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    crate::view::secure_headers(headers);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The served worker for these static `files`.
fn script(files: &[(&str, &str, &str)], worker: &str) -> String {
    let shell = serde_json::to_string(&shell(files)).expect("a list of strings is JSON");
    let cache = serde_json::to_string(&cache_name(files, worker)).expect("a string is JSON");
    format!("const CACHE = {cache};\nconst SHELL = {shell};\n{worker}")
}

/// `saksi-kpps-` and 16 hex digits of the SHA-256 of every file's path and
/// text and the worker's text.
fn cache_name(files: &[(&str, &str, &str)], worker: &str) -> String {
    let mut hash = Sha256::new();
    for (path, text, _) in files {
        for part in [path, text] {
            hash.update((part.len() as u64).to_be_bytes());
            hash.update(part.as_bytes());
        }
    }
    hash.update(worker.as_bytes());
    format!("saksi-kpps-{}", &hex::encode(hash.finalize())[..16])
}

/// The shell's URLs: [`PAGES`], then every module reachable from
/// [`ENTRIES`] through relative imports, each once, among `files` only.
fn shell(files: &[(&str, &str, &str)]) -> Vec<String> {
    let text_of = |path: &str| {
        files
            .iter()
            .find(|(name, ..)| *name == path)
            .map(|(_, text, _)| *text)
    };
    let mut seen = BTreeSet::new();
    let mut modules = Vec::new();
    let mut todo: Vec<String> = ENTRIES.iter().rev().map(|e| (*e).to_owned()).collect();
    while let Some(path) = todo.pop() {
        let Some(text) = text_of(&path) else {
            continue;
        };
        if !seen.insert(path.clone()) {
            continue;
        }
        let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
        let mut imported: Vec<String> = relative_imports(text)
            .map(|name| format!("{dir}/{name}"))
            .collect();
        imported.reverse();
        todo.extend(imported);
        modules.push(format!("/static/{path}"));
    }
    PAGES
        .iter()
        .map(|p| (*p).to_owned())
        .chain(modules)
        .collect()
}

/// The file names a module imports from its own directory (`from
/// "./x.js"`, `import "./x.js"`, `import("./x.js")`).
fn relative_imports(text: &str) -> impl Iterator<Item = &str> {
    ["from \"./", "import \"./", "import(\"./"]
        .into_iter()
        .flat_map(move |marker| {
            text.match_indices(marker).filter_map(move |(at, _)| {
                let rest = &text[at + marker.len()..];
                rest.split_once('"')
                    .map(|(name, _)| name)
                    .filter(|name| !name.contains('/'))
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const JS: &str = "text/javascript; charset=utf-8";

    #[test]
    fn the_shell_is_the_page_its_rules_its_style_and_every_module_the_app_imports() {
        let shell = shell(FILES);
        for url in [
            "/kpps/",
            "/api/v1/forms/rules",
            "/static/workspace.css",
            "/static/js/kpps.js",
            "/static/js/signing.js",
            "/static/js/offline.js",
            "/static/js/queue.js",
            "/static/js/proof.js",
            "/static/js/kept.js",
        ] {
            assert_eq!(
                shell.iter().filter(|u| *u == url).count(),
                1,
                "{url} in {shell:?}"
            );
        }
        // Every static file listed is served.
        for url in &shell {
            if let Some(path) = url.strip_prefix("/static/") {
                assert!(FILES.iter().any(|(name, ..)| *name == path), "{url}");
            }
        }
        // A page of the workspace is not the app's.
        assert!(!shell.iter().any(|u| u.ends_with("/certify.js")));
    }

    #[test]
    fn a_module_imported_but_not_served_is_left_out_and_listed_once_it_is() {
        let kpps =
            "import { makeKey } from \"./signing.js\";\nimport { entry } from \"./chasil.js\";\n";
        let chasil = "import { evaluate } from \"./rules.js\";\n";
        let without = [
            ("js/kpps.js", kpps, JS),
            ("js/signing.js", "", JS),
            ("js/rules.js", "", JS),
        ];
        let listed = shell(&without);
        assert!(listed.contains(&"/static/js/signing.js".to_owned()));
        assert!(
            !listed
                .iter()
                .any(|u| u.contains("chasil") || u.contains("rules.js"))
        );
        let mut with = without.to_vec();
        with.push(("js/chasil.js", chasil, JS));
        let listed = shell(&with);
        assert!(listed.contains(&"/static/js/chasil.js".to_owned()));
        assert!(listed.contains(&"/static/js/rules.js".to_owned()));
    }

    #[test]
    fn a_changed_file_names_a_new_cache_and_the_worker_says_so() {
        let files = [("js/kpps.js", "one", JS)];
        let changed = [("js/kpps.js", "two", JS)];
        let first = cache_name(&files, WORKER);
        assert_ne!(first, cache_name(&changed, WORKER));
        assert_ne!(first, cache_name(&files, "another worker"));
        assert_eq!(first, cache_name(&files, WORKER));
        assert!(script(&files, WORKER).starts_with(&format!("const CACHE = \"{first}\";\n")));
    }
}
