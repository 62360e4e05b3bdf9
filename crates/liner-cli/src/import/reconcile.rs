//! Reconciling a row whose create may or may not have happened: look for
//! the lead on the server instead of guessing.
//!
//! The leads of the row's `orderId` created since its first unanswered
//! attempt (less a margin for the two clocks) are listed, and compared with
//! the row: `orderCode` and `phone` must be equal (phones by their digits),
//! and so must every other field the row sets that the list returns, except
//! `statusId` (the call center moves a lead through statuses) and
//! `customValues` (stored by the server's own keys). Leads the journal
//! already gives to another row are left out.
//!
//! It relies on two things, which the README states: the server lists a
//! lead as soon as its create has returned, and no two rows of a file are
//! identical (two identical rows whose creates were both lost can only be
//! told apart if one lead exists; otherwise they stay unknown).

use std::collections::BTreeSet;
use std::time::Duration;

use liner::{Lead, Liner, NewLead};
use serde_json::{Map, Value};

/// What the server says about a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Exactly one lead matches: the create happened.
    Created(u64),
    /// None matches: it did not, and the row is safe to send again.
    Absent,
    /// Several match: a person must look.
    Ambiguous(Vec<u64>),
}

/// Fields a matching lead may differ in.
const NOT_COMPARED: &[&str] = &["statusId", "customValues"];
/// Fields a matching lead must have, equal.
const REQUIRED: &[&str] = &["orderCode", "phone"];

/// The names of the lead type's fields, which [`look_up`] takes (read from
/// its schema once per import, not once per lead).
pub fn compared_fields() -> Vec<String> {
    crate::fields::fields_of::<Lead>()
        .into_iter()
        .map(|field| field.name)
        .collect()
}

/// Looks `row` up on the server; `lead_fields` are [`compared_fields`].
pub async fn look_up(
    client: &Liner,
    row: &NewLead,
    since: jiff::Timestamp,
    margin: Duration,
    claimed: &BTreeSet<u64>,
    lead_fields: &[String],
) -> liner::Result<Verdict> {
    let margin = jiff::SignedDuration::try_from(margin).unwrap_or(jiff::SignedDuration::MAX);
    let from = since.checked_sub(margin).unwrap_or(jiff::Timestamp::MIN);
    let leads = client
        .leads()
        .order_ids([row.order_id.get()])
        .created_from(from)
        .collect_all()
        .await?;
    let wanted = object(row);
    let matching: Vec<u64> = leads
        .iter()
        .filter(|lead| !claimed.contains(&lead.id.get()))
        .filter(|lead| same(&wanted, &object(*lead), lead_fields))
        .map(|lead| lead.id.get())
        .collect();
    Ok(match matching.as_slice() {
        [] => Verdict::Absent,
        [id] => Verdict::Created(*id),
        _ => Verdict::Ambiguous(matching),
    })
}

fn object<T: serde::Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(object)) => object,
        _ => Map::new(),
    }
}

/// Whether the listed `lead` is the one the row would create;
/// `lead_fields` are the lead type's fields.
fn same(row: &Map<String, Value>, lead: &Map<String, Value>, lead_fields: &[String]) -> bool {
    row.iter().all(|(name, wanted)| {
        if NOT_COMPARED.contains(&name.as_str()) {
            return true;
        }
        match lead.get(name) {
            Some(found) if !found.is_null() => equal(name, wanted, found),
            // The lead type has the field and the lead left it empty: not
            // the row, which set it.
            _ if lead_fields.contains(name) => false,
            // A field the list does not return cannot be compared.
            _ => !REQUIRED.contains(&name.as_str()),
        }
    })
}

/// Equal as the API stores them: phones by their digits, numbers and their
/// decimal text alike.
fn equal(name: &str, wanted: &Value, found: &Value) -> bool {
    if name == "phone" {
        let digits = |value: &Value| -> String {
            value
                .as_str()
                .unwrap_or_default()
                .chars()
                .filter(char::is_ascii_digit)
                .collect()
        };
        return digits(wanted) == digits(found);
    }
    match (wanted, found) {
        (Value::Number(number), Value::String(text))
        | (Value::String(text), Value::Number(number)) => number.to_string() == text.trim(),
        _ => wanted == found,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn a_lead_matches_on_what_the_row_sets() {
        let row = map(json!({
            "leadType": "straight", "phone": "+79001234567", "orderId": 202,
            "orderCode": "A-1", "name": "Ada", "statusId": 5, "vkId": 123,
            "customValues": {"10": "hot"}
        }));
        let lead = json!({
            "id": 9, "leadType": "straight", "phone": "79001234567", "orderId": 202,
            "orderCode": "A-1", "name": "Ada", "statusId": 8, "vkId": "123",
            "customValues": [], "createdAt": "2025-11-23T08:00:00Z"
        });
        let fields = compared_fields();
        let same = |row: &Map<String, Value>, lead: Value| same(row, &map(lead), &fields);
        assert!(same(&row, lead.clone()));
        let mut other = lead.clone();
        other["orderCode"] = json!("A-2");
        assert!(!same(&row, other));
        let mut unnamed = lead.clone();
        unnamed["name"] = Value::Null;
        assert!(!same(&row, unnamed), "the row set a name the lead lacks");
        let mut no_phone = lead;
        no_phone.as_object_mut().unwrap().remove("phone");
        assert!(!same(&row, no_phone));
    }
}
