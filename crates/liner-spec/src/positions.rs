//! Where a node of the spec is in its YAML text. `marked-yaml` parses the
//! text a second time into a tree whose every node carries its position, so
//! a JSON pointer finds its line in block and flow style alike.
//!
//! Why marked-yaml: it is small, keeps a span on every key and value, and
//! parses YAML 1.2 through yaml-rust2; the document itself is still read by
//! serde (`serde_yaml_ng`), which types the scalars, so positions are only a
//! lookup on the side. saphyr offers spans too, but marked-yaml's tree is
//! the simpler one to walk by key.

use marked_yaml::Node;

/// The positions of a YAML document's nodes.
#[derive(Debug, Clone)]
pub(crate) struct Positions {
    root: Node,
}

impl Positions {
    /// The tree of `text`, or `None` if marked-yaml cannot read it (the
    /// document is still usable; it has no line numbers then).
    pub(crate) fn parse(text: &str) -> Option<Self> {
        marked_yaml::parse_yaml(0, text)
            .ok()
            .map(|root| Self { root })
    }

    /// The 1-based line of the node at `pointer` (of its key, inside a
    /// mapping), or of its deepest ancestor found.
    pub(crate) fn line_of(&self, pointer: &str) -> Option<usize> {
        let mut node = &self.root;
        let mut line = None;
        for token in pointer.split('/').skip(1) {
            let token = token.replace("~1", "/").replace("~0", "~");
            let next = match node {
                Node::Mapping(mapping) => mapping.iter().find_map(|(key, value)| {
                    (key.as_str() == token).then(|| (key.span().start(), value))
                }),
                Node::Sequence(sequence) => token
                    .parse::<usize>()
                    .ok()
                    .and_then(|index| sequence.get(index))
                    .map(|item| (item.span().start(), item)),
                Node::Scalar(_) => None,
            };
            let Some((mark, child)) = next else { break };
            if let Some(mark) = mark {
                line = Some(mark.line());
            }
            node = child;
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_find_their_lines_in_block_and_flow_style() {
        let text =
            "a:\n  b:\n    - x\n    - y: 1\n  flow: {c: [1, 2], d: 3}\n  \"200\":\n    e: f\n";
        let positions = Positions::parse(text).unwrap();
        assert_eq!(positions.line_of("/a"), Some(1));
        assert_eq!(positions.line_of("/a/b/1/y"), Some(4));
        assert_eq!(positions.line_of("/a/flow/d"), Some(5));
        assert_eq!(positions.line_of("/a/200/e"), Some(7));
        // The deepest ancestor found.
        assert_eq!(positions.line_of("/a/b/7"), Some(2));
        assert_eq!(positions.line_of("/missing"), None);
    }
}
