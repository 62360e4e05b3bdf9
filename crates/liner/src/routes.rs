//! The paths of the five operations, as `spec/liner.yaml` writes them
//! (trailing slash included). A test checks them against the spec.

use std::num::NonZeroU64;

pub(crate) const LEAD_LIST: &str = "/v2/lead/";
pub(crate) const LEAD_CREATE: &str = "/v2/lead/create/";

pub(crate) fn lead_detail(id: NonZeroU64) -> String {
    format!("/v2/lead/detail/{id}/")
}

pub(crate) fn lead_update(id: NonZeroU64) -> String {
    format!("/v2/lead/update/{id}/")
}

pub(crate) fn call_detail(id: NonZeroU64) -> String {
    format!("/v2/call/detail/{id}/")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spec's paths, each `{parameter}` filled with 7.
    #[test]
    fn paths_match_the_spec() {
        let spec = liner_spec::Spec::workspace().unwrap();
        let mut declared: Vec<String> = spec
            .operations()
            .iter()
            .map(|operation| operation.path_with("7"))
            .collect();
        declared.sort();
        let seven = NonZeroU64::new(7).unwrap();
        let mut ours = vec![
            LEAD_LIST.to_owned(),
            LEAD_CREATE.to_owned(),
            lead_detail(seven),
            lead_update(seven),
            call_detail(seven),
        ];
        ours.sort();
        assert_eq!(ours, declared);
    }
}
