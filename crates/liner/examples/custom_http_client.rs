//! The HTTP side of the client: a user agent, timeouts, a private
//! certificate authority, a proxy, and your own `reqwest::Client`.
//!
//! ```text
//! cargo run -p liner --example custom_http_client
//! ```
//!
//! With neither `LINER_BASE_URL` nor `LINER_API_KEY` set it starts the fake
//! Liner server in-process over **HTTPS**, with a certificate from an
//! authority of its own, which the client is told to trust, as it would be
//! told to trust a company's authority. With both set it reads from that
//! server, trusting `LINER_CA_CERT` and going through `LINER_PROXY` when
//! set. It only reads.

use std::error::Error;
use std::process::ExitCode;
use std::time::Duration;

use liner::Liner;

mod support;

#[tokio::main]
async fn main() -> ExitCode {
    support::exit_status(run().await)
}

/// Where to connect: a base URL, its key, and the PEM of an authority to
/// trust besides the platform's.
struct Server {
    base_url: String,
    api_key: String,
    authority_pem: Option<String>,
    /// A proxy to go through (`LINER_PROXY`), besides the usual variables.
    proxy: Option<String>,
    /// The in-process fake, kept alive until the end of `run`.
    _fake: Option<liner_fake::FakeServer>,
}

async fn run() -> Result<(), Box<dyn Error>> {
    let server = server().await?;

    // 1. The builder's own settings. The proxy comes from HTTPS_PROXY and
    //    the other usual variables unless `.proxy(url)` or `.no_proxy()`
    //    says otherwise; the key and the paths of an https:// URL travel
    //    through it encrypted.
    let mut builder = Liner::builder()
        .base_url(&server.base_url)
        .api_key(server.api_key.as_str())
        .user_agent("my-service/1.0")
        .timeout(Duration::from_secs(20)) // each attempt
        .connect_timeout(Duration::from_secs(5));
    if let Some(pem) = &server.authority_pem {
        builder = builder.add_root_certificate(pem);
    }
    if let Some(proxy) = &server.proxy {
        builder = builder.proxy(proxy);
    }
    let client = builder.build()?;
    // Printed once the client accepted it: a base URL with a user, a
    // password or a query is refused, never echoed.
    println!("talking to {}", client.base_url());
    let page = client.leads().page_size(5).page().await?;
    println!(
        "builder settings: read {} leads over {}",
        page.items.len(),
        scheme(&server)
    );

    // 2. Your own reqwest client, for settings the builder does not offer
    //    (here a pool that keeps idle connections 30 s). The client's key
    //    and timeouts are still applied per request. Its redirect policy
    //    must be `none`: a client that follows redirects sends the key
    //    wherever a redirect points.
    let mut http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("my-service/1.0")
        .pool_idle_timeout(Duration::from_secs(30));
    if let Some(pem) = &server.authority_pem {
        http = http.add_root_certificate(reqwest::Certificate::from_pem(pem.as_bytes())?);
    }
    if let Some(proxy) = &server.proxy {
        http = http.proxy(reqwest::Proxy::all(proxy)?);
    }
    let client = Liner::builder()
        .base_url(&server.base_url)
        .api_key(server.api_key.as_str())
        .http_client(http.build()?)
        .build()?;
    let page = client.leads().page_size(5).page().await?;
    println!("own reqwest client: read {} leads", page.items.len());

    // A setting the builder would have to ignore is refused, not dropped.
    let refused = Liner::builder()
        .base_url(&server.base_url)
        .api_key(server.api_key.as_str())
        .http_client(reqwest::Client::new())
        .proxy("http://proxy.example.com:3128")
        .build();
    if let Err(error) = refused {
        println!("refused as it should be: {error}");
    }
    Ok(())
}

fn scheme(server: &Server) -> &str {
    server.base_url.split(':').next().unwrap_or("?")
}

/// The configured server, or the fake over HTTPS.
async fn server() -> Result<Server, Box<dyn Error>> {
    let base_url = std::env::var(Liner::BASE_URL_VAR).ok();
    let api_key = std::env::var(Liner::API_KEY_VAR).ok();
    match (base_url, api_key) {
        (Some(base_url), Some(api_key)) => {
            let authority_pem = match std::env::var(Liner::CA_CERT_VAR) {
                Ok(path) => Some(std::fs::read_to_string(path)?),
                Err(_) => None,
            };
            eprintln!("Using the Liner API of {}; read-only", Liner::BASE_URL_VAR);
            Ok(Server {
                base_url,
                api_key,
                authority_pem,
                proxy: std::env::var(Liner::PROXY_VAR).ok(),
                _fake: None,
            })
        }
        (None, None) => {
            let fake = liner_fake::FakeServer::start(
                liner_fake::Config::default()
                    .with_leads(20)
                    .with_tls(liner_fake::Tls::default()),
            )
            .await?;
            eprintln!(
                "{} and {} are not set: started a fake Liner server at {} (HTTPS, its own authority)",
                Liner::BASE_URL_VAR,
                Liner::API_KEY_VAR,
                fake.base_url()
            );
            Ok(Server {
                base_url: fake.base_url().to_owned(),
                api_key: fake.api_key().to_owned(),
                authority_pem: fake.ca_pem().map(str::to_owned),
                proxy: None,
                _fake: Some(fake),
            })
        }
        _ => Err(format!(
            "set both {} and {}, or neither",
            Liner::BASE_URL_VAR,
            Liner::API_KEY_VAR
        )
        .into()),
    }
}
