//! The fake's injected faults, seen through the generated client: each is
//! the error a client would meet from a real server, and a create whose
//! answer is cut was still made.

use liner_api::Error;
use liner_api::types::FailureEnvelope;
use liner_fake::{Config, Fault, Faults};
use liner_test_support::conformance::CheckedFake;

use crate::fake_e2e::{client, new_lead};

/// What a user of the generated client sees for each injected fault.
#[tokio::test]
async fn each_fault_mode_gives_the_error_a_client_would_see() {
    let mut table = String::new();
    for fault in Fault::ALL {
        let name = fault.name();
        let faults = Faults::always(fault).with_retry_after(7);
        let fake = CheckedFake::start(Config::default().with_leads(3).with_faults(faults)).await;
        let answer = client(&fake).get_lead().lead_id(1).send().await;
        let (status, kind) = match answer {
            // A failure at 200 is a typed value of the `200` response.
            Ok(answer) => {
                let status = answer.status().as_u16().to_string();
                let failure = answer.into_inner().into_result().expect_err(name);
                let kind = format!("Ok(FailureEnvelope(message: {:?}))", failure.message);
                (status, kind)
            }
            Err(error) => describe_error(&error),
        };
        table.push_str(&format!("{name}: status {status}: {kind}\n"));
        assert_eq!(
            fake.server.stats().faults.values().sum::<u64>(),
            1,
            "{name}"
        );
    }
    insta::assert_snapshot!(table);
}

/// The status and the kind of error the generated client reports.
fn describe_error(error: &Error<FailureEnvelope>) -> (String, String) {
    let status = error
        .status()
        .map(|s| s.as_u16().to_string())
        .unwrap_or("none".into());
    let kind = match error {
        Error::ErrorResponse(response) => format!(
            "ErrorResponse(message: {:?}, retry-after: {:?})",
            response.message,
            response.headers().get("retry-after")
        ),
        Error::InvalidResponsePayload(bytes, err) => {
            format!("InvalidResponsePayload({} bytes kept; {err})", bytes.len())
        }
        Error::CommunicationError(_) => "CommunicationError".to_owned(),
        Error::ResponseBodyError(_) => "ResponseBodyError".to_owned(),
        Error::UnexpectedResponse(response) => {
            format!("UnexpectedResponse({})", response.status())
        }
        other => format!("{other:?}"),
    };
    (status, kind)
}

/// A connection cut after handling means the create happened: retrying
/// would create the lead twice. The fake reproduces both ways it can happen:
/// no answer at all, and an answer cut halfway through its body.
#[tokio::test]
async fn a_create_whose_answer_is_cut_still_creates() {
    for fault in [Fault::CutBeforeAnswer, Fault::CutMidBody] {
        let faults = Faults::always(fault);
        let fake = CheckedFake::start(Config::default().with_leads(3).with_faults(faults)).await;
        let error = client(&fake)
            .create_lead()
            .body(new_lead("79001234567"))
            .send()
            .await
            .unwrap_err();
        match fault {
            Fault::CutBeforeAnswer => assert!(
                matches!(error, Error::CommunicationError(_)),
                "no status was received: {error:?}"
            ),
            _ => assert!(
                matches!(error, Error::ResponseBodyError(_)),
                "the status was received, the body broke: {error:?}"
            ),
        }
        assert_eq!(fake.server.stats().leads_created, 1, "{fault}");
    }
}
