//! [`Config`]: how a fake behaves, and its clock and edits.

use std::fmt;
use std::net::SocketAddr;

#[cfg(feature = "tls")]
use crate::Tls;
use crate::{Faults, Observer, RateLimit};

/// How the fake behaves. Build one with [`Config::default`] and the
/// `with_*` methods.
#[derive(Clone)]
pub struct Config {
    /// The key clients must send as `X-Api-Key`.
    pub api_key: String,
    /// How many seeded leads (ids `1..=leads`). Built on demand: a million
    /// cost nothing until served.
    pub leads: u64,
    /// How many seeded calls (ids `1..=calls`), each linked to a seeded lead.
    pub calls: u64,
    /// Seed of the generated data.
    pub seed: u64,
    /// Latency and faults.
    pub faults: Faults,
    /// Shifting mode: leads inserted at the head of the list before each
    /// list request with `offset > 0`, as if other users were adding leads
    /// while a client pages. 0 turns it off.
    pub shift_per_page: u32,
    /// Where to listen; port 0 picks a free one.
    pub bind: SocketAddr,
    /// Called for every exchange.
    pub observer: Option<Observer>,
    /// How long a client may take to send a request's head; a connection
    /// that has not sent one by then is closed.
    pub header_read_timeout: std::time::Duration,
    /// The largest request body accepted; a larger one is answered `413`
    /// with the failure envelope.
    pub max_body_bytes: usize,
    /// Where creation and update times come from.
    pub clock: Clock,
    /// A create whose answer is lost (an injected cut or malformed answer)
    /// is stored this long after it arrived, as a server that queues work:
    /// until then no read sees it. Zero (the default) stores it at once.
    pub late_store: std::time::Duration,
    /// A rate limit: past it, a request is answered `429` with
    /// `Retry-After` and not handled. `None` (the default): no limit.
    pub rate_limit: Option<RateLimit>,
    /// How each created lead is edited right after it is stored.
    pub edit_created: Edit,
    /// Churn: before each list request with `offset > 0`, this many leads
    /// made by someone else are deleted from the head of the filtered list
    /// and as many added at its end, so that the total stays the same while
    /// every lead after them moves up (a client paging by offset skips
    /// some). A list request at offset 0 first adds as many at the head, so
    /// that there is something to delete. 0 (the default) turns it off.
    pub churn_per_page: u32,
    /// Serve HTTPS (feature `tls`): see [`Config::with_tls`].
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    pub tls: Option<Tls>,
}

/// Where the fake's creation and update times come from.
///
/// Besides the two clocks a client can agree with, three that a real
/// server may have and a client must not depend on: one that is off by an
/// offset, one that writes local time with no offset, and dates unrelated
/// to the time of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Clock {
    /// One seeded step after the last time given, whatever the date:
    /// every run gives the same times (the default, for tests).
    #[default]
    Logical,
    /// The system clock, in whole seconds, as a real server: a lead created
    /// now is listed by `createdAt[0]=<now>`. Never earlier than the seeded
    /// leads.
    System,
    /// The system clock plus this many seconds (negative: behind), as a
    /// server whose clock is wrong. Filters use the same shifted time.
    Offset(i64),
    /// The system clock as local time `hours` east of UTC, written with no
    /// offset (`2026-12-04T11:41:00`), as a server storing local time: a
    /// client reading it as UTC is `hours` off. Filters compare the same
    /// local times.
    LocalTime(i8),
    /// Dates unrelated to the time of the request: each a seeded draw
    /// between 2015 and 2025, in no order.
    Unrelated,
}

impl std::str::FromStr for Clock {
    type Err = String;

    /// `logical`, `system`, `offset:SECONDS` (`offset:-900`), `local:HOURS`
    /// (`local:+3`) or `unrelated`.
    fn from_str(text: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "unknown clock {text:?}: expected logical, system, offset:SECONDS (e.g. \
                 offset:-900), local:HOURS (e.g. local:+3, from -14 to 14) or unrelated"
            )
        };
        Ok(match text.split_once(':') {
            None if text == "logical" => Self::Logical,
            None if text == "system" => Self::System,
            None if text == "unrelated" => Self::Unrelated,
            Some(("offset", seconds)) => Self::Offset(seconds.parse().map_err(|_| bad())?),
            Some(("local", hours)) => match hours.parse::<i8>() {
                Ok(hours) if (-14..=14).contains(&hours) => Self::LocalTime(hours),
                _ => return Err(bad()),
            },
            _ => return Err(bad()),
        })
    }
}

/// How a lead is changed by someone else right after its create is stored
/// (see [`Config::edit_created`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Edit {
    /// Left as created (the default).
    #[default]
    None,
    /// As a server normalising and a person tidying up would: the phone
    /// written `+7 (900) 123-45-67`, the name in capitals with its spaces
    /// trimmed, `utcOffset` set to 3 when it was not sent, and the order
    /// code trimmed.
    Normalize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            api_key: "test-key".to_owned(),
            leads: 1000,
            calls: 1000,
            seed: 1,
            faults: Faults::default(),
            shift_per_page: 0,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            observer: None,
            header_read_timeout: std::time::Duration::from_secs(10),
            max_body_bytes: 1024 * 1024,
            clock: Clock::Logical,
            late_store: std::time::Duration::ZERO,
            rate_limit: None,
            edit_created: Edit::None,
            churn_per_page: 0,
            #[cfg(feature = "tls")]
            tls: None,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut f = f.debug_struct("Config");
        f.field("api_key", &"[redacted]")
            .field("leads", &self.leads)
            .field("calls", &self.calls)
            .field("seed", &self.seed)
            .field("faults", &self.faults)
            .field("shift_per_page", &self.shift_per_page)
            .field("bind", &self.bind)
            .field("observer", &self.observer.as_ref().map(|_| "..."))
            .field("header_read_timeout", &self.header_read_timeout)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("clock", &self.clock)
            .field("late_store", &self.late_store)
            .field("rate_limit", &self.rate_limit)
            .field("edit_created", &self.edit_created)
            .field("churn_per_page", &self.churn_per_page);
        #[cfg(feature = "tls")]
        f.field("tls", &self.tls);
        f.finish()
    }
}

impl Config {
    /// Sets the API key clients must send.
    pub fn with_api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = key.into();
        self
    }

    /// Sets the number of seeded leads.
    pub fn with_leads(mut self, leads: u64) -> Self {
        self.leads = leads;
        self
    }

    /// Sets the number of seeded calls.
    pub fn with_calls(mut self, calls: u64) -> Self {
        self.calls = calls;
        self
    }

    /// Sets the seed of the generated data.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets latency and fault injection.
    pub fn with_faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Turns on shifting mode (see [`Config::shift_per_page`]).
    pub fn with_shift_per_page(mut self, leads: u32) -> Self {
        self.shift_per_page = leads;
        self
    }

    /// Sets the listening address.
    pub fn with_bind(mut self, bind: SocketAddr) -> Self {
        self.bind = bind;
        self
    }

    /// Sets the observer of every exchange.
    pub fn with_observer(mut self, observer: Observer) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Sets how long a client may take to send a request's head.
    pub fn with_header_read_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Sets the largest request body accepted.
    pub fn with_max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Sets where creation and update times come from.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Stores a create whose answer is lost this long after it arrived.
    pub fn with_late_store(mut self, delay: std::time::Duration) -> Self {
        self.late_store = delay;
        self
    }

    /// Limits the requests served to `limit` (a token bucket): past it, a
    /// request is answered `429` with `Retry-After` (whole seconds, rounded
    /// up) and not handled, and counted in [`Stats::rate_limited`](crate::Stats::rate_limited).
    pub fn with_rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// Sets how each created lead is edited right after it is stored.
    pub fn with_edit_created(mut self, edit: Edit) -> Self {
        self.edit_created = edit;
        self
    }

    /// Turns on churn (see [`Config::churn_per_page`]).
    pub fn with_churn_per_page(mut self, leads: u32) -> Self {
        self.churn_per_page = leads;
        self
    }

    /// Serves HTTPS (feature `tls`): a certificate authority is made at
    /// start ([`FakeServer::ca_pem`](crate::FakeServer::ca_pem), for the client to trust), and a
    /// certificate it signs for `tls`'s names; [`FakeServer::base_url`](crate::FakeServer::base_url) is
    /// then `https://127.0.0.1:<port>`.
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    pub fn with_tls(mut self, tls: Tls) -> Self {
        self.tls = Some(tls);
        self
    }
}
