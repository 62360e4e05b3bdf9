//! Text from files and servers, made safe for one line of a terminal.

/// `text` on one line, at most `limit` characters: control characters
/// (newlines, escape sequences) written as escapes, `…` when cut.
pub fn one_line(text: &str, limit: usize) -> String {
    let mut out = String::with_capacity(text.len().min(limit));
    for (count, c) in text.chars().enumerate() {
        if count == limit {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// `text` for a terminal, whole: every control character but newline and
/// tab written as `\u001b` (which also keeps JSON valid, as JSON has such
/// characters only inside strings), so that data cannot send terminal
/// sequences.
pub fn for_terminal(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| c.is_control() && c != '\n' && c != '\t';
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_the_line_bounded() {
        assert_eq!(one_line("a\nb\u{1b}[2J", 100), "a\\nb\\u{1b}[2J");
        assert_eq!(one_line("abcdef", 3), "abc…");
        assert_eq!(one_line("é", 1), "é");
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
