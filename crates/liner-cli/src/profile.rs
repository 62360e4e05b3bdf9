//! Profiles: how to reach each of several Liner accounts, by name
//! (`--profile NAME`, `LINER_PROFILE`), from a TOML file: `$LINER_CONFIG`,
//! else `liner/config.toml` in the platform's config directory
//! (`~/.config` on Linux, `~/Library/Application Support` on macOS,
//! `%APPDATA%` on Windows).
//!
//! ```toml
//! [profiles.moscow]
//! base_url = "https://moscow.liner.example"
//! api_key_file = "moscow.key"        # relative to this file's directory; or
//! # api_key_env = "LINER_MOSCOW_KEY" # the variable that holds it; or
//! # api_key = "..."                  # only in a file its owner alone can read
//! ca_cert = "company-ca.pem"         # optional, as --ca-cert
//! proxy = "http://proxy:3128"        # optional, as --proxy
//! rate = "20/s"                      # optional, as --rate (the account's limit)
//! ```
//!
//! The key itself is refused in a file others can read: a config file is
//! often shared or copied, a key file less so.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::exit::Failure;

/// The variable naming the config file, for when the platform's place is
/// not the right one (tests, several setups).
pub const CONFIG_VAR: &str = "LINER_CONFIG";

/// Where the config file is: `$LINER_CONFIG`, else the platform's config
/// directory's `liner/config.toml`.
pub fn config_path() -> Option<PathBuf> {
    match std::env::var_os(CONFIG_VAR) {
        Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
        _ => dirs::config_dir().map(|dir| dir.join("liner").join("config.toml")),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    profiles: BTreeMap<String, Entry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    base_url: Option<String>,
    api_key_file: Option<PathBuf>,
    api_key_env: Option<String>,
    api_key: Option<InlineKey>,
    ca_cert: Option<PathBuf>,
    proxy: Option<String>,
    rate: Option<RateSetting>,
}

/// `rate = 20` or `rate = "20/s"`, as `--rate` takes it.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RateSetting {
    Number(i64),
    Text(String),
}

/// A key written in the config file; never printed.
#[derive(Deserialize)]
struct InlineKey(String);

impl std::fmt::Debug for InlineKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InlineKey(<redacted>)")
    }
}

/// Where a profile's key comes from.
pub enum KeySource {
    /// A file holding it.
    File(PathBuf),
    /// The value of this environment variable.
    Env(String),
    /// The config file itself (checked to be its owner's alone).
    Inline(String),
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File(path) => f.debug_tuple("File").field(path).finish(),
            Self::Env(name) => f.debug_tuple("Env").field(name).finish(),
            Self::Inline(_) => f.write_str("Inline(<redacted>)"),
        }
    }
}

/// A profile, its paths resolved against the config file's directory.
#[derive(Debug)]
pub struct Profile {
    pub name: String,
    pub base_url: Option<String>,
    pub key: KeySource,
    pub ca_cert: Option<PathBuf>,
    pub proxy: Option<String>,
    /// Requests a second, as `--rate`.
    pub rate: Option<u32>,
}

impl Profile {
    /// The key, read from where the profile says.
    pub fn key(&self) -> Result<String, Failure> {
        match &self.key {
            KeySource::File(path) => crate::key_file::read(path),
            KeySource::Env(name) => std::env::var(name).map_err(|_| {
                Failure::usage(format!(
                    "the profile `{}` takes its API key from ${name}, which is not set",
                    self.name
                ))
            }),
            KeySource::Inline(key) => Ok(key.clone()),
        }
    }
}

/// The profile `name` of the config file.
pub fn load(name: &str) -> Result<Profile, Failure> {
    let path = config_path().ok_or_else(|| {
        Failure::usage(format!(
            "--profile {name}: this platform has no config directory; set {CONFIG_VAR} to the \
             config file"
        ))
    })?;
    load_from(&path, name)
}

fn load_from(path: &Path, name: &str) -> Result<Profile, Failure> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|err| {
        Failure::usage(format!(
            "--profile {name}: cannot read the config file {shown}: {err}"
        ))
    })?;
    // The message and the line only: toml's own text quotes the line, which
    // may hold a key.
    let file: File = toml::from_str(&text).map_err(|err| {
        let line = err.span().map_or(0, |span| {
            text[..span.start.min(text.len())].matches('\n').count() + 1
        });
        Failure::usage(format!(
            "the config file {shown}, line {line}: {}",
            crate::text::one_line(err.message(), 300)
        ))
    })?;
    let known: Vec<String> = file.profiles.keys().cloned().collect();
    let mut profiles = file.profiles;
    let entry = profiles.remove(name).ok_or_else(|| {
        Failure::usage(format!(
            "no profile `{}` in {shown}; it has: {}",
            crate::text::one_line(name, 80),
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        ))
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let key = match (entry.api_key_file, entry.api_key_env, entry.api_key) {
        (Some(file), None, None) => KeySource::File(resolve(dir, &file)),
        (None, Some(var), None) => KeySource::Env(var),
        (None, None, Some(InlineKey(key))) => {
            owner_only(path).map_err(|problem| {
                Failure::usage(format!(
                    "the profile `{name}` holds its API key in {shown}, which {problem}: chmod \
                     600 {shown}, or move the key to a file of its own (api_key_file)"
                ))
            })?;
            KeySource::Inline(key)
        }
        (None, None, None) => {
            return Err(Failure::usage(format!(
                "the profile `{name}` in {shown} says nothing of the API key: give it \
                 api_key_file or api_key_env"
            )));
        }
        _ => {
            return Err(Failure::usage(format!(
                "the profile `{name}` in {shown} gives its API key more than one way: keep one \
                 of api_key_file, api_key_env and api_key"
            )));
        }
    };
    let rate = match entry.rate {
        None => None,
        Some(setting) => {
            let text = match setting {
                RateSetting::Number(number) => number.to_string(),
                RateSetting::Text(text) => text,
            };
            let rate = crate::cli::parse_rate(&text).map_err(|problem| {
                Failure::usage(format!(
                    "the profile `{name}` in {shown}: rate: {}",
                    crate::text::one_line(&problem, 200)
                ))
            })?;
            Some(rate)
        }
    };
    Ok(Profile {
        name: name.to_owned(),
        base_url: entry.base_url,
        key,
        ca_cert: entry.ca_cert.map(|file| resolve(dir, &file)),
        proxy: entry.proxy,
        rate,
    })
}

/// `path` from the config file: `~/` is the home directory, a relative
/// path is relative to the config file's directory.
fn resolve(dir: &Path, path: &Path) -> PathBuf {
    if let Ok(rest) = path.strip_prefix("~")
        && let Some(home) = dirs::home_dir()
    {
        return home.join(rest);
    }
    dir.join(path)
}

/// Ok if only `path`'s owner can read it; else what is wrong.
fn owner_only(path: &Path) -> Result<(), String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path)
            .map_err(|err| format!("cannot be checked ({err})"))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(format!("others can read (mode {:o})", mode & 0o777));
        }
        Ok(())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Err("cannot be checked to be its owner's alone on this platform".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str, mode: u32) -> PathBuf {
        let path = dir.join("config.toml");
        std::fs::write(&path, text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        path
    }

    #[test]
    fn profiles_resolve_their_paths_and_refuse_what_is_unclear() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "[profiles.a]\nbase_url = \"https://a.example\"\napi_key_file = \"a.key\"\n\
             ca_cert = \"ca.pem\"\n\
             [profiles.b]\napi_key_env = \"B_KEY\"\n\
             [profiles.both]\napi_key_env = \"X\"\napi_key_file = \"x\"\n\
             [profiles.none]\nbase_url = \"https://n.example\"\n",
            0o644,
        );
        let a = load_from(&path, "a").unwrap();
        assert_eq!(a.base_url.as_deref(), Some("https://a.example"));
        assert!(matches!(&a.key, KeySource::File(file) if *file == dir.path().join("a.key")));
        assert_eq!(a.ca_cert, Some(dir.path().join("ca.pem")));
        assert!(
            matches!(load_from(&path, "b").unwrap().key, KeySource::Env(ref v) if v == "B_KEY")
        );
        let err = load_from(&path, "both").unwrap_err().to_string();
        assert!(err.contains("more than one way"), "{err}");
        let err = load_from(&path, "none").unwrap_err().to_string();
        assert!(err.contains("says nothing of the API key"), "{err}");
        let err = load_from(&path, "c").unwrap_err().to_string();
        assert!(
            err.contains("no profile `c`") && err.contains("it has: a, b, both, none"),
            "{err}"
        );

        let rated = write(
            dir.path(),
            "[profiles.n]\napi_key_env = \"K\"\nrate = 20\n\
             [profiles.s]\napi_key_env = \"K\"\nrate = \"5/s\"\n\
             [profiles.zero]\napi_key_env = \"K\"\nrate = 0\n\
             [profiles.bad]\napi_key_env = \"K\"\nrate = \"fast\"\n",
            0o644,
        );
        assert_eq!(load_from(&rated, "n").unwrap().rate, Some(20));
        assert_eq!(load_from(&rated, "s").unwrap().rate, Some(5));
        for (profile, problem) in [
            ("zero", "rate: a rate is at least 1 request a second"),
            ("bad", "rate: \"fast\" is not a rate"),
        ] {
            let err = load_from(&rated, profile).unwrap_err().to_string();
            assert!(err.contains(&format!("the profile `{profile}`")), "{err}");
            assert!(err.contains(problem), "{err}");
        }

        let typo = write(dir.path(), "[profiles.a]\nbase_uri = \"x\"\n", 0o600);
        let err = load_from(&typo, "a").unwrap_err().to_string();
        assert!(err.contains("unknown field `base_uri`"), "{err}");
    }

    /// A key in the config file is refused unless only its owner can read
    /// the file, and it never shows in `Debug`.
    #[cfg(unix)]
    #[test]
    fn an_inline_key_needs_a_private_file() {
        let dir = tempfile::tempdir().unwrap();
        let text = "[profiles.a]\nbase_url = \"https://a.example\"\napi_key = \"sekret-123\"\n";
        let path = write(dir.path(), text, 0o644);
        let err = load_from(&path, "a").unwrap_err().to_string();
        assert!(
            err.contains("which others can read (mode 644): chmod 600"),
            "{err}"
        );
        assert!(!err.contains("sekret"), "{err}");
        let path = write(dir.path(), text, 0o600);
        let profile = load_from(&path, "a").unwrap();
        assert_eq!(profile.key().unwrap(), "sekret-123");
        assert!(!format!("{profile:?}").contains("sekret"), "{profile:?}");
    }
}
