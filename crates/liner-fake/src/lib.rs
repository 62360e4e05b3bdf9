#![doc = include_str!("../README.md")]

mod api;
mod delay;
mod faults;
mod input;
mod seed;
mod store;

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::{Fault, Faults, Latency};
pub use input::{DEFAULT_LIMIT, MAX_LIMIT};

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
}

/// Where the fake's creation and update times come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Clock {
    /// One seeded step after the last time given, whatever the date:
    /// every run gives the same times (the default, for tests).
    #[default]
    Logical,
    /// The system clock, in whole seconds, as a real server: a lead created
    /// now is listed by `createdAt[0]=<now>` (what a client reconciling an
    /// unanswered create relies on). Never earlier than the seeded leads.
    System,
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
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("api_key", &"[redacted]")
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
            .finish()
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
                store::Store::new(config.seed, config.leads, config.calls).with_clock(config.clock),
            ),
            config,
            requests: AtomicU64::new(0),
            faults: Mutex::new(BTreeMap::new()),
        });
        let router = axum::Router::new()
            .fallback(api::handle)
            .with_state(Arc::clone(&app));
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(
            listener,
            router,
            app.config.header_read_timeout,
            stopped,
        ));
        Ok(Self {
            base_url: format!("http://{address}"),
            app,
            shutdown: Some(shutdown),
            task,
        })
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
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

/// Accepts connections until `stopped`, each served by hyper with a
/// header-read timeout: a client that opens a connection and never finishes
/// its request is dropped after `header_read_timeout`, and however many do
/// that, every connection has a task of its own and the others are answered.
/// Dropping the returned future (aborting its task) closes every connection.
async fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    header_read_timeout: std::time::Duration,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let service = hyper_util::service::TowerToHyperService::new(router.clone());
                connections.spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .timer(hyper_util::rt::TokioTimer::new())
                        .header_read_timeout(header_read_timeout)
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
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
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Config(problem) => write!(f, "invalid liner-fake configuration: {problem}"),
            Self::Bind(address, _) => write!(f, "cannot listen on {address}"),
            Self::Thread(_) => write!(f, "cannot start the latency timing thread"),
        }
    }
}

impl std::error::Error for StartError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Bind(_, err) | Self::Thread(err) => Some(err),
            Self::Config(_) => None,
        }
    }
}
