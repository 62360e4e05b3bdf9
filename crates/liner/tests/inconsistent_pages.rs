//! A list the server pages inconsistently: a page shorter than asked before
//! the end, and a `next` other than where the page ends. The default
//! (lenient) mode logs a warning and pages on from where the server says;
//! strict mode yields the page that showed it, then a `Pagination` error,
//! and asks for nothing more.
//!
//! One test function: it captures `tracing` output, which a test on another
//! thread of the same binary could hide (see `liner_test_support::logs`).

mod support;

use futures_util::StreamExt as _;
use liner::{Error, Liner, RetryPolicy};
use liner_test_support::hostile::HostileServer;
use liner_test_support::logs::Captured;

use support::{list_server, offsets};

fn client_of(server: &HostileServer) -> Liner {
    support::client_of_with(server.base_url(), "k", RetryPolicy::none())
}

struct Case {
    name: &'static str,
    page_size: u64,
    pages: &'static [(u64, &'static str)],
    /// What lenient mode yields, and the offsets it asks for.
    lenient_ids: &'static [u64],
    lenient_offsets: &'static [u64],
    /// The problem, as the warning and the strict error word it.
    problem: &'static str,
    /// What strict mode yields before its error.
    strict_ids: &'static [u64],
}

const CASES: &[Case] = &[
    Case {
        name: "a short page before the end",
        page_size: 3,
        pages: &[
            (0, r#"{"list":[{"id":1},{"id":2}],"total":5,"next":2}"#),
            (
                2,
                r#"{"list":[{"id":3},{"id":4},{"id":5}],"total":5,"next":5}"#,
            ),
        ],
        lenient_ids: &[1, 2, 3, 4, 5],
        lenient_offsets: &[0, 2],
        problem: "the page at offset 0 has 2 leads, fewer than the 3 asked for, before the end",
        strict_ids: &[1, 2],
    },
    Case {
        name: "a next past the page's end",
        page_size: 2,
        pages: &[
            (0, r#"{"list":[{"id":1},{"id":2}],"total":6,"next":3}"#),
            (3, r#"{"list":[{"id":4},{"id":5}],"total":6,"next":5}"#),
            (5, r#"{"list":[{"id":6}],"total":6}"#),
        ],
        // The server said the next page starts at 3: lead 3 is its to skip.
        lenient_ids: &[1, 2, 4, 5, 6],
        lenient_offsets: &[0, 3, 5],
        problem: "the page at offset 0 ends at 2 but says the next one is at 3",
        strict_ids: &[1, 2],
    },
];

#[tokio::test]
async fn inconsistent_pages_warn_when_lenient_and_fail_when_strict() {
    let logs = Captured::default();
    let _guard = logs.install();
    for case in CASES {
        let server = list_server(case.pages).await;
        let leads = client_of(&server)
            .leads()
            .page_size(case.page_size)
            .concurrency(1)
            .collect_all()
            .await
            .unwrap_or_else(|err| panic!("{}: lenient mode fails: {err}", case.name));
        let ids: Vec<u64> = leads.iter().map(|lead| lead.id.get()).collect();
        assert_eq!(ids, case.lenient_ids, "{}", case.name);
        assert_eq!(offsets(&server), case.lenient_offsets, "{}", case.name);
        let warning = format!("{}; paging on", case.problem);
        assert!(
            logs.text()
                .lines()
                .any(|line| line.contains(" WARN ") && line.contains(&warning)),
            "{}: no warning {warning:?} in\n{}",
            case.name,
            logs.text()
        );

        let server = list_server(case.pages).await;
        let items: Vec<_> = client_of(&server)
            .leads()
            .page_size(case.page_size)
            .concurrency(1)
            .strict()
            .items()
            .collect()
            .await;
        let (last, yielded) = items.split_last().expect("something was yielded");
        let ids: Vec<u64> = yielded
            .iter()
            .map(|item| item.as_ref().expect("leads before the error").id.get())
            .collect();
        assert_eq!(ids, case.strict_ids, "{}", case.name);
        match last {
            Err(Error::Pagination { reason, .. }) => {
                assert_eq!(reason, case.problem, "{}", case.name)
            }
            other => panic!("{}: strict mode ends with {other:?}", case.name),
        }
        assert_eq!(offsets(&server), [0], "{}: nothing asked after", case.name);
    }
}
