//! Routing and answering requests: auth, faults, the five endpoints.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use futures_util::StreamExt as _;
use serde_json::{Value, json};

use crate::faults::Fault;
use crate::input;
use crate::store::PageLead;
use crate::{App, Exchange};

/// The header that carries the API key.
const API_KEY_HEADER: &str = "x-api-key";

/// The five documented operations, by the spec's `operationId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route<'a> {
    GetLead(&'a str),
    ListLeads,
    CreateLead,
    UpdateLead(&'a str),
    GetCall(&'a str),
}

impl Route<'_> {
    fn operation_id(self) -> &'static str {
        match self {
            Route::GetLead(_) => "getLead",
            Route::ListLeads => "listLeads",
            Route::CreateLead => "createLead",
            Route::UpdateLead(_) => "updateLead",
            Route::GetCall(_) => "getCall",
        }
    }

    fn method(self) -> Method {
        match self {
            Route::CreateLead | Route::UpdateLead(_) => Method::POST,
            _ => Method::GET,
        }
    }

    /// Whether `method` reaches this operation: its own method, and `HEAD`
    /// wherever `GET` does (RFC 9110, 9.3.2).
    fn accepts(self, method: &Method) -> bool {
        *method == self.method() || (*method == Method::HEAD && self.method() == Method::GET)
    }

    /// The `Allow` header of a `405` for this path (RFC 9110, 15.5.6).
    fn allow(self) -> &'static str {
        if self.method() == Method::GET {
            "GET, HEAD"
        } else {
            "POST"
        }
    }
}

/// Matches a path to an operation. The documented paths end in `/`; the
/// docs' own curl, PHP and JS examples call them without it
/// (`/v2/lead/detail/{{leadId}}`), so the real API evidently accepts both,
/// and so does the fake.
fn route(path: &str) -> Option<Route<'_>> {
    let path = path.strip_suffix('/').unwrap_or(path);
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    match segments.as_slice() {
        ["v2", "lead"] => Some(Route::ListLeads),
        ["v2", "lead", "create"] => Some(Route::CreateLead),
        ["v2", "lead", "detail", id] => Some(Route::GetLead(id)),
        ["v2", "lead", "update", id] => Some(Route::UpdateLead(id)),
        ["v2", "call", "detail", id] => Some(Route::GetCall(id)),
        _ => None,
    }
}

/// An answer before it becomes an HTTP response.
struct Reply {
    status: u16,
    body: Vec<u8>,
    html: bool,
    retry_after: Option<u64>,
    /// The `Allow` header, on a `405`.
    allow: Option<&'static str>,
    /// Whether and where the connection is cut.
    cut: Option<Cut>,
}

/// Where an answer's connection is cut.
#[derive(Debug, Clone, Copy)]
enum Cut {
    /// Before any of the answer leaves: no status line.
    BeforeAnswer,
    /// After the head and the first half of the body.
    MidBody,
}

/// The success envelope of a `listLeads` answer, written straight from the
/// page's leads without building a `Value` first (the hot path of a client
/// exporting a large list). Keys in the order `serde_json::Map` writes them,
/// as every other answer has them; a test checks the bytes are the same.
fn lead_page_body(leads: &[PageLead], next: Option<u64>, total: u64) -> Vec<u8> {
    // About 630 bytes per seeded lead.
    let mut out = Vec::with_capacity(128 + leads.len() * 700);
    out.extend_from_slice(br#"{"data":{"list":["#);
    for (index, lead) in leads.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        lead.write_json(&mut out);
    }
    out.extend_from_slice(br#"],"next":"#);
    match next {
        Some(next) => out.extend_from_slice(next.to_string().as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(br#","total":"#);
    out.extend_from_slice(total.to_string().as_bytes());
    out.extend_from_slice(br#"},"message":"","success":true}"#);
    out
}

impl Reply {
    fn content_type(&self) -> &'static str {
        if self.html {
            "text/html"
        } else {
            "application/json"
        }
    }

    fn success(data: Value) -> Self {
        Self::json(
            200,
            &json!({ "success": true, "message": "", "data": data }),
        )
    }

    /// The failure envelope. `data` is `[]`, as PHP encodes "nothing".
    fn failure(status: u16, message: impl Into<String>) -> Self {
        Self::json(
            status,
            &json!({ "success": false, "message": message.into(), "data": [] }),
        )
    }

    fn json(status: u16, value: &Value) -> Self {
        Self::bytes(status, serde_json::to_vec(value).unwrap_or_default())
    }

    fn bytes(status: u16, body: Vec<u8>) -> Self {
        Self {
            status,
            body,
            html: false,
            retry_after: None,
            allow: None,
            cut: None,
        }
    }

    fn html(status: u16, title: &str) -> Self {
        let body = format!(
            "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        );
        Self {
            status,
            body: body.into_bytes(),
            html: true,
            retry_after: None,
            allow: None,
            cut: None,
        }
    }
}

/// The one handler: every request, every path.
pub async fn handle(
    State(app): State<Arc<App>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let arrived = Instant::now();
    let number = app.requests.fetch_add(1, Ordering::Relaxed);
    let (latency, fault) = app.config.faults.decide(number);
    // Past the rate limit a request is refused before anything else: no
    // fault is injected into it, and it is not handled.
    let limited = app.bucket.as_ref().and_then(|bucket| bucket.take().err());
    let fault = fault.filter(|_| limited.is_none());
    let route = route(uri.path());
    // Read up to the limit and no further: a larger body is refused with the
    // failure envelope, as the API's own limit would be.
    let body = axum::body::to_bytes(body, app.config.max_body_bytes).await;
    let mut reply = match (fault, body) {
        _ if limited.is_some() => {
            app.rate_limited.fetch_add(1, Ordering::Relaxed);
            Reply {
                retry_after: limited.map(crate::rate_limit::retry_after_seconds),
                ..Reply::failure(429, "Too many requests, retry later")
            }
        }
        (Some(fault), _) if !fault.after_handling() => {
            injected(fault, app.config.faults.retry_after_seconds)
        }
        (_, Err(_)) => Reply::failure(
            413,
            format!(
                "the request body is larger than {} bytes",
                app.config.max_body_bytes
            ),
        ),
        (_, Ok(body)) => answer(
            &app,
            fault.is_some_and(Fault::after_handling),
            route,
            &method,
            uri.query(),
            &headers,
            &body,
        ),
    };
    if let Some(fault) = fault {
        app.record_fault(fault);
        match fault {
            Fault::CutBeforeAnswer => reply.cut = Some(Cut::BeforeAnswer),
            Fault::CutMidBody => reply.cut = Some(Cut::MidBody),
            Fault::MalformedJson => {
                reply.status = 200;
                reply.body.truncate(reply.body.len() / 2);
            }
            _ => {}
        }
    }
    // Injected latency is the server's response time: the answer leaves
    // `latency` after the request arrived, the fake's own work included. A
    // delay added after that work would charge every client for the fake's
    // CPU time (rendering a 100-lead page is a few hundred microseconds on
    // the benchmark machine, where the fake shares the client's cores), and
    // no real server's time is spent on the client's machine. The work comes
    // first, as on a real server: a write a client gave up waiting for has
    // still happened.
    if !latency.is_zero() {
        let deadline = arrived + latency;
        match &app.delay {
            Some(delay) => delay.wait_until(deadline).await,
            None => tokio::time::sleep_until(deadline.into()).await,
        }
    }
    if let Some(observer) = &app.config.observer {
        observer(&Exchange {
            operation_id: route
                .filter(|r| r.accepts(&method))
                .map(Route::operation_id),
            method: method.as_str(),
            path: uri.path(),
            status: reply.status,
            content_type: reply.content_type(),
            body: &reply.body,
            fault,
        });
    }
    into_response(reply)
}

/// The answer of a fault decided before the request is handled.
fn injected(fault: Fault, retry_after: u64) -> Reply {
    match fault {
        Fault::TooManyRequests => Reply {
            retry_after: Some(retry_after),
            ..Reply::failure(429, "Too many requests, retry later")
        },
        Fault::InternalError => Reply::failure(500, "Internal server error"),
        Fault::BadGateway => Reply::html(502, "502 Bad Gateway"),
        Fault::Unavailable => Reply::html(503, "503 Service Temporarily Unavailable"),
        Fault::SuccessFalse => Reply::failure(200, "Temporary failure, try again"),
        // Decided after handling (see `Fault::after_handling`); a plain
        // internal error if ever asked here.
        _ => Reply::failure(500, "Internal server error"),
    }
}

fn answer(
    app: &App,
    answer_lost: bool,
    route: Option<Route<'_>>,
    method: &Method,
    query: Option<&str>,
    headers: &HeaderMap,
    body: &[u8],
) -> Reply {
    let Some(route) = route else {
        return Reply::failure(404, "No such endpoint; see the Liner API documentation");
    };
    if !route.accepts(method) {
        return Reply {
            allow: Some(route.allow()),
            ..Reply::failure(
                405,
                format!(
                    "Method {method} is not allowed here; use {}",
                    route.method()
                ),
            )
        };
    }
    match headers.get(API_KEY_HEADER) {
        None => return Reply::failure(401, "Missing X-Api-Key header"),
        Some(key) if key.as_bytes() != app.config.api_key.as_bytes() => {
            return Reply::failure(401, "Invalid API key");
        }
        Some(_) => {}
    }
    let result = match route {
        Route::GetLead(raw) => input::path_id("leadId", raw).map(|id| match app.store().lead(id) {
            Some(lead) => Reply::success(Value::Object(lead)),
            None => Reply::failure(404, format!("Lead {id} not found")),
        }),
        Route::GetCall(raw) => input::path_id("callId", raw).map(|id| match app.store().call(id) {
            Some(call) => Reply::success(Value::Object(call)),
            None => Reply::failure(404, format!("Call {id} not found")),
        }),
        Route::ListLeads => input::list_query(query).map(|query| {
            let mut store = app.store();
            if query.offset > 0 && app.config.shift_per_page > 0 {
                store.shift_in(app.config.shift_per_page);
            }
            if app.config.churn_per_page > 0 {
                store.churn(&query.filter, query.offset, app.config.churn_per_page);
            }
            let page = store.list(&query.filter, query.offset, query.limit);
            // Unlocked before the page is written out: a std mutex held
            // across that work would block the other runtime worker too.
            drop(store);
            let end = query.offset + page.leads.len() as u64;
            // Decision (mirrored in the spec's `LeadPage.next`): `next` is the
            // offset of the following page, `null` once there is none.
            // Written straight from the page's leads, without building a
            // `Value` of the page first (the export benchmark's hot path).
            Reply::bytes(
                200,
                lead_page_body(&page.leads, (end < page.total).then_some(end), page.total),
            )
        }),
        Route::CreateLead => input::new_lead(body).map(|lead| {
            // A create whose answer will be lost is stored late, if asked:
            // a server that queues work.
            let late = (answer_lost && !app.config.late_store.is_zero())
                .then(|| Instant::now() + app.config.late_store);
            let id = app.store().create(lead, late);
            Reply::success(json!({ "id": id }))
        }),
        Route::UpdateLead(raw) => input::path_id("leadId", raw).and_then(|id| {
            let patch = input::lead_patch(body)?;
            Ok(if app.store().update(id, patch) {
                Reply::success(json!([]))
            } else {
                Reply::failure(404, format!("Lead {id} not found"))
            })
        }),
    };
    result.unwrap_or_else(|message| Reply::failure(400, message))
}

fn into_response(reply: Reply) -> Response {
    let length = reply.body.len();
    let content_type = reply.content_type();
    let body = match reply.cut {
        None => Body::from(reply.body),
        // An error as the body's first item makes hyper drop the connection
        // with the head still in its buffer: the client gets no status.
        Some(Cut::BeforeAnswer) => {
            Body::from_stream(futures_util::stream::iter([Err::<Bytes, std::io::Error>(
                std::io::Error::other("liner-fake: connection cut before answering, on purpose"),
            )]))
        }
        // The head and the first half of the body go out (the pause lets
        // hyper flush them), then the connection is cut with the declared
        // Content-Length unmet.
        Some(Cut::MidBody) => {
            let mut half = reply.body;
            half.truncate(length / 2);
            let first =
                futures_util::stream::iter([Ok::<Bytes, std::io::Error>(Bytes::from(half))]);
            let cut = futures_util::stream::once(async {
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                Err(std::io::Error::other(
                    "liner-fake: connection cut mid-body, on purpose",
                ))
            });
            Body::from_stream(first.chain(cut))
        }
    };
    let mut response = Response::new(body);
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Some(seconds) = reply.retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    if let Some(allow) = reply.allow {
        headers.insert(header::ALLOW, HeaderValue::from_static(allow));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lead_page_is_written_as_serde_json_would_write_it() {
        let mut store = crate::store::Store::new(3, 150, 0);
        let mut patch = serde_json::Map::new();
        patch.insert("name".into(), json!("Quote \" and \\ backslash"));
        assert!(store.update(2, patch));
        let filter = crate::store::LeadFilter::default();
        for (offset, next) in [(0, Some(100)), (100, None)] {
            let page = store.list(&filter, offset, 100);
            let leads: Vec<Value> = page
                .leads
                .iter()
                .map(|lead| serde_json::to_value(lead).unwrap())
                .collect();
            let expected = json!({
                "success": true,
                "message": "",
                "data": { "list": leads, "next": next, "total": page.total },
            });
            let written = lead_page_body(&page.leads, next, page.total);
            assert_eq!(
                String::from_utf8(written).unwrap(),
                serde_json::to_string(&expected).unwrap()
            );
        }
    }

    #[test]
    fn routes_with_and_without_the_trailing_slash() {
        assert_eq!(route("/v2/lead/"), Some(Route::ListLeads));
        assert_eq!(route("/v2/lead"), Some(Route::ListLeads));
        assert_eq!(route("/v2/lead/detail/5/"), Some(Route::GetLead("5")));
        assert_eq!(route("/v2/lead/detail/5"), Some(Route::GetLead("5")));
        assert_eq!(route("/v2/call/detail/7/"), Some(Route::GetCall("7")));
        assert_eq!(route("/v2/lead/update/5/"), Some(Route::UpdateLead("5")));
        assert_eq!(route("/v2/lead/create/"), Some(Route::CreateLead));
        assert_eq!(route("/v2/leads/"), None);
        assert_eq!(route("/v2/lead/detail/"), None);
    }
}
