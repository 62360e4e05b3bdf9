//! A tiny HTTP/1.1 server that records requests, for pinning the wire format.
//!
//! It binds 127.0.0.1 on an ephemeral port, answers every request with the
//! next canned response (or a 500 if none is left), one exchange at a time
//! and in arrival order, closes each connection after one exchange, and
//! stops when the [`CaptureServer`] is dropped.

use std::collections::VecDeque;
use std::sync::Arc;

use tokio::sync::Mutex;

pub use crate::server::CapturedRequest;
use crate::server::Server;

/// A canned response.
#[derive(Debug, Clone)]
pub struct CannedResponse {
    pub status: u16,
    pub body: String,
}

impl CannedResponse {
    /// A `200 OK` with a JSON body.
    pub fn ok(body: impl Into<String>) -> Self {
        Self {
            status: 200,
            body: body.into(),
        }
    }
}

/// The running server; dropping it stops it.
pub struct CaptureServer(Server);

impl CaptureServer {
    /// Starts a server that answers with `responses`, in order.
    pub async fn start(responses: Vec<CannedResponse>) -> Self {
        let responses = Arc::new(Mutex::new(VecDeque::from(responses)));
        Self(
            Server::start(Arc::new(move |_request, stream| {
                let responses = Arc::clone(&responses);
                Box::pin(async move {
                    // Held through the answer: exchanges happen one at a
                    // time, each with the next response.
                    let mut responses = responses.lock().await;
                    let response = responses.pop_front().unwrap_or(CannedResponse {
                        status: 500,
                        body: "no canned response left".into(),
                    });
                    crate::hostile::answer(
                        stream,
                        &format!(
                            "HTTP/1.1 {} Canned\r\ncontent-type: application/json",
                            response.status
                        ),
                        response.body.as_bytes(),
                    )
                    .await;
                })
            }))
            .await,
        )
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.0.base_url()
    }

    /// The requests received so far.
    pub fn requests(&self) -> Vec<CapturedRequest> {
        self.0.requests()
    }
}
