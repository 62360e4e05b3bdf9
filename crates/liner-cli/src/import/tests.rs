use super::*;

/// Item 8 of the import issue: a create that took 15 s to time out
/// waits 30 s before its look-up, not the 10 s of `--settle`: a server
/// that slow to answer may be as slow again to store what it queued.
#[test]
fn a_slow_server_settles_longer() {
    let secs = Duration::from_secs;
    assert_eq!(settle_wait(secs(10), secs(15)), secs(30));
    assert_eq!(settle_wait(secs(10), Duration::from_millis(20)), secs(10));
    assert_eq!(settle_wait(secs(0), Duration::MAX), Duration::MAX);
}
