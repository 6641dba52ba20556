//! JSON built in SQL beside a row (an article's keywords, its parts), and read back.
//!
//! A subquery that aggregates rows into a JSON array puts them in the statement that reads their
//! parent: one statement, one round trip, one snapshot.

use sea_orm::{ColumnTrait, ColumnType, DbBackend, EntityTrait, IdenStatic, Iterable};
use uuid::Uuid;

use super::{StoreError, StoreResult};

/// Reads a JSON array that a subquery aggregated for article `id` (NULL when it found no rows).
pub(super) fn json_array<T: serde::de::DeserializeOwned>(
    json: Option<&str>,
    what: &str,
    id: Uuid,
) -> StoreResult<Vec<T>> {
    match json {
        Some(json) => serde_json::from_str(json).map_err(|error| {
            StoreError::Db(sea_orm::DbErr::Json(format!(
                "the {what} of article {id}: {error}"
            )))
        }),
        None => Ok(Vec::new()),
    }
}

/// Builds JSON in SQL on one backend, in the shapes serde reads the entities' models from.
///
/// Rows are arrays of their columns in the model's field order, which serde reads a struct from
/// as well as from an object: no member names to write for every value, which makes the
/// statement cheaper for the database to answer.
#[derive(Debug, Clone, Copy)]
pub(super) struct Json(pub(super) DbBackend);

impl Json {
    fn is_postgres(self) -> bool {
        self.0 == DbBackend::Postgres
    }

    /// A JSON array of `values` (SQL expressions that give JSON or plain values).
    pub(super) fn tuple(self, values: &[String]) -> String {
        let function = if self.is_postgres() {
            "json_build_array"
        } else {
            "json_array"
        };
        format!("{function}({})", values.join(", "))
    }

    /// The row `alias` of `E` as a JSON array of its columns, in the model's field order.
    pub(super) fn row_of<E: EntityTrait>(self, alias: &str) -> String {
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
    pub(super) fn nullable(self, is_null: &str, json: &str) -> String {
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
    pub(super) fn array(self, item: &str, from: &str, order: Option<&str>) -> String {
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
