//! Request hooks of the generated [`Client`](crate::Client).
//!
//! progenitor calls `ClientHooks::pre` before sending every request. The
//! generated code implements the trait, with no behaviour, for `&Client`; this
//! impl for `Client` itself is found first by method resolution and replaces it.

use progenitor_client::{ClientHooks, Error, OperationInfo};

use crate::Client;

/// The header progenitor adds to every request with the spec's `info.version`.
/// The Liner API does not document it and has no use for it, so it is removed
/// rather than leaking a meaningless version number to the server.
const PROGENITOR_VERSION_HEADER: &str = "api-version";

impl ClientHooks<()> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        request.headers_mut().remove(PROGENITOR_VERSION_HEADER);
        Ok(())
    }
}
