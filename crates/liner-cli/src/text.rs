//! Text from files and servers, made safe for one line of a terminal: the
//! rules of `liner_api::text`, which `liner` and `liner-api` follow too.

pub use liner_api::text::{for_terminal, one_line};
