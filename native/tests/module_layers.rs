//! The crate's modules depend on each other in one direction only:
//! error <- connection <- auth <- client <- {session, publish} <- jni, with the
//! small leaf modules below them. Every `crate::<module>` path in a module's
//! non-test code must name a module of a lower layer (or the module itself).

use std::fs;
use std::path::{Path, PathBuf};

/// Each top-level module (or root item of lib.rs) and its layer; an edge may
/// only point to a lower layer. A new module must be placed here.
const LAYERS: &[(&str, u32)] = &[
    ("ABI_VERSION", 0),
    ("error", 0),
    ("arrow_batch", 1),
    ("backoff", 1),
    ("connection", 1),
    ("ffi", 1),
    ("metrics", 1),
    ("preencoded", 1),
    ("proto", 1),
    ("protobuf_write", 1),
    ("runtime", 1),
    ("task", 1),
    ("auth", 2),
    ("config", 2),
    ("client", 3),
    ("check", 4),
    ("publish", 4),
    ("session", 4),
    ("jni", 5),
];

fn layer(module: &str) -> Option<u32> {
    LAYERS
        .iter()
        .find(|(name, _)| *name == module)
        .map(|(_, layer)| *layer)
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, files);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
}

/// The top-level module a file under `src/` belongs to (`session` for
/// `src/session/stream.rs`), or None for lib.rs.
fn owner(src: &Path, file: &Path) -> Option<String> {
    let relative = file.strip_prefix(src).expect("file under src");
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.strip_suffix(".rs").unwrap_or(first);
    (name != "lib").then(|| name.to_string())
}

/// The code of a file without comment lines and without its trailing
/// `#[cfg(test)] mod tests` (tests may use any module).
fn production_code(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let tests_start = lines
        .windows(2)
        .position(|pair| pair[0].trim() == "#[cfg(test)]" && pair[1].trim() == "mod tests {")
        .unwrap_or(lines.len());
    lines[..tests_start]
        .iter()
        .filter(|line| !line.trim_start().starts_with("//"))
        .copied()
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first path segments after each `crate::` (also inside `crate::{a, b::c}`).
fn crate_paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').expect("closing brace of a use group");
            found.extend(group[..end].split(',').filter_map(first_segment));
        } else {
            found.extend(first_segment(rest));
        }
    }
    found
}

fn first_segment(path: &str) -> Option<String> {
    let name: String = path
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

#[test]
fn module_dependencies_point_only_to_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut wrong = Vec::new();
    for file in &files {
        let Some(module) = owner(&src, file) else {
            continue;
        };
        let Some(own) = layer(&module) else {
            wrong.push(format!("module `{module}` has no layer in LAYERS"));
            continue;
        };
        let text = fs::read_to_string(file).expect("read a source file");
        for target in crate_paths(&production_code(&text)) {
            match layer(&target) {
                _ if target == module => {}
                Some(to) if to < own => {}
                Some(to) => wrong.push(format!(
                    "{}: `{module}` (layer {own}) uses `crate::{target}` (layer {to})",
                    file.strip_prefix(&src).unwrap_or(file).display()
                )),
                None => wrong.push(format!(
                    "{}: `crate::{target}` is not a module in LAYERS",
                    file.strip_prefix(&src).unwrap_or(file).display()
                )),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "edges against the layering:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn crate_paths_are_found_in_plain_and_grouped_uses() {
    let code = "use crate::error::NativeError;\nuse crate::{client::X, auth};\n\
                #[serde(default = \"crate::config::default\")]";
    assert_eq!(
        crate_paths(code),
        vec!["error", "client", "auth", "config"],
        "first segments in order"
    );
    let with_tests = "use crate::a;\n// crate::b\n#[cfg(test)]\nmod tests {\n    use crate::c;\n}";
    assert_eq!(crate_paths(&production_code(with_tests)), vec!["a"]);
}
