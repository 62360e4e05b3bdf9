//! Checking one row: its fields turned into a `NewLead` as the client
//! would check it before sending, or every problem found in it.

use liner::NewLead;
use serde_json::{Map, Value};

use super::{Columns, Invalid, Item, Row, Rows};

/// The create fields of the JSON object `text`; its lead-only keys are
/// noted in `ignored`, any other key is a problem.
pub(super) fn object_from_json(
    text: &str,
    columns: &Columns,
    ignored: &mut Vec<String>,
) -> Result<Map<String, Value>, Vec<String>> {
    let object = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(object)) => object,
        Ok(_) => return Err(vec!["not a JSON object".to_owned()]),
        Err(err) => return Err(vec![format!("not JSON: {err}")]),
    };
    let mut kept = Map::new();
    let mut problems = Vec::new();
    for (name, value) in object {
        if columns.is_create(&name) {
            if !value.is_null() {
                kept.insert(name, value);
            }
        } else if columns.is_lead_only(&name) {
            if !ignored.contains(&name) {
                ignored.push(name);
            }
        } else {
            problems.push(columns.refused(&name));
        }
    }
    if problems.is_empty() {
        Ok(kept)
    } else {
        Err(problems)
    }
}

impl Rows {
    /// The row at `index` (line `line`) of the fields `object`, checked.
    pub(super) fn check(
        &mut self,
        index: usize,
        line: u64,
        object: Result<Map<String, Value>, Vec<String>>,
    ) -> Item {
        let object = object.and_then(|mut object| {
            let tidied = super::super::phones::tidy(&mut object, self.options.domestic_8_as_7);
            if !tidied.problems.is_empty() {
                return Err(tidied.problems);
            }
            self.phones_tidied += usize::from(tidied.changed);
            Ok(object)
        });
        match object.and_then(|object| {
            let phone = object
                .get("phone")
                .and_then(Value::as_str)
                .map(str::to_owned);
            new_lead(object).map_err(|problems| with_phone(problems, phone.as_deref()))
        }) {
            Ok(lead) => Item::Valid(Row::new(index, line, &lead)),
            Err(problems) => Item::Invalid(Invalid { line, problems }),
        }
    }
}

/// `problems`, a phone's with the value that was refused (bounded and
/// escaped: the operator looks for it in the file).
fn with_phone(problems: Vec<String>, phone: Option<&str>) -> Vec<String> {
    problems
        .into_iter()
        .map(|problem| match phone {
            Some(phone)
                if problem.starts_with("invalid phone") || problem.starts_with("phone:") =>
            {
                format!(
                    "{problem} (the phone: {})",
                    crate::text::one_line(phone, 40)
                )
            }
            _ => problem,
        })
        .collect()
}

/// The create body an object stands for, checked as the client checks it
/// before sending.
fn new_lead(object: Map<String, Value>) -> Result<NewLead, Vec<String>> {
    let lead: NewLead = serde_path_to_error::deserialize(Value::Object(object)).map_err(|err| {
        let path = err.path().to_string();
        let message = err.into_inner().to_string();
        vec![if path == "." {
            message
        } else {
            format!("{path}: {message}")
        }]
    })?;
    liner::Draft::from(lead)
        .build()
        .map_err(|err| vec![err.to_string()])
}
