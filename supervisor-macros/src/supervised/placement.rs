//! Where the fn sits: at module level, or in an `impl` or `trait` block.
//!
//! A proc macro is not told what surrounds its item, and an associated fn
//! looks like a free one. Beside a fn in an `impl` block, the marker type
//! and its impl are items an `impl` block cannot hold, and rustc reports
//! them as four errors about code the user never wrote. So the macro reads
//! the source file the fn's name points into (`Span::local_file`, Rust
//! 1.88 and later) and scans it up to the name for the block around it.
//! When anything is uncertain (no file, a name that does not sit where its
//! span says, a fn written by another macro) it answers "unknown" and the
//! macro expands as for a free fn.
//!
//! Each file is scanned once per compilation and kept with its length and
//! modification time; a fn's question is then a look-up in its blocks.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::Mutex,
    time::SystemTime,
};

use proc_macro2::Span;

/// A block that holds associated items instead of module items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Container {
    Impl,
    Trait,
}

impl Container {
    /// "an `impl` block" or "a `trait`", for messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Container::Impl => "an `impl` block",
            Container::Trait => "a `trait`",
        }
    }

    /// "the `impl` block" or "the `trait`", for messages.
    pub(crate) fn the(self) -> &'static str {
        match self {
            Container::Impl => "the `impl` block",
            Container::Trait => "the `trait`",
        }
    }
}

/// The `impl` or `trait` block whose body directly holds the item whose
/// name is `name` at `span`, if the source says so for certain.
pub(crate) fn container_of(name: &str, span: Span) -> Option<Container> {
    let path = span.local_file()?;
    let start = span.start();
    if start.line == 0 {
        return None;
    }
    let stamp = Stamp::of(&path)?;
    let mut cache = CACHE.lock().unwrap_or_else(|poison| poison.into_inner());
    let cache = cache.get_or_insert_with(HashMap::new);
    let fresh = cache.get(&path).is_some_and(|file| file.stamp == stamp);
    if !fresh {
        let text = std::fs::read_to_string(&path).ok()?;
        cache.insert(path.clone(), ScannedFile::new(stamp, text));
    }
    let file = cache.get(&path)?;
    let offset = byte_offset(&file.text, start.line, start.column)?;
    if !file.text[offset..].starts_with(name) {
        return None;
    }
    file.container_at(offset)
}

static CACHE: Mutex<Option<HashMap<PathBuf, ScannedFile>>> = Mutex::new(None);

/// What tells that a file changed since it was scanned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let metadata = std::fs::metadata(path).ok()?;
        Some(Stamp {
            len: metadata.len(),
            modified: metadata.modified().ok(),
        })
    }
}

/// One file and every delimited group in it.
struct ScannedFile {
    stamp: Stamp,
    text: String,
    groups: Vec<Group>,
}

impl ScannedFile {
    fn new(stamp: Stamp, text: String) -> ScannedFile {
        let groups = scan(&text);
        ScannedFile {
            stamp,
            text,
            groups,
        }
    }

    /// The container of the innermost group around `offset`, if that group
    /// is the body of an `impl` or `trait` block.
    fn container_at(&self, offset: usize) -> Option<Container> {
        self.groups
            .iter()
            .filter(|group| group.open < offset && offset < group.close)
            .max_by_key(|group| group.open)?
            .container
    }
}

/// A `(...)`, `[...]` or `{...}` group, by the byte offsets of its
/// delimiters; `container` is set for the body of an `impl` or `trait`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Group {
    open: usize,
    close: usize,
    container: Option<Container>,
}

/// The byte offset of a 1-based line and a 0-based column counted in chars.
fn byte_offset(text: &str, line: usize, column: usize) -> Option<usize> {
    let line_start = if line == 1 {
        0
    } else {
        text.match_indices('\n').nth(line - 2)?.0 + 1
    };
    let line_text = text[line_start..].split('\n').next().unwrap_or_default();
    let (within, _) = line_text.char_indices().nth(column)?;
    Some(line_start + within)
}

/// A group being read: where it opened and the first word that tells
/// what the item or statement before its next child group is.
struct Open {
    delimiter: u8,
    at: usize,
    container: Option<Container>,
    /// The first word at this level since the last `;` or closed block,
    /// qualifiers (`pub`, `unsafe`, `default`, `auto`) skipped.
    head: Option<Head>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Head {
    Impl,
    Trait,
    Other,
}

/// Every group of `text`, skipping comments, strings and char literals.
/// Unbalanced text gives the groups closed so far.
fn scan(text: &str) -> Vec<Group> {
    let bytes = text.as_bytes();
    let mut groups = Vec::new();
    let mut stack: Vec<Open> = vec![Open {
        delimiter: 0,
        at: 0,
        container: None,
        head: None,
    }];
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        match byte {
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                at = text[at..].find('\n').map_or(bytes.len(), |end| at + end);
                continue;
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                at = skip_block_comment(bytes, at);
                continue;
            }
            b'"' => {
                at = skip_string(bytes, at + 1);
                continue;
            }
            b'\'' => {
                at = skip_quote(text, at);
                continue;
            }
            b'(' | b'[' | b'{' => {
                let top = stack.last_mut().expect("the file level is never popped");
                let container = match (byte, top.head) {
                    (b'{', Some(Head::Impl)) => Some(Container::Impl),
                    (b'{', Some(Head::Trait)) => Some(Container::Trait),
                    _ => None,
                };
                stack.push(Open {
                    delimiter: byte,
                    at,
                    container,
                    head: None,
                });
            }
            b')' | b']' | b'}' if stack.len() > 1 => {
                let open = stack.pop().expect("checked by the guard");
                groups.push(Group {
                    open: open.at,
                    close: at,
                    container: open.container,
                });
                if open.delimiter == b'{' {
                    if let Some(top) = stack.last_mut() {
                        top.head = None;
                    }
                }
            }
            b';' => {
                if let Some(top) = stack.last_mut() {
                    top.head = None;
                }
            }
            _ if byte == b'_' || byte.is_ascii_alphanumeric() || byte >= 0x80 => {
                let start = at;
                if let Some(end) = raw_or_prefixed_string(bytes, at) {
                    at = end;
                    continue;
                }
                while at < bytes.len()
                    && (bytes[at] == b'_' || bytes[at].is_ascii_alphanumeric() || bytes[at] >= 0x80)
                {
                    at += 1;
                }
                let word = &text[start..at];
                let top = stack.last_mut().expect("the file level is never popped");
                if top.head.is_none() {
                    top.head = match word {
                        "pub" | "unsafe" | "default" | "auto" => None,
                        "impl" => Some(Head::Impl),
                        "trait" => Some(Head::Trait),
                        _ => Some(Head::Other),
                    };
                }
                continue;
            }
            _ => {}
        }
        at += 1;
    }
    groups
}

/// The end of a `/* ... */` comment, nested ones included.
fn skip_block_comment(bytes: &[u8], start: usize) -> usize {
    let mut depth = 0usize;
    let mut at = start;
    while at + 1 < bytes.len() {
        match (bytes[at], bytes[at + 1]) {
            (b'/', b'*') => {
                depth += 1;
                at += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                at += 2;
                if depth == 0 {
                    return at;
                }
            }
            _ => at += 1,
        }
    }
    bytes.len()
}

/// The end of a string whose body starts at `at`, escapes honoured.
fn skip_string(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            _ => at += 1,
        }
    }
    bytes.len()
}

/// The end of a char literal at `at` (`'a'`, `'\n'`, `'\u{1F600}'`), or of
/// a lifetime or label (`'a`, `'outer`), which has no closing quote.
fn skip_quote(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    if bytes.get(at + 1) == Some(&b'\\') {
        let mut end = at + 3;
        while end < bytes.len() && bytes[end] != b'\'' {
            end += 1;
        }
        return end + 1;
    }
    let mut chars = text[at + 1..].char_indices();
    match (chars.next(), chars.next()) {
        (Some(_), Some((next, '\''))) => at + 1 + next + 1,
        _ => at + 1,
    }
}

/// The end of a raw or prefixed string starting at `at` (`r"…"`,
/// `r#"…"#`, `b"…"`, `br"…"`, `c"…"`, `cr#"…"#`), if one starts there.
fn raw_or_prefixed_string(bytes: &[u8], at: usize) -> Option<usize> {
    let mut cursor = at;
    if matches!(bytes.get(cursor), Some(b'b' | b'c')) {
        cursor += 1;
    }
    let raw = bytes.get(cursor) == Some(&b'r');
    if raw {
        cursor += 1;
    }
    if cursor == at {
        return None;
    }
    let hashes = bytes[cursor..].iter().take_while(|&&b| b == b'#').count();
    if bytes.get(cursor + hashes) != Some(&b'"') || (!raw && hashes > 0) {
        return None;
    }
    let body = cursor + hashes + 1;
    if !raw {
        return Some(skip_string(bytes, body));
    }
    let mut end = body;
    while end < bytes.len() {
        if bytes[end] == b'"'
            && bytes[end + 1..]
                .iter()
                .take(hashes)
                .filter(|&&b| b == b'#')
                .count()
                == hashes
        {
            return Some(end + 1 + hashes);
        }
        end += 1;
    }
    Some(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The container of the fn named `api` in `source`.
    fn container(source: &str) -> Option<Container> {
        let file = ScannedFile::new(
            Stamp {
                len: 0,
                modified: None,
            },
            source.to_owned(),
        );
        let offset = source.find("fn api").expect("the source has `fn api`") + 3;
        file.container_at(offset)
    }

    #[test]
    fn a_fn_at_module_level_or_in_a_module_is_free() {
        assert_eq!(container("#[supervised]\nasync fn api() {}"), None);
        assert_eq!(container("mod m { async fn api() {} }"), None);
        assert_eq!(container("impl X {}\nasync fn api() {}"), None);
        assert_eq!(container("fn main() { async fn api() {} }"), None);
    }

    #[test]
    fn a_fn_in_an_impl_or_trait_body_is_associated() {
        let impl_block = "struct S;\nimpl S {\n    #[supervised]\n    async fn api() {}\n}";
        assert_eq!(container(impl_block), Some(Container::Impl));
        let headers = [
            "impl<T: Fn() -> u8> Trait for S<T> where T: Clone { async fn api() {} }",
            "#[cfg(test)] unsafe impl Send for S { async fn api() {} }",
            "pub(crate) trait T: Sized { async fn api() {} }",
            "mod m { const _: () = { impl S { async fn api() {} } }; }",
        ];
        let expected = [
            Container::Impl,
            Container::Impl,
            Container::Trait,
            Container::Impl,
        ];
        for (source, expected) in headers.into_iter().zip(expected) {
            assert_eq!(container(source), Some(expected), "{source}");
        }
    }

    #[test]
    fn a_fn_in_a_method_body_is_free() {
        let source = "impl S { fn run() { async fn api() {} } }";
        assert_eq!(container(source), None);
    }

    #[test]
    fn comments_strings_and_chars_do_not_open_or_close_blocks() {
        let source = r##"
            // impl S {
            /* impl S { /* nested } */ } */
            const A: &str = "impl S {";
            const B: &str = r#"} impl S { "#;
            const C: char = '{';
            const D: char = '\'';
            fn f<'a>(x: &'a str) -> &'a str { x }
            async fn api() {}
        "##;
        assert_eq!(container(source), None);
        let inside = r##"impl S { const A: &str = "}"; const B: char = '}'; async fn api() {} }"##;
        assert_eq!(container(inside), Some(Container::Impl));
    }

    #[test]
    fn lines_and_columns_count_chars_not_bytes() {
        let text = "é\nfé api";
        assert_eq!(byte_offset(text, 2, 3), Some(text.find("api").unwrap()));
        assert_eq!(byte_offset(text, 1, 0), Some(0));
        assert_eq!(byte_offset(text, 3, 0), None);
    }
}
