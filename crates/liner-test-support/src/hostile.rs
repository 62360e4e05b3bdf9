//! A server on 127.0.0.1 that misbehaves on purpose: it reads each request
//! (head and declared body) and hands it, with the raw connection, to a
//! script that may answer anything (redirects, endless bodies, huge
//! headers, silence) or nothing at all. It records every request it
//! received, and stops when dropped.

use std::future::Future;
use std::sync::Arc;

use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpStream;

pub use crate::server::CapturedRequest;
use crate::server::Server;

/// What the script does with one request: it owns the connection.
pub type Script = crate::server::Handler;

/// Builds a [`Script`] from an async closure.
pub fn script<F, Fut>(handler: F) -> Script
where
    F: Fn(CapturedRequest, TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    Arc::new(move |request, stream| Box::pin(handler(request, stream)))
}

/// The running server; dropping it stops it, and every connection its
/// script still holds.
pub struct HostileServer(Server);

impl HostileServer {
    /// Starts a server that runs `script` for every request it receives.
    pub async fn start(script: Script) -> Self {
        Self(Server::start(script).await)
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        self.0.base_url()
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<CapturedRequest> {
        self.0.requests()
    }
}

/// Writes `head` (status line and headers, without the blank line) and
/// `body` as one answer, with its Content-Length, and closes.
pub async fn answer(mut stream: TcpStream, head: &str, body: &[u8]) {
    let message = format!(
        "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(message.as_bytes()).await;
    let _ = stream.write_all(body).await;
    let _ = stream.shutdown().await;
}

/// A `200` with a JSON `body`.
pub async fn json(stream: TcpStream, body: &str) {
    answer(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json",
        body.as_bytes(),
    )
    .await;
}
