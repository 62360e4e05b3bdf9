//! A change between two specs, and the side of the API it is on.

/// One difference between the base spec and the current one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub breaking: bool,
    pub place: String,
    pub what: String,
}

/// Who produces the values a schema describes: the client (request) or
/// the server (response). It decides which direction of change breaks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Request,
    Response,
}
