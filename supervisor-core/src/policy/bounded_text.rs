//! What the runtime keeps of user text (error and panic messages): at most
//! [`MAX_EXIT_TEXT`] bytes, whatever the user returns.

use std::fmt::{self, Write};

/// The most bytes of an error or panic text that the runtime keeps, in
/// events, snapshots, reports and logs: 4096. A longer text is cut on a
/// character boundary to at most this many bytes, and a marker that says how
/// many bytes were cut is added after it (so the stored text is a few dozen
/// bytes longer than the bound).
///
/// # Examples
///
/// ```
/// use supervisor_core::policy::{ChildExit, MAX_EXIT_TEXT};
///
/// let huge = "x".repeat(1 << 20); // a 1 MiB error message
/// let exit = ChildExit::failed(&huge);
/// let ChildExit::Failed(kept) = &exit else { unreachable!() };
/// let (text, marker) = kept.split_once('…').unwrap();
/// assert_eq!(text.len(), MAX_EXIT_TEXT);
/// assert_eq!(marker, format!(" [{} more bytes cut]", huge.len() - MAX_EXIT_TEXT));
/// ```
pub const MAX_EXIT_TEXT: usize = 4096;

/// `text` as displayed, cut to [`MAX_EXIT_TEXT`] bytes plus a marker.
///
/// The text is formatted into the bound as it is written, so a huge error
/// costs no huge allocation.
pub(crate) fn bounded(text: &(impl fmt::Display + ?Sized)) -> String {
    let mut out = Bounded {
        kept: String::new(),
        cut: 0,
    };
    // Writing into a `Bounded` never fails; a `Display` impl that fails
    // leaves what it wrote so far.
    let _ = write!(out, "{text}");
    if out.cut > 0 {
        let cut = out.cut;
        let _ = write!(out.kept, "… [{cut} more bytes cut]");
    }
    out.kept
}

/// A writer that keeps the first [`MAX_EXIT_TEXT`] bytes and counts the rest.
struct Bounded {
    kept: String,
    cut: usize,
}

impl Write for Bounded {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let room = MAX_EXIT_TEXT.saturating_sub(self.kept.len());
        if self.cut > 0 || text.len() > room {
            let mut end = room.min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            if self.cut == 0 {
                self.kept.push_str(&text[..end]);
                self.cut += text.len() - end;
            } else {
                self.cut += text.len();
            }
        } else {
            self.kept.push_str(text);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_whole() {
        assert_eq!(bounded("connection refused"), "connection refused");
    }

    #[test]
    fn long_text_is_cut_with_a_marker_of_what_was_cut() {
        let text = bounded(&"x".repeat(1 << 20));
        let marker = format!("… [{} more bytes cut]", (1 << 20) - MAX_EXIT_TEXT);
        assert!(text.ends_with(&marker), "{}", &text[MAX_EXIT_TEXT..]);
        assert_eq!(text.len(), MAX_EXIT_TEXT + marker.len());
    }

    #[test]
    fn cut_falls_on_a_character_boundary() {
        let text = bounded(&"é".repeat(MAX_EXIT_TEXT));
        let kept = text.split('…').next().unwrap_or_default();
        assert!(kept.len() <= MAX_EXIT_TEXT && kept.chars().all(|c| c == 'é'));
    }

    #[test]
    fn text_written_in_pieces_is_cut_once() {
        struct Pieces;
        impl fmt::Display for Pieces {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                for _ in 0..MAX_EXIT_TEXT {
                    f.write_str("ab")?;
                }
                Ok(())
            }
        }
        let text = bounded(&Pieces);
        assert!(text.starts_with("abab"));
        assert!(text.ends_with(&format!("… [{MAX_EXIT_TEXT} more bytes cut]")));
    }
}
