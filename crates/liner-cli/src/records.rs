//! `liner lead get|update` and `liner call get`: one record as JSON.

use std::io::IsTerminal as _;

use liner::{LeadPatch, Liner};
use serde_json::{Map, Value};

use crate::cli::UpdateArgs;
use crate::exit::Failure;

/// Prints `value` as JSON on stdout: indented on a terminal, one line
/// otherwise (for `jq` and files).
fn print(value: &impl serde::Serialize) -> Result<(), Failure> {
    let text = if std::io::stdout().is_terminal() {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    }
    .map_err(|err| Failure::local(format!("cannot write JSON: {err}")))?;
    crate::output::print_line(&text)
}

pub async fn get_lead(client: &Liner, id: u64) -> Result<(), Failure> {
    let lead = client
        .lead(id)
        .await
        .map_err(|err| Failure::client("", &err))?;
    print(&lead)
}

pub async fn get_call(client: &Liner, id: u64) -> Result<(), Failure> {
    let call = client
        .call(id)
        .await
        .map_err(|err| Failure::client("", &err))?;
    print(&call)
}

/// Updates the fields given, then prints the lead as it is afterwards (read
/// back: the update's own answer carries nothing).
pub async fn update_lead(client: &Liner, args: &UpdateArgs) -> Result<(), Failure> {
    let patch = patch(args)?;
    client
        .update_lead(args.id, patch)
        .await
        .map_err(|err| Failure::client("", &err))?;
    get_lead(client, args.id).await
}

/// The update body the flags stand for, checked as the client checks it.
fn patch(args: &UpdateArgs) -> Result<LeadPatch, Failure> {
    let mut object = Map::new();
    for (field, text) in &args.fields {
        match field.parse(text) {
            Ok(Some(value)) => {
                object.insert(field.name.clone(), value);
            }
            Ok(None) => {
                return Err(Failure::usage(format!(
                    "--{}: empty; give a value",
                    field.flag()
                )));
            }
            Err(problem) => {
                return Err(Failure::usage(format!("--{}: {problem}", field.flag())));
            }
        }
    }
    if object.is_empty() {
        return Err(Failure::usage(
            "nothing to update: give at least one field flag (see `liner lead update --help`)",
        ));
    }
    let patch: LeadPatch =
        serde_path_to_error::deserialize(Value::Object(object)).map_err(|err| {
            let name = err.path().to_string();
            let flag = args
                .fields
                .iter()
                .find(|(field, _)| field.name == name)
                .map_or(name.clone(), |(field, _)| format!("--{}", field.flag()));
            Failure::usage(format!("{flag}: {}", err.into_inner()))
        })?;
    liner::Draft::from(patch)
        .build()
        .map_err(|err| Failure::usage(err.to_string()))
}
