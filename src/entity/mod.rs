//! sea-orm entities: the rows as the database stores them. These are never sent to clients; the
//! response types in `api::types` are built from them.

pub mod api_key;
pub mod article;
pub mod article_keyword;
pub mod change;
pub mod entity_alias;
pub mod mention;
pub mod named_entity;
pub mod quote;
pub mod section;
