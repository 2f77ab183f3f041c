//! The services' modules import one another without a circle: a feature may build on another
//! (label on referencing, assistance on the directory), never both ways, so that each can be
//! read, and changed, from its own folder down. `workflow` is the one place where what a
//! referencing step means to the label and to the assistance requests is written.
//!
//! The compiler keeps the crates' arrows; inside this crate, this test keeps the modules'.

#![allow(clippy::unwrap_used)] // a test: a file it cannot read is a failure

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The top-level modules of the crate, each with the files it is made of.
fn modules(src: &Path) -> BTreeMap<String, Vec<PathBuf>> {
    let mut modules = BTreeMap::new();
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            modules.insert(name, sources(&path));
        } else if name != "lib" && path.extension().is_some_and(|e| e == "rs") {
            modules.insert(name, vec![path]);
        }
    }
    modules
}

/// The crate's modules a file's code names (`crate::x`), comments and unit tests left out.
fn named(file: &Path, known: &BTreeMap<String, Vec<PathBuf>>) -> BTreeSet<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let code = text.split("#[cfg(test)]").next().unwrap_or_default();
    let mut names = BTreeSet::new();
    for line in code.lines() {
        let line = line.split("//").next().unwrap_or_default();
        for (at, _) in line.match_indices("crate::") {
            let rest = &line[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if known.contains_key(&name) {
                names.insert(name);
            }
        }
    }
    names
}

/// A circle through `start`, if any, found depth first.
fn circle(
    graph: &BTreeMap<String, BTreeSet<String>>,
    start: &str,
    path: &mut Vec<String>,
) -> Option<Vec<String>> {
    let here = path.last()?.clone();
    for next in graph.get(&here).into_iter().flatten() {
        if next == start {
            let mut found = path.clone();
            found.push(start.to_owned());
            return Some(found);
        }
        if !path.contains(next) {
            path.push(next.clone());
            if let Some(found) = circle(graph, start, path) {
                return Some(found);
            }
            path.pop();
        }
    }
    None
}

#[test]
fn no_module_of_the_services_imports_one_that_imports_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = modules(&src);
    assert!(
        ["referencing", "label", "assistance", "workflow", "infra"]
            .iter()
            .all(|m| modules.contains_key(*m)),
        "the crate's modules were not found under {}",
        src.display()
    );
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut why: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (module, files) in &modules {
        for file in files {
            for other in named(file, &modules) {
                if &other != module {
                    graph
                        .entry(module.clone())
                        .or_default()
                        .insert(other.clone());
                    why.entry((module.clone(), other))
                        .or_default()
                        .push(file.strip_prefix(&src).unwrap().display().to_string());
                }
            }
        }
    }
    // The graph is what the test reads: a feature building on another is seen.
    assert!(graph["label"].contains("referencing"));
    for module in modules.keys() {
        if let Some(found) = circle(&graph, module, &mut vec![module.clone()]) {
            let steps: Vec<String> = found
                .windows(2)
                .map(|w| {
                    let files = &why[&(w[0].clone(), w[1].clone())];
                    format!("{} -> {} ({})", w[0], w[1], files.join(", "))
                })
                .collect();
            panic!("an import circle:\n  {}", steps.join("\n  "));
        }
    }
}
