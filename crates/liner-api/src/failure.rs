//! The failure envelope as an error: `into_result()?` works with any error
//! type that takes a `std::error::Error`.

use std::fmt;

use crate::text;
use crate::types::FailureEnvelope;

impl fmt::Display for FailureEnvelope {
    /// `the Liner API refused the request: <message>`. The message is the
    /// server's text: control characters are escaped (so it cannot forge log
    /// lines or terminal sequences) and it is cut after
    /// [`MESSAGE_LIMIT`](crate::text::MESSAGE_LIMIT) characters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the Liner API refused the request: ")?;
        if self.message.is_empty() {
            return f.write_str("(no message)");
        }
        let shown = text::bounded(&self.message, text::MESSAGE_LIMIT);
        write!(f, "{}", text::Escaped(&shown))
    }
}

impl std::error::Error for FailureEnvelope {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::Failed;

    fn failure(message: &str) -> FailureEnvelope {
        FailureEnvelope {
            data: None,
            message: message.to_owned(),
            success: Failed,
        }
    }

    #[test]
    fn display_is_escaped_and_bounded() {
        assert_eq!(
            failure("Lead not found").to_string(),
            "the Liner API refused the request: Lead not found"
        );
        assert_eq!(
            failure("").to_string(),
            "the Liner API refused the request: (no message)"
        );
        let forged = failure("x\n1970-01-01 INFO all good\u{1b}[2J").to_string();
        assert!(
            !forged.contains('\n') && !forged.contains('\u{1b}'),
            "{forged}"
        );
        let long = failure(&"é".repeat(10_000)).to_string();
        assert_eq!(long.chars().count(), 35 + crate::text::MESSAGE_LIMIT + 1);
    }
}
