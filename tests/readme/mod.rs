//! The README's snippets are files of this crate's tests, verbatim between
//! `// README:begin` and `// README:end`: each test file checks that the
//! README shows its own snippet.

/// Panics unless README.md shows the snippet of `source` (a test file's own
/// text) as a `rust` block.
pub(crate) fn assert_shows(source: &str, file: &str) {
    let begin = source.find("// README:begin\n").expect("begin marker") + "// README:begin\n".len();
    let end = source.find("// README:end\n").expect("end marker");
    let snippet = &source[begin..end];
    let readme = include_str!("../../README.md");
    assert!(
        readme.contains(&format!("```rust\n{snippet}```")),
        "README.md's snippet differs from {file}:\n{snippet}"
    );
}
