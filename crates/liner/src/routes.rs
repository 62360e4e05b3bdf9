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
            template,
            path,
            effect,
        }
    }
}

pub(crate) fn list_leads() -> Route {
    Route::new("listLeads", Method::GET, "/v2/lead/", None, Effect::Read)
}

pub(crate) fn create_lead() -> Route {
    Route::new(
        "createLead",
        Method::POST,
        "/v2/lead/create/",
        None,
        Effect::Create,
    )
}

pub(crate) fn get_lead(id: NonZeroU64) -> Route {
    Route::new(
        "getLead",
        Method::GET,
        "/v2/lead/detail/{leadId}/",
        Some(id),
        Effect::Read,
    )
}

pub(crate) fn update_lead(id: NonZeroU64) -> Route {
    Route::new(
        "updateLead",
        Method::POST,
        "/v2/lead/update/{leadId}/",
        Some(id),
        Effect::Update,
    )
}

pub(crate) fn get_call(id: NonZeroU64) -> Route {
    Route::new(
        "getCall",
        Method::GET,
        "/v2/call/detail/{callId}/",
        Some(id),
        Effect::Read,
    )
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
