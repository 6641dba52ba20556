//! How Postgres stores what the service writes: long text compressed with LZ4 (migration 000009),
//! which Postgres decompresses several times as fast as its own pglz on every read of a list page.
//! On SQLite, which compresses nothing, the test has nothing to check.

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;

use crate::helpers::spawn_app;

/// Whether this Postgres server was built with LZ4 (a column can be declared with it).
async fn server_has_lz4(db: &sea_orm::DatabaseConnection) -> bool {
    db.execute_unprepared("CREATE TEMPORARY TABLE lz4_probe (t text COMPRESSION lz4)")
        .await
        .is_ok()
}

#[tokio::test]
async fn a_long_body_is_stored_with_lz4_on_postgres() {
    let app = spawn_app().await;
    if app.db.get_database_backend() != DbBackend::Postgres || !server_has_lz4(&app.db).await {
        return;
    }
    // Long and varied enough that Postgres compresses it (over about 2 KB, not all one letter).
    let body: String = (0..400)
        .map(|i| format!("Paragraph {i} of the council's budget story. "))
        .collect();
    let created = app
        .post_json(
            "/v1/articles",
            &json!({ "headline": "A long budget story", "body": body }),
        )
        .await;
    assert_eq!(created.status(), reqwest::StatusCode::CREATED);
    let id = created.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let row = app
        .db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_column_compression(body) AS body FROM articles WHERE id = $1::uuid",
            [id.clone().into()],
        ))
        .await
        .unwrap()
        .unwrap();
    let body_method: Option<String> = row.try_get("", "body").unwrap();
    assert_eq!(body_method.as_deref(), Some("lz4"));

    // And it reads back whole.
    let article = app.get_json(&format!("/v1/articles/{id}")).await;
    assert_eq!(article["body"], json!(body));
}
