//! The crate's layout rules, checked on its source: the top-level modules
//! (each file or folder directly under `src/`) depend on each other through
//! `crate::` paths without a cycle, and the sequencer knows nothing of
//! HTTP (it decides; `controllers/` speaks HTTP).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `path` (or `path` itself), with its text.
fn sources(path: &Path) -> Vec<(PathBuf, String)> {
    if path.is_dir() {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(path).unwrap() {
            out.extend(sources(&entry.unwrap().path()));
        }
        out
    } else if path.extension().is_some_and(|e| e == "rs") {
        vec![(path.to_owned(), std::fs::read_to_string(path).unwrap())]
    } else {
        Vec::new()
    }
}

/// The modules named after `crate::` in `text`, grouped `crate::{a, b}`
/// included.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    for (i, _) in text.match_indices("crate::") {
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            out.extend(group.split(',').map(|m| ident(m.trim())));
        } else {
            out.insert(ident(rest));
        }
    }
    out.retain(|m| !m.is_empty());
    out
}

/// Top-level module -> the other top-level modules it names.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(src()).unwrap() {
        let path = entry.unwrap().path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if !(path.is_dir() || path.extension().is_some_and(|e| e == "rs")) {
            continue;
        }
        let used: BTreeSet<String> = sources(&path)
            .iter()
            .flat_map(|(_, text)| crate_paths(text))
            .collect();
        modules
            .entry(stem.to_owned())
            .or_insert_with(BTreeSet::new)
            .extend(used);
    }
    let names: BTreeSet<String> = modules.keys().cloned().collect();
    for (name, used) in modules.iter_mut() {
        used.retain(|m| m != name && names.contains(m));
    }
    modules
}

/// A cycle in `graph`, if there is one, as the path that closes it.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        done: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_owned());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, done, path) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut done, &mut Vec::new()))
}

#[test]
fn the_top_level_modules_form_no_cycle() {
    let graph = graph();
    assert!(graph.contains_key("sequencer") && graph.contains_key("state"));
    if let Some(found) = cycle(&graph) {
        panic!("a cycle through crate:: paths: {}", found.join(" -> "));
    }
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let mut graph = BTreeMap::new();
    graph.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    graph.insert("b".to_owned(), BTreeSet::from(["c".to_owned()]));
    graph.insert("c".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(cycle(&graph).unwrap(), ["a", "b", "c", "a"]);
    graph.insert("c".to_owned(), BTreeSet::new());
    assert_eq!(cycle(&graph), None);
    assert_eq!(
        crate_paths("use crate::{error::X, state};\ncrate::codes::A"),
        BTreeSet::from(["codes".to_owned(), "error".to_owned(), "state".to_owned()])
    );
}

#[test]
fn the_sequencer_names_no_http() {
    let folder = src().join("sequencer");
    let files = sources(&folder);
    assert!(files.len() > 1, "the sequencer is a module folder");
    for (path, text) in files {
        for word in ["axum", "StatusCode", "ApiError", "json!"] {
            assert!(
                !text.contains(word),
                "{} names {word}",
                path.strip_prefix(src()).unwrap().display()
            );
        }
    }
}
