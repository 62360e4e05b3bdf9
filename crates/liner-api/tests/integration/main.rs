//! `liner-api`'s integration tests, in one binary (ripgrep's layout): one
//! link instead of one per file. None of them installs a global hook.

mod decode;
mod fake_e2e;
mod fake_faults;
mod tls;
mod wire_format;
