//! The README's snippets are files of this crate's tests, verbatim between
//! `// README:begin` and `// README:end`: each test file checks that the
//! README shows its own snippet.

/// Panics unless README.md shows the snippet of `source` (a test file's own
/// text) as a `rust` block (`rust,no_run` for a program that serves until
/// stopped).
pub(crate) fn assert_shows(source: &str, file: &str) {
    let begin = source.find("// README:begin\n").expect("begin marker") + "// README:begin\n".len();
    let end = source.find("// README:end\n").expect("end marker");
    let snippet = &source[begin..end];
    let readme = include_str!("../../README.md");
    let shown = ["```rust\n", "```rust,no_run\n"]
        .iter()
        .any(|fence| readme.contains(&format!("{fence}{snippet}```")));
    assert!(shown, "README.md's snippet differs from {file}:\n{snippet}");
}
