//! A server on 127.0.0.1 that misbehaves on purpose: it reads each request
//! (head and declared body) and hands it, with the raw connection, to a
//! script that may answer anything (redirects, endless bodies, huge
//! headers, silence) or nothing at all. It records every request it
//! received, and stops when dropped.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

pub use crate::capture::CapturedRequest;

/// What the script does with one request: it owns the connection.
pub type Script = Arc<
    dyn Fn(CapturedRequest, TcpStream) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync,
>;

/// Builds a [`Script`] from an async closure.
pub fn script<F, Fut>(handler: F) -> Script
where
    F: Fn(CapturedRequest, TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    Arc::new(move |request, stream| Box::pin(handler(request, stream)))
}

/// The running server; dropping it stops it.
pub struct HostileServer {
    base_url: String,
    requests: Arc<Mutex<Vec<CapturedRequest>>>,
    task: JoinHandle<()>,
}

impl HostileServer {
    /// Starts a server that runs `script` for every request it receives.
    pub async fn start(script: Script) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let address = listener.local_addr().expect("a local address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&requests);
        let task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let seen = Arc::clone(&seen);
                let script = Arc::clone(&script);
                tokio::spawn(async move {
                    if let Some(request) = read_request(&mut stream).await {
                        seen.lock().expect("not poisoned").push(request.clone());
                        script(request, stream).await;
                    }
                });
            }
        });
        Self {
            base_url: format!("http://{address}"),
            requests,
            task,
        }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<CapturedRequest> {
        self.requests.lock().expect("not poisoned").clone()
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.task.abort();
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

/// Reads one request: head, then as many body bytes as Content-Length says.
async fn read_request(stream: &mut TcpStream) -> Option<CapturedRequest> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
            break end + 4;
        }
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 || buffer.len() > 64 * 1024 {
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
    let length: usize = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0);
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
