//! Following local `$ref`s (`#/components/...`): the one resolver of the
//! workspace's spec readers.

use serde_json::Value;

/// The longest chain of references followed; a longer one is a cycle.
pub const MAX_REF_HOPS: usize = 32;

/// The value a chain of local `$ref`s starting at `node` ends at (`node`
/// itself if it is no reference), or `None` when a reference does not
/// resolve, is not local, or the chain is longer than [`MAX_REF_HOPS`].
pub fn resolve<'a>(document: &'a Value, mut node: &'a Value) -> Option<&'a Value> {
    for _ in 0..=MAX_REF_HOPS {
        match node.get("$ref") {
            None => return Some(node),
            Some(reference) => {
                let pointer = reference.as_str()?.strip_prefix('#')?;
                node = document.pointer(pointer)?;
            }
        }
    }
    None
}

/// [`resolve`], or `node` itself when the chain does not resolve: for
/// readers that report dangling references on their own and go on.
pub fn resolve_or_self<'a>(document: &'a Value, node: &'a Value) -> &'a Value {
    resolve(document, node).unwrap_or(node)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn chains_resolve_and_dangling_or_cyclic_ones_do_not() {
        let document = json!({
            "a": {"$ref": "#/b"},
            "b": {"$ref": "#/c"},
            "c": {"type": "string"},
            "loop": {"$ref": "#/loop"},
            "dangling": {"$ref": "#/nowhere"},
            "remote": {"$ref": "other.yaml#/c"},
        });
        assert_eq!(
            resolve(&document, &document["a"]),
            Some(&json!({"type": "string"}))
        );
        assert_eq!(resolve(&document, &document["c"]), Some(&document["c"]));
        assert_eq!(resolve(&document, &document["loop"]), None);
        assert_eq!(resolve(&document, &document["dangling"]), None);
        assert_eq!(resolve(&document, &document["remote"]), None);
        assert_eq!(
            resolve_or_self(&document, &document["dangling"]),
            &document["dangling"]
        );
    }
}
