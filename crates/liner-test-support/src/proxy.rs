//! An HTTP proxy on 127.0.0.1 for tests: it tunnels `CONNECT` (how HTTPS
//! goes through a proxy), forwards plain requests in absolute form, or
//! refuses everything with `407`, and records the head of every request it
//! receives, exactly as sent. It connects to 127.0.0.1 only, and stops when
//! dropped.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

/// The largest request head read; a longer one closes the connection.
const HEAD_LIMIT: usize = 64 * 1024;

/// How the proxy answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyMode {
    /// Tunnels and forwards.
    Forward,
    /// Answers every request `407 Proxy Authentication Required`.
    RequireAuth,
}

/// The running proxy; dropping it stops it.
pub struct Proxy {
    url: String,
    heads: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    pub async fn start(mode: ProxyMode) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let heads = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&heads);
        let task = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                connections.spawn(handle(stream, mode, Arc::clone(&seen)));
            }
        });
        Self { url, heads, task }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The head (request line and headers) of every request received.
    pub fn heads(&self) -> Vec<String> {
        self.heads.lock().map(|h| h.clone()).unwrap_or_default()
    }
}

async fn handle(mut client: TcpStream, mode: ProxyMode, heads: Arc<Mutex<Vec<String>>>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() >= HEAD_LIMIT || !matches!(client.read(&mut byte).await, Ok(1)) {
            return;
        }
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    if let Ok(mut heads) = heads.lock() {
        heads.push(text.clone());
    }
    if mode == ProxyMode::RequireAuth {
        let _ = client
            .write_all(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n\
                  Proxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n",
            )
            .await;
        return;
    }
    let mut words = text.split_whitespace();
    let (Some(method), Some(target)) = (words.next(), words.next()) else {
        return;
    };
    let authority = if method == "CONNECT" {
        target.to_owned()
    } else {
        // `GET http://127.0.0.1:1234/path HTTP/1.1`
        target
            .strip_prefix("http://")
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_default()
            .to_owned()
    };
    // Loopback only: a test proxy never reaches out.
    if !authority.starts_with("127.0.0.1:") && !authority.starts_with("localhost:") {
        let _ = client
            .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            .await;
        return;
    }
    let Ok(mut server) = TcpStream::connect(authority.replace("localhost", "127.0.0.1")).await
    else {
        let _ = client
            .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            .await;
        return;
    };
    if method == "CONNECT" {
        if client
            .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            .await
            .is_err()
        {
            return;
        }
    } else if server.write_all(&head).await.is_err() {
        return;
    }
    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
}
