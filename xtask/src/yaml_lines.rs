//! Finding the line of a JSON pointer in block-style YAML, for error
//! messages. The YAML parser keeps no positions once the document is
//! deserialized, so this walks the text by indentation: good for the
//! block style the spec is written in; a pointer into a flow-style value
//! (`[a, b]`) gets the line of its key.

/// The 1-based line of the node at `pointer`, or of its deepest ancestor
/// found.
pub fn line_of(text: &str, pointer: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let content = |line: &str| {
        let trimmed = line.trim_start();
        !trimmed.is_empty() && !trimmed.starts_with('#')
    };
    let indent = |line: &str| line.len() - line.trim_start().len();
    // The scope is the lines [start, end) below a node whose own indent is
    // `parent` (-1 for the document).
    let (mut start, mut end, mut parent): (usize, usize, isize) = (0, lines.len(), -1);
    let mut found = None;
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        let children: Vec<usize> = (start..end)
            .filter(|&i| content(lines[i]) && indent(lines[i]) as isize > parent)
            .collect();
        let Some(&first) = children.first() else {
            break;
        };
        let child_indent = indent(lines[first]);
        let at_child = |i: &usize| indent(lines[*i]) == child_indent;
        let hit = if let Ok(index) = token.parse::<usize>() {
            children
                .iter()
                .filter(|i| at_child(i) && lines[**i].trim_start().starts_with('-'))
                .nth(index)
                .copied()
        } else {
            children.iter().copied().find(|i| {
                at_child(i) && {
                    let body = lines[*i].trim_start().trim_start_matches("- ");
                    [
                        format!("{token}:"),
                        format!("\"{token}\":"),
                        format!("'{token}':"),
                    ]
                    .iter()
                    .any(|key| body.starts_with(key.as_str()))
                }
            })
        };
        let Some(line) = hit else { break };
        found = Some(line + 1);
        // The node's children are the following lines indented deeper than
        // its line (for a `- ` item, deeper than the dash), up to the first
        // line that is not.
        parent = indent(lines[line]) as isize;
        start = line + 1;
        end = (start..lines.len())
            .find(|&i| content(lines[i]) && indent(lines[i]) as isize <= parent)
            .unwrap_or(lines.len());
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
openapi: 3.0.3
paths:
  /v2/lead/:
    get:
      parameters:
        - name: offset
          in: query
        - name: limit
          in: query
          schema:
            type: integer
components:
  schemas:
    Lead:
      properties:
        id:
          type: integer
";

    #[test]
    fn finds_keys_and_sequence_items() {
        assert_eq!(line_of(TEXT, "/openapi"), Some(1));
        assert_eq!(line_of(TEXT, "/paths/~1v2~1lead~1/get"), Some(4));
        assert_eq!(
            line_of(TEXT, "/paths/~1v2~1lead~1/get/parameters/1"),
            Some(8)
        );
        assert_eq!(
            line_of(TEXT, "/paths/~1v2~1lead~1/get/parameters/1/schema/type"),
            Some(11)
        );
        assert_eq!(
            line_of(TEXT, "/components/schemas/Lead/properties/id"),
            Some(16)
        );
        assert_eq!(
            line_of(TEXT, "/components/schemas/Nope"),
            Some(13),
            "deepest ancestor found"
        );
    }
}
