//! `LINER_LOG` (or, when it is unset, `RUST_LOG`): a `tracing` filter for
//! what the client and the command log, printed on stderr in `tracing`'s
//! own format, for a developer or a bug report. The syntax is
//! `tracing_subscriber`'s `Targets`: `debug`, `liner=debug`,
//! `liner::request=debug,warn`. The events carry no key and no query value;
//! server text in them is bounded and escaped.

use tracing_subscriber::filter::Targets;

use crate::text::one_line;

/// The filter the environment asks for: `Ok(None)` when neither variable is
/// set (or both are empty), an error naming the variable when its value is
/// not a filter.
pub fn from_env() -> Result<Option<Targets>, String> {
    let Some((name, value)) = ["LINER_LOG", "RUST_LOG"].into_iter().find_map(|name| {
        std::env::var(name)
            .ok()
            .filter(|value| !value.trim().is_empty())
            .map(|value| (name, value))
    }) else {
        return Ok(None);
    };
    parse(&value).map(Some).map_err(|err| {
        format!(
            "{name}={}: not a log filter ({err}); write a level or target=level pairs, as \
             liner=debug or debug",
            one_line(&value, 100)
        )
    })
}

fn parse(value: &str) -> Result<Targets, String> {
    value
        .trim()
        .parse::<Targets>()
        .map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_targets_parse_and_others_do_not() {
        assert!(parse("debug").is_ok());
        assert!(parse("liner=debug,warn").is_ok());
        assert!(parse("liner::request=trace").is_ok());
        assert!(parse("liner=loud").is_err());
    }
}
