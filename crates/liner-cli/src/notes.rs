//! What a command says on stderr besides its errors (progress, summaries,
//! warnings), `--quiet`, which silences all of it, and `--verbose`, which
//! adds a line per request (`request_log.rs`).

use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

static QUIET: AtomicBool = AtomicBool::new(false);
static VERBOSITY: AtomicU8 = AtomicU8::new(0);
static LOGGING: AtomicBool = AtomicBool::new(false);

/// From now on, `LINER_LOG` prints log lines on stderr.
pub fn set_logging() {
    LOGGING.store(true, Ordering::Relaxed);
}

/// Whether `LINER_LOG` prints log lines on stderr (a progress bar would
/// garble them).
pub fn logging() -> bool {
    LOGGING.load(Ordering::Relaxed)
}

/// From now on, `-v` given `level` times.
pub fn set_verbosity(level: u8) {
    VERBOSITY.store(level, Ordering::Relaxed);
}

/// How many times `-v` was given.
pub fn verbosity() -> u8 {
    VERBOSITY.load(Ordering::Relaxed)
}

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
