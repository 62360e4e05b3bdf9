//! Sending the creates of one round, a few at a time, each recorded in the
//! journal before its request leaves (when to stop is `stop.rs`'s).

use std::time::Instant;

use futures_util::StreamExt as _;
use liner::{Error, StatusCode};

use super::journal::Event;
use super::outcome::Outcome;
use super::rows::Row;
use super::state::Import;
use crate::exit::Failure;

/// What a round of sending left to look up.
pub struct Sent<'r> {
    /// Rows that got no usable answer, with why.
    pub unanswered: Vec<(&'r Row, String)>,
    /// When the last of them could still have been in flight.
    pub settle_from: Instant,
}

impl Import<'_> {
    /// Creates `rows`, a few at a time, counting each on `bar`.
    pub(super) async fn send_all<'r>(
        &mut self,
        rows: &[&'r Row],
        bar: &indicatif::ProgressBar,
    ) -> Result<Sent<'r>, Failure> {
        let this = &*self;
        let adaptive = self
            .args
            .adaptive
            .then(|| liner::AdaptiveConcurrency::new(self.args.concurrency));
        let adaptive = adaptive.as_ref();
        let results: Vec<Result<(&Row, Option<Event>), Failure>> =
            futures_util::stream::iter(rows.iter().copied())
                .map(|row| async move {
                    let permit = match adaptive {
                        Some(limit) => Some(limit.acquire().await),
                        None => None,
                    };
                    if this.stopping() {
                        return Ok((row, None));
                    }
                    this.record(
                        row,
                        Event::Attempt {
                            at: jiff::Timestamp::now(),
                        },
                    )
                    .await?;
                    let sent = Instant::now();
                    let result = this.client.create_lead(row.lead()).await;
                    this.stop.note(&result, sent.elapsed());
                    if let Some(permit) = permit {
                        // A row the API refused says nothing of its load.
                        match &result {
                            Err(error) if error.is_retryable() || error.is_connect() => {
                                permit.congested()
                            }
                            _ => permit.answered(sent.elapsed()),
                        }
                    }
                    let event = outcome_of(result);
                    this.record(row, event.clone()).await?;
                    Ok((row, Some(event)))
                })
                .buffer_unordered(self.args.concurrency)
                .inspect(|_| bar.inc(1))
                .collect()
                .await;
        let settle_from = Instant::now();
        let mut unanswered = Vec::new();
        for result in results {
            let (row, event) = result?;
            let outcome = match event {
                None => Outcome::NotSent("not sent: the import stopped".into()),
                Some(Event::Created { id, .. }) => {
                    self.claimed.insert(id);
                    Outcome::Created { id, earlier: false }
                }
                Some(Event::Refused { message }) => Outcome::Refused(message),
                Some(Event::Unsent { reason }) => Outcome::NotSent(reason),
                Some(Event::Unknown { reason }) => {
                    unanswered.push((row, reason.clone()));
                    Outcome::Unknown(reason)
                }
                Some(Event::Attempt { .. } | Event::Exists { .. }) => continue,
            };
            self.outcomes.insert(row.index, outcome);
        }
        Ok(Sent {
            unanswered,
            settle_from,
        })
    }
}

/// The journal's outcome of a create.
pub fn outcome_of(result: liner::Result<std::num::NonZeroU64>) -> Event {
    let error = match result {
        Ok(id) => {
            return Event::Created {
                id: id.get(),
                reconciled: false,
            };
        }
        Err(error) => error,
    };
    let text = error.to_string();
    // Only a refused connection proves the server never saw the request
    // (liner already retried it); a 429 says the server did not act, and a
    // 401 or 403 that it acted on nothing (the key, not the row, was
    // refused: liner's `is_unauthorized`).
    if error.is_connect()
        || error.is_tls()
        || error.is_proxy()
        || error.is_unauthorized()
        || error.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    {
        return Event::Unsent { reason: text };
    }
    match &error {
        // The API's own "no", at any status below 500 (its failure
        // envelope at 200 included): nothing was created.
        Error::Api { status, .. } if !status.is_server_error() => Event::Refused { message: text },
        Error::Http { status, .. } if status.is_client_error() => Event::Refused { message: text },
        Error::InvalidInput { .. } => Event::Refused { message: text },
        // A server error, a timeout, a broken connection, an unreadable
        // answer, a redirect (the server may have acted before pointing
        // elsewhere): the create may have happened.
        _ => Event::Unknown { reason: text },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Item 7 of the import issue, in words the README uses: a failure
    /// envelope at 200 is the API's refusal; a redirect may follow a create
    /// that happened, so its outcome is unknown, never refused (which
    /// `--retry-refused` would send again without a look-up).
    #[tokio::test]
    async fn failures_are_classified_by_what_the_server_may_have_done() {
        use liner_test_support::capture::{CannedResponse, CaptureServer};
        let failure =
            |message: &str| format!(r#"{{"success":false,"message":"{message}","data":[]}}"#);
        let cases = [
            (200, failure("Duplicate"), "refused"),
            (400, failure("bad phone"), "refused"),
            (500, failure("oops"), "unknown"),
            (302, String::new(), "unknown"),
            (429, failure("slow down"), "unsent"),
        ];
        for (status, body, expected) in cases {
            let server = CaptureServer::start(vec![CannedResponse { status, body }]).await;
            let client = liner::Liner::builder()
                .base_url(server.base_url())
                .api_key("k")
                .retry_policy(liner::RetryPolicy::none())
                .build()
                .unwrap();
            let lead = liner::NewLead::new(liner::LeadType::Straight, "79001234567", 1, "a");
            let event = outcome_of(client.create_lead(lead).await);
            let name = serde_json::to_value(&event).unwrap()["event"].clone();
            assert_eq!(name, expected, "{status}: {event:?}");
        }
    }
}
