//! An import file's bytes as text: its encoding (UTF-8, with or without a
//! byte-order mark, or Windows-1251, as Excel in a Russian locale saves
//! "CSV"), and a CSV file's delimiter (`,`, `;` or tab). Each is detected
//! unless given, and always named in what the import prints: never a silent
//! guess. Both are read as the file streams, a block at a time; and
//! [`Input`], where the rows come from.

use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::exit::Failure;

pub use crate::text_file::{Delimiter, Encoding};

/// How a file's bytes are read as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decoding {
    pub encoding: Encoding,
    /// It starts with UTF-8's byte-order mark, which is dropped.
    pub bom: bool,
    /// The encoding was detected, not given.
    pub detected: bool,
}

impl Decoding {
    /// In words: "UTF-8", "UTF-8 with a byte-order mark", "Windows-1251
    /// (it is not UTF-8; ...)".
    pub fn describe(&self) -> &'static str {
        match (self.encoding, self.bom, self.detected) {
            (Encoding::Utf8, true, _) => "UTF-8 with a byte-order mark",
            (Encoding::Utf8, false, _) => "UTF-8",
            (Encoding::Windows1251, _, false) => "Windows-1251",
            (Encoding::Windows1251, _, true) => {
                "Windows-1251 (it is not UTF-8; --encoding utf-8 refuses such a file instead)"
            }
        }
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How to read the text of `reader`: in `given` if set, else UTF-8 if all
/// of it is, else Windows-1251. Reads `reader` to its end (a whole file is
/// UTF-8 or not; a prefix cannot tell), in blocks: memory stays flat.
pub fn detect(mut reader: impl Read, given: Option<Encoding>) -> Result<Decoding, String> {
    let mut block = vec![0; 64 * 1024];
    // Bytes of a character cut by the end of the previous block.
    let mut carried = 0;
    let mut offset = 0u64;
    let mut bom = None;
    loop {
        let read = read_some(&mut reader, &mut block[carried..]).map_err(|err| err.to_string())?;
        let filled = carried + read;
        let mut bytes = &block[..filled];
        if bom.is_none() && (filled >= BOM.len() || read == 0) {
            bom = Some(bytes.starts_with(BOM));
            if bom == Some(true) {
                bytes = &bytes[BOM.len()..];
                offset += BOM.len() as u64;
            }
            if given == Some(Encoding::Windows1251) {
                break;
            }
        } else if bom.is_none() {
            carried = filled;
            continue;
        }
        match std::str::from_utf8(bytes) {
            Ok(_) if read == 0 => break,
            Ok(_) => {
                offset += bytes.len() as u64;
                carried = 0;
            }
            Err(err) if err.error_len().is_none() && read != 0 => {
                // A character cut by the block's end: kept for the next one.
                let valid = err.valid_up_to();
                let start = filled - bytes.len();
                offset += valid as u64;
                block.copy_within(start + valid..filled, 0);
                carried = filled - start - valid;
            }
            Err(err) => {
                let at = offset + err.valid_up_to() as u64;
                if given == Some(Encoding::Utf8) {
                    return Err(format!(
                        "not UTF-8 (an invalid byte at offset {at}); a CSV saved by Excel in a \
                         Russian locale is Windows-1251: pass --encoding windows-1251, or leave \
                         --encoding out to have it detected"
                    ));
                }
                return Ok(Decoding {
                    encoding: Encoding::Windows1251,
                    bom: bom == Some(true),
                    detected: true,
                });
            }
        }
    }
    Ok(Decoding {
        encoding: given.unwrap_or(Encoding::Utf8),
        bom: bom == Some(true),
        detected: given.is_none(),
    })
}

/// One read into `buf` (an interrupted one is retried); `0` only at the
/// end of the input, as `buf` is never empty here.
fn read_some(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// The text of `reader` as UTF-8 bytes, read as `decoding` says: the
/// byte-order mark dropped, Windows-1251 transcoded as it is read.
pub fn decoded(
    mut reader: Box<dyn Read + Send>,
    decoding: Decoding,
) -> io::Result<Box<dyn Read + Send>> {
    if decoding.bom {
        let mut mark = [0; 3];
        reader.read_exact(&mut mark)?;
    }
    Ok(match decoding.encoding {
        Encoding::Utf8 => reader,
        Encoding::Windows1251 => Box::new(Transcoded {
            inner: reader,
            decoder: encoding_rs::WINDOWS_1251.new_decoder_without_bom_handling(),
            input: vec![0; 32 * 1024].into_boxed_slice(),
            start: 0,
            end: 0,
            input_ended: false,
            output: Vec::new(),
            taken: 0,
            done: false,
        }),
    })
}

/// A reader of Windows-1251 bytes giving UTF-8, a block at a time.
struct Transcoded {
    inner: Box<dyn Read + Send>,
    decoder: encoding_rs::Decoder,
    input: Box<[u8]>,
    /// The bytes of `input` not decoded yet: `start..end`.
    start: usize,
    end: usize,
    input_ended: bool,
    /// Decoded text; `taken` bytes of it were given out.
    output: Vec<u8>,
    taken: usize,
    done: bool,
}

impl Read for Transcoded {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.taken < self.output.len() {
                let n = buf.len().min(self.output.len() - self.taken);
                buf[..n].copy_from_slice(&self.output[self.taken..self.taken + n]);
                self.taken += n;
                return Ok(n);
            }
            if self.done || buf.is_empty() {
                return Ok(0);
            }
            if self.start == self.end && !self.input_ended {
                self.start = 0;
                self.end = read_some(&mut self.inner, &mut self.input)?;
                self.input_ended = self.end == 0;
            }
            let pending = &self.input[self.start..self.end];
            let room = self
                .decoder
                .max_utf8_buffer_length(pending.len())
                .unwrap_or(pending.len() * 3 + 16);
            self.output.clear();
            self.output.resize(room, 0);
            let (result, read, written, _) =
                self.decoder
                    .decode_to_utf8(pending, &mut self.output, self.input_ended);
            self.start += read;
            self.output.truncate(written);
            self.taken = 0;
            if self.input_ended && result == encoding_rs::CoderResult::InputEmpty {
                self.done = true;
            }
        }
    }
}

/// Where the rows come from: a file, opened again for each pass, or what
/// cannot be read twice (stdin, a pipe, a process substitution), held in
/// memory.
#[derive(Debug, Clone)]
pub enum Input {
    File(PathBuf),
    Held { name: String, bytes: Arc<[u8]> },
}

impl Input {
    /// The input `path` names (`-`: stdin); read now unless it is a
    /// regular file, which each pass opens again.
    pub fn new(path: &Path) -> Result<Self, Failure> {
        let name = path.display().to_string();
        let failed = |err: std::io::Error| Failure::local(format!("cannot read {name}: {err}"));
        let mut bytes = Vec::new();
        if super::rows::is_stdin(path) {
            std::io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .map_err(|err| Failure::local(format!("cannot read stdin: {err}")))?;
        } else if std::fs::metadata(path).map_err(failed)?.is_file() {
            return Ok(Self::File(path.to_owned()));
        } else {
            std::fs::File::open(path)
                .and_then(|mut file| file.read_to_end(&mut bytes))
                .map_err(failed)?;
        }
        Ok(Self::Held {
            name,
            bytes: bytes.into(),
        })
    }

    /// Its name in messages: the path as given (`-` for stdin).
    pub fn name(&self) -> String {
        match self {
            Self::File(path) => path.display().to_string(),
            Self::Held { name, .. } => name.clone(),
        }
    }

    pub(super) fn open(&self) -> Result<Box<dyn Read + Send>, Failure> {
        match self {
            Self::File(path) => std::fs::File::open(path)
                .map(|file| Box::new(BufReader::with_capacity(64 * 1024, file)) as _)
                .map_err(|err| Failure::local(format!("cannot read {}: {err}", path.display()))),
            Self::Held { bytes, .. } => Ok(Box::new(std::io::Cursor::new(Arc::clone(bytes)))),
        }
    }

    pub(super) fn read_all(&self) -> Result<Vec<u8>, Failure> {
        let mut bytes = Vec::new();
        self.open()?
            .read_to_end(&mut bytes)
            .map_err(|err| self.unreadable(&err))?;
        Ok(bytes)
    }

    pub(super) fn unreadable(&self, err: &dyn std::fmt::Display) -> Failure {
        Failure::local(format!("cannot read {}: {err}", self.name()))
    }
}

/// The delimiter of a CSV whose header is `header`: the one that splits it
/// into the most names `known` accepts (`,` on a tie, and when none does).
pub fn detect_delimiter(header: &str, known: impl Fn(&str) -> bool) -> Delimiter {
    let mut best = (0, Delimiter::Comma);
    for delimiter in Delimiter::ALL {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter.byte())
            .has_headers(false)
            .from_reader(header.as_bytes());
        let names = reader
            .records()
            .next()
            .and_then(Result::ok)
            .map_or(0, |record| {
                record.iter().filter(|name| known(name.trim())).count()
            });
        if names > best.0 {
            best = (names, delimiter);
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of `bytes`, and how it was read.
    fn read(bytes: &[u8], given: Option<Encoding>) -> Result<(String, &'static str), String> {
        let decoding = detect(bytes, given)?;
        let mut text = String::new();
        decoded(Box::new(std::io::Cursor::new(bytes.to_vec())), decoding)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        Ok((text, decoding.describe()))
    }

    #[test]
    fn encodings_are_detected_and_named() {
        assert_eq!(
            read("orderCode\nЗаказ\n".as_bytes(), None).unwrap(),
            ("orderCode\nЗаказ\n".to_owned(), "UTF-8")
        );
        assert_eq!(
            read(b"\xEF\xBB\xBFname\n", None).unwrap(),
            ("name\n".to_owned(), "UTF-8 with a byte-order mark")
        );
        // "Заказ" in Windows-1251.
        let cp1251 = [0xC7, 0xE0, 0xEA, 0xE0, 0xE7];
        let (text, encoding) = read(&cp1251, None).unwrap();
        assert_eq!(text, "Заказ");
        assert!(encoding.starts_with("Windows-1251 (it is not UTF-8"));
        let refused = read(&cp1251, Some(Encoding::Utf8)).unwrap_err();
        assert!(refused.contains("--encoding windows-1251"), "{refused}");
        assert!(refused.contains("offset 0"), "{refused}");
        assert_eq!(
            read(&cp1251, Some(Encoding::Windows1251)).unwrap().1,
            "Windows-1251"
        );
        assert_eq!(read(b"", None).unwrap(), (String::new(), "UTF-8"));
    }

    /// Blocks end inside characters: a UTF-8 file larger than a block,
    /// with a two-byte character across every boundary, is still UTF-8;
    /// one bad byte far into it makes it Windows-1251; and Windows-1251
    /// transcodes across its own blocks.
    #[test]
    fn detection_and_transcoding_go_block_by_block() {
        let utf8 = "ж".repeat(100_000);
        assert_eq!(read(utf8.as_bytes(), None).unwrap().1, "UTF-8");
        let mut bad = utf8.clone().into_bytes();
        bad.push(0xC7);
        let refused = read(&bad, Some(Encoding::Utf8)).unwrap_err();
        assert!(refused.contains("offset 200000"), "{refused}");
        let cp1251 = vec![0xE6; 100_000];
        let (text, encoding) = read(&cp1251, None).unwrap();
        assert!(encoding.starts_with("Windows-1251"));
        assert_eq!(text, utf8);
    }

    #[test]
    fn the_delimiter_is_the_one_that_finds_the_columns() {
        let known = |name: &str| ["leadType", "phone", "orderId", "orderCode"].contains(&name);
        assert_eq!(
            detect_delimiter("leadType;phone;orderId;orderCode", known),
            Delimiter::Semicolon
        );
        assert_eq!(
            detect_delimiter("leadType\tphone\torderId", known),
            Delimiter::Tab
        );
        assert_eq!(
            detect_delimiter("leadType,phone,orderId", known),
            Delimiter::Comma
        );
        assert_eq!(
            detect_delimiter("a;b,c", known),
            Delimiter::Comma,
            "none found: ,"
        );
        assert_eq!(Delimiter::parse(";"), Ok(Delimiter::Semicolon));
        assert!(Delimiter::parse("|").is_err());
    }
}
