//! The integration tests: one binary, a real server on a random port and a fresh database per
//! test — SQLite by default, Postgres when `TEST_DATABASE_URL` is set.

mod helpers;

mod articles;
mod entities;
mod keys;
mod openapi;
mod quotes;
mod sections;
