//! Comparing two versions of one schema: nullability, alternatives,
//! type, constraints, format, properties and items, each change classified
//! by who produces the values (see [`Side`]).

use serde_json::Value;

use liner_spec::resolve_or_self as resolve;

use super::change::{Change, Side};
use super::constraints::compare_constraints;

/// The properties of a schema, its `allOf` parts merged in.
fn properties_of(
    document: &Value,
    schema: &Value,
) -> (serde_json::Map<String, Value>, Vec<String>) {
    let schema = resolve(document, schema);
    let mut properties = schema["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut required: Vec<String> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r.as_str().map(str::to_owned))
        .collect();
    for part in schema["allOf"].as_array().into_iter().flatten() {
        let (more, more_required) = properties_of(document, part);
        properties.extend(more);
        required.extend(more_required);
    }
    (properties, required)
}

/// Whether a schema admits JSON `null`: OpenAPI 3.0's `nullable: true`, an
/// `enum` listing `null`, or a `oneOf`/`anyOf` branch that does (the spec
/// writes a nullable reference as `oneOf: [$ref, {enum: [null]}]`).
fn admits_null(document: &Value, schema: &Value) -> bool {
    let schema = resolve(document, schema);
    schema["nullable"] == true
        || schema["enum"]
            .as_array()
            .is_some_and(|values| values.contains(&Value::Null))
        || ["oneOf", "anyOf"].iter().any(|key| {
            schema[*key]
                .as_array()
                .into_iter()
                .flatten()
                .any(|branch| admits_null(document, branch))
        })
        || schema["allOf"].as_array().is_some_and(|parts| {
            !parts.is_empty() && parts.iter().all(|part| admits_null(document, part))
        })
}

/// Whether a schema is only `null` (`{enum: [null]}`).
fn only_null(document: &Value, schema: &Value) -> bool {
    let values = &resolve(document, schema)["enum"];
    values
        .as_array()
        .is_some_and(|values| values.iter().all(Value::is_null))
}

/// The schema a wrapper stands for: `allOf: [X]` (how OpenAPI 3.0 puts a
/// description or `nullable` beside a reference) and `oneOf: [X, null]` are
/// both X here; nullability is compared separately by `admits_null`. Without
/// this, rewriting one form of a nullable reference into the other would read
/// as a type change.
fn unwrap_schema<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    let schema = resolve(document, schema);
    let shape_keys = ["properties", "items", "enum"];
    if shape_keys.iter().any(|key| schema.get(*key).is_some()) {
        return schema;
    }
    // A `type` beside `allOf: [X]` is there for `nullable` (OpenAPI 3.0.3
    // ignores `nullable` without one); X still says what the value is.
    if let Some([inner]) = schema["allOf"].as_array().map(Vec::as_slice) {
        return unwrap_schema(document, inner);
    }
    if schema.get("type").is_some() {
        return schema;
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = schema[key].as_array() {
            let non_null: Vec<_> = branches
                .iter()
                .filter(|b| !only_null(document, b))
                .collect();
            if let [inner] = non_null.as_slice()
                && branches.len() == 2
            {
                return unwrap_schema(document, inner);
            }
        }
    }
    schema
}

/// The branches of a `oneOf`/`anyOf`, `null`-only ones left out, each named
/// by its `title`, else the component its `$ref` names, else its position.
fn branches_of<'a>(document: &Value, schema: &'a Value) -> Vec<(String, &'a Value)> {
    let listed = schema["oneOf"].as_array().or(schema["anyOf"].as_array());
    listed
        .into_iter()
        .flatten()
        .filter(|branch| !only_null(document, branch))
        .enumerate()
        .map(|(index, branch)| {
            let name = branch["title"]
                .as_str()
                .or_else(|| branch["$ref"].as_str().and_then(|r| r.rsplit('/').next()))
                .map_or_else(|| format!("#{index}"), str::to_owned);
            (name, branch)
        })
        .collect()
}

/// What every schema comparison needs besides the two schemas: both
/// documents (`$ref`s resolve in their own) and who produces the values.
#[derive(Clone, Copy)]
pub(super) struct Context<'a> {
    pub(super) old: &'a Value,
    pub(super) new: &'a Value,
    pub(super) side: Side,
}

impl Context<'_> {
    /// Whether a change that widens what the values may be breaks clients:
    /// on a response it does, on a request it does not.
    fn widening_breaks(self) -> bool {
        self.side == Side::Response
    }

    /// Whether a change that narrows what the values may be breaks clients.
    fn narrowing_breaks(self) -> bool {
        self.side == Side::Request
    }
}

/// Every change from schema `before` (in the old document) to `after` (in
/// the new), at `place`, pushed onto `changes`.
pub(super) fn compare_schema(
    cx: Context<'_>,
    before: &Value,
    after: &Value,
    place: &str,
    changes: &mut Vec<Change>,
) {
    let (b, a) = (unwrap_schema(cx.old, before), unwrap_schema(cx.new, after));
    let mut push = |breaking: bool, what: String| {
        changes.push(Change {
            breaking,
            place: place.to_owned(),
            what,
        })
    };
    match (admits_null(cx.old, before), admits_null(cx.new, after)) {
        // A request may no longer send null; a client reading a response
        // now has to cope with null where the old spec promised a value.
        (true, false) => push(cx.narrowing_breaks(), "no longer nullable".into()),
        (false, true) => push(cx.widening_breaks(), "became nullable".into()),
        _ => {}
    }
    if compare_reshaped(cx, before, after, place, changes) {
        return;
    }
    if b["type"] != a["type"] && !b["type"].is_null() {
        changes.push(Change {
            breaking: true,
            place: place.to_owned(),
            what: format!("type changed from {} to {}", b["type"], a["type"]),
        });
        return;
    }
    compare_branches(cx, b, a, place, changes);
    let mut push = |breaking: bool, what: String| {
        changes.push(Change {
            breaking,
            place: place.to_owned(),
            what,
        })
    };
    compare_constraints(b, a, cx.side, &mut push);
    compare_format(b, a, cx.side, &mut push);
    compare_properties(cx, before, after, place, changes);
    if let (Some(b_items), Some(a_items)) = (b.get("items"), a.get("items")) {
        compare_schema(cx, b_items, a_items, &format!("{place}[]"), changes);
    }
}

/// A schema that became a oneOf of itself and more (or the reverse) is
/// that: alternatives added (removed), not every property of the old shape
/// removed (added). Returns whether the schema was such a case, its changes
/// pushed.
fn compare_reshaped(
    cx: Context<'_>,
    before: &Value,
    after: &Value,
    place: &str,
    changes: &mut Vec<Change>,
) -> bool {
    let (b, a) = (unwrap_schema(cx.old, before), unwrap_schema(cx.new, after));
    let (old_branches, new_branches) = (branches_of(cx.old, b), branches_of(cx.new, a));
    if old_branches.is_empty()
        && !new_branches.is_empty()
        && let Some(kept) = matching_branch(cx, before, &new_branches, place)
    {
        changes.extend(kept.changes);
        for (name, _) in new_branches.iter().filter(|(name, _)| *name != kept.name) {
            changes.push(Change {
                breaking: cx.widening_breaks(),
                place: format!("{place} <{name}>"),
                what: format!(
                    "alternative added (the schema became a oneOf of <{}> and more)",
                    kept.name
                ),
            });
        }
        return true;
    }
    if !old_branches.is_empty() && new_branches.is_empty() {
        let kept = old_branches.iter().find_map(|(name, was)| {
            let mut trial = Vec::new();
            let here = format!("{place} <{name}>");
            compare_schema(cx, was, after, &here, &mut trial);
            trial.iter().all(|change| !change.breaking).then(|| Kept {
                name: name.clone(),
                changes: trial,
            })
        });
        if let Some(kept) = kept {
            changes.extend(kept.changes);
            for (name, _) in old_branches.iter().filter(|(name, _)| *name != kept.name) {
                changes.push(Change {
                    breaking: cx.narrowing_breaks(),
                    place: format!("{place} <{name}>"),
                    what: format!("alternative removed (only <{}> is left)", kept.name),
                });
            }
            return true;
        }
    }
    false
}

/// oneOf/anyOf: a branch removed narrows what a request may send; a branch
/// added widens what a response may carry. Matched branches are compared
/// like any other schema.
fn compare_branches(cx: Context<'_>, b: &Value, a: &Value, place: &str, changes: &mut Vec<Change>) {
    let (old_branches, new_branches) = (branches_of(cx.old, b), branches_of(cx.new, a));
    for (name, was) in &old_branches {
        let here = format!("{place} <{name}>");
        match new_branches.iter().find(|(other, _)| other == name) {
            Some((_, now)) => {
                let mut trial = Vec::new();
                compare_schema(cx, was, now, &here, &mut trial);
                // An open enum (`anyOf: [KnownX, {type: string}]`): whatever a
                // response's KnownX now admits, the catch-all admitted before.
                let catch_all = cx
                    .widening_breaks()
                    .then(|| catch_all(cx, name, now, &old_branches, &new_branches))
                    .flatten();
                for mut change in trial {
                    if let Some(other) = &catch_all
                        && change.breaking
                    {
                        change.breaking = false;
                        change.what =
                            format!("{} (an old client reads it as <{other}>)", change.what);
                    }
                    changes.push(change);
                }
            }
            None => changes.push(Change {
                breaking: cx.narrowing_breaks(),
                place: here,
                what: "alternative removed".into(),
            }),
        }
    }
    for (name, _) in &new_branches {
        if !old_branches.iter().any(|(other, _)| other == name) {
            changes.push(Change {
                breaking: cx.widening_breaks(),
                place: format!("{place} <{name}>"),
                what: "alternative added".into(),
            });
        }
    }
}

/// A format names a set of values: a new or different one narrows what a
/// request may send; one dropped or changed widens what a response may
/// carry (a client may parse it as the old format).
fn compare_format(b: &Value, a: &Value, side: Side, push: &mut impl FnMut(bool, String)) {
    if a["format"] == b["format"] {
        return;
    }
    let breaking = match side {
        Side::Request => !a["format"].is_null(),
        Side::Response => !b["format"].is_null(),
    };
    let what = match (b["format"].as_str(), a["format"].as_str()) {
        (None, Some(now)) => format!("new format {now}"),
        (Some(was), None) => format!("format {was} dropped"),
        (was, now) => format!(
            "format changed from {} to {}",
            was.unwrap_or("none"),
            now.unwrap_or("none")
        ),
    };
    push(breaking, what);
}

/// Properties removed, added, compared, and those whose `required` changed.
fn compare_properties(
    cx: Context<'_>,
    before: &Value,
    after: &Value,
    place: &str,
    changes: &mut Vec<Change>,
) {
    let (old_props, old_required) = properties_of(cx.old, before);
    let (new_props, new_required) = properties_of(cx.new, after);
    for (name, schema) in &old_props {
        let here = format!("{place} .{name}");
        match new_props.get(name) {
            None => changes.push(Change {
                breaking: cx.widening_breaks(),
                place: here,
                what: "property removed".into(),
            }),
            Some(now) => compare_schema(cx, schema, now, &here, changes),
        }
    }
    for name in new_props
        .keys()
        .filter(|name| !old_props.contains_key(*name))
    {
        let required = new_required.contains(name);
        changes.push(Change {
            breaking: cx.narrowing_breaks() && required,
            place: format!("{place} .{name}"),
            what: if required {
                "required property added".into()
            } else {
                "optional property added".into()
            },
        });
    }
    for name in old_props
        .keys()
        .filter(|name| new_props.contains_key(*name))
    {
        let (was, now) = (old_required.contains(name), new_required.contains(name));
        if was != now {
            // Requests: a field the client must now send breaks it. Responses:
            // a field the client relied on may now be missing.
            let breaking = if cx.narrowing_breaks() { now } else { was };
            let what = if now {
                "became required"
            } else {
                "became optional"
            };
            changes.push(Change {
                breaking,
                place: format!("{place} .{name}"),
                what: what.into(),
            });
        }
    }
}

/// A sibling of branch `name`, in both the old and the new `oneOf`/`anyOf`,
/// that admits any value of the branch's (new) type: a bare `{type: T}`.
fn catch_all(
    cx: Context<'_>,
    name: &str,
    branch_now: &Value,
    old_branches: &[(String, &Value)],
    new_branches: &[(String, &Value)],
) -> Option<String> {
    let kind = &unwrap_schema(cx.new, branch_now)["type"];
    let bare = |document: &Value, schema: &Value| {
        let schema = resolve(document, schema);
        schema["type"] == *kind
            && schema.as_object().is_some_and(|keys| {
                keys.keys()
                    .all(|key| ["type", "title", "description", "example"].contains(&key.as_str()))
            })
    };
    old_branches.iter().find_map(|(other, was)| {
        let now = new_branches.iter().find(|(n, _)| n == other)?.1;
        (other != name && !kind.is_null() && bare(cx.old, was) && bare(cx.new, now))
            .then(|| other.clone())
    })
}

/// The branch of a `oneOf` that a single schema became, with the changes
/// from the one to the other: the first branch that differs from it in no
/// breaking way.
struct Kept {
    name: String,
    changes: Vec<Change>,
}

fn matching_branch(
    cx: Context<'_>,
    single: &Value,
    branches: &[(String, &Value)],
    place: &str,
) -> Option<Kept> {
    branches.iter().find_map(|(name, branch)| {
        let mut trial = Vec::new();
        let here = format!("{place} <{name}>");
        compare_schema(cx, single, branch, &here, &mut trial);
        trial.iter().all(|change| !change.breaking).then(|| Kept {
            name: name.clone(),
            changes: trial,
        })
    })
}
