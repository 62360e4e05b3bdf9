//! [`Liner`]: the five operations of the Liner API. Setting one up is
//! `builder.rs`'s job, sending `transport.rs`'s.

use std::fmt;
use std::num::NonZeroU64;
use std::time::Duration;

use liner_api::types::{Call, CreatedLead, Lead, LeadPatch, NewLead};
use liner_api::{Draft, IntoField};

use crate::error::{Error, Result};
use crate::list::LeadQuery;
use crate::retry::RetryPolicy;
use crate::routes;
use crate::transport::Transport;

/// A client for the Liner API.
///
/// Cheap to clone (an `Arc`); clones share one connection pool. `Send` and
/// `Sync`: share one across tasks. Build one with [`Liner::builder`] or
/// [`Liner::from_env`].
#[derive(Clone)]
pub struct Liner {
    transport: Transport,
}

impl fmt::Debug for Liner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Liner")
            .field("base_url", &self.transport.base_url())
            .field("api_key", &"***")
            .field("timeout", &self.transport.timeout())
            .field("retry", self.transport.retry_policy())
            .finish()
    }
}

impl Liner {
    pub(crate) fn new(transport: Transport) -> Self {
        Self { transport }
    }

    /// A clone of this client with another retry policy (same connection
    /// pool), for one call or a family of calls:
    /// `client.with_retry_policy(RetryPolicy::none()).lead(7)`.
    pub fn with_retry_policy(&self, policy: RetryPolicy) -> Self {
        Self::new(self.transport.with_retry_policy(policy))
    }

    /// A clone of this client with another per-attempt timeout (same
    /// connection pool).
    pub fn with_timeout(&self, timeout: Duration) -> Self {
        Self::new(self.transport.with_timeout(timeout))
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.transport.base_url()
    }

    /// Lead details: `GET /v2/lead/detail/{id}/`. The id is any integer
    /// type (or a `NonZeroU64`, as [`Lead::id`] is); 0 is refused before
    /// anything is sent.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an id that is not a positive integer
    /// (0, negative, too large), before anything is sent; a lead that does
    /// not exist is [`Error::Api`] with status 404
    /// ([`Error::is_not_found`]); otherwise an error of the request (see
    /// [`Error`]), once the [`RetryPolicy`](crate::RetryPolicy) gives up.
    pub async fn lead(&self, id: impl IntoField<NonZeroU64>) -> Result<Lead> {
        let id = positive("lead_id", id)?;
        self.transport.send(&routes::get_lead(id), &[], None).await
    }

    /// Call details: `GET /v2/call/detail/{id}/`.
    ///
    /// # Errors
    ///
    /// As [`lead`](Self::lead): [`Error::InvalidInput`] for an id that is
    /// not a positive integer, a
    /// 404 ([`Error::is_not_found`]) for a call that does not exist, or an
    /// error of the request once the retries give up.
    pub async fn call(&self, id: impl IntoField<NonZeroU64>) -> Result<Call> {
        let id = positive("call_id", id)?;
        self.transport.send(&routes::get_call(id), &[], None).await
    }

    /// Creates a lead (`POST /v2/lead/create/`) and returns its id. Takes a
    /// draft (`NewLead::new(..)` and its setters) or a built [`NewLead`];
    /// a field the spec refuses is an [`Error::InvalidInput`] before
    /// anything is sent.
    ///
    /// Not idempotent: every successful call creates a lead.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] naming the first field refused, before
    /// anything is sent; otherwise an error of the request. Only a failure
    /// to connect is retried: after any other [`Error::Timeout`] or
    /// [`Error::Transport`] ([`Error::is_connect`] false) the server may have
    /// created the lead.
    pub async fn create_lead(&self, lead: impl Into<Draft<NewLead>>) -> Result<NonZeroU64> {
        let body = body(lead.into())?;
        let created: CreatedLead = self
            .transport
            .send(&routes::create_lead(), &[], Some(body))
            .await?;
        Ok(created.id)
    }

    /// Updates the fields set in `patch` (`POST /v2/lead/update/{id}/`);
    /// the others keep their values. A patch that sets nothing is refused
    /// before anything is sent.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an id that is not a positive integer, an
    /// empty patch or a refused field, before anything is sent; otherwise an error of the request
    /// (retried like a read only with
    /// [`RetryPolicy::retry_updates`](crate::RetryPolicy::retry_updates)).
    pub async fn update_lead(
        &self,
        id: impl IntoField<NonZeroU64>,
        patch: impl Into<Draft<LeadPatch>>,
    ) -> Result<()> {
        let id = positive("lead_id", id)?;
        let body = body(patch.into())?;
        let _: serde::de::IgnoredAny = self
            .transport
            .send(&routes::update_lead(id), &[], Some(body))
            .await?;
        Ok(())
    }

    /// The lead list: a query to filter, then page or stream.
    pub fn leads(&self) -> LeadQuery {
        LeadQuery::new(self.transport.clone())
    }
}

/// An id argument: an integer the spec's `minimum: 1, format: int64` allows.
fn positive(field: &'static str, id: impl IntoField<NonZeroU64>) -> Result<NonZeroU64> {
    id.into_field()
        .map_err(|reason| Error::invalid(field, reason))
}

/// A request body, checked, as JSON.
fn body<T: liner_api::RequestBody + serde::Serialize>(draft: Draft<T>) -> Result<Vec<u8>> {
    let body = draft.build()?;
    // Serializing the generated types into a Vec cannot fail: no map has
    // non-string keys, and no value fails to serialize.
    Ok(serde_json::to_vec(&body).expect("the generated request types serialize"))
}
