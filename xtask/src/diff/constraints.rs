//! The keywords that bound a value, compared: bounds, `enum`, `pattern`.

use serde_json::Value;

use super::change::Side;

/// The keywords that bound a value: a bound, an `enum`, a `pattern`.
///
/// On a request, a narrowed constraint refuses values an old client sends.
/// On a response, a widened one lets the server send values an old client
/// refuses to decode: the generated types enforce them (`minimum: 1` is a
/// `NonZeroU64`, an `enum` a closed Rust enum). So a change breaks when it
/// narrows a request or widens a response, and is reported either way.
pub(super) fn compare_constraints(
    b: &Value,
    a: &Value,
    side: Side,
    push: &mut impl FnMut(bool, String),
) {
    let breaks = |narrowed: bool| narrowed == (side == Side::Request);
    // (keyword, whether a lower value admits fewer values)
    for (key, lower_is_narrower) in [
        ("maximum", true),
        ("maxLength", true),
        ("maxItems", true),
        ("minimum", false),
        ("minLength", false),
        ("minItems", false),
    ] {
        match (b[key].as_f64(), a[key].as_f64()) {
            (None, Some(now)) => push(breaks(true), format!("new {key} {now}")),
            (Some(was), None) => push(breaks(false), format!("{key} {was} dropped")),
            (Some(was), Some(now)) if was != now => {
                let narrowed = (now < was) == lower_is_narrower;
                let how = if narrowed { "narrowed" } else { "widened" };
                push(breaks(narrowed), format!("{key} {how} from {was} to {now}"));
            }
            _ => {}
        }
    }
    // `null` in an enum is nullability, compared by `admits_null`.
    let values = |schema: &Value| -> Option<Vec<Value>> {
        schema["enum"]
            .as_array()
            .map(|values| values.iter().filter(|v| !v.is_null()).cloned().collect())
    };
    let list = |values: &[&Value]| {
        values
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match (values(b), values(a)) {
        (None, Some(now)) => push(
            breaks(true),
            format!("new enum [{}]", list(&now.iter().collect::<Vec<_>>())),
        ),
        (Some(_), None) => push(breaks(false), "enum dropped".into()),
        (Some(was), Some(now)) => {
            let removed: Vec<&Value> = was.iter().filter(|v| !now.contains(v)).collect();
            let added: Vec<&Value> = now.iter().filter(|v| !was.contains(v)).collect();
            if !removed.is_empty() {
                push(
                    breaks(true),
                    format!("enum values removed: {}", list(&removed)),
                );
            }
            if !added.is_empty() {
                push(
                    breaks(false),
                    format!("enum values added: {}", list(&added)),
                );
            }
        }
        (None, None) => {}
    }
    // Whether one regular expression admits every string another does is
    // not decided here (it needs an automaton construction per pair). A
    // changed pattern therefore counts as breaking on either side, and the
    // message says why: a maintainer who has checked that it only relaxes a
    // request (or only tightens a response) acknowledges it in the commit.
    match (b["pattern"].as_str(), a["pattern"].as_str()) {
        (None, Some(now)) => push(breaks(true), format!("new pattern {now}")),
        (Some(was), None) => push(breaks(false), format!("pattern {was} dropped")),
        (Some(was), Some(now)) if was != now => push(
            true,
            format!(
                "pattern changed from {was} to {now} (whether it admits more or fewer strings is not decided; if it only widens a request or only narrows a response, acknowledge it)"
            ),
        ),
        _ => {}
    }
    // Keywords this diff does not classify: a change is reported as breaking,
    // for a person to read, rather than passed in silence.
    for key in [
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
        "uniqueItems",
        "minProperties",
        "maxProperties",
        "additionalProperties",
        "not",
    ] {
        if b[key] != a[key] {
            push(
                true,
                format!(
                    "{key} changed from {} to {} (not classified by this diff; read it, and acknowledge it if it is safe)",
                    b[key], a[key]
                ),
            );
        }
    }
}
