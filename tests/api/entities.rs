//! `entities` tests.
