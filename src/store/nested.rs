//! One article with the parts a reader asks for (its sections, its quotes with their speakers,
//! the entities it mentions), read in one statement: each part is a JSON array that a subquery
//! aggregates beside the article's columns, as its keywords are.
//!
//! One statement is one round trip to the database instead of one per part (and, with sqlx, one
//! more per part for the connection's check on its way back to the pool), and one snapshot: the
//! parts always belong to the version of the article they come with.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ColumnType, ConnectionTrait, DbBackend, EntityName, EntityTrait, FromQueryResult,
    IdenStatic, Iterable, QuerySelect,
};
use serde::Deserialize;

use super::articles::{json_array, lookup, ArticleRow, ArticleWithKeywords};
use super::mentions::{by_prominence, MentionRow};
use super::quotes::QuoteRow;
use super::StoreResult;
use crate::entity::{article, mention, named_entity, quote, section};

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

/// The statement's row: the article, and each part as JSON text (NULL when it has none or it
/// was not asked for).
#[derive(Debug, FromQueryResult)]
struct Row {
    #[sea_orm(nested)]
    article: article::Model,
    keywords: Option<String>,
    sections: Option<String>,
    quotes: Option<String>,
    entities: Option<String>,
}

/// `[quote, speaker]`.
#[derive(Deserialize)]
struct QuoteJson {
    quote: quote::Model,
    speaker: Option<named_entity::Model>,
}

/// `[mention, entity]`.
#[derive(Deserialize)]
struct MentionJson {
    mention: mention::Model,
    entity: named_entity::Model,
}

/// The article by id or slug (as [`super::articles::get`] finds it) with `parts`, in one statement.
pub async fn get(
    conn: &impl ConnectionTrait,
    key: &str,
    parts: Parts,
) -> StoreResult<ArticleWithParts> {
    let backend = conn.get_database_backend();
    let json = Json(backend);
    let part = |asked: bool, subquery: fn(Json) -> String| {
        Expr::cust(if asked {
            subquery(json)
        } else {
            "CAST(NULL AS TEXT)".to_owned()
        })
    };
    let row: Row = lookup(conn, key, || {
        ArticleWithKeywords::select(backend)
            .column_as(part(parts.sections, sections_json), "sections")
            .column_as(part(parts.quotes, quotes_json), "quotes")
            .column_as(part(parts.entities, entities_json), "entities")
    })
    .await?;

    let id = row.article.id;
    let sections = parts
        .sections
        .then(|| json_array::<section::Model>(row.sections.as_deref(), "sections", id))
        .transpose()?;
    let quotes = parts
        .quotes
        .then(|| json_array::<QuoteJson>(row.quotes.as_deref(), "quotes", id))
        .transpose()?
        .map(|quotes| {
            quotes
                .into_iter()
                .map(|QuoteJson { quote, speaker }| QuoteRow { quote, speaker })
                .collect()
        });
    let entities = parts
        .entities
        .then(|| json_array::<MentionJson>(row.entities.as_deref(), "entities", id))
        .transpose()?
        .map(|mentions| {
            let mut rows: Vec<MentionRow> = mentions
                .into_iter()
                .map(|MentionJson { mention, entity }| MentionRow { mention, entity })
                .collect();
            // Sorted here, not in SQL, so that names compare as they do everywhere else in the
            // service (byte order), whatever the database's collation.
            by_prominence(&mut rows);
            rows
        });
    Ok(ArticleWithParts {
        row: ArticleRow {
            keywords: json_array(row.keywords.as_deref(), "keywords", id)?,
            article: row.article,
        },
        sections,
        quotes,
        entities,
    })
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

/// Builds JSON in SQL on one backend, in the shapes serde reads the entities' models from.
///
/// Rows are arrays of their columns in the model's field order, which serde reads a struct from
/// as well as from an object: no member names to write for every value, which makes the
/// statement cheaper for the database to answer.
#[derive(Debug, Clone, Copy)]
struct Json(DbBackend);

impl Json {
    fn is_postgres(self) -> bool {
        self.0 == DbBackend::Postgres
    }

    /// A JSON array of `values` (SQL expressions that give JSON or plain values).
    fn tuple(self, values: &[String]) -> String {
        let function = if self.is_postgres() {
            "json_build_array"
        } else {
            "json_array"
        };
        format!("{function}({})", values.join(", "))
    }

    /// The row `alias` of `E` as a JSON array of its columns, in the model's field order.
    fn row_of<E: EntityTrait>(self, alias: &str) -> String {
        let values: Vec<String> = E::Column::iter()
            .map(|column| {
                let name = column.as_str();
                let value = format!(r#"{alias}."{name}""#);
                match (self.is_postgres(), column.def().get_column_type()) {
                    // sqlx keeps uuids in SQLite as 16-byte blobs, which JSON cannot hold; their
                    // 32 hex digits read back as the same uuid.
                    (false, ColumnType::Uuid) => {
                        format!(
                            "CASE typeof({value}) WHEN 'blob' THEN hex({value}) ELSE {value} END"
                        )
                    }
                    // SQLite writes a real in JSON with 15 digits, which may not read back as
                    // the same double; 17 always do (and serde_json reads them exactly, with
                    // its `float_roundtrip`).
                    (false, ColumnType::Double | ColumnType::Float) => format!(
                        "json(CASE WHEN {value} IS NULL THEN 'null' ELSE printf('%!.17g', {value}) END)"
                    ),
                    // SQLite's booleans are 0 and 1.
                    (false, ColumnType::Boolean) => format!(
                        "json(CASE {value} WHEN 0 THEN 'false' WHEN 1 THEN 'true' ELSE 'null' END)"
                    ),
                    _ => value,
                }
            })
            .collect();
        self.tuple(&values)
    }

    /// `json`, or JSON null when `is_null` holds (a left join that found nothing).
    fn nullable(self, is_null: &str, json: &str) -> String {
        let case = format!("CASE WHEN {is_null} THEN NULL ELSE {json} END");
        if self.is_postgres() {
            case
        } else {
            // `CASE` drops the JSON subtype in SQLite; `json()` gives it back.
            format!("json({case})")
        }
    }

    /// A subquery: the JSON array of `item` over `from`, ordered by `order` if given (NULL
    /// when empty).
    fn array(self, item: &str, from: &str, order: Option<&str>) -> String {
        let order = order
            .map(|order| format!(" ORDER BY {order}"))
            .unwrap_or_default();
        let aggregate = if self.is_postgres() {
            format!("json_agg({item}{order})::text")
        } else {
            format!("json_group_array({item}{order})")
        };
        format!("(SELECT {aggregate} FROM {from})")
    }
}
