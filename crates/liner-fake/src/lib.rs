#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod api;
mod config;
mod delay;
mod faults;
mod input;
mod rate_limit;
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

pub use config::{Clock, Config, Edit};
pub use faults::{Fault, Faults, Latency};
pub use input::{DEFAULT_LIMIT, MAX_LIMIT};
pub use rate_limit::RateLimit;
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
    /// The request's method (`GET`, `POST`, ...).
    pub method: &'a str,
    /// The request's path, without its query.
    pub path: &'a str,
    /// The status answered (for a dropped connection, the one it would
    /// have had).
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

/// Shared state of a running fake.
struct App {
    config: Config,
    store: Mutex<store::Store>,
    requests: AtomicU64,
    faults: Mutex<BTreeMap<Fault, u64>>,
    /// Times injected latency; present when latency is configured.
    delay: Option<delay::DelayLine>,
    /// The rate limit's bucket; present when a limit is configured.
    bucket: Option<rate_limit::Bucket>,
    /// Requests refused by the rate limit.
    rate_limited: AtomicU64,
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
    /// Requests refused with `429` by the rate limit ([`Config::rate_limit`]).
    pub rate_limited: u64,
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
            bucket: config.rate_limit.map(rate_limit::Bucket::new),
            rate_limited: AtomicU64::new(0),
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
            rate_limited: self
                .app
                .rate_limited
                .load(std::sync::atomic::Ordering::Relaxed),
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
