//! `--rate`: requests a second, as `200` or `200/s`.

/// A rate: `200` or `200/s`, at least 1 request a second.
pub(crate) fn parse_rate(text: &str) -> Result<u32, String> {
    let number = text.trim().strip_suffix("/s").unwrap_or(text.trim());
    match number.parse::<u32>() {
        Ok(0) => Err("a rate is at least 1 request a second".to_owned()),
        Ok(rate) => Ok(rate),
        Err(_) => Err(format!(
            "{text:?} is not a rate: write requests a second, as 200 or 200/s"
        )),
    }
}
