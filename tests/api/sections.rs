//! `sections` tests.
