//! Reading a README as a user reads it: its fenced code blocks, which of them
//! are Rust, which `[dependencies]` it tells the user to write, and each Rust
//! snippet turned into the program rustdoc would compile from it.

/// One fenced code block of a Markdown file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The info string after the opening fence (`rust`, `no_run`, `toml`, ``).
    pub info: String,
    /// The 1-based line of the opening fence.
    pub line: usize,
    /// The lines between the fences, their indentation as written.
    pub body: Vec<String>,
}

/// The fenced code blocks of `markdown`, in order. Fences are three or more
/// backticks or tildes, closed by a fence of the same character at least as
/// long; an unclosed block runs to the end of the file.
pub fn blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    // The open block: its fence's character and length, and the block.
    let mut open: Option<(char, usize, Block)> = None;
    for (index, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        let first = trimmed.chars().next().filter(|c| matches!(c, '`' | '~'));
        let fence = first.map_or(0, |c| trimmed.chars().take_while(|&d| d == c).count());
        match &mut open {
            Some((character, opening, block)) => {
                if first == Some(*character)
                    && fence >= *opening
                    && trimmed[fence..].trim().is_empty()
                {
                    blocks.push(open.take().expect("a block is open").2);
                } else {
                    block.body.push(line.to_owned());
                }
            }
            None if fence >= 3 => {
                open = Some((
                    first.expect("a fence has a character"),
                    fence,
                    Block {
                        info: trimmed[fence..].trim().to_owned(),
                        line: index + 1,
                        body: Vec::new(),
                    },
                ));
            }
            None => {}
        }
    }
    blocks.extend(open.map(|(_, _, block)| block));
    blocks
}

/// What rustdoc would do with a block, read from its info string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Rust that must compile (`rust`, `no_run`, `should_panic`, an empty
    /// info string, ...).
    Rust,
    /// Rust that is not compiled on purpose (`ignore`, `compile_fail`).
    SkippedRust,
    /// A TOML block (a dependency snippet, when it has a dependency table).
    Toml,
    /// Anything else: shell, text, JSON.
    Other,
}

/// The kind of a block with info string `info`: rustdoc's rules, where a
/// block with no language, or only rustdoc attributes, is Rust.
pub fn kind(info: &str) -> Kind {
    const RUSTDOC_ATTRIBUTES: &[&str] = &["rust", "no_run", "should_panic", "test_harness"];
    let words: Vec<&str> = info
        .split([',', ' ', '\t'])
        .filter(|word| !word.is_empty())
        .collect();
    if words == ["toml"] {
        return Kind::Toml;
    }
    if words
        .iter()
        .any(|word| matches!(*word, "ignore" | "compile_fail"))
    {
        return Kind::SkippedRust;
    }
    if words
        .iter()
        .all(|word| RUSTDOC_ATTRIBUTES.contains(word) || word.starts_with("edition"))
    {
        Kind::Rust
    } else {
        Kind::Other
    }
}

/// The program rustdoc compiles from a Rust block: hidden lines (`# ...`)
/// shown, crate attributes first, and the code wrapped in a `main` unless it
/// has one; a body ending in `(())` runs in a function returning `Result`,
/// so that it may use `?`. A hidden `#[cfg(feature = "...")]` line is
/// dropped: in a doctest it names the documented crate's feature, which a
/// user's crate turns on in its `[dependencies]` instead (the README's TOML
/// says so), and kept it would compile the snippet away.
pub fn program(body: &[String]) -> String {
    let mut attributes = vec!["#![allow(unused)]".to_owned()];
    let mut code = Vec::new();
    for line in body {
        let trimmed = line.trim_start();
        let shown = if trimmed == "#" {
            String::new()
        } else if let Some(hidden) = trimmed.strip_prefix("# ") {
            if hidden.trim_start().starts_with("#[cfg(feature") {
                continue;
            }
            hidden.to_owned()
        } else if let Some(escaped) = trimmed.strip_prefix("##") {
            format!("#{escaped}")
        } else {
            line.clone()
        };
        if shown.trim_start().starts_with("#![") {
            attributes.push(shown);
        } else {
            code.push(shown);
        }
    }
    let code = code.join("\n");
    let attributes = attributes.join("\n");
    if code.contains("fn main") {
        format!("{attributes}\n{code}\n")
    } else if code.trim_end().ends_with("(())") {
        format!(
            "{attributes}\nfn main() {{\n    fn _inner() -> Result<(), impl core::fmt::Debug> {{\n{code}\n    }}\n    _inner().unwrap()\n}}\n"
        )
    } else {
        format!("{attributes}\nfn main() {{\n{code}\n}}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_found_with_their_info_and_line() {
        let markdown = "# Title\n\n```toml\n[dependencies]\n```\n\ntext\n\n```\nlet x = 1;\n```\n\n````no_run\n```\n````\n\n~~~rust\n```\n~~~\n";
        let found = blocks(markdown);
        assert_eq!(found.len(), 4);
        assert_eq!(
            (found[0].info.as_str(), found[0].line, found[0].body.len()),
            ("toml", 3, 1)
        );
        assert_eq!((found[1].info.as_str(), found[1].line), ("", 9));
        assert_eq!(found[1].body, ["let x = 1;"]);
        // A longer fence closes only on a fence as long, a tilde fence only
        // on tildes.
        assert_eq!(found[2].body, ["```"]);
        assert_eq!(
            (found[3].info.as_str(), &found[3].body[..]),
            ("rust", &["```".to_owned()][..])
        );
    }

    #[test]
    fn kinds_follow_rustdoc() {
        assert_eq!(kind(""), Kind::Rust);
        assert_eq!(kind("rust"), Kind::Rust);
        assert_eq!(kind("no_run"), Kind::Rust);
        assert_eq!(kind("rust,no_run"), Kind::Rust);
        assert_eq!(kind("rust,edition2024"), Kind::Rust);
        assert_eq!(kind("ignore"), Kind::SkippedRust);
        assert_eq!(kind("rust,compile_fail"), Kind::SkippedRust);
        assert_eq!(kind("toml"), Kind::Toml);
        assert_eq!(kind("sh"), Kind::Other);
        assert_eq!(kind("text"), Kind::Other);
    }

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn a_body_ending_in_ok_may_use_the_question_mark() {
        let program = program(&lines(
            "let client = liner::Liner::from_env()?;\n# Ok::<(), liner::Error>(())",
        ));
        assert_eq!(
            program,
            "#![allow(unused)]\nfn main() {\n    fn _inner() -> Result<(), impl core::fmt::Debug> {\nlet client = liner::Liner::from_env()?;\nOk::<(), liner::Error>(())\n    }\n    _inner().unwrap()\n}\n"
        );
    }

    #[test]
    fn hidden_lines_are_shown_and_a_main_is_kept() {
        let program = program(&lines(
            "#![deny(warnings)]\n# #[cfg(feature = \"blocking\")]\n# fn demo() {}\nfn main() {\n##[derive(Debug)]\nstruct A;\n#\n}",
        ));
        assert_eq!(
            program,
            "#![allow(unused)]\n#![deny(warnings)]\nfn demo() {}\nfn main() {\n#[derive(Debug)]\nstruct A;\n\n}\n"
        );
    }

    #[test]
    fn other_code_is_wrapped_in_main() {
        assert_eq!(
            program(&lines("println!(\"hi\");")),
            "#![allow(unused)]\nfn main() {\nprintln!(\"hi\");\n}\n"
        );
    }
}
