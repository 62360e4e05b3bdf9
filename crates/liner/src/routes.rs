//! The five operations, each a [`Route`]: what the spec names it, its
//! method, its path template as `spec/liner.yaml` writes it (trailing
//! slash included), and what it does to the server. A test checks them
//! against the spec.

use std::num::NonZeroU64;

use reqwest::Method;

use crate::retry::Effect;

/// One request's operation, with its path filled in.
#[derive(Debug, Clone)]
pub(crate) struct Route {
    /// The spec's `operationId`: `getLead`.
    pub operation: &'static str,
    pub method: Method,
    /// The span's name, `{method} {template}`: `GET /v2/lead/detail/{leadId}/`.
    pub name: &'static str,
    /// The path template: `/v2/lead/detail/{leadId}/`. Traces name a
    /// request by it, never by its path (whose ids are data).
    pub template: &'static str,
    /// The path: `/v2/lead/detail/7/`.
    pub path: String,
    pub effect: Effect,
}

impl Route {
    fn new(
        operation: &'static str,
        method: Method,
        name: &'static str,
        template: &'static str,
        id: Option<NonZeroU64>,
        effect: Effect,
    ) -> Self {
        let path = match (id, template.find('{'), template.find('}')) {
            (Some(id), Some(open), Some(close)) => {
                format!("{}{id}{}", &template[..open], &template[close + 1..])
            }
            _ => template.to_owned(),
        };
        Self {
            operation,
            method,
            name,
            template,
            path,
            effect,
        }
    }
}

/// A [`Route`] from its operation id, method, template, id and effect; the
/// span name `{method} {template}` is spelled at compile time.
macro_rules! route {
    ($operation:literal, $method:ident, $template:literal, $id:expr, $effect:ident) => {
        Route::new(
            $operation,
            Method::$method,
            concat!(stringify!($method), " ", $template),
            $template,
            $id,
            Effect::$effect,
        )
    };
}

pub(crate) fn list_leads() -> Route {
    route!("listLeads", GET, "/v2/lead/", None, Read)
}

pub(crate) fn create_lead() -> Route {
    route!("createLead", POST, "/v2/lead/create/", None, Create)
}

pub(crate) fn get_lead(id: NonZeroU64) -> Route {
    route!("getLead", GET, "/v2/lead/detail/{leadId}/", Some(id), Read)
}

pub(crate) fn update_lead(id: NonZeroU64) -> Route {
    route!(
        "updateLead",
        POST,
        "/v2/lead/update/{leadId}/",
        Some(id),
        Update
    )
}

pub(crate) fn get_call(id: NonZeroU64) -> Route {
    route!("getCall", GET, "/v2/call/detail/{callId}/", Some(id), Read)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spec's operations: id, method, template, and the path with
    /// every `{parameter}` filled with 7.
    #[test]
    fn routes_match_the_spec() {
        let spec = liner_spec::Spec::workspace().unwrap();
        let mut declared: Vec<(String, String, String, String)> = spec
            .operations()
            .iter()
            .map(|operation| {
                (
                    operation.id.clone(),
                    operation.method.clone(),
                    operation.path.clone(),
                    operation.path_with("7"),
                )
            })
            .collect();
        declared.sort();
        let seven = NonZeroU64::new(7).unwrap();
        let mut ours: Vec<(String, String, String, String)> = [
            list_leads(),
            create_lead(),
            get_lead(seven),
            update_lead(seven),
            get_call(seven),
        ]
        .into_iter()
        .map(|route| {
            assert_eq!(route.name, format!("{} {}", route.method, route.template));
            (
                route.operation.to_owned(),
                route.method.to_string(),
                route.template.to_owned(),
                route.path,
            )
        })
        .collect();
        ours.sort();
        assert_eq!(ours, declared);
    }
}
