//! `keys` tests.
