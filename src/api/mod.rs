//! The HTTP API: handlers per resource, the shared HTTP edge, and the request/response types.

pub mod articles;
pub mod batch;
pub mod changes;
pub mod entities;
pub mod extract;
pub mod fields;
pub mod health;
pub mod http;
pub mod interop;
pub mod middleware;
pub mod problems;
pub mod quotes;
pub mod routes;
pub mod sections;
pub mod stats;
pub mod stats_cache;
pub mod telemetry;
pub mod types;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every `/v1` route. Paths reach the OpenAPI document from here: each handler is added
/// with `.service(...)`, never `.route(...)`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(articles::list_articles)
        .service(articles::create_article)
        .service(batch::create_articles_batch)
        .service(articles::get_article)
        .service(articles::patch_article)
        .service(articles::delete_article)
        .service(sections::list_sections)
        .service(sections::create_section)
        .service(sections::get_section)
        .service(sections::patch_section)
        .service(sections::delete_section)
        .service(quotes::list_quotes)
        .service(quotes::list_article_quotes)
        .service(quotes::create_quote)
        .service(quotes::get_quote)
        .service(quotes::patch_quote)
        .service(quotes::delete_quote)
        .service(entities::list_entities)
        .service(entities::create_entity)
        .service(entities::get_entity)
        .service(entities::patch_entity)
        .service(entities::delete_entity)
        .service(entities::merge_entity)
        .service(entities::list_entity_articles)
        .service(entities::list_entity_quotes)
        .service(entities::list_mentions)
        .service(entities::get_mention)
        .service(entities::put_mention)
        .service(entities::delete_mention)
        .service(stats::get_top_entities)
        .service(stats::get_top_speakers)
        .service(stats::get_co_mentions)
        .service(stats::get_timeline)
        .service(stats::get_overview)
        .service(changes::list_changes)
        .service(extract::extract_text);
}
