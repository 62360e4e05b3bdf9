//! [`IntoField`]: the values a request field accepts, checked before anything
//! is sent. The request builders (generated from the spec, see
//! [`Draft`](crate::Draft)) take `impl IntoField<T>` for a field of type `T`,
//! so `.status_id(12)`, `.name("John")` and `.phone("79001234567")` work
//! without wrapping the value in the field's exact type, and a value the spec
//! refuses (an id of 0, a malformed phone number) is reported with the
//! field's name.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::num::NonZeroU64;

use serde_json::Value;

use crate::types;

/// A value that can become a request field of type `T`, or the reason it
/// cannot. Every type converts into itself.
pub trait IntoField<T> {
    /// The field's value, or why this value is not one (the field's name is
    /// added by the caller).
    fn into_field(self) -> Result<T, String>;
}

impl<T> IntoField<T> for T {
    fn into_field(self) -> Result<T, String> {
        Ok(self)
    }
}

/// A request field was refused before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InvalidField {
    /// The field, as the builder's setter is named (`status_id`, `phone`).
    pub field: &'static str,
    /// What is wrong with the value.
    pub reason: String,
}

impl InvalidField {
    /// `reason` about `field`.
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for InvalidField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {}", self.field, self.reason)
    }
}

impl std::error::Error for InvalidField {}

/// Converts `value` into field `field`'s type, naming the field on failure.
pub fn field<T>(field: &'static str, value: impl IntoField<T>) -> Result<T, InvalidField> {
    value
        .into_field()
        .map_err(|reason| InvalidField::new(field, reason))
}

/// The largest value of the spec's `format: int64`.
const INT64_MAX: u64 = i64::MAX as u64;

/// Text fields take any string type.
macro_rules! text {
    ($($source:ty),*) => {$(
        impl IntoField<String> for $source {
            fn into_field(self) -> Result<String, String> {
                Ok(self.to_string())
            }
        }
    )*};
}
text!(&str, &String, Box<str>, std::borrow::Cow<'_, str>);

/// Identifiers (`minimum: 1`, `format: int64`) take any integer in range.
macro_rules! id {
    ($($source:ty),*) => {$(
        impl IntoField<NonZeroU64> for $source {
            fn into_field(self) -> Result<NonZeroU64, String> {
                u64::try_from(self)
                    .ok()
                    .filter(|id| (1..=INT64_MAX).contains(id))
                    .and_then(NonZeroU64::new)
                    .ok_or_else(|| format!("must be between 1 and {INT64_MAX}, got {self}"))
            }
        }
    )*};
}
id!(u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);

/// Signed integers (`format: int64`) take any integer in range.
macro_rules! signed {
    ($($source:ty),*) => {$(
        impl IntoField<i64> for $source {
            fn into_field(self) -> Result<i64, String> {
                i64::try_from(self).map_err(|_| format!("must fit in a 64-bit signed integer, got {self}"))
            }
        }
    )*};
}
signed!(u8, u16, u32, u64, usize, i8, i16, i32, isize);

/// Counts and offsets (`minimum: 0`, `format: int64`).
macro_rules! count {
    ($($source:ty),*) => {$(
        impl IntoField<u64> for $source {
            fn into_field(self) -> Result<u64, String> {
                u64::try_from(self)
                    .ok()
                    .filter(|count| *count <= INT64_MAX)
                    .ok_or_else(|| format!("must be between 0 and {INT64_MAX}, got {self}"))
            }
        }
    )*};
}
count!(u8, u16, u32, usize, i8, i16, i32, i64, isize);

/// The phone number pattern of the spec, in words.
fn phone(text: &str) -> Result<types::Phone, String> {
    text.parse().map_err(|_| {
        format!(
            "{:?} is not an E.164 number (an optional +, then 7 to 15 digits, the first not 0, e.g. 79001234567)",
            text.chars().take(64).collect::<String>()
        )
    })
}

impl IntoField<types::Phone> for &str {
    fn into_field(self) -> Result<types::Phone, String> {
        phone(self)
    }
}

impl IntoField<types::Phone> for String {
    fn into_field(self) -> Result<types::Phone, String> {
        phone(&self)
    }
}

impl IntoField<types::Phone> for &String {
    fn into_field(self) -> Result<types::Phone, String> {
        phone(self)
    }
}

impl IntoField<types::LeadType> for &str {
    fn into_field(self) -> Result<types::LeadType, String> {
        self.parse()
            .map_err(|_| format!("a lead can be created as straight or selection, not {self:?}"))
    }
}

/// A VK id given as a number is sent as a number, as the docs' examples do.
macro_rules! vk_number {
    ($($source:ty),*) => {$(
        impl IntoField<types::VkIdInput> for $source {
            fn into_field(self) -> Result<types::VkIdInput, String> {
                IntoField::<NonZeroU64>::into_field(self).map(types::VkIdInput::Number)
            }
        }
    )*};
}
vk_number!(u32, u64, i32, i64, NonZeroU64);

/// A VK id given as text must be the decimal digits of a number > 0.
fn vk_digits(text: &str) -> Result<types::VkIdInput, String> {
    text.parse::<types::VkIdDigits>()
        .map(types::VkIdInput::Digits)
        .map_err(|_| {
            format!(
                "{:?} is not a VK user id (decimal digits of a number > 0)",
                text.chars().take(64).collect::<String>()
            )
        })
}

impl IntoField<types::VkIdInput> for &str {
    fn into_field(self) -> Result<types::VkIdInput, String> {
        vk_digits(self)
    }
}

impl IntoField<types::VkIdInput> for String {
    fn into_field(self) -> Result<types::VkIdInput, String> {
        vk_digits(&self)
    }
}

/// Custom values: any map or list of pairs of a field id and a JSON value.
fn custom_values<K: ToString, V: Into<Value>>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> types::CustomValuesInput {
    types::CustomValuesInput(
        pairs
            .into_iter()
            .map(|(key, value)| (key.to_string(), value.into()))
            .collect(),
    )
}

impl<K: ToString, V: Into<Value>, const N: usize> IntoField<types::CustomValuesInput>
    for [(K, V); N]
{
    fn into_field(self) -> Result<types::CustomValuesInput, String> {
        Ok(custom_values(self))
    }
}

impl<K: ToString, V: Into<Value>> IntoField<types::CustomValuesInput> for Vec<(K, V)> {
    fn into_field(self) -> Result<types::CustomValuesInput, String> {
        Ok(custom_values(self))
    }
}

impl<K: ToString, V: Into<Value>> IntoField<types::CustomValuesInput> for BTreeMap<K, V> {
    fn into_field(self) -> Result<types::CustomValuesInput, String> {
        Ok(custom_values(self))
    }
}

impl<K: ToString, V: Into<Value>, S> IntoField<types::CustomValuesInput> for HashMap<K, V, S> {
    fn into_field(self) -> Result<types::CustomValuesInput, String> {
        Ok(custom_values(self))
    }
}

impl IntoField<types::CustomValuesInput> for serde_json::Map<String, Value> {
    fn into_field(self) -> Result<types::CustomValuesInput, String> {
        Ok(types::CustomValuesInput(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked_and_named() {
        assert_eq!(field::<NonZeroU64>("order_id", 202).unwrap().get(), 202);
        assert_eq!(
            field::<NonZeroU64>("order_id", 0).unwrap_err().to_string(),
            "invalid order_id: must be between 1 and 9223372036854775807, got 0"
        );
        assert!(field::<NonZeroU64>("order_id", -3).is_err());
        assert!(field::<NonZeroU64>("order_id", u64::MAX).is_err());
        assert_eq!(field::<i64>("priority", -5).unwrap(), -5);
        assert!(field::<i64>("priority", u64::MAX).is_err());
    }

    #[test]
    fn phones_and_vk_ids_follow_the_spec() {
        assert!(field::<types::Phone>("phone", "+79001234567").is_ok());
        let err = field::<types::Phone>("phone", "call me").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid phone: \"call me\" is not an E.164 number"),
            "{err}"
        );
        assert_eq!(
            field::<types::VkIdInput>("vk_id", 77).unwrap(),
            types::VkIdInput::Number(NonZeroU64::new(77).unwrap())
        );
        assert!(matches!(
            field::<types::VkIdInput>("vk_id", "77"),
            Ok(types::VkIdInput::Digits(_))
        ));
        assert!(field::<types::VkIdInput>("vk_id", "077").is_err());
        assert!(field::<types::VkIdInput>("vk_id", 0).is_err());
        assert!(field::<types::LeadType>("lead_type", "vip").is_err());
    }

    #[test]
    fn custom_values_take_any_pairs() {
        let values = field::<types::CustomValuesInput>("custom_values", [(10, "hot")]).unwrap();
        assert_eq!(values.0["10"], "hot");
    }
}
