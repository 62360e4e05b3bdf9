//! [`Page`]: one page of the lead list, and decoding one. A page decodes in
//! one pass when it can; otherwise lead by lead, so that one odd lead does
//! not fail its page.

use std::fmt;

use liner_api::types::Lead;
use serde::Deserialize;
use serde_json::value::RawValue;

use super::limits::MAX_PAGE_SIZE;
use crate::envelope;
use crate::error::{Error, Result};
use crate::server_text::{snippet, without_values};

/// One page of the lead list.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page {
    /// The leads of this page, in the API's order, without leads already
    /// yielded earlier in the same iteration.
    pub items: Vec<Lead>,
    /// The offset this page was requested at.
    pub offset: u64,
    /// The offset of the next page, as the API said.
    pub next: Option<u64>,
    /// How many leads match the filters, as the API said.
    pub total: Option<u64>,
    /// Leads of this page that could not be decoded (one odd lead does not
    /// fail its page). [`LeadQuery::items`](super::LeadQuery::items) yields each as an error.
    pub undecodable: Vec<UndecodableLead>,
    /// Leads the server sent in this page that an earlier page of the same
    /// iteration had already yielded (the list shifted), and which are
    /// therefore not in `items`.
    pub duplicates_dropped: usize,
}

/// A lead in a page that did not decode.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UndecodableLead {
    /// Its position in the page.
    pub index: usize,
    /// Where decoding failed, e.g. `id`.
    pub path: String,
    /// What was expected there, without the value found (which can be
    /// personal data).
    pub message: String,
    /// The start of its JSON.
    pub snippet: String,
    /// Its `id`, when that much of it reads (an integer above 0): what tells
    /// it apart from a lead already seen.
    pub id: Option<u64>,
}

impl UndecodableLead {
    pub(super) fn into_error(self) -> Error {
        Error::Decode {
            request: None,
            status: reqwest::StatusCode::OK,
            path: match self.path.as_str() {
                "." => format!("data.list[{}]", self.index),
                inner => format!("data.list[{}].{inner}", self.index),
            },
            message: self.message,
            snippet: self.snippet,
        }
    }
}

/// Decodes a list answer, requested with `limit` leads per page. The fast
/// path decodes every lead in one pass; only if that fails (an error
/// envelope, one odd lead, or more leads than a page can hold) is the page
/// decoded again lead by lead, so that one odd lead does not fail the page.
///
/// A page with more leads than `limit` is an [`Error::Pagination`], and at
/// most [`MAX_PAGE_SIZE`](crate::LeadQuery::MAX_PAGE_SIZE) + 1 leads are ever decoded from one answer: a
/// server that sends millions gets its error without the client building
/// millions of leads.
pub(crate) fn decode_page(
    status: reqwest::StatusCode,
    body: &[u8],
    offset: u64,
    limit: u64,
) -> Result<Page> {
    #[derive(Deserialize)]
    struct WholePage {
        #[serde(deserialize_with = "leads_presized")]
        list: Vec<Lead>,
        #[serde(default)]
        next: Option<u64>,
        #[serde(default)]
        total: Option<u64>,
    }
    if let Some(page) = envelope::success_fast::<WholePage>(status, body) {
        if page.list.len() as u64 > limit {
            return Err(Error::Pagination {
                reason: format!(
                    "the page at offset {offset} has {} leads, more than the {limit} asked for",
                    page.list.len()
                ),
            });
        }
        return Ok(Page {
            items: page.list,
            offset,
            next: page.next,
            total: page.total,
            undecodable: Vec::new(),
            duplicates_dropped: 0,
        });
    }
    let raw: RawPage<'_> = envelope::decode(status, body)?;
    if raw.list.len() as u64 > limit {
        // At most one more than a page holds was kept: say "more than".
        return Err(Error::Pagination {
            reason: format!(
                "the page at offset {offset} has more leads than the {limit} asked for"
            ),
        });
    }
    Ok(raw.into_page(offset))
}

/// A page's leads, into a `Vec` with room for a full page from the start:
/// serde_json gives no length, and growing a `Vec` of leads (several hundred
/// bytes each) by doubling copies more leads than the page holds. A page
/// much shorter than that (a small `page_size`, the last page) gives the
/// room back.
fn leads_presized<'de, D>(deserializer: D) -> std::result::Result<Vec<Lead>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Leads;
    impl<'de> serde::de::Visitor<'de> for Leads {
        type Value = Vec<Lead>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of leads")
        }
        fn visit_seq<A>(self, mut seq: A) -> std::result::Result<Vec<Lead>, A::Error>
        where
            A: serde::de::SeqAccess<'de>,
        {
            let mut leads = Vec::with_capacity(MAX_PAGE_SIZE as usize);
            while let Some(lead) = seq.next_element()? {
                if leads.len() == MAX_PAGE_SIZE as usize {
                    // More than any page holds: the careful path says how
                    // many, without decoding them.
                    return Err(serde::de::Error::custom("more leads than a page holds"));
                }
                leads.push(lead);
            }
            if leads.len() < leads.capacity() / 2 {
                leads.shrink_to_fit();
            }
            Ok(leads)
        }
    }
    deserializer.deserialize_seq(Leads)
}

/// `data` of a list answer, with each lead kept as raw JSON until it is
/// decoded on its own, so that one odd lead cannot fail the page.
#[derive(Deserialize)]
pub(super) struct RawPage<'a> {
    #[serde(borrow, deserialize_with = "raw_leads")]
    list: Vec<&'a RawValue>,
    #[serde(default)]
    next: Option<u64>,
    #[serde(default)]
    total: Option<u64>,
}

/// A page's leads as raw JSON, at most [`MAX_PAGE_SIZE`](crate::LeadQuery::MAX_PAGE_SIZE) + 1 of them: one
/// more than any page holds is enough to say the page is too long, and a
/// server that sends millions does not get millions of entries made.
fn raw_leads<'de, D>(deserializer: D) -> std::result::Result<Vec<&'de RawValue>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Raw;
    impl<'de> serde::de::Visitor<'de> for Raw {
        type Value = Vec<&'de RawValue>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of leads")
        }
        fn visit_seq<A>(self, mut seq: A) -> std::result::Result<Self::Value, A::Error>
        where
            A: serde::de::SeqAccess<'de>,
        {
            let mut leads = Vec::new();
            while let Some(lead) = seq.next_element::<&'de RawValue>()? {
                leads.push(lead);
                if leads.len() > MAX_PAGE_SIZE as usize {
                    // The rest is skipped without being kept; `decode_page`
                    // reports the page as longer than asked.
                    while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                    break;
                }
            }
            Ok(leads)
        }
    }
    deserializer.deserialize_seq(Raw)
}

/// The `id` of a lead's JSON, if it has one above 0, whatever else is in it.
fn id_of(raw: &str) -> Option<u64> {
    #[derive(Deserialize)]
    struct IdOnly {
        id: std::num::NonZeroU64,
    }
    serde_json::from_str::<IdOnly>(raw)
        .ok()
        .map(|lead| lead.id.get())
}

impl RawPage<'_> {
    pub(super) fn into_page(self, offset: u64) -> Page {
        let mut items = Vec::with_capacity(self.list.len());
        let mut undecodable = Vec::new();
        for (index, raw) in self.list.into_iter().enumerate() {
            // Plain serde first; path tracking only for a lead that fails.
            match serde_json::from_str::<Lead>(raw.get()) {
                Ok(lead) => items.push(lead),
                Err(err) => {
                    let failure = envelope::locate::<Lead>(raw.get().as_bytes(), err);
                    undecodable.push(UndecodableLead {
                        index,
                        path: failure.path,
                        message: without_values(&failure.message),
                        snippet: snippet(raw.get().as_bytes()),
                        id: id_of(raw.get()),
                    });
                }
            }
        }
        Page {
            items,
            offset,
            next: self.next,
            total: self.total,
            undecodable,
            duplicates_dropped: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;

    /// A failure inside `data`, which a PHP backend that sorts keys sends
    /// before `success`, names its path: `data.next`, not the document.
    #[test]
    fn a_bad_member_of_a_page_names_its_path() {
        let body = br#"{"data":{"list":[],"next":-5207208449438388},"success":true}"#;
        match decode_page(StatusCode::OK, body, 0, 100) {
            Err(Error::Decode { path, .. }) => assert_eq!(path, "data.next"),
            other => panic!("{other:?}"),
        }
    }
}
