//! `newsmeta import`: files in, articles out, idempotently, with no duplicate entities.

// Tests and their helpers fail loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use newsmeta::import::{self, Outcome};
use sea_orm::EntityTrait;
use serde_json::json;

use crate::helpers::{fresh_test_database, spawn_app, spawn_app_on, TestApp};

/// A temporary directory of a test's own, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        let dir =
            std::env::temp_dir().join(format!("newsmeta-import-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A directory of articles: plain texts (one of them the seed), JSON with and without a
/// `source_url`, and the extraction fixtures when they exist.
fn corpus() -> TempDir {
    let dir = TempDir::new();
    let seed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/seeds/seed-article.txt"
    ))
    .unwrap();
    dir.write("a-seed.txt", seed);
    dir.write(
        "b-council.txt",
        "Council votes to close library\n\nThe council voted on Tuesday to close the library.\n\
         \"We had no choice,\" said the council leader, Jane Doe.\n",
    );
    dir.write(
        "c-council-again.txt",
        "Council votes to close library\n\nA second report opens with the same line, and differs after it.\n",
    );
    dir.write(
        "d-structured.json",
        json!({
            "headline": "Minister quits over housing plan",
            "body": "The housing minister resigned on Monday, said Jane Doe.",
            "source_url": "https://example.com/news/minister-quits",
            "entities": [{"entity": {"name": "Jane Doe", "kind": "person"}, "mention_count": 1}]
        })
        .to_string(),
    );
    dir.write(
        "e-plain-json",
        json!({"body": "A body given as JSON without a headline. The extractor finds one."})
            .to_string(),
    );
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extraction");
    if let Ok(entries) = std::fs::read_dir(&fixtures) {
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "txt") {
                let name = format!("fixture-{}", path.file_name().unwrap().to_string_lossy());
                dir.write(&name, std::fs::read(&path).unwrap());
            }
        }
    }
    dir
}

async fn import_dir(app: &TestApp, dir: &TempDir) -> import::ImportReport {
    let files = import::expand(std::slice::from_ref(&dir.0)).unwrap();
    import::run(&app.db, &files, |_, _, _| {}).await
}

#[tokio::test]
async fn importing_a_directory_twice_creates_nothing_the_second_time() {
    let app = spawn_app().await;
    let dir = corpus();
    let first = import_dir(&app, &dir).await;
    assert_eq!(first.failed(), 0, "{:?}", first.files);
    // The evaluation set holds the seed too: the same text as `a-seed.txt`, so one run already
    // skips it.
    let duplicates: Vec<_> = first
        .files
        .iter()
        .filter(|(_, outcome)| matches!(outcome, import::Outcome::Skipped(_)))
        .map(|(path, _)| path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let expected: Vec<&str> = if dir.0.join("fixture-seed-article.txt").exists() {
        vec!["fixture-seed-article.txt"]
    } else {
        vec![]
    };
    assert_eq!(duplicates, expected, "{:?}", first.files);
    assert_eq!(first.created(), first.files.len() - expected.len());
    let articles = app.count_rows("articles").await;
    let entities = app.count_rows("entities").await;
    let mentions = app.count_rows("article_entities").await;
    assert_eq!(articles, first.created() as i64);

    let second = import_dir(&app, &dir).await;
    assert_eq!(second.skipped(), second.files.len(), "{:?}", second.files);
    assert_eq!(app.count_rows("articles").await, articles);
    assert_eq!(app.count_rows("entities").await, entities);
    assert_eq!(app.count_rows("article_entities").await, mentions);
}

#[tokio::test]
async fn imported_entities_are_shared_not_duplicated() {
    let app = spawn_app().await;
    let dir = corpus();
    import_dir(&app, &dir).await;
    let rows = newsmeta::entity::named_entity::Entity::find()
        .all(&app.db)
        .await
        .unwrap();
    let mut names: Vec<(String, String)> = rows
        .iter()
        .map(|e| (newsmeta::domain::match_key(&e.name), e.kind.clone()))
        .collect();
    let total = names.len();
    names.sort();
    names.dedup();
    assert_eq!(
        names.len(),
        total,
        "one name names two entities of one kind"
    );
}

#[tokio::test]
async fn texts_that_open_alike_get_slugs_of_their_own() {
    let app = spawn_app().await;
    let dir = corpus();
    let report = import_dir(&app, &dir).await;
    let slugs: Vec<&String> = report
        .files
        .iter()
        .filter_map(|(_, outcome)| match outcome {
            Outcome::Created(slug) => Some(slug),
            _ => None,
        })
        .collect();
    let mut unique = slugs.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), slugs.len());
}

#[tokio::test]
async fn a_json_file_whose_source_url_is_stored_is_skipped() {
    let app = spawn_app().await;
    let dir = TempDir::new();
    let first = dir.write(
        "one.json",
        json!({"headline": "First", "body": "One body.", "source_url": "https://example.com/a"})
            .to_string(),
    );
    let second = dir.write(
        "two.json",
        json!({"headline": "Second", "body": "Another body.", "source_url": "https://example.com/a"}).to_string(),
    );
    let report = import::run(&app.db, &[first, second], |_, _, _| {}).await;
    assert!(
        matches!(report.files[0].1, Outcome::Created(_)),
        "{:?}",
        report.files
    );
    assert!(
        matches!(report.files[1].1, Outcome::Skipped(_)),
        "{:?}",
        report.files
    );
}

#[tokio::test]
async fn files_that_cannot_be_imported_fail_with_a_reason_and_the_others_go_in() {
    let app = spawn_app().await;
    let dir = TempDir::new();
    let files = vec![
        dir.write("bad.json", "{not json"),
        dir.write("latin1.txt", [b'c', b'a', b'f', 0xe9]),
        dir.write("blank.txt", "   \n"),
        dir.write(
            "wrong.json",
            json!({"body": "Text.", "colour": "red"}).to_string(),
        ),
        dir.write("good.txt", "A good text. It goes in."),
    ];
    let report = import::run(&app.db, &files, |_, _, _| {}).await;
    assert_eq!(report.failed(), 4, "{:?}", report.files);
    assert_eq!(report.created(), 1, "{:?}", report.files);
    for (_, outcome) in &report.files[..4] {
        assert!(matches!(outcome, Outcome::Failed(reason) if !reason.is_empty()));
    }
}

#[tokio::test]
async fn the_import_command_prints_a_summary_and_fails_when_a_file_fails() {
    let database = fresh_test_database().await;
    let dir = TempDir::new();
    dir.write("good.txt", "A good text. It goes in.");
    let run = |extra: Option<PathBuf>| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_newsmeta"));
        command
            .arg("import")
            .arg(&dir.0)
            .env("DATABASE_URL", &database.url)
            .env("RUST_LOG", "error");
        if let Some(extra) = extra {
            command.arg(extra);
        }
        command.output().unwrap()
    };
    let output = run(None);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("1 created, 0 skipped, 0 failed"),
        "{stdout}"
    );

    let other = TempDir::new();
    let bad = other.write("bad.json", "[1, 2]");
    let output = run(Some(bad));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    assert!(
        stdout.contains("0 created, 1 skipped, 1 failed"),
        "{stdout}"
    );
    assert!(stdout.contains("bad.json"), "{stdout}");

    let app = spawn_app_on(database).await;
    assert_eq!(app.count_rows("articles").await, 1);
}
