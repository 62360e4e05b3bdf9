//! The one server loop under [`capture`](crate::capture) and
//! [`hostile`](crate::hostile): it binds 127.0.0.1 on an ephemeral port,
//! reads each request (a head of at most 64 KiB, then the body its
//! `Content-Length` declares, up to 16 MiB), records it, and hands it with
//! the connection to a handler. Dropping the [`Server`] stops the accept
//! loop and every connection still being handled.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use tokio::io::AsyncReadExt as _;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// The largest request head read; a longer one closes the connection.
const HEAD_LIMIT: usize = 64 * 1024;
/// The largest request body read; the rest is left unread.
const BODY_LIMIT: usize = 16 * 1024 * 1024;

/// A request as it arrived on the wire.
#[derive(Debug, Clone)]
pub struct CapturedRequest {
    pub method: String,
    /// Path and query exactly as sent (percent-encoding untouched).
    pub target: String,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl CapturedRequest {
    /// The value of header `name` (case-insensitive), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The first value of query parameter `name`, as sent (not decoded).
    pub fn query_param(&self, name: &str) -> Option<&str> {
        let (_, query) = self.target.split_once('?')?;
        query
            .split('&')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
    }
}

/// What the server does with one request: it owns the connection.
pub type Handler = Arc<
    dyn Fn(CapturedRequest, TcpStream) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync,
>;

/// The running server; dropping it stops it.
pub struct Server {
    base_url: String,
    requests: Arc<Mutex<Vec<CapturedRequest>>>,
    task: JoinHandle<()>,
}

impl Server {
    /// Starts a server that records every request and runs `handler` on it.
    pub async fn start(handler: Handler) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let address = listener.local_addr().expect("a local address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let task = tokio::spawn(async move {
            // Owned by this task: aborting it (on drop) aborts them all.
            let mut connections = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((mut stream, _)) = accepted else { return };
                        let seen = Arc::clone(&seen);
                        let handler = Arc::clone(&handler);
                        connections.spawn(async move {
                            if let Some(request) = read_request(&mut stream).await {
                                seen.lock().expect("not poisoned").push(request.clone());
                                handler(request, stream).await;
                            }
                        });
                    }
                    Some(_) = connections.join_next(), if !connections.is_empty() => {}
                }
            }
        });
        Self {
            base_url: format!("http://{address}"),
            requests,
            task,
        }
    }

    /// `http://127.0.0.1:<port>`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<CapturedRequest> {
        self.requests.lock().expect("not poisoned").clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Reads one request: head, then as many body bytes as Content-Length says.
async fn read_request(stream: &mut TcpStream) -> Option<CapturedRequest> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            break end + 4;
        }
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 || buffer.len() > HEAD_LIMIT {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter(|line| !line.is_empty())
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse::<usize>().ok())
        .unwrap_or(0)
        .min(BODY_LIMIT);
    let mut body = buffer[head_end..].to_vec();
    while body.len() < length {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..read]);
    }
    Some(CapturedRequest {
        method,
        target,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(target: &str) -> CapturedRequest {
        CapturedRequest {
            method: "GET".into(),
            target: target.into(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    #[test]
    fn query_parameters_are_found_by_their_whole_name() {
        let request = request("/v2/lead/?xoffset=1&offset=200&limit=100");
        assert_eq!(request.query_param("offset"), Some("200"));
        assert_eq!(request.query_param("limit"), Some("100"));
        assert_eq!(request.query_param("next"), None);
        assert_eq!(
            super::tests::request("/v2/lead/").query_param("offset"),
            None
        );
    }
}
