//! The integration tests: one binary, a real server on a random port and a fresh database per
//! test — SQLite by default, Postgres when `TEST_DATABASE_URL` is set.

// Test helpers fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod articles;
mod batch;
mod changes;
mod concurrency;
mod contract;
mod entities;
mod extract;
mod fields;
mod import;
mod interop;
mod keys;
mod limits;
mod openapi;
mod plans;
mod pools;
mod process;
mod queries;
mod quotes;
mod replica;
mod search;
mod sections;
mod security;
mod stats;
mod storage;
mod synthetic;
mod telemetry;
mod web;
