//! No module cycles, checked: within each crate of the workspace, the top-level modules (those
//! the crate root declares) and the `crate::`/`super::` paths between them must form a graph
//! without cycles. A submodule may use its parent and its siblings (they are the same top-level
//! module); the crate root (`lib.rs`) is not a module of the graph: it declares the modules,
//! re-exports and holds the entry point. The rule is written in docs/design.md ("Modules").
//!
//! Sources are read with proc-macro2's lexer, so comments, doc comments and string literals
//! never count; paths inside macro invocations (`format!("{}", crate::fmt::x())`) do.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Where one top-level module uses another: the file, the line and the path as written.
#[derive(Debug, Clone)]
struct Use {
    file: PathBuf,
    line: usize,
    path: String,
}

/// The top-level modules of one crate and, for each ordered pair that has one, the first use.
#[derive(Debug, Default)]
struct Graph {
    modules: BTreeSet<String>,
    edges: BTreeMap<(String, String), Use>,
}

/// Reads a source file of the crate; `None` when it does not exist.
type Read<'a> = &'a dyn Fn(&Path) -> Option<String>;

/// Builds the module graph of the crate whose root file is `root`, following `mod` items the
/// way rustc does (`a.rs` or `a/mod.rs`, children of `a.rs` in `a/`; inline `mod x { .. }`).
fn graph(root: &Path, read: Read) -> Result<Graph, String> {
    let mut g = Graph::default();
    let dir = root.parent().unwrap_or(Path::new("")).to_path_buf();
    let tokens = lex(root, read)?;
    // The root's own `mod` items are the nodes; its own paths are not edges.
    g.modules = mod_items(&tokens)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    walk(&mut g, root, &tokens, &[], &dir, read).map(|()| g)
}

fn lex(file: &Path, read: Read) -> Result<Vec<TokenTree>, String> {
    let src = read(file).ok_or_else(|| format!("{}: cannot read", file.display()))?;
    let ts: TokenStream = src
        .parse()
        .map_err(|e| format!("{}: cannot lex: {e}", file.display()))?;
    Ok(ts.into_iter().collect())
}

/// `mod name;` and `mod name { .. }` items at this level: the name and, for inline ones, the body.
fn mod_items(tokens: &[TokenTree]) -> Vec<(String, Option<Vec<TokenTree>>)> {
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let TokenTree::Ident(kw) = t else { continue };
        if kw != "mod" {
            continue;
        }
        let Some(TokenTree::Ident(name)) = tokens.get(i + 1) else {
            continue;
        };
        match tokens.get(i + 2) {
            Some(TokenTree::Punct(p)) if p.as_char() == ';' => out.push((name.to_string(), None)),
            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => {
                out.push((name.to_string(), Some(g.stream().into_iter().collect())))
            }
            _ => {}
        }
    }
    out
}

/// Records the edges of module `here` (its path from the crate root) found in `tokens`, then
/// walks its submodules. `dir` is where the files of its `mod x;` children live.
fn walk(
    g: &mut Graph,
    file: &Path,
    tokens: &[TokenTree],
    here: &[String],
    dir: &Path,
    read: Read,
) -> Result<(), String> {
    let mut paths = Vec::new();
    paths_in(tokens, true, &mut paths);
    if let Some(from) = here.first() {
        for (segments, line) in paths {
            let Some(to) = resolve(here, &segments) else {
                continue;
            };
            if &to != from && g.modules.contains(&to) {
                g.edges.entry((from.clone(), to)).or_insert_with(|| Use {
                    file: file.to_path_buf(),
                    line,
                    path: segments.join("::"),
                });
            }
        }
    }
    for (name, body) in mod_items(tokens) {
        let mut child = here.to_vec();
        child.push(name.clone());
        let child_dir = dir.join(&name);
        match body {
            Some(body) => walk(g, file, &body, &child, &child_dir, read)?,
            None => {
                let flat = dir.join(format!("{name}.rs"));
                let (child_file, child_dir) = if read(&flat).is_some() {
                    (flat, child_dir)
                } else {
                    (child_dir.join("mod.rs"), child_dir)
                };
                let body = lex(&child_file, read)?;
                walk(g, &child_file, &body, &child, &child_dir, read)?;
            }
        }
    }
    Ok(())
}

/// The top-level module a path names, seen from module `here`; `None` for the crate root's own
/// items, other crates and paths that stay inside `here`'s top-level module.
fn resolve(here: &[String], segments: &[String]) -> Option<String> {
    let mut base: Vec<&str> = match segments.first()?.as_str() {
        "crate" => Vec::new(),
        "super" => here[..here.len() - 1].iter().map(String::as_str).collect(),
        _ => return None,
    };
    for s in &segments[1..] {
        match s.as_str() {
            "super" => {
                base.pop();
            }
            "self" => {}
            _ => base.push(s),
        }
    }
    base.first().map(|s| s.to_string())
}

/// Every path that starts with `crate` or `super` in these tokens (use trees expanded), with the
/// line it starts on. Nested groups (bodies, macro arguments) are searched too, but not the
/// bodies of the module's inline `mod` items (`items`): they are walked as modules of their own.
fn paths_in(tokens: &[TokenTree], items: bool, out: &mut Vec<(Vec<String>, usize)>) {
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        let starts_path = matches!(t, TokenTree::Ident(id) if id == "crate" || id == "super")
            && !(i > 0 && is_colon(&tokens[i - 1]))
            && !(i > 0 && matches!(&tokens[i - 1], TokenTree::Punct(p) if p.as_char() == '$'))
            && !(i > 0 && matches!(&tokens[i - 1], TokenTree::Ident(id) if id == "extern"));
        if starts_path {
            let line = t.span().start().line;
            let mut trees = Vec::new();
            i = use_tree(tokens, i, Vec::new(), &mut trees);
            out.extend(trees.into_iter().map(|p| (p, line)));
            continue;
        }
        let is_inline_mod = items
            && matches!(t, TokenTree::Ident(id) if id == "mod")
            && matches!(tokens.get(i + 1), Some(TokenTree::Ident(_)))
            && matches!(tokens.get(i + 2), Some(TokenTree::Group(b)) if b.delimiter() == Delimiter::Brace);
        if is_inline_mod {
            i += 3;
            continue;
        }
        if let TokenTree::Group(group) = t {
            let inner: Vec<TokenTree> = group.stream().into_iter().collect();
            paths_in(&inner, false, out);
        }
        i += 1;
    }
}

fn is_colon(t: &TokenTree) -> bool {
    matches!(t, TokenTree::Punct(p) if p.as_char() == ':')
}

/// `::` at `i`: a joint `:` followed by a `:`.
fn path_sep(tokens: &[TokenTree], i: usize) -> bool {
    matches!(tokens.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ':' && p.spacing() == Spacing::Joint)
        && matches!(tokens.get(i + 1), Some(t) if is_colon(t))
}

/// Reads one path (or use tree) starting at `i`, prefixed by `prefix`, into `out`; returns the
/// index after it. `a::{b, c::{d, self}}` gives `a::b`, `a::c::d` and `a::c`.
fn use_tree(
    tokens: &[TokenTree],
    mut i: usize,
    mut prefix: Vec<String>,
    out: &mut Vec<Vec<String>>,
) -> usize {
    loop {
        match tokens.get(i) {
            Some(TokenTree::Ident(id)) => {
                prefix.push(id.to_string());
                i += 1;
            }
            Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Brace => {
                let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                let mut j = 0;
                while j < inner.len() {
                    j = use_tree(&inner, j, prefix.clone(), out);
                    // Skip to the next `,` of this list (past `as name`, `*`).
                    while j < inner.len()
                        && !matches!(&inner[j], TokenTree::Punct(p) if p.as_char() == ',')
                    {
                        j += 1;
                    }
                    j += 1;
                }
                return i + 1;
            }
            _ => break,
        }
        if path_sep(tokens, i) {
            i += 2;
        } else {
            break;
        }
    }
    out.push(prefix);
    i
}

/// Each knot of the graph, once: for every strongly connected set of two or more modules, a
/// shortest cycle through its first module (the modules in order) and the whole set.
fn knots(g: &Graph) -> Vec<(Vec<String>, BTreeSet<String>)> {
    let next = |m: &str| -> Vec<String> {
        g.edges
            .keys()
            .filter(|(a, _)| a == m)
            .map(|(_, b)| b.clone())
            .collect()
    };
    let reach = |from: &str| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(m) = todo.pop() {
            for n in next(&m) {
                if seen.insert(n.clone()) {
                    todo.push(n);
                }
            }
        }
        seen
    };
    let mut done = BTreeSet::new();
    let mut out = Vec::new();
    for m in &g.modules {
        if done.contains(m) || !reach(m).contains(m) {
            continue;
        }
        let component: BTreeSet<String> = g
            .modules
            .iter()
            .filter(|n| *n == m || (reach(m).contains(*n) && reach(n).contains(m)))
            .cloned()
            .collect();
        done.extend(component.iter().cloned());
        // Breadth first from m back to m: the shortest cycle through it.
        let mut parent: BTreeMap<String, String> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([m.clone()]);
        'search: while let Some(a) = queue.pop_front() {
            for b in next(&a) {
                if &b == m {
                    let mut cycle = vec![m.clone()];
                    let mut at = a.clone();
                    while &at != m {
                        cycle.insert(1, at.clone());
                        at = parent[&at].clone();
                    }
                    cycle.push(m.clone());
                    out.push((cycle, component.clone()));
                    break 'search;
                }
                if component.contains(&b) && !parent.contains_key(&b) {
                    parent.insert(b.clone(), a.clone());
                    queue.push_back(b);
                }
            }
        }
    }
    out
}

fn cycles(g: &Graph) -> Vec<Vec<String>> {
    knots(g).into_iter().map(|(cycle, _)| cycle).collect()
}

/// The failure message: each cycle and, for each of its edges, where it is used.
fn explain(krate: &str, g: &Graph, base: &Path) -> Option<String> {
    let found = knots(g);
    if found.is_empty() {
        return None;
    }
    let mut msg = String::new();
    for (cycle, knot) in found {
        msg.push_str(&format!("{krate}: module cycle {}\n", cycle.join(" -> ")));
        if knot.len() > cycle.len() - 1 {
            let all: Vec<&str> = knot.iter().map(String::as_str).collect();
            msg.push_str(&format!("    (one knot with: {})\n", all.join(", ")));
        }
        for pair in cycle.windows(2) {
            let u = &g.edges[&(pair[0].clone(), pair[1].clone())];
            let file = u.file.strip_prefix(base).unwrap_or(&u.file);
            msg.push_str(&format!(
                "    {} -> {}: {}:{} uses {}\n",
                pair[0],
                pair[1],
                file.display(),
                u.line,
                u.path
            ));
        }
    }
    Some(msg)
}

fn disk(p: &Path) -> Option<String> {
    std::fs::read_to_string(p).ok()
}

#[test]
fn no_module_cycles_in_any_crate() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR"));
    let crates = [
        ("sentui-model", "crates/sentui-model/src/lib.rs"),
        ("sentui-io", "crates/sentui-io/src/lib.rs"),
        ("sentui", "src/lib.rs"),
    ];
    let mut failures = String::new();
    for (name, root) in crates {
        let g = graph(&base.join(root), &disk).unwrap();
        assert!(
            g.modules.len() > 5,
            "{name}: only {:?} found: is the root still {root}?",
            g.modules
        );
        if let Some(msg) = explain(name, &g, base) {
            failures.push_str(&msg);
        }
    }
    assert!(
        failures.is_empty(),
        "modules must not use each other in a cycle (docs/design.md, \"Modules\"): move what \
         both need to the module that owns it\n{failures}"
    );
}

/// A crate held in memory: (path, source) pairs under `/c`.
fn synthetic(files: &[(&str, &str)]) -> impl Fn(&Path) -> Option<String> + use<> {
    let files: BTreeMap<PathBuf, String> = files
        .iter()
        .map(|(p, s)| (Path::new("/c").join(p), s.to_string()))
        .collect();
    move |p: &Path| files.get(p).cloned()
}

fn cycles_of(files: &[(&str, &str)]) -> Vec<Vec<String>> {
    let read = synthetic(files);
    cycles(&graph(Path::new("/c/lib.rs"), &read).unwrap())
}

#[test]
fn a_cycle_through_a_use_group_and_a_submodule_is_named_with_its_lines() {
    let read = synthetic(&[
        ("lib.rs", "pub mod a;\npub mod b;\nmod c;\n"),
        ("a.rs", "//! uses b\nuse crate::{c::X, b::Y};\n"),
        ("b.rs", "mod inner;\n"),
        ("b/inner.rs", "pub fn f() {\n    super::super::a::g();\n}\n"),
        ("c.rs", "pub struct X;\n"),
    ]);
    let g = graph(Path::new("/c/lib.rs"), &read).unwrap();
    assert_eq!(cycles(&g), vec![vec!["a", "b", "a"]]);
    let msg = explain("demo", &g, Path::new("/c")).unwrap();
    assert_eq!(
        msg,
        "demo: module cycle a -> b -> a\n    a -> b: a.rs:2 uses crate::b::Y\n    \
         b -> a: b/inner.rs:2 uses super::super::a::g\n"
    );
}

#[test]
fn a_longer_cycle_is_found_and_reported_once() {
    let found = cycles_of(&[
        ("lib.rs", "mod a; mod b; mod c; mod d;"),
        ("a.rs", "use crate::b::B;"),
        ("b.rs", "fn f() { crate::c::g() }"),
        ("c/mod.rs", "use super::a;"),
        ("d.rs", "use crate::a;"),
    ]);
    assert_eq!(found, vec![vec!["a", "b", "c", "a"]]);
}

#[test]
fn what_is_not_a_use_of_another_module_does_not_count() {
    let found = cycles_of(&[
        (
            "lib.rs",
            "pub mod a; pub mod b; pub fn entry() {} pub use b::Y;",
        ),
        // Comments, strings, `$crate`, `pub(crate)`, the root's own items and a submodule's
        // `super::` into its own parent are no edges to other modules.
        (
            "a.rs",
            "/// See [`crate::b::Y`].\n// crate::b::Y\npub(crate) fn f() { let _ = \"crate::b\"; \
             crate::entry(); }\nmacro_rules! m { () => { $crate::b::Y } }\npub mod sub;",
        ),
        ("a/sub.rs", "use super::f; use super::super::a::f as g;"),
        // An inline `mod tests` reaches its own file's items through `super::`.
        (
            "b.rs",
            "pub struct Y;\n#[cfg(test)]\nmod tests { use super::a; }\nfn a() {}",
        ),
    ]);
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn paths_inside_macro_arguments_count() {
    let found = cycles_of(&[
        ("lib.rs", "mod a; mod b;"),
        (
            "a.rs",
            "fn f() -> String { format!(\"{}\", crate::b::name()) }",
        ),
        ("b.rs", "fn g() { assert!(crate::a::ok()); }"),
    ]);
    assert_eq!(found, vec![vec!["a", "b", "a"]]);
}
