//! The fake's state: seeded leads (built on demand), leads created or shifted
//! in through the API, updates, and seeded calls.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::seed;

/// A lead held in memory: its JSON fields plus its creation time, kept
/// numerically for the `createdAt` filters.
#[derive(Debug, Clone)]
struct StoredLead {
    fields: Map<String, Value>,
    created_unix: i64,
}

impl StoredLead {
    fn int(&self, key: &str) -> Option<i64> {
        self.fields.get(key).and_then(Value::as_i64)
    }
}

/// What `listLeads` filters on. Empty vectors mean "any".
#[derive(Debug, Clone, Default)]
pub struct LeadFilter {
    pub created_from: Option<i64>,
    pub created_to: Option<i64>,
    pub order_ids: Vec<i64>,
    pub status_ids: Vec<i64>,
}

impl LeadFilter {
    fn is_empty(&self) -> bool {
        self.created_from.is_none()
            && self.created_to.is_none()
            && self.order_ids.is_empty()
            && self.status_ids.is_empty()
    }

    fn matches(&self, order_id: Option<i64>, status_id: Option<i64>, created: i64) -> bool {
        self.created_from.is_none_or(|from| created >= from)
            && self.created_to.is_none_or(|to| created <= to)
            && (self.order_ids.is_empty()
                || order_id.is_some_and(|id| self.order_ids.contains(&id)))
            && (self.status_ids.is_empty()
                || status_id.is_some_and(|id| self.status_ids.contains(&id)))
    }
}

/// One page of the list, as the store sees it.
pub struct Page {
    pub leads: Vec<PageLead>,
    pub total: u64,
}

/// A lead on a page: seeded leads stay typed (cheap to write out), stored
/// ones are the JSON maps they were stored as. Either serializes to the lead.
#[derive(Debug, Serialize)]
#[serde(untagged)]
#[expect(
    clippy::large_enum_variant,
    reason = "a page is a short-lived Vec of at most `limit` leads; boxing would \
              add an allocation per lead on the path this type exists to speed up"
)]
pub enum PageLead {
    Seeded(seed::SeededLead),
    Stored(Map<String, Value>),
}

/// All leads and calls.
///
/// The list's order is stable: leads "shifted in" (newest first), then the
/// seeded leads by id, then leads created through the API by id, then leads
/// added at the end by someone else (churn). Shifted and churned leads
/// exist only in those modes, to make offset paging see the list move
/// under it as a real, busy CRM would.
#[derive(Debug)]
pub struct Store {
    seed: u64,
    seeded: u64,
    calls: u64,
    /// Seeded leads that have been updated, by id.
    updated_seeded: HashMap<u64, StoredLead>,
    /// Leads created or shifted in, by id.
    extra: HashMap<u64, StoredLead>,
    /// Ids of shifted-in leads, oldest first (served newest first).
    front: Vec<u64>,
    /// Ids of leads created through the API, oldest first.
    back: Vec<u64>,
    /// Ids of leads added at the end by someone else (churn), oldest first.
    tail: Vec<u64>,
    /// Leads made by someone else (shifted in or churned): the only ones
    /// churn deletes.
    foreign: HashSet<u64>,
    /// Leads created but not stored yet (a late store), with when they are.
    hidden_until: HashMap<u64, Instant>,
    next_id: u64,
    /// The last time given out.
    clock: i64,
    /// Where times come from.
    source: crate::Clock,
    /// Draws of the unrelated clock so far.
    draws: u64,
    edit: crate::Edit,
}

impl PageLead {
    /// Appends the lead's JSON to `out`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Self::Seeded(lead) => lead.write_json(out),
            // Writing into a Vec cannot fail.
            Self::Stored(fields) => {
                let _ = serde_json::to_writer(&mut *out, fields);
            }
        }
    }
}

impl Store {
    pub fn new(seed: u64, seeded: u64, calls: u64) -> Self {
        Self {
            seed,
            seeded,
            calls,
            updated_seeded: HashMap::new(),
            extra: HashMap::new(),
            front: Vec::new(),
            back: Vec::new(),
            tail: Vec::new(),
            foreign: HashSet::new(),
            hidden_until: HashMap::new(),
            next_id: seeded + 1,
            clock: seed::seeded_created_at(seeded),
            source: crate::Clock::Logical,
            draws: 0,
            edit: crate::Edit::None,
        }
    }

    /// Takes times from `clock` (see [`crate::Clock`]).
    pub fn with_clock(mut self, clock: crate::Clock) -> Self {
        self.source = clock;
        self
    }

    /// Edits each created lead as `edit` says.
    pub fn with_edit(mut self, edit: crate::Edit) -> Self {
        self.edit = edit;
        self
    }

    /// The time of a creation or an update, as the server sees it (Unix
    /// seconds; for local time, the local wall time read as UTC). Logical
    /// (the default): one seeded step after the last, so that a run is
    /// reproducible. The system clocks: now (shifted), in whole seconds, and
    /// never before the last time given. Unrelated: a seeded draw.
    fn tick(&mut self) -> i64 {
        let now = || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |since| since.as_secs() as i64)
        };
        let shifted = |offset: i64| now().saturating_add(offset);
        self.clock = match self.source {
            crate::Clock::Logical => self.clock + seed::CREATED_AT_STEP,
            crate::Clock::System => shifted(0).max(self.clock),
            crate::Clock::Offset(seconds) => shifted(seconds).max(self.clock),
            crate::Clock::LocalTime(hours) => shifted(i64::from(hours) * 3600).max(self.clock),
            crate::Clock::Unrelated => {
                self.draws += 1;
                // 2015-01-01 .. 2025-01-01, in no order.
                const FROM: i64 = 1_420_070_400;
                const SPAN: u64 = 315_619_200;
                return FROM + (seed::mix(self.seed, self.draws, 0x0da7e) % SPAN) as i64;
            }
        };
        self.clock
    }

    /// A time as the server writes it: RFC 3339 with `Z`, or for local
    /// time the same wall time with no offset.
    fn date_text(&self, unix: i64) -> String {
        let text = seed::rfc3339(unix);
        match self.source {
            crate::Clock::LocalTime(_) => text.trim_end_matches('Z').to_owned(),
            _ => text,
        }
    }

    /// How many leads there are, in every part of the list (leads not yet
    /// stored included: see [`Self::visible_count`]).
    pub fn lead_count(&self) -> u64 {
        self.front.len() as u64 + self.seeded + self.back.len() as u64 + self.tail.len() as u64
    }

    /// How many leads were created through the API (late ones included once
    /// stored).
    pub fn created_count(&self) -> u64 {
        self.back.iter().filter(|id| self.is_visible(**id)).count() as u64
    }

    /// The leads created through the API and stored so far, by id.
    pub fn created_leads(&self) -> Vec<Map<String, Value>> {
        self.back
            .iter()
            .filter(|id| self.is_visible(**id))
            .filter_map(|id| self.extra.get(id).map(|lead| lead.fields.clone()))
            .collect()
    }

    /// Whether lead `id` is stored yet (a late store hides it until then).
    fn is_visible(&self, id: u64) -> bool {
        self.hidden_until
            .get(&id)
            .is_none_or(|until| Instant::now() >= *until)
    }

    /// Whether any lead is still waiting to be stored.
    fn any_hidden(&self) -> bool {
        let now = Instant::now();
        self.hidden_until.values().any(|until| now < *until)
    }

    pub fn lead(&self, id: u64) -> Option<Map<String, Value>> {
        self.page_lead(id).map(|lead| match lead {
            PageLead::Seeded(seeded) => seeded.into_map(),
            PageLead::Stored(fields) => fields,
        })
    }

    fn page_lead(&self, id: u64) -> Option<PageLead> {
        if id == 0 || !self.is_visible(id) {
            return None;
        }
        if id <= self.seeded {
            return Some(match self.updated_seeded.get(&id) {
                Some(stored) => PageLead::Stored(stored.fields.clone()),
                None => PageLead::Seeded(seed::seeded_lead(self.seed, id - 1)),
            });
        }
        self.extra
            .get(&id)
            .map(|stored| PageLead::Stored(stored.fields.clone()))
    }

    pub fn call(&self, id: u64) -> Option<Map<String, Value>> {
        (id >= 1 && id <= self.calls).then(|| seed::call(self.seed, id - 1, self.seeded))
    }

    /// The id of the lead at list position `position` (unfiltered).
    fn id_at(&self, position: u64) -> Option<u64> {
        let front = self.front.len() as u64;
        if position < front {
            return Some(self.front[(front - 1 - position) as usize]);
        }
        let position = position - front;
        if position < self.seeded {
            return Some(position + 1);
        }
        let position = position - self.seeded;
        let back = self.back.len() as u64;
        if position < back {
            return Some(self.back[position as usize]);
        }
        self.tail.get((position - back) as usize).copied()
    }

    /// Does lead `id` pass `filter`?
    fn passes(&self, id: u64, filter: &LeadFilter) -> bool {
        if !self.is_visible(id) {
            return false;
        }
        let stored = if id <= self.seeded {
            self.updated_seeded.get(&id)
        } else {
            self.extra.get(&id)
        };
        match stored {
            Some(lead) => {
                filter.matches(lead.int("orderId"), lead.int("statusId"), lead.created_unix)
            }
            None => {
                let (order, status, created) = seed::filter_fields(self.seed, id - 1);
                filter.matches(Some(order), Some(status), created)
            }
        }
    }

    /// `limit` leads from `offset` of the leads passing `filter`, and how many
    /// pass it in all. Unfiltered pages are computed by position; filtered
    /// ones scan the list, which for a million seeded leads takes a few
    /// milliseconds because seeded leads are checked without being built.
    pub fn list(&self, filter: &LeadFilter, offset: u64, limit: u64) -> Page {
        let ids: Vec<u64>;
        let total;
        if filter.is_empty() && !self.any_hidden() {
            total = self.lead_count();
            ids = (offset..offset.saturating_add(limit).min(total))
                .filter_map(|position| self.id_at(position))
                .collect();
        } else {
            let mut matched = 0u64;
            let mut page = Vec::new();
            for position in 0..self.lead_count() {
                let Some(id) = self.id_at(position) else {
                    continue;
                };
                if self.passes(id, filter) {
                    if matched >= offset && (page.len() as u64) < limit {
                        page.push(id);
                    }
                    matched += 1;
                }
            }
            total = matched;
            ids = page;
        }
        Page {
            leads: ids
                .into_iter()
                .filter_map(|id| self.page_lead(id))
                .collect(),
            total,
        }
    }

    /// Stores a new lead from validated create fields and returns its id;
    /// with `hidden_until`, no read sees it before then (a late store).
    pub fn create(&mut self, body: Map<String, Value>, hidden_until: Option<Instant>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let created = self.tick();
        let created_text = self.date_text(created);
        let mut fields = Map::new();
        fields.insert("id".into(), json!(id));
        for key in [
            "name",
            "phone",
            "sourceComment",
            "externalIdBitrix24",
            "externalIdAmo",
            "externalIdMacro",
            "externalIdDomoplaner",
        ] {
            fields.insert(key.into(), body.get(key).cloned().unwrap_or(Value::Null));
        }
        fields.insert(
            "statusId".into(),
            body.get("statusId").cloned().unwrap_or(json!(1)),
        );
        fields.insert("leadType".into(), body["leadType"].clone());
        fields.insert("createMethod".into(), json!("api"));
        fields.insert("isSecondary".into(), json!(false));
        fields.insert("previousLeadId".into(), Value::Null);
        fields.insert("nextLeadId".into(), Value::Null);
        fields.insert("planningCallDateTime".into(), Value::Null);
        fields.insert(
            "priority".into(),
            body.get("priority").cloned().unwrap_or(json!(0)),
        );
        fields.insert(
            "utcOffset".into(),
            body.get("utcOffset").cloned().unwrap_or(Value::Null),
        );
        fields.insert("createdAt".into(), json!(created_text));
        fields.insert("updatedAt".into(), json!(created_text));
        fields.insert("orderId".into(), body["orderId"].clone());
        fields.insert("orderCode".into(), body["orderCode"].clone());
        for key in [
            "vkId",
            "instagramLogin",
            "telegramUserName",
            "telegramPhone",
        ] {
            fields.insert(key.into(), body.get(key).cloned().unwrap_or(Value::Null));
        }
        // An empty map comes back the way PHP encodes it: `[]`.
        let custom = body
            .get("customValues")
            .cloned()
            .unwrap_or_else(|| json!([]));
        fields.insert("customValues".into(), empty_map_as_list(custom));
        if self.edit == crate::Edit::Normalize {
            normalize(&mut fields);
        }
        if let Some(until) = hidden_until {
            self.hidden_until.insert(id, until);
        }
        self.extra.insert(
            id,
            StoredLead {
                fields,
                created_unix: created,
            },
        );
        self.back.push(id);
        id
    }

    /// Applies validated update fields to lead `id`; `false` if there is none.
    pub fn update(&mut self, id: u64, patch: Map<String, Value>) -> bool {
        let Some(mut lead) = self.stored(id) else {
            return false;
        };
        for (key, value) in patch {
            if key == "customValues" {
                // Custom values are merged by field id: sending one field
                // does not erase the others.
                let mut merged = match lead.fields.remove("customValues") {
                    Some(Value::Object(map)) => map,
                    _ => Map::new(),
                };
                if let Value::Object(new) = value {
                    merged.extend(new);
                }
                lead.fields
                    .insert(key, empty_map_as_list(Value::Object(merged)));
            } else {
                lead.fields.insert(key, value);
            }
        }
        let updated = self.tick();
        let updated = self.date_text(updated);
        lead.fields.insert("updatedAt".into(), json!(updated));
        if id <= self.seeded {
            self.updated_seeded.insert(id, lead);
        } else {
            self.extra.insert(id, lead);
        }
        true
    }

    fn stored(&self, id: u64) -> Option<StoredLead> {
        if id == 0 {
            return None;
        }
        if id <= self.seeded {
            return Some(
                self.updated_seeded
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| StoredLead {
                        fields: seed::lead(self.seed, id - 1),
                        created_unix: seed::seeded_created_at(id - 1),
                    }),
            );
        }
        self.extra.get(&id).cloned()
    }
}

/// A lead as a server normalising its input and a person tidying it up
/// leave it (see [`crate::Edit::Normalize`]).
fn normalize(fields: &mut Map<String, Value>) {
    if let Some(Value::String(phone)) = fields.get("phone") {
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        if digits.len() == 11 {
            let formatted = format!(
                "+{} ({}) {}-{}-{}",
                &digits[..1],
                &digits[1..4],
                &digits[4..7],
                &digits[7..9],
                &digits[9..]
            );
            fields.insert("phone".into(), json!(formatted));
        }
    }
    if let Some(Value::String(name)) = fields.get("name") {
        let tidy = name.trim().to_uppercase();
        fields.insert("name".into(), json!(tidy));
    }
    if let Some(Value::String(code)) = fields.get("orderCode") {
        let trimmed = code.trim().to_owned();
        fields.insert("orderCode".into(), json!(trimmed));
    }
    if fields.get("utcOffset").is_none_or(Value::is_null) {
        fields.insert("utcOffset".into(), json!(3));
    }
}

fn empty_map_as_list(value: Value) -> Value {
    match value {
        Value::Object(map) if map.is_empty() => json!([]),
        other => other,
    }
}

mod churn;

#[cfg(test)]
mod tests;
