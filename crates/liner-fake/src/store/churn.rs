//! The list moving under a pager: leads shifted in at the front, churned
//! (moved or deleted) ahead of a position, or added by someone else.

use serde_json::{Map, Value, json};

use super::{LeadFilter, Store, StoredLead};
use crate::seed;

impl Store {
    /// Inserts `count` new leads at the head of the list (shifting mode).
    pub fn shift_in(&mut self, count: u32) {
        for _ in 0..count {
            let id = self.foreign_lead(None);
            self.front.push(id);
        }
    }

    /// A lead made by someone else, stored but not yet placed in the list:
    /// built like a seeded lead from a salted index, then given a new id,
    /// the time, and `order_id` if given.
    fn foreign_lead(&mut self, order_id: Option<i64>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let created = self.tick();
        let text = self.date_text(created);
        let mut fields = seed::lead(self.seed ^ 0x5348_4946_5421, id);
        fields.insert("id".into(), json!(id));
        fields.insert("createdAt".into(), json!(text));
        fields.insert("updatedAt".into(), json!(text));
        fields.insert("createMethod".into(), json!("manual"));
        if let Some(order_id) = order_id {
            fields.insert("orderId".into(), json!(order_id));
        }
        self.extra.insert(
            id,
            StoredLead {
                fields,
                created_unix: created,
            },
        );
        self.foreign.insert(id);
        id
    }

    /// Churn before a list request (see [`crate::Config::churn_per_page`]):
    /// at offset 0, `count` leads of someone else's are added at the head
    /// of the list `filter` selects; further on, `count` of them are deleted
    /// from its head and as many added at its end.
    pub fn churn(&mut self, filter: &LeadFilter, offset: u64, count: u32) {
        let order_id = filter.order_ids.first().copied();
        if offset == 0 {
            for _ in 0..count {
                let id = self.foreign_lead(order_id);
                self.front.push(id);
            }
            return;
        }
        let doomed: Vec<u64> = self
            .front
            .iter()
            .rev()
            .chain(self.tail.iter())
            .copied()
            .filter(|id| self.passes(*id, filter))
            .take(count as usize)
            .collect();
        for id in doomed {
            self.delete(id);
        }
        for _ in 0..count {
            let id = self.foreign_lead(order_id);
            self.tail.push(id);
        }
    }

    /// Adds a lead made by someone else at the end of the list: a seeded
    /// lead's fields in order `order_id`, then `fields` over them.
    pub fn add_foreign(&mut self, order_id: i64, fields: Map<String, Value>) -> u64 {
        let id = self.foreign_lead(Some(order_id));
        if let Some(lead) = self.extra.get_mut(&id) {
            lead.fields.extend(fields);
            lead.fields.insert("id".into(), json!(id));
        }
        self.tail.push(id);
        id
    }

    /// Deletes lead `id` (made by someone else: only churn deletes).
    fn delete(&mut self, id: u64) {
        self.extra.remove(&id);
        self.foreign.remove(&id);
        self.front.retain(|other| *other != id);
        self.tail.retain(|other| *other != id);
    }
}
