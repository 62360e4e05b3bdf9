//! Phones as people write them: `+7 (900) 111-22-33` is `+79001112233`.
//! Spaces, dashes, dots and parentheses are dropped before a row is
//! checked. The Russian domestic form `89001112233` becomes `79001112233`
//! only when asked (`--domestic-8-as-7`): that rule belongs to one country,
//! and without it such a number is refused with a message that names the
//! option, rather than sent as a number in another country.

use serde_json::{Map, Value};

/// The fields that hold a phone number.
const PHONE_FIELDS: [&str; 2] = ["phone", "telegramPhone"];

/// What tidying a row's phones did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Tidied {
    /// Whether a phone was rewritten.
    pub changed: bool,
    /// Problems to report for the row.
    pub problems: Vec<String>,
}

/// Tidies the phones of `row` in place.
pub fn tidy(row: &mut Map<String, Value>, domestic_8_as_7: bool) -> Tidied {
    let mut tidied = Tidied::default();
    for field in PHONE_FIELDS {
        let Some(Value::String(phone)) = row.get(field) else {
            continue;
        };
        let mut clean: String = phone
            .chars()
            .filter(|c| !matches!(c, ' ' | '\u{a0}' | '-' | '.' | '(' | ')'))
            .collect();
        let digits = clean.len() == 11 && clean.bytes().all(|b| b.is_ascii_digit());
        if digits && clean.starts_with('8') {
            if domestic_8_as_7 {
                clean.replace_range(..1, "7");
            } else {
                tidied.problems.push(format!(
                    "{field}: {} looks like a Russian domestic number (8 and ten digits); pass \
                     --domestic-8-as-7 to send it as 7{}, or write it with its country code",
                    crate::text::one_line(&clean, 40),
                    &clean[1..]
                ));
                continue;
            }
        }
        if clean != *phone {
            tidied.changed = true;
            row.insert(field.to_owned(), Value::String(clean));
        }
    }
    tidied
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(phone: &str) -> Map<String, Value> {
        json!({ "phone": phone }).as_object().unwrap().clone()
    }

    #[test]
    fn phones_as_people_write_them() {
        let mut typed = row("+7 (900) 111-22-33");
        assert!(tidy(&mut typed, false).changed);
        assert_eq!(typed["phone"], "+79001112233");
        let mut plain = row("79001112233");
        assert_eq!(tidy(&mut plain, false), Tidied::default());

        let mut domestic = row("8 900 111.22.33");
        let refused = tidy(&mut domestic, false);
        assert!(
            refused.problems[0].contains("--domestic-8-as-7"),
            "{refused:?}"
        );
        let mut domestic = row("8 900 111.22.33");
        assert!(tidy(&mut domestic, true).changed);
        assert_eq!(domestic["phone"], "79001112233");
    }

    /// Only eleven digits starting with 8 are the Russian domestic form: a
    /// longer number that starts with 8 (Bangladesh's 880...) or a short one
    /// is left as it is, for the phone's own check to judge.
    #[test]
    fn other_numbers_starting_with_8_are_not_domestic() {
        for phone in ["880 1712 345678", "8900"] {
            let mut other = row(phone);
            let tidied = tidy(&mut other, true);
            assert!(tidied.problems.is_empty(), "{phone}: {tidied:?}");
            assert_eq!(other["phone"], phone.replace(' ', ""), "{phone}");
            let mut other = row(phone);
            assert!(tidy(&mut other, false).problems.is_empty(), "{phone}");
        }
    }
}
