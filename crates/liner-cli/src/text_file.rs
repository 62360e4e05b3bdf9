//! The ways a text file of rows may be written, as the command line names
//! them (`--encoding`, `--delimiter`): defined apart from the import that
//! reads such files, so that the command line's definition and the import
//! each depend on this, not on each other.

use std::fmt;

use clap::ValueEnum;

/// The text encodings an import file may be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
    /// Windows-1251 (Cyrillic), Excel's "CSV" in a Russian locale.
    #[value(name = "windows-1251", alias = "cp1251")]
    Windows1251,
}

/// The field separators of a CSV file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delimiter {
    Comma,
    Semicolon,
    Tab,
}

impl Delimiter {
    /// Every delimiter, in the order a tie is decided.
    pub const ALL: [Delimiter; 3] = [Delimiter::Comma, Delimiter::Semicolon, Delimiter::Tab];

    pub fn byte(self) -> u8 {
        match self {
            Self::Comma => b',',
            Self::Semicolon => b';',
            Self::Tab => b'\t',
        }
    }

    /// `--delimiter`: `,`, `;`, `tab` (or a tab), `comma`, `semicolon`.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "," | "comma" => Ok(Self::Comma),
            ";" | "semicolon" => Ok(Self::Semicolon),
            "\t" | "tab" | "\\t" => Ok(Self::Tab),
            other => Err(format!(
                "{other:?} is not a delimiter an import reads: use , or ; or tab"
            )),
        }
    }
}

impl fmt::Display for Delimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Comma => "','",
            Self::Semicolon => "';'",
            Self::Tab => "tab",
        })
    }
}
