//! The client every command uses: from `--base-url`/`LINER_BASE_URL`,
//! `--api-key-file`/`LINER_API_KEY_FILE`/`LINER_API_KEY` and a profile
//! (`--profile`), or a fake server started in-process (`--fake`).

use liner::Liner;
use liner_fake::{Clock, Config, FakeServer};

use crate::cli::Cli;
use crate::exit::Failure;

/// The key of the fake servers `--fake` and `liner demo` start. Not a
/// secret: they listen on 127.0.0.1 only.
pub const FAKE_KEY: &str = "demo-key";

/// A client, and the fake server it talks to when `--fake` was given (which
/// stops when this is dropped).
pub struct Connection {
    pub client: Liner,
    _fake: Option<FakeServer>,
}

/// A fake server as `--fake` and `liner demo` start it: seeded, on
/// 127.0.0.1, dating creations by the system clock (as a real server, which
/// import's reconciliation relies on).
pub async fn start_fake(leads: u64, calls: u64, port: u16) -> Result<FakeServer, Failure> {
    FakeServer::start(
        Config::default()
            .with_api_key(FAKE_KEY)
            .with_leads(leads)
            .with_calls(calls)
            .with_clock(Clock::System)
            .with_bind(std::net::SocketAddr::from(([127, 0, 0, 1], port))),
    )
    .await
    .map_err(|err| {
        // The error describes its own layer; its causes follow it.
        Failure::local(crate::exit::with_causes(
            format!("cannot start the fake server: {err}"),
            &err,
        ))
    })
}

pub async fn connect(cli: &Cli) -> Result<Connection, Failure> {
    if cli.fake {
        let fake = start_fake(1000, 100, 0).await?;
        let mut builder = Liner::builder().base_url(fake.base_url()).api_key(FAKE_KEY);
        if let Some(rate) = cli.rate {
            builder = builder.rate_limit(rate);
        }
        let client = builder.build().map_err(|err| Failure::client("", &err))?;
        return Ok(Connection {
            client,
            _fake: Some(fake),
        });
    }
    // A setting given on the command line wins over the profile, which wins
    // over the environment (`LINER_*`): a profile asked for by name means
    // its account, whatever the shell exports.
    let profile = cli
        .profile
        .as_deref()
        .map(crate::profile::load)
        .transpose()?;
    let pick = |given: bool, flag: Option<String>, from_profile: Option<String>| {
        if given { flag } else { from_profile.or(flag) }
    };
    let base_url = pick(
        cli.given.base_url,
        cli.base_url.clone(),
        profile
            .as_ref()
            .and_then(|profile| profile.base_url.clone()),
    )
    .ok_or_else(|| {
        Failure::usage(match &profile {
            Some(profile) => format!(
                "no base URL: the profile `{}` has none; add base_url to it, or pass --base-url",
                profile.name
            ),
            None => "no base URL: set LINER_BASE_URL or pass --base-url (or try --fake, or `liner \
                     demo`)"
                .to_owned(),
        })
    })?;
    let key = match (&cli.api_key_file, &profile) {
        (Some(path), _) if cli.given.api_key_file => crate::key_file::read(path)?,
        (_, Some(profile)) => profile.key()?,
        (Some(path), None) => crate::key_file::read(path)?,
        (None, None) => std::env::var(liner::Liner::API_KEY_VAR).map_err(|_| {
            Failure::usage(format!(
                "no API key: set {} or LINER_API_KEY_FILE, or pass --api-key-file PATH (or \
                 --profile NAME)",
                liner::Liner::API_KEY_VAR
            ))
        })?,
    };
    let ca_cert = pick(
        cli.given.ca_cert,
        cli.ca_cert.as_ref().map(|path| path.display().to_string()),
        profile
            .as_ref()
            .and_then(|profile| profile.ca_cert.as_ref())
            .map(|path| path.display().to_string()),
    );
    let proxy = pick(
        cli.given.proxy,
        cli.proxy.clone(),
        profile.as_ref().and_then(|profile| profile.proxy.clone()),
    );
    let mut builder = Liner::builder().base_url(base_url).api_key(key);
    if let Some(path) = &ca_cert {
        builder = builder.add_root_certificate_file(path);
    }
    if let Some(proxy) = &proxy {
        builder = builder.proxy(proxy);
    }
    let rate = if cli.given.rate {
        cli.rate
    } else {
        profile
            .as_ref()
            .and_then(|profile| profile.rate)
            .or(cli.rate)
    };
    if let Some(rate) = rate {
        builder = builder.rate_limit(rate);
    }
    let client = builder.build().map_err(|err| Failure::client("", &err))?;
    Ok(Connection {
        client,
        _fake: None,
    })
}
