//! The first pass over an import file: every row read and checked, its
//! problems printed as they are found, and what the later passes need
//! kept, in memory that does not grow with the file: counts, the orders,
//! and a digest of each block of rows.
//!
//! Rows are sent a block at a time in a later pass, which reads the file
//! again; a block whose digest differs from this pass's is a file changed
//! in between, and none of it is sent.

use std::collections::BTreeSet;
use std::path::Path;

use super::rows::{self, Input, Item, ReadOptions, Row};
use crate::cli::Format;
use crate::exit::Failure;
use crate::text::one_line;

/// Rows per block: what the sending pass holds at once.
pub const BLOCK: usize = 1000;

/// What the first pass found.
#[derive(Debug)]
pub struct Survey {
    /// How the file was read, in words: "UTF-8, delimiter ';'".
    pub read_as: String,
    pub phones_tidied: usize,
    /// Columns of the lead that are not part of a create, left out.
    pub ignored: Vec<String>,
    /// How to read the file again the same way.
    pub options: ReadOptions,
    pub valid: usize,
    pub invalid: usize,
    /// The orders of the valid rows.
    pub orders: BTreeSet<u64>,
    /// The digest of each block's valid rows ([`BLOCK`] rows each).
    pub digests: Vec<u64>,
}

/// Reads every row of `input`, printing each invalid one (`file:line:
/// problems`) as it is found.
pub fn survey(input: &Input, format: Format, options: ReadOptions) -> Result<Survey, Failure> {
    let name = input.name();
    let mut rows = rows::read(input, format, options)?;
    let mut survey = Survey {
        read_as: String::new(),
        phones_tidied: 0,
        ignored: Vec::new(),
        options: rows.options(),
        valid: 0,
        invalid: 0,
        orders: BTreeSet::new(),
        digests: Vec::new(),
    };
    for item in rows.by_ref() {
        match item? {
            Item::Valid(row) => {
                survey.valid += 1;
                survey.orders.insert(row.order);
                let block = row.index / BLOCK;
                if survey.digests.len() <= block {
                    survey.digests.resize(block + 1, Digest::EMPTY.0);
                }
                survey.digests[block] = Digest(survey.digests[block]).with(&row).0;
            }
            Item::Invalid(invalid) => {
                survey.invalid += 1;
                eprintln!(
                    "{name}:{}: {}",
                    invalid.line,
                    one_line(&invalid.problems.join("; "), 1000)
                );
            }
        }
    }
    survey.read_as = rows.read_as.clone();
    survey.phones_tidied = rows.phones_tidied;
    survey.ignored = std::mem::take(&mut rows.ignored);
    survey.options = rows.options();
    Ok(survey)
}

/// A digest of a block's valid rows: their places and fingerprints, in
/// order (64-bit FNV-1a, as the rows' own fingerprints).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Digest(pub u64);

impl Digest {
    /// The digest of a block with no valid row.
    pub const EMPTY: Self = Self(0xcbf2_9ce4_8422_2325);

    /// Of `rows`, in order.
    pub fn of(rows: &[Row]) -> Self {
        rows.iter().fold(Self::EMPTY, Self::with)
    }

    /// With `row` after the rows so far.
    pub fn with(self, row: &Row) -> Self {
        let mut hash = self.0;
        let index = row.index as u64;
        for byte in index.to_le_bytes().iter().chain(row.key.as_bytes()) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        Self(hash)
    }
}

/// The next block of the sending pass: the valid rows among the next
/// [`BLOCK`] rows of `rows`; `None` at the end of the file.
pub fn next_block(rows: &mut rows::Rows) -> Result<Option<Vec<Row>>, Failure> {
    let mut block = Vec::new();
    let mut read = 0;
    for item in rows.by_ref() {
        read += 1;
        if let Item::Valid(row) = item? {
            block.push(row);
        }
        if read == BLOCK {
            break;
        }
    }
    Ok((read > 0).then_some(block))
}

/// What the passes over the file read, and how.
pub(super) struct Passes<'a> {
    pub(super) input: &'a Input,
    pub(super) format: Format,
    pub(super) survey: &'a Survey,
    pub(super) journal: &'a Path,
}

impl Passes<'_> {
    /// A new pass over the file's rows, read as the first pass read them.
    pub(super) fn rows(&self) -> Result<rows::Rows, Failure> {
        rows::read(self.input, self.format, self.survey.options.clone())
    }

    /// The file changed after the first pass read it.
    pub(super) fn changed(&self) -> Failure {
        Failure::local(format!(
            "{} changed while it was imported (its rows are not the ones first read and \
             checked); the rows from there on were not sent. Run the same command again",
            self.input.name()
        ))
    }
}
