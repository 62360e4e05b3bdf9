//! The fake's state: seeded leads (built on demand), leads created or shifted
//! in through the API, updates, and seeded calls.

use std::collections::HashMap;

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
/// seeded leads by id, then leads created through the API by id. Shifted
/// leads exist only in shifting mode, to make offset paging see the list
/// move under it as a real, busy CRM would.
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
    next_id: u64,
    /// The last time given out.
    clock: i64,
    system_clock: bool,
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
            next_id: seeded + 1,
            clock: seed::seeded_created_at(seeded),
            system_clock: false,
        }
    }

    /// Takes times from `clock` (see [`crate::Clock`]).
    pub fn with_clock(mut self, clock: crate::Clock) -> Self {
        self.system_clock = clock == crate::Clock::System;
        self
    }

    /// The time of a creation or an update. Logical (the default): one
    /// seeded step after the last, so that a run is reproducible. System:
    /// now, in whole seconds, and never before the last time given.
    fn tick(&mut self) -> i64 {
        self.clock = if self.system_clock {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |since| since.as_secs() as i64);
            now.max(self.clock)
        } else {
            self.clock + seed::CREATED_AT_STEP
        };
        self.clock
    }

    /// How many leads there are, in every part of the list.
    pub fn lead_count(&self) -> u64 {
        self.front.len() as u64 + self.seeded + self.back.len() as u64
    }

    /// How many leads were created through the API.
    pub fn created_count(&self) -> u64 {
        self.back.len() as u64
    }

    pub fn lead(&self, id: u64) -> Option<Map<String, Value>> {
        self.page_lead(id).map(|lead| match lead {
            PageLead::Seeded(seeded) => seeded.into_map(),
            PageLead::Stored(fields) => fields,
        })
    }

    fn page_lead(&self, id: u64) -> Option<PageLead> {
        if id == 0 {
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
        self.back.get((position - self.seeded) as usize).copied()
    }

    /// Does lead `id` pass `filter`?
    fn passes(&self, id: u64, filter: &LeadFilter) -> bool {
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
        if filter.is_empty() {
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

    /// Stores a new lead from validated create fields and returns its id.
    pub fn create(&mut self, body: Map<String, Value>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let created = self.tick();
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
        fields.insert("createdAt".into(), json!(seed::rfc3339(created)));
        fields.insert("updatedAt".into(), json!(seed::rfc3339(created)));
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
        lead.fields
            .insert("updatedAt".into(), json!(seed::rfc3339(updated)));
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

    /// Inserts `count` new leads at the head of the list (shifting mode).
    pub fn shift_in(&mut self, count: u32) {
        for _ in 0..count {
            let id = self.next_id;
            self.next_id += 1;
            let created = self.tick();
            // Built like a seeded lead, from a salted index, then given the
            // new id and time.
            let mut fields = seed::lead(self.seed ^ 0x5348_4946_5421, id);
            fields.insert("id".into(), json!(id));
            fields.insert("createdAt".into(), json!(seed::rfc3339(created)));
            fields.insert("updatedAt".into(), json!(seed::rfc3339(created)));
            self.extra.insert(
                id,
                StoredLead {
                    fields,
                    created_unix: created,
                },
            );
            self.front.push(id);
        }
    }
}

fn empty_map_as_list(value: Value) -> Value {
    match value {
        Value::Object(map) if map.is_empty() => json!([]),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(page: &Page) -> Vec<Value> {
        page.leads
            .iter()
            .map(|lead| serde_json::to_value(lead).unwrap())
            .collect()
    }

    fn ids(page: &Page) -> Vec<u64> {
        json(page)
            .iter()
            .map(|lead| lead["id"].as_u64().unwrap())
            .collect()
    }

    #[test]
    fn unfiltered_pages_are_positional() {
        let store = Store::new(1, 250, 0);
        let page = store.list(&LeadFilter::default(), 200, 100);
        assert_eq!(page.total, 250);
        assert_eq!(ids(&page), (201..=250).collect::<Vec<_>>());
        assert!(
            store
                .list(&LeadFilter::default(), 250, 100)
                .leads
                .is_empty()
        );
    }

    #[test]
    fn filters_count_and_page_consistently() {
        let store = Store::new(1, 1000, 0);
        let filter = LeadFilter {
            order_ids: vec![100, 202],
            ..Default::default()
        };
        let all = store.list(&filter, 0, 1000);
        assert!(all.total > 0 && all.total < 1000);
        assert_eq!(all.leads.len() as u64, all.total);
        assert!(
            json(&all)
                .iter()
                .all(|l| [100, 202].contains(&l["orderId"].as_i64().unwrap()))
        );
        let second = store.list(&filter, 10, 10);
        assert_eq!(ids(&second), ids(&all)[10..20]);
    }

    #[test]
    fn created_and_shifted_leads_take_their_places() {
        let mut store = Store::new(1, 3, 0);
        let mut body = Map::new();
        for (k, v) in [
            ("leadType", json!("straight")),
            ("orderId", json!(5)),
            ("orderCode", json!("c")),
        ] {
            body.insert(k.into(), v);
        }
        assert_eq!(store.create(body), 4);
        store.shift_in(2);
        let page = store.list(&LeadFilter::default(), 0, 10);
        assert_eq!(ids(&page), vec![6, 5, 1, 2, 3, 4]);
        assert_eq!(store.lead(4).unwrap()["customValues"], json!([]));
    }

    #[test]
    fn the_system_clock_dates_a_creation_now() {
        let body = || {
            let mut body = Map::new();
            for (k, v) in [
                ("leadType", json!("straight")),
                ("orderId", json!(5)),
                ("orderCode", json!("c")),
            ] {
                body.insert(k.into(), v);
            }
            body
        };
        let now = || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs() as i64
        };
        let mut logical = Store::new(1, 3, 0);
        let id = logical.create(body());
        assert!(
            logical.extra[&id].created_unix < now() - 86_400,
            "a seeded date"
        );
        let mut system = Store::new(1, 3, 0).with_clock(crate::Clock::System);
        let before = now();
        let id = system.create(body());
        let created = system.extra[&id].created_unix;
        assert!(
            created >= before && created <= now(),
            "{created} vs {before}"
        );
        let filter = LeadFilter {
            created_from: Some(before),
            ..Default::default()
        };
        assert_eq!(ids(&system.list(&filter, 0, 10)), vec![id]);
    }

    #[test]
    fn updates_change_only_what_is_sent() {
        let mut store = Store::new(1, 3, 0);
        let before = store.lead(2).unwrap();
        let mut patch = Map::new();
        patch.insert("statusId".into(), json!(99));
        assert!(store.update(2, patch));
        let after = store.lead(2).unwrap();
        assert_eq!(after["statusId"], json!(99));
        assert_eq!(after["name"], before["name"]);
        assert!(!store.update(42, Map::new()));
        let only_99 = LeadFilter {
            status_ids: vec![99],
            ..Default::default()
        };
        assert_eq!(ids(&store.list(&only_99, 0, 10)), vec![2]);
    }
}
