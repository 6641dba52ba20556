//! `quotes` tests.
