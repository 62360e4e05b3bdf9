//! Reading a response's body, bounded: what a server sends costs at most the
//! client's limit, whatever it announces. And the [`BodyGate`], the hook by
//! which a caller holds a body back (the list's prefetch).

use std::time::Duration;

/// How much of a failure's body is read: a failure envelope fits many times
/// over, a proxy's page too, and a server that sends a gigabyte with its 500
/// is read no further.
pub(super) const FAILURE_BODY_LIMIT: u64 = 64 * 1024;

/// A hook between a response's headers and its body: a gate may keep the
/// body unread (it then stays in the connection) until it opens. Its wait is
/// the caller's, not the server's, so it counts against neither the attempt's
/// timeout nor the deadline.
pub(crate) trait BodyGate: Send {
    /// Whether this gate ever waits. An attempt that need not stop between
    /// headers and body lets reqwest time the whole exchange, which also
    /// says whether a timeout happened while connecting.
    const WAITS: bool;

    /// Waits until the body may be read.
    fn open(&mut self) -> impl Future<Output = ()> + Send;

    /// How long [`open`](Self::open) has waited, all calls together.
    fn waited(&self) -> Duration;
}

/// The gate of a request whose body is read at once.
pub(crate) struct NoGate;

impl BodyGate for NoGate {
    const WAITS: bool = false;

    async fn open(&mut self) {}

    fn waited(&self) -> Duration {
        Duration::ZERO
    }
}

/// Why a body could not be read.
pub(super) enum BodyFailure {
    Transport(reqwest::Error),
    TooLarge,
}

/// The body, read chunk by chunk up to `limit` bytes. Past the limit, a
/// success's body is an error; a failure's is cut there (what a failure
/// needs is its envelope or the start of its page).
pub(super) async fn read_body(
    mut response: reqwest::Response,
    limit: u64,
    success: bool,
) -> std::result::Result<bytes::Bytes, BodyFailure> {
    let mut body =
        bytes::BytesMut::with_capacity(initial_capacity(response.content_length(), limit));
    while let Some(chunk) = response.chunk().await.map_err(BodyFailure::Transport)? {
        let room = limit.saturating_sub(body.len() as u64) as usize;
        if chunk.len() > room {
            if success {
                return Err(BodyFailure::TooLarge);
            }
            body.extend_from_slice(&chunk[..room]);
            break;
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The most a body buffer reserves before any of the body arrived: an
/// announced length is a claim, and a server announcing 16 MiB (or, with
/// `max_response_bytes(u64::MAX)`, more than memory holds) and sending ten
/// bytes must cost ten bytes, not the claim. Beyond this the buffer grows
/// with what arrives.
const RESERVED_AHEAD: u64 = 64 * 1024;

/// The capacity a body buffer starts with: the announced length, up to the
/// limit and to [`RESERVED_AHEAD`].
pub(super) fn initial_capacity(announced: Option<u64>, limit: u64) -> usize {
    announced.unwrap_or(0).min(limit).min(RESERVED_AHEAD) as usize
}
