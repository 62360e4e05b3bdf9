//! Server and file text made safe to show: bounded, and with control
//! characters escaped so that it can neither break a log line in two nor
//! send terminal sequences. The one place `liner-api`, `liner` and the
//! `liner` command take these rules from.

use std::borrow::Cow;
use std::fmt;

/// How many characters of a server's `message` are kept: enough for any
/// real explanation, bounded whatever the server sends.
pub const MESSAGE_LIMIT: usize = 512;

/// At most `limit` characters of `text`, with `…` when cut (not escaped:
/// show it through [`Escaped`]).
pub fn bounded(text: &str, limit: usize) -> String {
    match text.char_indices().nth(limit) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// `text`, displayed with its control characters escaped (`\n`,
/// `\u{1b}`).
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                write!(f, "{c}")?;
            }
        }
        Ok(())
    }
}

/// `text` on one line, at most `limit` characters: control characters
/// escaped, `…` when cut.
pub fn one_line(text: &str, limit: usize) -> String {
    Escaped(&bounded(text, limit)).to_string()
}

/// `text` for a terminal, whole: every control character but newline and
/// tab written as `\u001b` (which also keeps JSON valid, as JSON has such
/// characters only inside strings), so that data cannot send terminal
/// sequences.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_the_line_bounded() {
        assert_eq!(one_line("a\nb\u{1b}[2J", 100), "a\\nb\\u{1b}[2J");
        assert_eq!(one_line("abcdef", 3), "abc…");
        assert_eq!(one_line("é", 1), "é");
        assert_eq!(bounded("abcdef", 6), "abcdef");
        assert_eq!(Escaped("\r").to_string(), "\\r");
    }

    #[test]
    fn terminal_text_keeps_lines_and_escapes_sequences() {
        assert_eq!(for_terminal("a\tb\nc"), "a\tb\nc");
        assert_eq!(
            for_terminal("\u{1b}[2J\r\u{9b}1m\u{7f}"),
            "\\u001b[2J\\u000d\\u009b1m\\u007f"
        );
        let json = format!(r#"{{"name":"{}"}}"#, for_terminal("x\u{9b}y"));
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&json).unwrap()["name"],
            "x\u{9b}y",
            "still JSON, with the same value"
        );
    }
}
