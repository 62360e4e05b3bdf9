//! The examples embedded in the spec: request bodies and responses of every
//! operation, `$ref`'d responses resolved.

use serde_json::Value;

use crate::Spec;

/// One example of a request or response body.
#[derive(Debug, Clone)]
pub struct Example {
    pub operation_id: String,
    /// `request`, or the response's key (`200`, `401`, `4XX`, ...).
    pub place: String,
    /// The media type the example is given for (`application/json`, ...).
    pub content_type: String,
    /// The example's name, or `example` for a media type's lone `example`.
    pub name: String,
    pub value: Value,
}

impl Spec {
    /// Every example of every operation, by path, then method, then place.
    pub fn examples(&self) -> Vec<Example> {
        let document = self.document();
        let mut found = Vec::new();
        for operation in self.operations() {
            let node = &document["paths"][&operation.path][operation.method.to_ascii_lowercase()];
            let mut push = |place: &str, content: &Value| {
                for (content_type, media) in content.as_object().into_iter().flatten() {
                    let named = media["examples"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|(name, example)| (name.clone(), self.resolve(example)))
                        .filter_map(|(name, example)| Some((name, example?["value"].clone())));
                    let lone = media
                        .get("example")
                        .map(|v| ("example".to_owned(), v.clone()));
                    for (name, value) in named.chain(lone) {
                        found.push(Example {
                            operation_id: operation.id.clone(),
                            place: place.to_owned(),
                            content_type: content_type.clone(),
                            name,
                            value,
                        });
                    }
                }
            };
            if let Some(body) = self.resolve(&node["requestBody"]) {
                push("request", &body["content"]);
            }
            for (status, response) in node["responses"].as_object().into_iter().flatten() {
                if let Some(response) = self.resolve(response) {
                    push(status, &response["content"]);
                }
            }
        }
        found
    }
}
