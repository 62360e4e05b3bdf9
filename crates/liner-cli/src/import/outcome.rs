//! Where each row of an import ended in this run.

/// Where a row ended in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Outcome {
    Created {
        id: u64,
        earlier: bool,
    },
    /// Its lead was on the server before the import; not sent.
    Exists(Vec<u64>),
    Refused(String),
    Unknown(String),
    /// Not sent, or certainly not received: a re-run sends it.
    NotSent(String),
}
