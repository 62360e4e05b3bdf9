//! `tracing` output captured in a test.
//!
//! `tracing` caches per call site whether anyone listens, process-wide, so a
//! test running on another thread without a subscriber can hide the events
//! a capture is waiting for: give each capturing test a binary of its own.

use std::sync::{Arc, Mutex};

/// Every `tracing` event, at every level, written as text into a shared
/// buffer while the guard of [`Captured::install`] lives.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Makes this capture the current thread's subscriber (and so of a
    /// current-thread runtime's tasks) until the guard is dropped.
    pub fn install(&self) -> tracing::subscriber::DefaultGuard {
        let writer = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    /// The text captured so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
