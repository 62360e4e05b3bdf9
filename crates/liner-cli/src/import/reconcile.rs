//! Reconciling rows whose create may or may not have happened: look for
//! their leads on the server, and send a row again only when a look-up that
//! would have found its lead found none.
//!
//! What it does not rely on, because a real server need not give it:
//! - **the server's clock.** An order is listed whole, with no `createdAt`
//!   filter: a server whose dates are behind, ahead, local time with no
//!   offset, or unrelated to the time of the create hides nothing from it;
//! - **leads staying as created.** A lead is recognised by its identity
//!   ([`Identity`]: the order, the order code trimmed, the phone's digits),
//!   which a person renaming it or a server reformatting it leaves alone;
//!   the other fields only choose between leads of one identity;
//! - **the list standing still while it is read.** Every read is strict (a
//!   changed total is an error); the leads of several reads, each with its
//!   page boundaries elsewhere, are put together, and a listing is
//!   *complete* only once it holds every lead the journal says this import
//!   created in the order, each deleted one aside (asked for by id). A lead
//!   sliding across a page boundary as others are deleted ahead of it is
//!   then caught in a bulk import, where most leads of the order are known
//!   ones; and a row is absent only if a complete listing of at least two
//!   reads lacks it.
//!
//! Identity groups are decided together: `k` unknown rows of one identity
//! and `m` leads of it that no row of the journal owns and that did not
//! exist before the import (the baseline, see `mod.rs`) are all `Absent`
//! when `m` is 0, `Created` when `m == k` (each lead given to the row whose
//! other fields it matches best), and otherwise `Ambiguous`: more leads
//! than rows (someone else made one) or fewer (which row's was lost cannot
//! be told), for a person.

use std::collections::{BTreeMap, BTreeSet};

use liner::{Lead, Liner, NewLead};
use serde_json::{Map, Value};

/// The page sizes of successive reads of one order: each read's page
/// boundaries fall on other leads, so a lead that slid across a boundary
/// unseen in one read (others deleted ahead of it) is seen in another.
const PAGE_SIZES: [u64; 4] = [100, 97, 89, 83];

/// A set of lead ids, compressed: an import holds the ids of every lead it
/// created, and a server's new leads come in runs of ids, a few bits each.
pub type LeadIds = roaring::RoaringTreemap;

/// What a lead is recognised by, whatever was edited about it since.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Identity {
    pub order_id: u64,
    /// Trimmed: servers trim.
    order_code: String,
    /// Digits only, an 11-digit `8…` read as `7…` (the Russian domestic
    /// prefix, which servers rewrite to the country code).
    phone: String,
}

impl Identity {
    pub fn of_row(lead: &NewLead) -> Self {
        Self {
            order_id: lead.order_id.get(),
            order_code: lead.order_code.trim().to_owned(),
            phone: digits(&lead.phone),
        }
    }

    /// `None` for a lead missing one of the three.
    pub fn of_lead(lead: &Lead) -> Option<Self> {
        Some(Self {
            order_id: lead.order_id?.get(),
            order_code: lead.order_code.as_deref()?.trim().to_owned(),
            phone: digits(lead.phone.as_deref()?),
        })
    }
}

fn digits(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix('8') {
        Some(rest) if digits.len() == 11 => format!("7{rest}"),
        _ => digits,
    }
}

/// What the server says about a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Its lead is there: the create happened.
    Created(u64),
    /// Two complete listings lack it: the create did not happen.
    Absent,
    /// Cannot be told; the reason, for a person.
    Unproven(String),
}

/// A row to look up: its index and its create body.
pub struct Wanted {
    pub index: usize,
    pub lead: NewLead,
}

/// Why an order could not be listed completely.
#[derive(Debug)]
pub enum Unlisted {
    /// The server could not be asked, or refused.
    Client(liner::Error),
    /// The reads did not add up to a complete listing; why.
    Incomplete(String),
}

impl std::fmt::Display for Unlisted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Client(err) => write!(f, "the server could not be asked: {err}"),
            Self::Incomplete(why) => f.write_str(why),
        }
    }
}

/// An order's listing, as [`list_order`] keeps it.
#[derive(Debug)]
pub struct Listing {
    /// The leads kept (those its caller asked for), each once.
    pub leads: Vec<Lead>,
    /// How this import's creates are marked, from its leads in the order
    /// (the one method of its leads there, if they agree).
    pub create_method: Option<String>,
}

/// Whether every create method seen is one and the same.
#[derive(Debug, Default)]
struct Agreement {
    first: Option<Option<String>>,
    split: bool,
}

impl Agreement {
    fn see(&mut self, method: Option<&str>) {
        match &self.first {
            None => self.first = Some(method.map(str::to_owned)),
            Some(first) if first.as_deref() != method => self.split = true,
            Some(_) => {}
        }
    }

    /// The method every one had; `None` if none was seen, one had none, or
    /// they disagree.
    fn agreed(self) -> Option<String> {
        if self.split {
            None
        } else {
            self.first.flatten()
        }
    }
}

/// Every lead of order `order_id`, read completely: at least `reads`
/// reads (with page sizes from the `first`-th of [`PAGE_SIZES`] on) put
/// together, holding each lead of `known` (ids the journal gives to rows
/// of this order) that still exists; two more reads at most are tried.
/// The leads stream: only those `keep` accepts are held (with the ids of
/// all seen, compressed), so that an order of millions of leads is looked
/// through in little memory.
pub async fn list_order(
    client: &Liner,
    order_id: u64,
    known: &LeadIds,
    first: usize,
    reads: usize,
    keep: &mut dyn FnMut(&Lead) -> bool,
) -> Result<Listing, Unlisted> {
    let mut deleted = BTreeSet::new();
    let mut problem = String::new();
    let mut union: BTreeMap<u64, Lead> = BTreeMap::new();
    let mut seen = LeadIds::new();
    let mut method = Agreement::default();
    for read in 0..reads + 2 {
        let size = PAGE_SIZES[(first + read) % PAGE_SIZES.len()];
        let mut items = client
            .leads()
            .order_ids([order_id])
            .page_size(size)
            .strict()
            .items();
        // A read cut short by a moving list still saw real leads: they are
        // kept (more leads seen can only make fewer rows look absent).
        let mut changed = None;
        while let Some(item) = items.next().await {
            match item {
                Ok(lead) => {
                    let id = lead.id.get();
                    seen.insert(id);
                    if known.contains(id) {
                        method.see(lead.create_method.as_deref());
                    }
                    if keep(&lead) {
                        union.insert(id, lead);
                    }
                }
                Err(err @ liner::Error::Pagination { .. }) => {
                    changed = Some(err);
                    break;
                }
                Err(err) => return Err(Unlisted::Client(err)),
            }
        }
        if let Some(err) = changed {
            problem = format!("the list of order {order_id} changed while it was read ({err})");
            continue;
        }
        if read + 1 < reads {
            continue;
        }
        let unseen: Vec<u64> = known
            .iter()
            .filter(|id| !seen.contains(*id) && !deleted.contains(id))
            .collect();
        let mut missing = None;
        for id in unseen {
            match client.lead(id).await {
                Err(err) if err.is_not_found() => {
                    deleted.insert(id);
                }
                Ok(_) => {
                    missing = Some(id);
                    break;
                }
                Err(err) => return Err(Unlisted::Client(err)),
            }
        }
        match missing {
            None => {
                return Ok(Listing {
                    leads: union.into_values().collect(),
                    create_method: method.agreed(),
                });
            }
            Some(id) => {
                problem = format!(
                    "the list of order {order_id} left out lead {id}, which this import created \
                     and which exists (the list moved while it was read, or lags behind)"
                );
            }
        }
    }
    Err(Unlisted::Incomplete(format!(
        "{problem}, in {} reads",
        reads + 2
    )))
}

/// What the journal knows about an order's leads, for [`look_up`].
pub struct Known<'a> {
    /// The leads it gives to rows of this order (each must be listed, unless
    /// deleted, for a listing to be complete).
    pub created: &'a LeadIds,
    /// The leads it gives to any row, or knew before the import: never a
    /// row's.
    pub owned: &'a LeadIds,
    /// How this import's creates are marked, if learned elsewhere (used
    /// when none of its leads is in the order).
    pub create_method: Option<String>,
}

/// The verdicts on `rows`, unknown rows of order `order`: from a complete
/// listing, and for the rows it lacks, from a second complete listing of
/// two more reads with their page boundaries elsewhere (a lead that slid
/// across a boundary unseen the first time is seen then). A listing that
/// fails leaves its rows `Unproven`, and is returned too (a refused key
/// or an unreachable server stops the import).
pub async fn look_up(
    client: &Liner,
    order: u64,
    rows: &[Wanted],
    known: &Known<'_>,
) -> (BTreeMap<usize, Verdict>, Option<Unlisted>) {
    let unproven = |rows: &[&Wanted], why: String| -> BTreeMap<usize, Verdict> {
        rows.iter()
            .map(|row| (row.index, Verdict::Unproven(why.clone())))
            .collect()
    };
    let all: Vec<&Wanted> = rows.iter().collect();
    // Only leads that could be a row's are held: those of a row's identity.
    let identities: BTreeSet<Identity> =
        rows.iter().map(|row| Identity::of_row(&row.lead)).collect();
    let mut keep = |lead: &Lead| Identity::of_lead(lead).is_some_and(|id| identities.contains(&id));
    let listing = match list_order(client, order, known.created, 0, 1, &mut keep).await {
        Ok(listing) => listing,
        Err(why) => {
            let verdicts = unproven(&all, format!("it could not be looked up: {why}"));
            return (verdicts, Some(why));
        }
    };
    let method = listing
        .create_method
        .or_else(|| known.create_method.clone());
    let mut verdicts = judge(&all, &listing.leads, known.owned, method.as_deref());
    let absent: Vec<&Wanted> = rows
        .iter()
        .filter(|row| verdicts.get(&row.index) == Some(&Verdict::Absent))
        .collect();
    if absent.is_empty() {
        return (verdicts, None);
    }
    let mut owned = known.owned.clone();
    owned.extend(verdicts.values().filter_map(|verdict| match verdict {
        Verdict::Created(id) => Some(*id),
        _ => None,
    }));
    match list_order(client, order, known.created, 1, 2, &mut keep).await {
        Ok(listing) => {
            let method = listing
                .create_method
                .or_else(|| known.create_method.clone());
            verdicts.extend(judge(&absent, &listing.leads, &owned, method.as_deref()));
            (verdicts, None)
        }
        Err(why) => {
            verdicts.extend(unproven(
                &absent,
                format!("it could not be looked up a second time: {why}"),
            ));
            (verdicts, Some(why))
        }
    }
}

/// The verdict on each of `rows` (all of one order), from a complete
/// listing `leads`; `owned` are the leads the journal gives to a row or
/// knew before the import (never another row's). With `method` (see
/// [`Listing::create_method`]), a lead marked as made another way (`manual`,
/// a form) is someone else's, whatever its fields.
pub fn judge(
    rows: &[&Wanted],
    leads: &[Lead],
    owned: &LeadIds,
    method: Option<&str>,
) -> BTreeMap<usize, Verdict> {
    let mut candidates: BTreeMap<Identity, Vec<&Lead>> = BTreeMap::new();
    for lead in leads {
        let made_otherwise = matches!(
            (method, lead.create_method.as_deref()),
            (Some(ours), Some(theirs)) if ours != theirs
        );
        if !owned.contains(lead.id.get())
            && !made_otherwise
            && let Some(identity) = Identity::of_lead(lead)
        {
            candidates.entry(identity).or_default().push(lead);
        }
    }
    let mut groups: BTreeMap<Identity, Vec<&Wanted>> = BTreeMap::new();
    for row in rows {
        groups
            .entry(Identity::of_row(&row.lead))
            .or_default()
            .push(row);
    }
    let mut verdicts = BTreeMap::new();
    for (identity, group) in groups {
        let found = candidates.get(&identity).map_or(&[][..], Vec::as_slice);
        if found.is_empty() {
            verdicts.extend(group.iter().map(|row| (row.index, Verdict::Absent)));
        } else if found.len() == group.len() {
            verdicts.extend(assign(&group, found));
        } else {
            let ids: Vec<String> = found.iter().map(|lead| lead.id.to_string()).collect();
            let reason = format!(
                "{} lead(s) with its order, order code and phone ({}) for {} row(s) of unknown \
                 outcome: which are this import's cannot be told",
                found.len(),
                ids.join(", "),
                group.len()
            );
            verdicts.extend(
                group
                    .iter()
                    .map(|row| (row.index, Verdict::Unproven(reason.clone()))),
            );
        }
    }
    verdicts
}

/// Gives each row of one identity one of as many leads, the best match of
/// its other fields first.
fn assign(group: &[&Wanted], found: &[&Lead]) -> Vec<(usize, Verdict)> {
    let mut pairs: Vec<(usize, usize, usize)> = Vec::new();
    for (r, row) in group.iter().enumerate() {
        let wanted = object(&row.lead);
        for (l, lead) in found.iter().enumerate() {
            pairs.push((agreement(&wanted, &object(*lead)), r, l));
        }
    }
    // Best agreement first; ties by position, for a stable answer.
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let (mut rows_done, mut leads_done) = (BTreeSet::new(), BTreeSet::new());
    let mut verdicts = Vec::new();
    for (_, r, l) in pairs {
        if rows_done.contains(&r) || leads_done.contains(&l) {
            continue;
        }
        rows_done.insert(r);
        leads_done.insert(l);
        verdicts.push((group[r].index, Verdict::Created(found[l].id.get())));
    }
    verdicts
}

fn object<T: serde::Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(object)) => object,
        _ => Map::new(),
    }
}

/// How many of the fields the row sets the lead has equal (numbers and
/// their decimal text alike).
fn agreement(row: &Map<String, Value>, lead: &Map<String, Value>) -> usize {
    row.iter()
        .filter(|(name, wanted)| {
            lead.get(*name).is_some_and(|found| match (*wanted, found) {
                (Value::Number(number), Value::String(text))
                | (Value::String(text), Value::Number(number)) => number.to_string() == text.trim(),
                (wanted, found) => wanted == found,
            })
        })
        .count()
}

#[cfg(test)]
mod tests;
