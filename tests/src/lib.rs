//! End-to-end tests of the Liner workspace live in `tests/`; this library is empty.
