use super::*;

#[test]
fn base_urls_are_checked_and_normalized() {
    assert_eq!(
        normalize_base_url("https://liner.example.com/").unwrap(),
        "https://liner.example.com"
    );
    assert_eq!(
        normalize_base_url("http://127.0.0.1:8080").unwrap(),
        "http://127.0.0.1:8080"
    );
    assert_eq!(
        normalize_base_url("https://h/api/").unwrap(),
        "https://h/api"
    );
    for bad in [
        "liner.example.com",
        "ftp://h",
        "https://h/?x=1",
        "https://u:p@h",
    ] {
        assert!(
            matches!(normalize_base_url(bad), Err(Error::Config { .. })),
            "{bad}"
        );
    }
}

/// What a refused base URL may carry that is secret stays out of the
/// error.
#[test]
fn a_refused_base_url_shows_no_credentials() {
    for (bad, shown) in [
        (
            "https://user:SECRET@h/api",
            "base URL \"https://h/api\" must not carry credentials; use .api_key(..)",
        ),
        (
            "https://h/api?key=SECRET#SECRET",
            "base URL \"https://h/api\" must not have a query or fragment",
        ),
        (
            "ftp://SECRET@h",
            "base URL \"ftp://h/\" must start with http:// or https://",
        ),
        (
            "SECRET@h:port",
            "the base URL is not a URL (not shown: it may carry credentials)",
        ),
        (
            "user:SECRET@h",
            "the base URL must start with http:// or https:// (not shown: it may carry \
             credentials)",
        ),
    ] {
        let err = normalize_base_url(bad).unwrap_err();
        let Error::Config { reason, .. } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(reason, shown);
        assert!(!format!("{err} {err:?}").contains("SECRET"), "{err:?}");
    }
}

#[test]
fn the_environment_configures_all_or_nothing() {
    let set = |value: &str| Some(value.to_owned());
    assert!(Liner::from_vars(None, None).unwrap().is_none());
    let configured = Liner::from_vars(set("https://liner.example.com"), set("key"));
    assert_eq!(
        configured.unwrap().unwrap().base_url(),
        "https://liner.example.com"
    );
    for (base_url, key, expected) in [
        (
            None,
            set("key"),
            "LINER_API_KEY is set but LINER_BASE_URL is not",
        ),
        (
            set("https://h"),
            None,
            "LINER_BASE_URL is set but LINER_API_KEY is not",
        ),
        (set("liner.example.com"), set("key"), "is not a URL"),
        (
            set("http://liner.example.com"),
            set("key"),
            "refusing to send the API key over plain http://",
        ),
    ] {
        let err = Liner::from_vars(base_url, key).unwrap_err();
        assert!(err.to_string().contains(expected), "{err}");
    }
}

#[test]
fn debug_never_shows_the_key() {
    let client = Liner::builder()
        .base_url("http://127.0.0.1:1")
        .api_key("canary-key-42")
        .build()
        .unwrap();
    let printed = format!("{client:?} {:?}", Liner::builder().api_key("canary-key-42"));
    assert!(!printed.contains("canary-key-42"), "{printed}");
}

#[test]
fn plain_http_is_refused_off_loopback() {
    let build = |url: &str| Liner::builder().base_url(url).api_key("k").build();
    for local in [
        "http://127.0.0.1:8080",
        "http://127.3.4.5",
        "http://[::1]:80",
        "http://localhost:1",
        "https://liner.example.com",
    ] {
        assert!(build(local).is_ok(), "{local}");
    }
    let err = build("http://liner.example.com").unwrap_err();
    assert!(
        err.to_string()
            .contains("refusing to send the API key over plain http:// to liner.example.com"),
        "{err}"
    );
    let allowed = Liner::builder()
        .base_url("http://10.0.0.1")
        .api_key("k")
        .allow_insecure_http(true)
        .build();
    assert!(allowed.is_ok());
}

#[test]
fn missing_settings_are_named() {
    let err = Liner::builder().api_key("k").build().unwrap_err();
    assert!(err.to_string().contains("no base URL"), "{err}");
    let err = Liner::builder()
        .base_url("http://127.0.0.1:1")
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("LINER_API_KEY"), "{err}");
    let err = Liner::builder()
        .base_url("http://127.0.0.1:1")
        .api_key("a\nb")
        .build()
        .unwrap_err();
    assert!(!err.to_string().contains("a\nb"));
}

#[test]
fn a_rate_limit_of_zero_is_refused() {
    let build = |rate: u32| {
        Liner::builder()
            .base_url("http://127.0.0.1:1")
            .api_key("k")
            .rate_limit(rate)
            .build()
    };
    assert!(build(1).is_ok());
    let err = build(0).unwrap_err();
    assert!(
        err.to_string()
            .contains("the rate limit is 0 requests a second"),
        "{err}"
    );
}
