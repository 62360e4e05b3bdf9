//! The spec validator of `cargo xtask check`: structure, examples against
//! their schemas, and this project's rules. Every problem is reported, each
//! with the JSON pointer of the offending node and its line in the YAML.

use std::collections::BTreeMap;

use serde_json::Value;

use liner_spec::{METHODS, Spec, resolve_or_self as resolve};

/// One thing wrong with the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// JSON pointer of the offending node, e.g. `/paths/~1v2~1lead~1/get`.
    pub pointer: String,
    /// 1-based line in the YAML, when it can be found.
    pub line: Option<usize>,
    pub message: String,
}

/// The security scheme every operation must require: the Liner API
/// authenticates every request with it.
const API_KEY_HEADER: &str = "X-Api-Key";

/// Validates the spec; problems come in document order.
pub fn validate(spec: &Spec) -> Vec<Problem> {
    let document = spec.document();
    let mut found = Vec::new();
    let mut report = |pointer: String, message: String| found.push((pointer, message));

    match document["openapi"].as_str() {
        Some(version) if version.starts_with("3.0.") => {}
        Some(version) => report(
            "/openapi".into(),
            format!("must be 3.0.x (progenitor reads no other), found {version}"),
        ),
        None => report(
            "/openapi".into(),
            "is missing or not a string; write `openapi: 3.0.3`".into(),
        ),
    }
    dangling_refs(document, &mut report);
    operations(document, &mut report);
    schema_rules(document, &mut report);
    examples(spec, &mut report);

    let mut problems: Vec<Problem> = found
        .into_iter()
        .map(|(pointer, message)| Problem {
            line: spec.line_of(&pointer),
            pointer,
            message,
        })
        .collect();
    problems.sort_by_key(|problem| problem.line.unwrap_or(usize::MAX));
    problems
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Calls `visit` on every JSON object under `node`, with its pointer, not
/// descending into the keys `skip` names.
fn each_object(
    pointer: &str,
    node: &Value,
    skip: &[&str],
    visit: &mut impl FnMut(&str, &serde_json::Map<String, Value>),
) {
    match node {
        Value::Object(map) => {
            visit(pointer, map);
            for (key, value) in map {
                if !skip.contains(&key.as_str()) {
                    each_object(&format!("{pointer}/{}", escape(key)), value, skip, visit);
                }
            }
        }
        Value::Array(items) => {
            for (index, value) in items.iter().enumerate() {
                each_object(&format!("{pointer}/{index}"), value, skip, visit);
            }
        }
        _ => {}
    }
}

/// Every `$ref` must point at something. Only local references are allowed:
/// the spec is one self-contained file.
fn dangling_refs(document: &Value, report: &mut impl FnMut(String, String)) {
    each_object("", document, &[], &mut |pointer, map| {
        if let Some(value) = map.get("$ref") {
            let target = value.as_str().unwrap_or_default();
            let resolves = target
                .strip_prefix('#')
                .is_some_and(|path| document.pointer(path).is_some());
            if !resolves {
                report(
                    format!("{pointer}/$ref"),
                    format!("$ref {target:?} does not resolve to anything in this file"),
                );
            }
        }
    });
}

fn operations(document: &Value, report: &mut impl FnMut(String, String)) {
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    let api_key_schemes: Vec<String> = document
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, scheme)| {
            scheme["type"] == "apiKey"
                && scheme["in"] == "header"
                && scheme["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(API_KEY_HEADER))
        })
        .map(|(name, _)| name.clone())
        .collect();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        let item_pointer = format!("/paths/{}", escape(path));
        // Rule: the documented paths end in `/` and clients send them so.
        if !path.ends_with('/') {
            report(
                item_pointer.clone(),
                format!("path {path} must keep the documented trailing slash"),
            );
        }
        let template_params: Vec<&str> = path
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .collect();
        for method in METHODS {
            let Some(operation) = item.get(*method) else {
                continue;
            };
            let pointer = format!("{item_pointer}/{method}");
            match operation["operationId"].as_str() {
                None => report(
                    pointer.clone(),
                    "operation has no operationId (progenitor needs one)".into(),
                ),
                Some(id) => {
                    if let Some(first) = ids.insert(id.to_owned(), pointer.clone()) {
                        report(
                            format!("{pointer}/operationId"),
                            format!("operationId {id} is also used by {first}"),
                        );
                    }
                }
            }
            // Rule: tags and summaries name operations in docs and clients.
            if operation["tags"].as_array().is_none_or(Vec::is_empty) {
                report(pointer.clone(), "operation has no tag".into());
            }
            if operation["summary"].as_str().is_none_or(str::is_empty) {
                report(pointer.clone(), "operation has no summary".into());
            }
            // Rule: every Liner request is authenticated with X-Api-Key.
            let security = operation
                .get("security")
                .or_else(|| document.get("security"));
            let secured = security
                .and_then(Value::as_array)
                .is_some_and(|requirements| {
                    requirements.iter().any(|requirement| {
                        requirement
                            .as_object()
                            .is_some_and(|r| r.keys().any(|k| api_key_schemes.contains(k)))
                    })
                });
            if !secured {
                report(
                    pointer.clone(),
                    format!("operation does not require the {API_KEY_HEADER} security scheme"),
                );
            }
            parameters(
                document,
                &pointer,
                item,
                operation,
                &template_params,
                report,
            );
            responses(document, &pointer, operation, report);
        }
    }
}

fn parameters(
    document: &Value,
    pointer: &str,
    item: &Value,
    operation: &Value,
    template_params: &[&str],
    report: &mut impl FnMut(String, String),
) {
    let declared: Vec<(String, &Value)> = ["parameters"]
        .iter()
        .flat_map(|key| {
            let shared = item[key]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(i, p)| (format!("{pointer}/../parameters/{i}"), p));
            let own = operation[key]
                .as_array()
                .into_iter()
                .flatten()
                .enumerate()
                .map(move |(i, p)| (format!("{pointer}/parameters/{i}"), p));
            shared.chain(own).collect::<Vec<_>>()
        })
        .collect();
    let mut path_names = Vec::new();
    for (here, parameter) in &declared {
        let parameter = resolve(document, parameter);
        let name = parameter["name"].as_str().unwrap_or_default();
        if parameter["in"] == "path" {
            path_names.push(name.to_owned());
            if !template_params.contains(&name) {
                report(
                    here.clone(),
                    format!("path parameter {name} does not appear in the path"),
                );
            }
        }
        // Rule: ids are > 0 (the docs say so for every id parameter).
        let schema = resolve(document, &parameter["schema"]);
        let integer_id =
            |schema: &Value| schema["type"] == "integer" && schema["minimum"].as_i64() != Some(1);
        let is_id = name.ends_with("Id") || name.ends_with("Ids[]") || name.ends_with("Ids");
        if is_id && (integer_id(schema) || integer_id(resolve(document, &schema["items"]))) {
            report(
                format!("{here}/schema"),
                format!("id parameter {name} must have minimum: 1"),
            );
        }
    }
    for name in template_params {
        if !path_names.iter().any(|declared| declared == name) {
            report(
                pointer.to_owned(),
                format!("path parameter {{{name}}} is not declared"),
            );
        }
    }
}

/// Rule: a 2xx answer is its success envelope or the failure envelope
/// (`oneOf`, told apart by `success`); an error is the failure envelope,
/// and a `5XX` may also be a proxy's `text/html` page.
fn responses(
    document: &Value,
    pointer: &str,
    operation: &Value,
    report: &mut impl FnMut(String, String),
) {
    for (status, response) in operation["responses"].as_object().into_iter().flatten() {
        let here = format!("{pointer}/responses/{status}");
        let content = &resolve(document, response)["content"];
        let Some(schema) = content.pointer("/application~1json/schema") else {
            report(
                here,
                "response has no application/json body (every Liner answer is an envelope)".into(),
            );
            continue;
        };
        let success = status.starts_with('2');
        let ok = if success {
            is_success_or_failure(document, schema)
        } else {
            is_failure_envelope(schema)
        };
        if !ok {
            let expected = if success {
                "oneOf: [a success envelope (allOf: [$ref Envelope, {data}]), $ref FailureEnvelope]"
            } else {
                "the failure envelope ($ref FailureEnvelope)"
            };
            report(here.clone(), format!("response body must be {expected}"));
        }
        for media in content.as_object().into_iter().flatten().map(|(m, _)| m) {
            let allowed = media == "application/json" || (media == "text/html" && status == "5XX");
            if !allowed {
                report(
                    format!("{here}/content/{}", escape(media)),
                    format!(
                        "a {status} answer is a JSON envelope; only a 5XX may also be text/html (a proxy's page), not {media}"
                    ),
                );
            }
        }
    }
}

/// `oneOf: [<success envelope>, FailureEnvelope]`, directly or through a
/// named schema.
fn is_success_or_failure(document: &Value, schema: &Value) -> bool {
    let schema = resolve(document, schema);
    let Some([first, second]) = schema["oneOf"].as_array().map(Vec::as_slice) else {
        return false;
    };
    extends_envelope(document, first) && is_failure_envelope(second)
}

fn extends_envelope(document: &Value, schema: &Value) -> bool {
    let schema = resolve(document, schema);
    schema["allOf"].as_array().is_some_and(|parts| {
        parts
            .iter()
            .any(|part| part["$ref"] == "#/components/schemas/Envelope")
    })
}

fn is_failure_envelope(schema: &Value) -> bool {
    schema["$ref"] == "#/components/schemas/FailureEnvelope"
}

/// Rules on every schema: each property says what it is, and `nullable`
/// stands next to a `type`. (Examples are data, not schemas: skipped.)
fn schema_rules(document: &Value, report: &mut impl FnMut(String, String)) {
    each_object(
        "",
        document,
        &["example", "examples"],
        &mut |pointer, map| {
            // OpenAPI 3.0.3 honours `nullable` only beside `type` (so say
            // Spectral and Redocly, which CI also runs): a nullable reference is
            // written `oneOf: [$ref, {enum: [null]}]`.
            if map.get("nullable") == Some(&Value::Bool(true)) && map.get("type").is_none() {
                report(
                    format!("{pointer}/nullable"),
                    "`nullable: true` without a `type` is ignored by OpenAPI 3.0.3; \
                 for a nullable $ref write `oneOf: [{$ref: ...}, {enum: [null]}]`"
                        .into(),
                );
            }
            if let Some(Value::Object(properties)) = map.get("properties") {
                for (name, property) in properties {
                    // Identifiers are > 0 wherever they appear (request and
                    // response bodies alike), so that the generated types
                    // say it (`NonZeroU64`) and no client accepts 0 or a
                    // negative id from a server.
                    let target = resolve(document, property);
                    if (name == "id" || name.ends_with("Id"))
                        && target["type"] == "integer"
                        && target["minimum"].as_i64() != Some(1)
                    {
                        report(
                            format!("{pointer}/properties/{}", escape(name)),
                            format!("id field {name} must have minimum: 1"),
                        );
                    }
                    // A bare $ref takes its description from its target (OpenAPI
                    // 3.0 ignores siblings of $ref).
                    let described = property.get("description").is_some()
                        || property.get("$ref").is_some_and(|_| {
                            resolve(document, property).get("description").is_some()
                        });
                    if !described {
                        report(
                            format!("{pointer}/properties/{}", escape(name)),
                            format!("property {name} has no description"),
                        );
                    }
                }
            }
        },
    );
}

/// Every example validates against its schema (request bodies, responses,
/// parameters), with `nullable` translated for a JSON Schema validator.
fn examples(spec: &Spec, report: &mut impl FnMut(String, String)) {
    let document = spec.document();
    let mut check =
        |pointer: String, schema: &Value, value: &Value| match spec.body_validator(schema) {
            Ok(validator) => {
                for problem in validator.problems(value) {
                    report(
                        pointer.clone(),
                        format!("example does not match its schema at {problem}"),
                    );
                }
            }
            Err(err) => report(pointer, format!("schema cannot be checked: {err}")),
        };
    let mut media = |pointer: String, content: &Value| {
        for (kind, media) in content.as_object().into_iter().flatten() {
            let Some(schema) = media.get("schema") else {
                continue;
            };
            let here = format!("{pointer}/{}", escape(kind));
            if let Some(example) = media.get("example") {
                check(format!("{here}/example"), schema, example);
            }
            for (name, example) in media["examples"].as_object().into_iter().flatten() {
                let example = resolve(document, example);
                if let Some(value) = example.get("value") {
                    check(
                        format!("{here}/examples/{}/value", escape(name)),
                        schema,
                        value,
                    );
                }
            }
        }
    };
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            let Some(operation) = item.get(*method) else {
                continue;
            };
            let pointer = format!("/paths/{}/{method}", escape(path));
            if let Some(content) = operation.pointer("/requestBody/content") {
                media(format!("{pointer}/requestBody/content"), content);
            }
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                if response.get("$ref").is_none()
                    && let Some(content) = response.get("content")
                {
                    media(format!("{pointer}/responses/{status}/content"), content);
                }
            }
        }
    }
    for (name, response) in document
        .pointer("/components/responses")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(content) = response.get("content") {
            media(
                format!("/components/responses/{}/content", escape(name)),
                content,
            );
        }
    }
}
