//! The signals by which a person or a supervisor asks a command to stop:
//! Ctrl-C (SIGINT) and, on Unix, SIGTERM (`kill`, `timeout`, systemd) and
//! SIGHUP (the terminal went away). Each is handled the same way: an export
//! removes its unfinished file, an import finishes the creates in flight and
//! records them; the command then exits 130, 143 or 129 (128 + the signal's
//! number, as shells report a death by that signal).
//!
//! The listeners are installed by [`install`] when the command starts,
//! before it creates any file: a signal that arrives before a command
//! first waits for one is kept, not left to the default action (which ends
//! the process at once, and would leave an export's temporary file behind).

use std::sync::OnceLock;

use tokio::sync::watch;

use crate::exit::Status;

/// Which signal asked the command to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Ctrl-C (SIGINT).
    Interrupt,
    /// SIGTERM.
    Terminate,
    /// SIGHUP.
    Hangup,
}

impl Stop {
    /// The exit status after this stop.
    pub fn status(self) -> Status {
        match self {
            Self::Interrupt => Status::Interrupted,
            Self::Terminate => Status::Terminated,
            Self::Hangup => Status::HungUp,
        }
    }

    /// The signal, in words.
    pub fn name(self) -> &'static str {
        match self {
            Self::Interrupt => "Ctrl-C",
            Self::Terminate => "SIGTERM",
            Self::Hangup => "SIGHUP",
        }
    }
}

/// The stops asked for so far, the last one last (`None` before any).
static STOPS: OnceLock<watch::Receiver<(u64, Option<Stop>)>> = OnceLock::new();

/// Starts listening for the stop signals, on the current tokio runtime.
/// Called once, first thing; later calls change nothing.
pub fn install() -> std::io::Result<()> {
    if STOPS.get().is_some() {
        return Ok(());
    }
    let (send, receive) = watch::channel((0u64, None));
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        let mut hangup = signal(SignalKind::hangup())?;
        tokio::spawn(async move {
            loop {
                let stop = tokio::select! {
                    Some(()) = interrupt.recv() => Stop::Interrupt,
                    Some(()) = terminate.recv() => Stop::Terminate,
                    Some(()) = hangup.recv() => Stop::Hangup,
                    else => return,
                };
                send.send_modify(|(count, last)| {
                    *count += 1;
                    *last = Some(stop);
                });
            }
        });
    }
    #[cfg(not(unix))]
    tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            send.send_modify(|(count, last)| {
                *count += 1;
                *last = Some(Stop::Interrupt);
            });
        }
    });
    let _ = STOPS.set(receive);
    Ok(())
}

/// The stop asked for so far, if any.
pub fn pending() -> Option<Stop> {
    STOPS.get().and_then(|stops| stops.borrow().1)
}

/// Resolves at the next stop asked for after `seen` stops (0: the first,
/// even one asked before this was called), with how many there have been
/// and which it was; an error if the signals are not listened to.
pub async fn requested_after(seen: u64) -> std::io::Result<(u64, Stop)> {
    let mut stops = STOPS
        .get()
        .cloned()
        .ok_or_else(|| std::io::Error::other("the stop signals are not listened to"))?;
    loop {
        if let (count, Some(stop)) = *stops.borrow_and_update()
            && count > seen
        {
            return Ok((count, stop));
        }
        stops
            .changed()
            .await
            .map_err(|_| std::io::Error::other("the signal listener ended"))?;
    }
}

/// Resolves at the first stop asked for (at once if one was already).
pub async fn requested() -> std::io::Result<Stop> {
    requested_after(0).await.map(|(_, stop)| stop)
}
