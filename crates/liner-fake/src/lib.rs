#![doc = include_str!("../README.md")]

mod api;
mod delay;
mod faults;
mod input;
mod seed;
mod store;
#[cfg(feature = "tls")]
#[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
mod tls;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::{Fault, Faults, Latency};
pub use input::{DEFAULT_LIMIT, MAX_LIMIT};
#[cfg(feature = "tls")]
#[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
pub use tls::Tls;

/// One answered request, shown to the [`Config::observer`] before it is sent.
#[derive(Debug)]
#[non_exhaustive]
pub struct Exchange<'a> {
    /// The spec's `operationId`, or `None` for a path or method the API does
    /// not have.
    pub operation_id: Option<&'static str>,
    pub method: &'a str,
    pub path: &'a str,
    pub status: u16,
    /// The `Content-Type` of the body: `application/json`, or `text/html`
    /// for a proxy's error page.
    pub content_type: &'static str,
    /// The body as sent (for a dropped connection, as it would have been).
    pub body: &'a [u8],
    /// The fault injected into this exchange, if any.
    pub fault: Option<Fault>,
}

/// Sees every exchange; tests use it to check responses against the spec.
pub type Observer = Arc<dyn Fn(&Exchange<'_>) + Send + Sync>;

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
    /// start ([`FakeServer::ca_pem`], for the client to trust), and a
    /// certificate it signs for `tls`'s names; [`FakeServer::base_url`] is
    /// then `https://127.0.0.1:<port>`.
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    pub fn with_tls(mut self, tls: Tls) -> Self {
        self.tls = Some(tls);
        self
    }
}

/// Shared state of a running fake.
struct App {
    config: Config,
    store: Mutex<store::Store>,
    requests: AtomicU64,
    faults: Mutex<BTreeMap<Fault, u64>>,
    /// Times injected latency; present when latency is configured.
    delay: Option<delay::DelayLine>,
}

impl App {
    fn store(&self) -> MutexGuard<'_, store::Store> {
        // A panic while holding the lock cannot leave the store half-updated
        // in a way that matters to a test double; keep serving.
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn record_fault(&self, fault: Fault) {
        let mut faults = self
            .faults
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *faults.entry(fault).or_default() += 1;
    }
}

/// Counters of a running fake.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Requests received.
    pub requests: u64,
    /// Leads created through `createLead`.
    pub leads_created: u64,
    /// Leads in the list now (seeded, created, shifted in).
    pub leads_total: u64,
    /// Injected faults by kind.
    pub faults: BTreeMap<Fault, u64>,
}

/// A running fake Liner server. Dropping it shuts it down.
pub struct FakeServer {
    base_url: String,
    app: Arc<App>,
    /// The authority's PEM and the handshake count, when serving HTTPS.
    #[cfg(feature = "tls")]
    tls: Option<(String, Arc<AtomicU64>)>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl fmt::Debug for FakeServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeServer")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl FakeServer {
    /// Starts the fake on the current tokio runtime.
    pub async fn start(config: Config) -> Result<Self, StartError> {
        config.faults.validate().map_err(StartError::Config)?;
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .map_err(|err| StartError::Bind(config.bind, err))?;
        let address = listener
            .local_addr()
            .map_err(|err| StartError::Bind(config.bind, err))?;
        let delay = match config.faults.latency {
            faults::Latency::None => None,
            _ => Some(delay::DelayLine::start().map_err(StartError::Thread)?),
        };
        let app = Arc::new(App {
            delay,
            store: Mutex::new(
                store::Store::new(config.seed, config.leads, config.calls)
                    .with_clock(config.clock)
                    .with_edit(config.edit_created),
            ),
            config,
            requests: AtomicU64::new(0),
            faults: Mutex::new(BTreeMap::new()),
        });
        #[cfg(feature = "tls")]
        let tls = match &app.config.tls {
            Some(tls) => Some(tls::Server::new(tls).map_err(StartError::Tls)?),
            None => None,
        };
        let router = axum::Router::new()
            .fallback(api::handle)
            .with_state(Arc::clone(&app));
        let (shutdown, stopped) = oneshot::channel::<()>();
        let serving = Serving {
            router,
            header_read_timeout: app.config.header_read_timeout,
            #[cfg(feature = "tls")]
            tls: tls
                .as_ref()
                .map(|tls| (tls.acceptor.clone(), Arc::clone(&tls.handshakes))),
        };
        let task = tokio::spawn(serve(listener, serving, stopped));
        #[cfg(feature = "tls")]
        let scheme = if tls.is_some() { "https" } else { "http" };
        #[cfg(not(feature = "tls"))]
        let scheme = "http";
        Ok(Self {
            base_url: format!("{scheme}://{address}"),
            app,
            #[cfg(feature = "tls")]
            tls: tls.map(|tls| (tls.ca_pem, tls.handshakes)),
            shutdown: Some(shutdown),
            task,
        })
    }

    /// The PEM of the certificate authority that signed the server's
    /// certificate, when serving HTTPS: what a client must trust.
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    pub fn ca_pem(&self) -> Option<&str> {
        self.tls.as_ref().map(|(pem, _)| pem.as_str())
    }

    /// How many TLS handshakes completed so far (0 over plain HTTP): a
    /// client that reuses its connections does few.
    #[cfg(feature = "tls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tls")))]
    pub fn tls_handshakes(&self) -> u64 {
        self.tls.as_ref().map_or(0, |(_, count)| {
            count.load(std::sync::atomic::Ordering::Relaxed)
        })
    }

    /// `http://127.0.0.1:<port>` (`https://` when serving HTTPS), without a
    /// trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The key clients must send as `X-Api-Key`.
    pub fn api_key(&self) -> &str {
        &self.app.config.api_key
    }

    /// Counters so far.
    pub fn stats(&self) -> Stats {
        let store = self.app.store();
        Stats {
            requests: self.app.requests.load(std::sync::atomic::Ordering::Relaxed),
            leads_created: store.created_count(),
            leads_total: store.lead_count(),
            faults: self
                .app
                .faults
                .lock()
                .map(|f| f.clone())
                .unwrap_or_default(),
        }
    }

    /// The leads created through `createLead` and stored so far, oldest
    /// first, as the API returns them: what a test checks its code created,
    /// read without the list (and its churn) in the way.
    pub fn created_leads(&self) -> Vec<serde_json::Map<String, serde_json::Value>> {
        self.app.store().created_leads()
    }

    /// Adds a lead made by someone else (the CRM's interface, another
    /// import), as a test of a client that must not take it for its own
    /// needs: a seeded lead's fields in order `order_id`, `createMethod`
    /// `manual`, then `fields` over them (unchecked). Returns its id.
    pub fn add_lead(
        &self,
        order_id: i64,
        fields: serde_json::Map<String, serde_json::Value>,
    ) -> u64 {
        self.app.store().add_foreign(order_id, fields)
    }

    /// Stops accepting connections and waits for open ones to finish.
    pub async fn shutdown(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        self.task.abort();
    }
}

/// What each connection is served with.
struct Serving {
    router: axum::Router,
    header_read_timeout: std::time::Duration,
    /// The TLS acceptor and the handshake count, when serving HTTPS.
    #[cfg(feature = "tls")]
    tls: Option<(tokio_rustls::TlsAcceptor, Arc<AtomicU64>)>,
}

/// Accepts connections until `stopped`, each served by hyper with a
/// header-read timeout: a client that opens a connection and never finishes
/// its request is dropped after `header_read_timeout`, and however many do
/// that, every connection has a task of its own and the others are answered.
/// Over TLS, the handshake has the same time limit, and HTTP/2 is served
/// when the client chose it by ALPN. Dropping the returned future (aborting
/// its task) closes every connection.
async fn serve(
    listener: tokio::net::TcpListener,
    serving: Serving,
    mut stopped: oneshot::Receiver<()>,
) {
    let serving = Arc::new(serving);
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                connections.spawn(serve_connection(stream, Arc::clone(&serving)));
            }
            // Reap finished connections as they end.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    // Stopping: let the open exchanges finish, up to a moment.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        while connections.join_next().await.is_some() {}
    })
    .await;
}

async fn serve_connection(stream: tokio::net::TcpStream, serving: Arc<Serving>) {
    let service = hyper_util::service::TowerToHyperService::new(serving.router.clone());
    #[cfg(feature = "tls")]
    if let Some((acceptor, handshakes)) = &serving.tls {
        let handshake = tokio::time::timeout(serving.header_read_timeout, acceptor.accept(stream));
        let Ok(Ok(stream)) = handshake.await else {
            return;
        };
        tls::Server::count_handshake(handshakes);
        let http2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
        let io = hyper_util::rt::TokioIo::new(stream);
        if http2 {
            let _ = hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
                .timer(hyper_util::rt::TokioTimer::new())
                .serve_connection(io, service)
                .await;
        } else {
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(serving.header_read_timeout)
                .serve_connection(io, service)
                .await;
        }
        return;
    }
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(serving.header_read_timeout)
        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
        .await;
}

/// The fake could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// The configuration is inconsistent (fault rates above 1, ...).
    Config(String),
    /// The address could not be bound.
    Bind(SocketAddr, std::io::Error),
    /// The thread that times injected latency could not be started.
    Thread(std::io::Error),
    /// The certificates for HTTPS could not be made.
    Tls(String),
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Config(problem) => write!(f, "invalid liner-fake configuration: {problem}"),
            Self::Bind(address, _) => write!(f, "cannot listen on {address}"),
            Self::Thread(_) => write!(f, "cannot start the latency timing thread"),
            Self::Tls(problem) => write!(f, "cannot serve HTTPS: {problem}"),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Bind(_, err) | Self::Thread(err) => Some(err),
            Self::Config(_) | Self::Tls(_) => None,
        }
    }
}
