//! The fields of a generated type, read from its JSON Schema (the types
//! derive `schemars::JsonSchema`; their schemas come from the spec). The
//! export's CSV columns, the import's accepted columns and `lead update`'s
//! flags are all derived here, so a field added to the spec reaches the
//! command line with `cargo xtask generate` and no hand edit.

use schemars::JsonSchema;
use serde_json::{Map, Value};

/// One field of a type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The JSON name, as the API writes it (`statusId`).
    pub name: String,
    pub kind: Kind,
    pub required: bool,
    /// The first sentence of the spec's description.
    pub description: Option<String>,
}

/// What text a field takes, from the JSON types its schema allows (`null`
/// aside).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Integer,
    Number,
    Boolean,
    Text,
    /// A string or a number (`vkId`): an integer is sent as a number, any
    /// other text as a string.
    TextOrInteger,
    /// Anything else (an object, a list, a mix): written as JSON.
    Json,
}

/// The fields of `T`: required ones first, then the others, each group in
/// the schema's (alphabetical) order.
pub fn fields_of<T: JsonSchema>() -> Vec<Field> {
    let root = serde_json::to_value(schemars::schema_for!(T)).unwrap_or_default();
    let required: Vec<&str> = root["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut fields: Vec<Field> = root["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, schema)| Field {
            name: name.clone(),
            kind: kind_of(&root, schema),
            required: required.contains(&name.as_str()),
            description: description_of(&root, schema),
        })
        .collect();
    fields.sort_by_key(|field| !field.required);
    fields
}

/// The schema `$ref` points to (schemars puts them under `definitions`), or
/// the schema itself.
fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"]
        .as_str()
        .and_then(|reference| reference.strip_prefix("#/definitions/"))
    {
        Some(name) => &root["definitions"][name],
        None => schema,
    }
}

/// The JSON types `schema` allows, `null` left out, through `$ref`s and
/// `allOf`/`anyOf`/`oneOf`.
fn types_of(root: &Value, schema: &Value, depth: u32, out: &mut Vec<String>) {
    let schema = resolve(root, schema);
    if depth > 16 {
        out.push("any".into());
        return;
    }
    match &schema["type"] {
        Value::String(kind) => out.push(kind.clone()),
        Value::Array(kinds) => {
            out.extend(kinds.iter().filter_map(Value::as_str).map(str::to_owned))
        }
        _ => {}
    }
    let mut combined = false;
    for key in ["allOf", "anyOf", "oneOf"] {
        for part in schema[key].as_array().into_iter().flatten() {
            combined = true;
            types_of(root, part, depth + 1, out);
        }
    }
    if schema.get("type").is_none() && !combined && schema.get("enum").is_none() {
        out.push("any".into());
    }
    out.retain(|kind| kind != "null");
}

fn kind_of(root: &Value, schema: &Value) -> Kind {
    let mut types = Vec::new();
    types_of(root, schema, 0, &mut types);
    types.sort();
    types.dedup();
    let types: Vec<&str> = types.iter().map(String::as_str).collect();
    match types.as_slice() {
        ["integer"] => Kind::Integer,
        ["number"] | ["integer", "number"] => Kind::Number,
        ["boolean"] => Kind::Boolean,
        ["string"] => Kind::Text,
        ["integer", "string"] => Kind::TextOrInteger,
        _ => Kind::Json,
    }
}

/// The description of a property: its own, else that of the schema it
/// refers to (directly or through `anyOf`/`oneOf`/`allOf`, as schemars
/// writes an optional reference), first paragraph, one line.
fn description_of(root: &Value, schema: &Value) -> Option<String> {
    fn find(root: &Value, schema: &Value, depth: u32) -> Option<String> {
        if depth > 8 {
            return None;
        }
        if let Some(text) = schema["description"].as_str() {
            return Some(text.to_owned());
        }
        let resolved = resolve(root, schema);
        if let Some(text) = resolved["description"].as_str() {
            return Some(text.to_owned());
        }
        ["allOf", "anyOf", "oneOf"].iter().find_map(|key| {
            resolved[*key]
                .as_array()?
                .iter()
                .find_map(|part| find(root, part, depth + 1))
        })
    }
    let text = find(root, schema, 0)?;
    let paragraph = text.split("\n\n").next().unwrap_or(&text);
    Some(paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
}

impl Field {
    /// The command-line flag: `statusId` is `--status-id`.
    pub fn flag(&self) -> String {
        let mut flag = String::new();
        for c in self.name.chars() {
            if c.is_ascii_uppercase() {
                if !flag.is_empty() {
                    flag.push('-');
                }
                flag.push(c.to_ascii_lowercase());
            } else {
                flag.push(c);
            }
        }
        flag
    }

    /// A clap argument for this field, its help from the spec.
    pub fn arg(&self) -> clap::Arg {
        let value_name = match self.kind {
            Kind::Integer => "INTEGER",
            Kind::Number => "NUMBER",
            Kind::Boolean => "true|false",
            Kind::Text => "TEXT",
            Kind::TextOrInteger => "TEXT|INTEGER",
            Kind::Json => "JSON",
        };
        // A generated newtype with `#[serde(transparent)]` loses its doc
        // comment in schemars' schema: name the field then.
        let mut help = self
            .description
            .clone()
            .unwrap_or_else(|| format!("The `{}` field.", self.name));
        if self.kind == Kind::Json {
            help.push_str(" (as JSON)");
        }
        clap::Arg::new(self.name.clone())
            .long(self.flag())
            .value_name(value_name)
            .help(help)
    }

    /// The JSON value `text` stands for in this field; `Ok(None)` for empty
    /// text (an empty CSV cell: the field is left out).
    pub fn parse(&self, text: &str) -> Result<Option<Value>, String> {
        if text.is_empty() {
            return Ok(None);
        }
        let integer = |text: &str| {
            text.trim()
                .parse::<i64>()
                .map(Value::from)
                .or_else(|_| text.trim().parse::<u64>().map(Value::from))
        };
        let value = match self.kind {
            Kind::Text => Value::String(text.to_owned()),
            Kind::Integer => integer(text).map_err(|_| "not an integer".to_owned())?,
            Kind::Number => text
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| "not a number".to_owned())?,
            Kind::Boolean => match text.trim() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => return Err("not true or false".to_owned()),
            },
            Kind::TextOrInteger => integer(text).unwrap_or_else(|_| Value::String(text.to_owned())),
            Kind::Json => serde_json::from_str(text).map_err(|err| format!("not JSON: {err}"))?,
        };
        Ok(Some(value))
    }
}

/// A value as one CSV cell: text as it is, numbers and booleans as JSON
/// writes them, objects and lists as compact JSON, `null` as nothing.
pub fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// `value`'s members named by `fields`, each parsed from text: the object
/// a CSV row stands for. Errors name the field.
pub fn object_from_text<'a>(
    fields: &[Field],
    cells: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Map<String, Value>, Vec<String>> {
    let mut object = Map::new();
    let mut problems = Vec::new();
    for (name, text) in cells {
        let Some(field) = fields.iter().find(|field| field.name == name) else {
            continue;
        };
        match field.parse(text) {
            Ok(Some(value)) => {
                object.insert(name.to_owned(), value);
            }
            Ok(None) => {}
            Err(problem) => problems.push(format!("{name}: {problem}")),
        }
    }
    if problems.is_empty() {
        Ok(object)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field<'a>(fields: &'a [Field], name: &str) -> &'a Field {
        fields
            .iter()
            .find(|field| field.name == name)
            .unwrap_or_else(|| panic!("no field {name}"))
    }

    #[test]
    fn the_kinds_of_the_generated_types() {
        let new_lead = fields_of::<liner::NewLead>();
        let names: Vec<&str> = new_lead.iter().map(|f| f.name.as_str()).collect();
        // Required first.
        assert_eq!(&names[..4], ["leadType", "orderCode", "orderId", "phone"]);
        assert!(new_lead[..4].iter().all(|f| f.required));
        assert_eq!(field(&new_lead, "orderId").kind, Kind::Integer);
        assert_eq!(field(&new_lead, "phone").kind, Kind::Text);
        assert_eq!(field(&new_lead, "leadType").kind, Kind::Text);
        assert_eq!(field(&new_lead, "vkId").kind, Kind::TextOrInteger);
        assert_eq!(field(&new_lead, "customValues").kind, Kind::Json);
        assert_eq!(field(&new_lead, "priority").kind, Kind::Integer);

        let lead = fields_of::<liner::Lead>();
        assert_eq!(lead[0].name, "id");
        assert_eq!(field(&lead, "isSecondary").kind, Kind::Boolean);
        assert_eq!(field(&lead, "createdAt").kind, Kind::TextOrInteger);

        let patch = fields_of::<liner::LeadPatch>();
        assert!(patch.iter().all(|f| !f.required));
        assert_eq!(field(&patch, "statusId").flag(), "status-id");
        assert_eq!(
            field(&patch, "externalIdBitrix24").flag(),
            "external-id-bitrix24"
        );
        assert_eq!(
            field(&patch, "name").description.as_deref(),
            Some("Client name.")
        );
    }

    #[test]
    fn text_becomes_the_field_s_json() {
        let fields = fields_of::<liner::NewLead>();
        let parse = |name: &str, text: &str| field(&fields, name).parse(text);
        assert_eq!(parse("orderId", "202"), Ok(Some(Value::from(202))));
        assert_eq!(parse("orderId", "x"), Err("not an integer".to_owned()));
        assert_eq!(parse("phone", "+7900"), Ok(Some(Value::from("+7900"))));
        assert_eq!(parse("vkId", "123"), Ok(Some(Value::from(123))));
        assert_eq!(parse("vkId", "id123"), Ok(Some(Value::from("id123"))));
        assert_eq!(
            parse("customValues", r#"{"10":"hot"}"#),
            Ok(Some(serde_json::json!({"10": "hot"})))
        );
        assert!(
            parse("customValues", "{")
                .unwrap_err()
                .starts_with("not JSON")
        );
        assert_eq!(parse("name", ""), Ok(None));
    }

    #[test]
    fn cells_write_values_as_text() {
        assert_eq!(cell(None), "");
        assert_eq!(cell(Some(&Value::Null)), "");
        assert_eq!(cell(Some(&Value::from("a,b"))), "a,b");
        assert_eq!(cell(Some(&Value::from(7))), "7");
        assert_eq!(cell(Some(&serde_json::json!({"1": [2]}))), r#"{"1":[2]}"#);
    }
}
