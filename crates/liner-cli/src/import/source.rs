//! An import file's bytes as text: its encoding (UTF-8, with or without a
//! byte-order mark, or Windows-1251, as Excel in a Russian locale saves
//! "CSV"), and a CSV file's delimiter (`,`, `;` or tab). Each is detected
//! unless given, and always named in what the import prints: never a silent
//! guess.

pub use crate::text_file::{Delimiter, Encoding};

/// A file's text and how it was read.
#[derive(Debug)]
pub struct Text {
    pub text: String,
    /// What was used, in words: "UTF-8", "UTF-8 with a byte-order mark",
    /// "Windows-1251 (not UTF-8)".
    pub encoding: &'static str,
}

/// `bytes` as text: in `given` if set, else UTF-8 if they are, else
/// Windows-1251 (named as such). A byte-order mark is dropped.
pub fn decode(bytes: &[u8], given: Option<Encoding>) -> Result<Text, String> {
    let (bytes, bom) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    let utf8 = std::str::from_utf8(bytes);
    match (given, utf8) {
        (Some(Encoding::Utf8) | None, Ok(text)) => Ok(Text {
            text: text.to_owned(),
            encoding: if bom {
                "UTF-8 with a byte-order mark"
            } else {
                "UTF-8"
            },
        }),
        (Some(Encoding::Utf8), Err(err)) => Err(format!(
            "not UTF-8 ({err}); a CSV saved by Excel in a Russian locale is Windows-1251: pass \
             --encoding windows-1251, or leave --encoding out to have it detected"
        )),
        (Some(Encoding::Windows1251), _) | (None, Err(_)) => {
            let (text, _, _) = encoding_rs::WINDOWS_1251.decode(bytes);
            Ok(Text {
                text: text.into_owned(),
                encoding: if given.is_some() {
                    "Windows-1251"
                } else {
                    "Windows-1251 (it is not UTF-8; --encoding utf-8 refuses such a file instead)"
                },
            })
        }
    }
}

/// The delimiter of a CSV whose header is `header`: the one that splits it
/// into the most names `known` accepts (`,` on a tie, and when none does).
pub fn detect_delimiter(header: &str, known: impl Fn(&str) -> bool) -> Delimiter {
    let mut best = (0, Delimiter::Comma);
    for delimiter in Delimiter::ALL {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter.byte())
            .has_headers(false)
            .from_reader(header.as_bytes());
        let names = reader
            .records()
            .next()
            .and_then(Result::ok)
            .map_or(0, |record| {
                record.iter().filter(|name| known(name.trim())).count()
            });
        if names > best.0 {
            best = (names, delimiter);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_detected_and_named() {
        let utf8 = decode("orderCode\nЗаказ\n".as_bytes(), None).unwrap();
        assert_eq!(
            (utf8.text.as_str(), utf8.encoding),
            ("orderCode\nЗаказ\n", "UTF-8")
        );
        let bom = decode(b"\xEF\xBB\xBFname\n", None).unwrap();
        assert_eq!(
            (bom.text.as_str(), bom.encoding),
            ("name\n", "UTF-8 with a byte-order mark")
        );
        // "Заказ" in Windows-1251.
        let cp1251 = [0xC7, 0xE0, 0xEA, 0xE0, 0xE7];
        let read = decode(&cp1251, None).unwrap();
        assert_eq!(read.text, "Заказ");
        assert!(read.encoding.starts_with("Windows-1251 (it is not UTF-8"));
        let refused = decode(&cp1251, Some(Encoding::Utf8)).unwrap_err();
        assert!(refused.contains("--encoding windows-1251"), "{refused}");
        assert_eq!(
            decode(&cp1251, Some(Encoding::Windows1251))
                .unwrap()
                .encoding,
            "Windows-1251"
        );
    }

    #[test]
    fn the_delimiter_is_the_one_that_finds_the_columns() {
        let known = |name: &str| ["leadType", "phone", "orderId", "orderCode"].contains(&name);
        assert_eq!(
            detect_delimiter("leadType;phone;orderId;orderCode", known),
            Delimiter::Semicolon
        );
        assert_eq!(
            detect_delimiter("leadType\tphone\torderId", known),
            Delimiter::Tab
        );
        assert_eq!(
            detect_delimiter("leadType,phone,orderId", known),
            Delimiter::Comma
        );
        assert_eq!(
            detect_delimiter("a;b,c", known),
            Delimiter::Comma,
            "none found: ,"
        );
        assert_eq!(Delimiter::parse(";"), Ok(Delimiter::Semicolon));
        assert!(Delimiter::parse("|").is_err());
    }
}
