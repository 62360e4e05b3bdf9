//! The signals by which a person or a supervisor asks a command to stop:
//! Ctrl-C (SIGINT) and, on Unix, SIGTERM (`kill`, `timeout`, systemd). Both
//! are handled the same way: an export removes its unfinished file, an
//! import finishes the creates in flight and records them.

/// Resolves when a stop is asked for; an error if the signals cannot be
/// listened to.
pub async fn requested() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        tokio::select! {
            interrupted = tokio::signal::ctrl_c() => interrupted,
            _ = terminate.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await
    }
}
