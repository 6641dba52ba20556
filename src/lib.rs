//! newsmeta: structured news-article metadata over REST.
//!
//! A request flows one way: route → handler ([`api`]) → store ([`store`]) → database, and the
//! answer comes back as a response type ([`api::types`]).

pub mod api;
pub mod app;
pub mod calendar;
pub mod config;
pub mod domain;
pub mod entity;
pub mod error;
pub mod extract;
pub mod import;
pub mod ingest;
pub mod metrics;
pub mod rate_limit;
pub mod search;
pub mod seed;
pub mod store;
pub mod synthetic;
