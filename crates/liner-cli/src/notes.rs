//! What a command says on stderr besides its errors (progress, summaries,
//! warnings), and `--quiet`, which silences all of it.

use std::sync::atomic::{AtomicBool, Ordering};

static QUIET: AtomicBool = AtomicBool::new(false);

/// From now on, print nothing but errors (`--quiet`).
pub fn set_quiet() {
    QUIET.store(true, Ordering::Relaxed);
}

/// Whether only errors are printed.
pub fn quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// `eprintln!`, unless `--quiet`.
macro_rules! note {
    ($($arg:tt)*) => {
        if !$crate::notes::quiet() {
            eprintln!($($arg)*);
        }
    };
}
pub(crate) use note;
