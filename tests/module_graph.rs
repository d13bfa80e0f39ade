//! The crates' modules import each other in one direction only: no two modules of a crate
//! depend on each other, directly or through others, and the leaves (the rejection, the header
//! reader, the origin rules, the request span, the 204 answer) depend on no module above them.
//! A reader can then take the modules one at a time, leaves first.
//!
//! The graph is read from the source: every `crate::a::b`, `super::x` and `self::x` path outside
//! a `#[cfg(test)] mod tests` names the module it reaches. A module's references to its own
//! descendants or ancestors are not edges (a parent declares its children, and a child may name
//! what its parent re-exports), so the check is about siblings and cousins.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The module paths of a crate (`["route", "cloudevents"]`) and the file that holds each.
fn modules(src: &Path) -> BTreeMap<Vec<String>, PathBuf> {
    let mut found = BTreeMap::new();
    let mut pending = vec![src.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).unwrap().with_extension("");
            let mut segments: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(segments.last().map(String::as_str), Some("mod" | "lib")) {
                segments.pop();
            }
            found.insert(segments, path);
        }
    }
    found
}

/// The source a module compiles outside its unit tests, without comments.
fn code(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(start) => &text[..start],
        None => &text,
    };
    text.lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths written after `crate::`, `super::` or `self::` in `code`, with the keyword.
fn paths(code: &str) -> Vec<(String, Vec<String>)> {
    let bytes = code.as_bytes();
    let mut found = Vec::new();
    for keyword in ["crate", "super", "self"] {
        let mut from = 0;
        while let Some(at) = code[from..].find(keyword) {
            let start = from + at;
            from = start + keyword.len();
            let before = start.checked_sub(1).map(|i| bytes[i]);
            if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':') {
                continue;
            }
            let mut segments = Vec::new();
            let mut rest = &code[from..];
            while let Some(after) = rest.strip_prefix("::") {
                let len = after
                    .bytes()
                    .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
                    .count();
                if len == 0 {
                    break;
                }
                segments.push(after[..len].to_owned());
                rest = &after[len..];
            }
            if !segments.is_empty() {
                found.push((keyword.to_owned(), segments));
            }
        }
    }
    found
}

/// The crate's module graph: for each module, the modules it names.
fn graph(src: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let modules = modules(src);
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (module, file) in &modules {
        // `super` is the parent of the module; `self` the module itself.
        let parent = &module[..module.len().saturating_sub(1)];
        for (keyword, segments) in paths(&code(file)) {
            let mut full: Vec<String> = match keyword.as_str() {
                "crate" => Vec::new(),
                "super" => parent.to_vec(),
                _ => module.clone(),
            };
            full.extend(segments);
            // The longest prefix that is a module is the one reached.
            let Some(target) = (1..=full.len())
                .rev()
                .map(|n| full[..n].to_vec())
                .find(|prefix| modules.contains_key(prefix))
            else {
                continue;
            };
            let related = target.starts_with(module) || module.starts_with(&target);
            if !related {
                edges.entry(module.clone()).or_default().insert(target);
            }
        }
        edges.entry(module.clone()).or_default();
    }
    edges
}

/// One cycle of the graph, if it has any.
fn cycle(edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>) -> Option<Vec<Vec<String>>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        marks: &mut BTreeMap<Vec<String>, Mark>,
        stack: &mut Vec<Vec<String>>,
    ) -> Option<Vec<Vec<String>>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let start = stack.iter().position(|n| n == node).unwrap();
                let mut found = stack[start..].to_vec();
                found.push(node.clone());
                return Some(found);
            }
            None => {}
        }
        marks.insert(node.clone(), Mark::Open);
        stack.push(node.clone());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, edges, marks, stack) {
                return Some(found);
            }
        }
        stack.pop();
        marks.insert(node.clone(), Mark::Done);
        None
    }
    let mut marks = BTreeMap::new();
    edges
        .keys()
        .find_map(|node| visit(node, edges, &mut marks, &mut Vec::new()))
}

fn shown(path: &[String]) -> String {
    if path.is_empty() {
        "crate".to_owned()
    } else {
        path.join("::")
    }
}

fn crate_src(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name).join("src")
}

#[test]
fn the_runtime_modules_import_each_other_in_one_direction() {
    let edges = graph(&crate_src("webhook-runtime"));
    assert!(edges.len() > 30, "the runtime's modules were not found");
    if let Some(found) = cycle(&edges) {
        let found: Vec<String> = found.iter().map(|m| shown(m)).collect();
        panic!("import cycle: {}", found.join(" -> "));
    }
}

#[test]
fn the_macro_modules_import_each_other_in_one_direction() {
    let edges = graph(&crate_src("webhook-macros"));
    assert!(edges.len() > 4, "the macro crate's modules were not found");
    if let Some(found) = cycle(&edges) {
        let found: Vec<String> = found.iter().map(|m| shown(m)).collect();
        panic!("import cycle: {}", found.join(" -> "));
    }
}

/// The leaves answer, read headers or check origins; they call nothing that decides about a
/// request, so any module may use them without a loop back.
#[test]
fn the_leaves_depend_on_no_module_above_them() {
    let edges = graph(&crate_src("webhook-runtime"));
    // What each leaf may use: other leaves, and the counters that record a refusal.
    let leaves = [
        "rejection",
        "headers",
        "origin",
        "span",
        "no_content",
        "interned",
    ];
    let allowed: BTreeSet<&str> = leaves.iter().copied().chain(["metrics"]).collect();
    for leaf in leaves {
        let uses = &edges[&vec![leaf.to_owned()]];
        let above: Vec<String> = uses
            .iter()
            .filter(|m| !allowed.contains(m[0].as_str()))
            .map(|m| shown(m))
            .collect();
        assert!(above.is_empty(), "{leaf} depends on {above:?}");
    }
}

/// The checks can fail: a graph with a loop is found, and one without is not.
#[test]
fn the_cycle_finder_finds_a_loop() {
    let module = |name: &str| vec![name.to_owned()];
    let mut edges = BTreeMap::new();
    edges.insert(module("a"), BTreeSet::from([module("b")]));
    edges.insert(module("b"), BTreeSet::from([module("c")]));
    edges.insert(module("c"), BTreeSet::new());
    assert_eq!(cycle(&edges), None);
    edges.get_mut(&module("c")).unwrap().insert(module("a"));
    let found = cycle(&edges).expect("a -> b -> c -> a");
    assert_eq!(found.first(), found.last());
    assert_eq!(found.len(), 4);
}

/// Paths are read after `crate::`, `super::` and `self::`, not inside longer words.
#[test]
fn paths_are_read_after_the_three_keywords() {
    let found =
        paths("use crate::route::body::read_body; use super::x; self::y; mycrate::z; a::super::q");
    let shown: Vec<String> = found
        .iter()
        .map(|(k, s)| format!("{k}:{}", s.join("::")))
        .collect();
    assert_eq!(
        shown,
        ["crate:route::body::read_body", "super:x", "self:y"],
        "{found:?}"
    );
}
