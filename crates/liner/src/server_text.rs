//! What this crate keeps of the text a server sends: a bounded snippet of
//! a body, and serde's messages without the values they quote.

pub(crate) use liner_api::text::bounded;

/// How much of a response body an error keeps as its snippet: enough to
/// recognise an HTML error page or a PHP notice.
pub(crate) const SNIPPET_LIMIT: usize = 1024;

/// A serde message without the value it quotes: `invalid type: string
/// "John Doe", expected u64` becomes `invalid type: string, expected u64`.
/// What was expected comes from the types, the value from the server (and
/// in a CRM, from a person).
pub(crate) fn without_values(message: &str) -> String {
    let message = match message.find(" at line ") {
        Some(at) => &message[..at],
        None => message,
    };
    // What follows `, expected` is the types' own words (`one of `a`, `b``).
    let (found, expected) = match message.find(", expected") {
        Some(at) => message.split_at(at),
        None => (message, ""),
    };
    let mut out = String::with_capacity(message.len());
    let mut chars = found.chars();
    let mut last = ' ';
    while let Some(c) = chars.next() {
        // A quoted or backticked value after a kind (`string "x"`,
        // `integer `5``, `variant `x``): left out, with the space before it.
        if (c == '"' || c == '`') && last == ' ' && !quotes_a_field(&out) {
            out.pop();
            let mut escaped = false;
            for inner in chars.by_ref() {
                if escaped {
                    escaped = false;
                } else if inner == '\\' && c == '"' {
                    escaped = true;
                } else if inner == c {
                    break;
                }
            }
            last = c;
            continue;
        }
        out.push(c);
        last = c;
    }
    out.push_str(expected);
    bounded(&out, 200)
}

/// Whether what precedes a quote names a field of our types (`missing field
/// `id``), which is schema, not data.
fn quotes_a_field(before: &str) -> bool {
    ["missing field ", "duplicate field "]
        .iter()
        .any(|prefix| before.ends_with(prefix))
}

/// The start of `body` as text: at most [`SNIPPET_LIMIT`](crate::Error::SNIPPET_LIMIT) bytes of UTF-8
/// (invalid bytes become U+FFFD, which is 3 bytes, so the text is cut again
/// after decoding), cut at a character boundary, with `…` when cut.
pub(crate) fn snippet(body: &[u8]) -> String {
    let mut text = String::from_utf8_lossy(&body[..body.len().min(SNIPPET_LIMIT)]).into_owned();
    let mut cut = body.len() > SNIPPET_LIMIT;
    if text.len() > SNIPPET_LIMIT {
        let mut end = SNIPPET_LIMIT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        cut = true;
    }
    if cut {
        // A multi-byte character cut in half decodes to U+FFFD; drop it.
        if text.ends_with('\u{FFFD}') {
            text.pop();
        }
        text.push('…');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_are_bounded_and_valid_text() {
        assert_eq!(snippet(b"short"), "short");
        // 1023 ASCII bytes then a 2-byte character that the limit cuts in
        // half: the half is dropped, not turned into U+FFFD.
        let mut cut_inside = "a".repeat(SNIPPET_LIMIT - 1);
        cut_inside.push_str("éé");
        let cut = snippet(cut_inside.as_bytes());
        assert_eq!(cut, format!("{}…", "a".repeat(SNIPPET_LIMIT - 1)));
        // 1021 ASCII bytes then a 4-byte character cut after its third
        // byte: decoded, the three bytes become one U+FFFD and the text is
        // exactly at the limit; the U+FFFD is dropped all the same.
        let mut cut_late = "a".repeat(SNIPPET_LIMIT - 3);
        cut_late.push('😀');
        assert_eq!(
            snippet(cut_late.as_bytes()),
            format!("{}…", "a".repeat(SNIPPET_LIMIT - 3))
        );
        let long = "é".repeat(1000); // 2000 bytes
        let cut = snippet(long.as_bytes());
        assert!(cut.len() <= SNIPPET_LIMIT + '…'.len_utf8());
        assert!(cut.ends_with('…') && !cut.contains('\u{FFFD}'));
        // Invalid bytes expand to 3-byte U+FFFD.
        let invalid = snippet(&[0xFF; 1000]);
        assert!(
            invalid.len() <= SNIPPET_LIMIT + '…'.len_utf8(),
            "{}",
            invalid.len()
        );
    }

    #[test]
    fn serde_messages_lose_their_values() {
        for (message, expected) in [
            (
                "invalid type: string \"John Doe\", expected a nonzero u64 at line 1 column 9",
                "invalid type: string, expected a nonzero u64",
            ),
            (
                "invalid value: integer `-5`, expected u64",
                "invalid value: integer, expected u64",
            ),
            ("missing field `id`", "missing field `id`"),
            (
                "unknown variant `vip`, expected one of `a`, `b`",
                "unknown variant, expected one of `a`, `b`",
            ),
            (
                "invalid type: string \"a \\\" b\", expected map",
                "invalid type: string, expected map",
            ),
            (
                "EOF while parsing a string at line 1 column 54",
                "EOF while parsing a string",
            ),
        ] {
            assert_eq!(without_values(message), expected, "{message}");
        }
    }
}
