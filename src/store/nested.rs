//! One article with the parts a reader asks for (its sections, its quotes with their speakers,
//! the entities it mentions), read in one statement: each part is a JSON array that a subquery
//! aggregates beside the article's columns, as its keywords are.
//!
//! One statement is one round trip to the database instead of one per part (and, with sqlx, one
//! more per part for the connection's check on its way back to the pool), and one snapshot: the
//! parts always belong to the version of the article they come with.

use std::sync::OnceLock;

use sea_orm::sea_query::Expr;
use sea_orm::{ConnectionTrait, DbBackend, EntityName, FromQueryResult, QuerySelect};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::articles::{lookup, ArticleRow, ArticleWithKeywords};
use super::json::{json_array, Json};
use super::mentions::{by_prominence, MentionRow};
use super::quotes::QuoteRow;
use super::StoreResult;
use crate::entity::{mention, named_entity, quote, section};

/// Which parts of an article to read with it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Parts {
    pub sections: bool,
    pub quotes: bool,
    pub entities: bool,
}

impl Parts {
    pub const ALL: Parts = Parts {
        sections: true,
        quotes: true,
        entities: true,
    };
}

/// An article with the parts that were asked for (`None` for those that were not).
#[derive(Debug, Clone)]
pub struct ArticleWithParts {
    pub row: ArticleRow,
    /// In order.
    pub sections: Option<Vec<section::Model>>,
    /// In order, each with its speaker when one is known.
    pub quotes: Option<Vec<QuoteRow>>,
    /// Most mentioned first, then by name.
    pub entities: Option<Vec<MentionRow>>,
}

/// The statement's row: the article with its keywords, and each part as JSON text (NULL when
/// it has none or it was not asked for).
#[derive(Debug, FromQueryResult)]
struct Row {
    #[sea_orm(nested)]
    article: ArticleWithKeywords,
    sections: Option<String>,
    quotes: Option<String>,
    entities: Option<String>,
}

/// The subqueries that read each part, for one backend.
struct Subqueries {
    sections: String,
    quotes: String,
    entities: String,
}

impl Subqueries {
    /// Built once per backend: they depend on nothing else.
    fn of(backend: DbBackend) -> &'static Subqueries {
        static POSTGRES: OnceLock<Subqueries> = OnceLock::new();
        static SQLITE: OnceLock<Subqueries> = OnceLock::new();
        let cell = match backend {
            DbBackend::Postgres => &POSTGRES,
            _ => &SQLITE,
        };
        cell.get_or_init(|| {
            let json = Json(backend);
            Subqueries {
                sections: sections_json(json),
                quotes: quotes_json(json),
                entities: entities_json(json),
            }
        })
    }
}

/// The article by id or slug (as [`super::articles::get`] finds it) with `parts`, in one statement.
pub async fn get(
    conn: &impl ConnectionTrait,
    key: &str,
    parts: Parts,
) -> StoreResult<ArticleWithParts> {
    let backend = conn.get_database_backend();
    let subqueries = Subqueries::of(backend);
    let part = |asked: bool, subquery: &'static str| {
        Expr::cust(if asked {
            subquery
        } else {
            "CAST(NULL AS TEXT)"
        })
    };
    let row: Row = lookup(conn, key, || {
        ArticleWithKeywords::select(backend)
            .column_as(part(parts.sections, &subqueries.sections), "sections")
            .column_as(part(parts.quotes, &subqueries.quotes), "quotes")
            .column_as(part(parts.entities, &subqueries.entities), "entities")
    })
    .await?;

    let article = row.article.into_row()?;
    let id = article.article.id;
    let mut entities: Option<Vec<MentionRow>> =
        asked(parts.entities, row.entities, "entities", id)?;
    // Sorted here, not in SQL, so that names compare as they do everywhere else in the service
    // (byte order), whatever the database's collation.
    if let Some(rows) = &mut entities {
        by_prominence(rows);
    }
    Ok(ArticleWithParts {
        row: article,
        sections: asked(parts.sections, row.sections, "sections", id)?,
        quotes: asked(parts.quotes, row.quotes, "quotes", id)?,
        entities,
    })
}

/// The part `what` of article `id`, read from `json` if it was asked for.
fn asked<T: DeserializeOwned>(
    asked: bool,
    json: Option<String>,
    what: &str,
    id: Uuid,
) -> StoreResult<Option<Vec<T>>> {
    asked
        .then(|| json_array(json.as_deref(), what, id))
        .transpose()
}

/// The article's sections in order.
fn sections_json(json: Json) -> String {
    let table = section::Entity.table_name();
    json.array(
        &json.row_of::<section::Entity>("s"),
        &format!(r#""{table}" AS s WHERE s."article_id" = "articles"."id""#),
        Some(r#"s."position""#),
    )
}

/// The article's quotes in order, each `[quote, speaker or null]`.
fn quotes_json(json: Json) -> String {
    let (quotes, entities) = (
        quote::Entity.table_name(),
        named_entity::Entity.table_name(),
    );
    let speaker = json.nullable(
        r#"e."id" IS NULL"#,
        &json.row_of::<named_entity::Entity>("e"),
    );
    let item = json.tuple(&[json.row_of::<quote::Entity>("q"), speaker]);
    json.array(
        &item,
        &format!(
            r#""{quotes}" AS q LEFT JOIN "{entities}" AS e ON e."id" = q."speaker_entity_id" WHERE q."article_id" = "articles"."id""#
        ),
        Some(r#"q."position""#),
    )
}

/// The entities the article mentions, each `[mention, entity]`, in no set order.
fn entities_json(json: Json) -> String {
    let (mentions, entities) = (
        mention::Entity.table_name(),
        named_entity::Entity.table_name(),
    );
    let item = json.tuple(&[
        json.row_of::<mention::Entity>("m"),
        json.row_of::<named_entity::Entity>("e"),
    ]);
    json.array(
        &item,
        &format!(
            r#""{mentions}" AS m JOIN "{entities}" AS e ON e."id" = m."entity_id" WHERE m."article_id" = "articles"."id""#
        ),
        None,
    )
}
