//! Turning an HTTP answer into the `data` payload or an [`Error`].
//!
//! Every Liner body is `{"success": bool, "message": string, "data": ...}`.
//! The envelope is decoded in one pass, straight into the payload type: no
//! intermediate `serde_json::Value`. When `success` precedes `data`, as it
//! does in every documented answer, a failed request's `data` (usually `[]`)
//! is skipped rather than decoded as the payload.

use std::fmt;
use std::marker::PhantomData;

use reqwest::StatusCode;
use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::error::{Error, MESSAGE_LIMIT};
use crate::server_text::{bounded, snippet, without_values};

/// What an envelope said.
enum Outcome<T> {
    Success(T),
    Failure(String),
}

/// Decodes `body`, received with `status`, into the payload `T`.
///
/// * 2xx and `success: true`: the payload, or [`Error::Decode`] with the
///   JSON path of the failure.
/// * `success: false`, whatever the status: [`Error::Api`].
/// * non-2xx without a failure envelope: [`Error::Http`].
pub(crate) fn decode<'de, T: Deserialize<'de>>(
    status: StatusCode,
    body: &'de [u8],
) -> Result<T, Error> {
    if !status.is_success() {
        return Err(match parse::<IgnoredAny>(body) {
            Ok(Outcome::Failure(message)) => Error::api(status, &message),
            _ => Error::Http {
                request: None,
                status,
                snippet: snippet(body),
                retry_after: None,
            },
        });
    }
    if let Some(data) = success_fast::<T>(status, body) {
        return Ok(data);
    }
    match parse::<T>(body) {
        Ok(Outcome::Success(data)) => Ok(data),
        Ok(Outcome::Failure(message)) => Err(Error::api(status, &message)),
        Err(failure) => Err(Error::Decode {
            request: None,
            status,
            path: failure.path,
            message: without_values(&failure.message),
            snippet: snippet(body),
        }),
    }
}

/// Where decoding failed and serde's reason, both bounded: a path holds
/// the keys the server chose, a message may quote them.
pub(crate) struct Failure {
    pub(crate) path: String,
    pub(crate) message: String,
}

impl Failure {
    fn new(path: String, message: &str) -> Self {
        Self {
            path: bounded(&path, PATH_LIMIT),
            message: bounded(message, MESSAGE_LIMIT),
        }
    }
}

/// The most characters of a decode error's path: deeper than any real
/// answer's structure, bounded whatever keys the server sends.
const PATH_LIMIT: usize = 200;

/// The payload of a successful 2xx answer that decodes as `T` at the first
/// try, or `None` (then the caller takes the slower path that explains).
pub(crate) fn success_fast<'de, T: Deserialize<'de>>(
    status: StatusCode,
    body: &'de [u8],
) -> Option<T> {
    if !status.is_success() {
        return None;
    }
    // Not `EnvelopeOf`: it must see `success` before it dares decode `data`,
    // and a PHP backend that writes keys in alphabetical order sends `data`
    // first, which would make every page be parsed twice (once to skip
    // `data`, once to decode it). Here `data` is decoded as `T` wherever it
    // is; anything unexpected (no `success: true`, a `data` that is not a
    // `T`) returns `None`, and the caller's careful path decides.
    #[derive(Deserialize)]
    struct Optimistic<T> {
        success: bool,
        data: T,
    }
    // One UTF-8 check of the whole body, then `from_str`, which skips the
    // check serde_json's `from_slice` makes on every string it reads.
    let text = std::str::from_utf8(body).ok()?;
    match serde_json::from_str::<Optimistic<T>>(text) {
        Ok(Optimistic {
            success: true,
            data,
        }) => Some(data),
        _ => None,
    }
}

/// Decodes the envelope. The fast path is plain serde; only when it fails is
/// the body decoded again with path tracking, to say where (tracking every
/// field of every successful decode would cost time on the hot path).
fn parse<'de, T: Deserialize<'de>>(body: &'de [u8]) -> Result<Outcome<T>, Failure> {
    match serde_json::from_slice::<EnvelopeOf<T>>(body) {
        Ok(EnvelopeOf(outcome)) => Ok(outcome),
        Err(err) => Err(locate_in_envelope::<T>(body, err)),
    }
}

/// Where in an envelope decoding `data` as `T` fails. When `data` comes
/// before `success` it is decoded from a copy of its text, out of sight of
/// path tracking (which then blames the whole document, `.`): the failure
/// is looked for inside `data` itself.
fn locate_in_envelope<'de, T: Deserialize<'de>>(
    body: &'de [u8],
    first: serde_json::Error,
) -> Failure {
    let outer = locate::<EnvelopeOf<T>>(body, first);
    if outer.path != "." {
        return outer;
    }
    #[derive(Deserialize)]
    struct Members<'a> {
        #[serde(borrow, default)]
        data: Option<&'a RawValue>,
    }
    let Ok(Members { data: Some(data) }) = serde_json::from_slice::<Members<'_>>(body) else {
        return outer;
    };
    let mut json = serde_json::Deserializer::from_str(data.get());
    match serde_path_to_error::deserialize::<_, T>(&mut json) {
        Err(err) => Failure::new(
            match err.path().to_string().as_str() {
                "." => "data".to_owned(),
                inner => format!("data.{inner}"),
            },
            &err.into_inner().to_string(),
        ),
        Ok(_) => outer,
    }
}

/// Where in `body` decoding as `T` fails, for an error `first` already seen.
pub(crate) fn locate<'de, T: Deserialize<'de>>(
    body: &'de [u8],
    first: serde_json::Error,
) -> Failure {
    let mut json = serde_json::Deserializer::from_slice(body);
    match serde_path_to_error::deserialize::<_, T>(&mut json) {
        Err(err) => Failure::new(err.path().to_string(), &err.into_inner().to_string()),
        // The value decoded but something follows it (trailing characters).
        Ok(_) => Failure::new(".".to_owned(), &first.to_string()),
    }
}

/// The envelope around a `T`, deserialized by [`EnvelopeVisitor`].
struct EnvelopeOf<T>(Outcome<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for EnvelopeOf<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_map(EnvelopeVisitor(PhantomData))
            .map(EnvelopeOf)
    }
}

struct EnvelopeVisitor<T>(PhantomData<T>);

/// How to read `data` once `success` is known (or not yet).
enum Data<'de, T> {
    Missing,
    Decoded(T),
    Skipped,
    /// `data` came before `success`: kept as raw JSON until we know.
    Deferred(&'de RawValue),
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for EnvelopeVisitor<T> {
    type Value = Outcome<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Liner envelope {\"success\", \"message\", \"data\"}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut success: Option<bool> = None;
        let mut message: Option<String> = None;
        let mut data = Data::Missing;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match key.as_ref() {
                "success" => success = Some(map.next_value()?),
                "message" => message = map.next_value::<Option<String>>()?,
                "data" => {
                    data = match success {
                        Some(true) => Data::Decoded(map.next_value()?),
                        Some(false) => {
                            map.next_value::<IgnoredAny>()?;
                            Data::Skipped
                        }
                        None => Data::Deferred(map.next_value()?),
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        let success = success.ok_or_else(|| de::Error::missing_field("success"))?;
        if !success {
            return Ok(Outcome::Failure(message.unwrap_or_default()));
        }
        match data {
            Data::Decoded(value) => Ok(Outcome::Success(value)),
            Data::Deferred(raw) => {
                let mut json = serde_json::Deserializer::from_str(raw.get());
                T::deserialize(&mut json)
                    .map(Outcome::Success)
                    .map_err(de::Error::custom)
            }
            // An absent `data` decodes as `null` would: fine for payloads
            // that ignore it (the update acknowledgement), an error otherwise.
            Data::Missing | Data::Skipped => T::deserialize(NullDeserializer)
                .map(Outcome::Success)
                .map_err(|_: de::value::Error| de::Error::missing_field("data")),
        }
    }
}

/// A deserializer of `null`, for an envelope without `data`.
struct NullDeserializer;

impl<'de> Deserializer<'de> for NullDeserializer {
    type Error = de::value::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_unit()
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        visitor.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use liner_api::types::Lead;

    fn ok() -> StatusCode {
        StatusCode::OK
    }

    #[test]
    fn success_yields_the_payload() {
        let lead: Lead = decode(ok(), br#"{"success":true,"message":"","data":{"id":5}}"#).unwrap();
        assert_eq!(lead.id.get(), 5);
    }

    #[test]
    fn success_false_at_200_is_an_api_error() {
        let body = br#"{"success":false,"message":"Lead not found","data":[]}"#;
        let err = decode::<Lead>(ok(), body).unwrap_err();
        assert!(
            matches!(err, Error::Api { status, ref message, .. } if status == 200 && message == "Lead not found")
        );
    }

    #[test]
    fn data_before_success_still_works() {
        let lead: Lead = decode(ok(), br#"{"data":{"id":6},"success":true}"#).unwrap();
        assert_eq!(lead.id.get(), 6);
        let err = decode::<Lead>(ok(), br#"{"data":[],"success":false}"#).unwrap_err();
        assert!(matches!(err, Error::Api { .. }));
    }

    #[test]
    fn a_bad_field_names_its_path() {
        let err = decode::<Lead>(ok(), br#"{"success":true,"data":{"id":"x"}}"#).unwrap_err();
        match err {
            Error::Decode { path, .. } => assert_eq!(path, "data.id"),
            other => panic!("{other:?}"),
        }
    }

    /// PHP backends that sort keys send `data` first; a failure inside it
    /// still names its path, not the whole document.
    #[test]
    fn a_bad_field_before_success_names_its_path() {
        let body = br#"{"data":{"id":1,"orderId":-5},"message":"","success":true}"#;
        match decode::<Lead>(ok(), body).unwrap_err() {
            Error::Decode { path, .. } => assert_eq!(path, "data.orderId"),
            other => panic!("{other:?}"),
        }
    }

    /// A path holds keys the server chose: it is cut, however long they are.
    #[test]
    fn a_failure_path_is_bounded() {
        let key = "k".repeat(100_000);
        let too_deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let body = format!(
            r#"{{"success":true,"data":{{"id":1,"customValues":{{"{key}":{too_deep}}}}}}}"#
        );
        match decode::<Lead>(ok(), body.as_bytes()).unwrap_err() {
            Error::Decode { path, message, .. } => {
                assert!(path.starts_with("data.customValues.kkk"), "{path}");
                assert_eq!(path.chars().count(), PATH_LIMIT + 1, "cut, with its …");
                assert!(path.ends_with('…'));
                assert!(message.chars().count() <= MESSAGE_LIMIT + 1, "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn non_2xx_keeps_status_and_snippet() {
        let status = StatusCode::BAD_GATEWAY;
        let err = decode::<Lead>(status, b"<html>502 Bad Gateway</html>").unwrap_err();
        assert!(
            matches!(err, Error::Http { status, ref snippet, .. } if status == 502 && snippet.contains("Bad Gateway"))
        );
        let err = decode::<Lead>(
            StatusCode::NOT_FOUND,
            br#"{"success":false,"message":"nope"}"#,
        )
        .unwrap_err();
        assert!(err.is_not_found());
    }

    #[test]
    fn trailing_garbage_and_truncation_are_decode_errors() {
        assert!(matches!(
            decode::<Lead>(ok(), br#"{"success":true,"data":{"id":1}}x"#),
            Err(Error::Decode { .. })
        ));
        assert!(matches!(
            decode::<Lead>(ok(), br#"{"success":true,"data":{"id":"#),
            Err(Error::Decode { .. })
        ));
        assert!(matches!(
            decode::<Lead>(ok(), b""),
            Err(Error::Decode { .. })
        ));
    }

    #[test]
    fn a_missing_data_is_fine_only_for_payloads_that_ignore_it() {
        assert!(decode::<IgnoredAny>(ok(), br#"{"success":true,"message":""}"#).is_ok());
        let err = decode::<Lead>(ok(), br#"{"success":true}"#).unwrap_err();
        assert!(err.to_string().contains("missing field `data`"), "{err}");
    }
}
