//! `newsmeta import FILE...`: stores article files, structured by the extractor.
//!
//! A file is JSON (a `POST /v1/articles` body, with `extract` defaulting to true) when its name
//! ends in `.json` or its text starts with `{`; anything else is the plain text of an article.
//! Importing is idempotent: a file whose `source_url` is stored already, or whose body (as it
//! would be stored) hashes to a stored article's `content_hash`, is skipped. Extracted entities
//! are matched to stored ones by name or alias, so a re-import makes no duplicates.

use std::path::{Path, PathBuf};

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

use crate::api::types::ArticleCreate;
use crate::entity::article;
use crate::error::FieldError;
use crate::store::{articles, StoreError};
use crate::{domain, ingest};

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Stored as the article with this slug.
    Created(String),
    /// Already stored; the reason says how it was recognised.
    Skipped(String),
    /// Not stored; the reason says why.
    Failed(String),
}

/// What an import did, file by file, in the order the files were given.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub files: Vec<(PathBuf, Outcome)>,
}

impl ImportReport {
    fn count(&self, wanted: fn(&Outcome) -> bool) -> usize {
        self.files.iter().filter(|(_, o)| wanted(o)).count()
    }

    pub fn created(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Created(_)))
    }

    pub fn skipped(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Skipped(_)))
    }

    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, Outcome::Failed(_)))
    }
}

/// The files to import: each path given, with a directory standing for the files directly in it
/// (sorted by name; hidden files left out).
pub fn expand(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(path)?
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .filter(|p| p.is_file())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| !n.starts_with('.'))
                })
                .collect();
            inside.sort();
            files.extend(inside);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// Imports `files` one by one (each in its own transaction), calling `progress(done, total,
/// file)` after each.
pub async fn run(
    db: &DatabaseConnection,
    files: &[PathBuf],
    mut progress: impl FnMut(usize, usize, &Path),
) -> ImportReport {
    let mut report = ImportReport::default();
    for (index, file) in files.iter().enumerate() {
        let outcome = match import_file(db, file).await {
            Ok(outcome) => outcome,
            Err(reason) => Outcome::Failed(reason),
        };
        report.files.push((file.clone(), outcome));
        progress(index + 1, files.len(), file);
    }
    report
}

async fn import_file(db: &DatabaseConnection, file: &Path) -> Result<Outcome, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot be read: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|_| "is not UTF-8 text".to_owned())?;
    let input = parse(file, &text)?;
    if let Some(url) = &input.source_url {
        if let Some(stored) = stored_where(db, article::Column::SourceUrl, url).await? {
            return Ok(Outcome::Skipped(format!(
                "its source_url is stored as `{stored}`"
            )));
        }
    }
    let (mut input, origins) = ingest::fill(input);
    let problems = input.problems();
    if !problems.is_empty() {
        return Err(describe(&problems));
    }
    let hash = domain::content_hash(&input.body);
    if let Some(stored) = stored_where(db, article::Column::ContentHash, &hash).await? {
        return Ok(Outcome::Skipped(format!(
            "its text is stored as `{stored}`"
        )));
    }
    if input.slug.is_none() {
        let base = domain::slugify(input.headline.as_deref().unwrap_or_default());
        input.slug = Some(free_slug(db, &base).await?);
    }
    match articles::create_with(db, &input, &origins).await {
        Ok(row) => Ok(Outcome::Created(row.article.slug)),
        // Stored by someone else since the check above.
        Err(StoreError::Conflict(e)) if e.field == "source_url" => {
            Ok(Outcome::Skipped("its source_url is stored".to_owned()))
        }
        Err(StoreError::Invalid(problems)) => Err(describe(&problems)),
        Err(StoreError::Conflict(e)) => Err(describe(&[e])),
        Err(other) => Err(other.to_string()),
    }
}

/// Reads a file's text as an article create: JSON, or plain text to extract from.
fn parse(file: &Path, text: &str) -> Result<ArticleCreate, String> {
    let is_json = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || text.trim_start().starts_with('{');
    if !is_json {
        return Ok(ArticleCreate {
            body: text.to_owned(),
            extract: true,
            ..ArticleCreate::default()
        });
    }
    let mut value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("is not valid JSON: {e}"))?;
    let object = value
        .as_object_mut()
        .ok_or_else(|| "is JSON but not an object (an article create body)".to_owned())?;
    object
        .entry("extract")
        .or_insert(serde_json::Value::Bool(true));
    serde_json::from_value(value).map_err(|e| format!("is not an article create body: {e}"))
}

/// The slug of the article whose `column` is `value`, if one is stored.
async fn stored_where(
    db: &DatabaseConnection,
    column: article::Column,
    value: &str,
) -> Result<Option<String>, String> {
    article::Entity::find()
        .filter(column.eq(value))
        .one(db)
        .await
        .map(|found| found.map(|a| a.slug))
        .map_err(|e| e.to_string())
}

/// `base`, or `base-2`, `base-3`… when it is taken: two different texts may open alike.
async fn free_slug(db: &DatabaseConnection, base: &str) -> Result<String, String> {
    let mut candidate = base.to_owned();
    for n in 2.. {
        if stored_where(db, article::Column::Slug, &candidate)
            .await?
            .is_none()
        {
            return Ok(candidate);
        }
        let suffix = format!("-{n}");
        let keep = domain::MAX_SLUG_LEN.saturating_sub(suffix.len());
        candidate = format!(
            "{}{suffix}",
            base[..keep.min(base.len())].trim_end_matches('-')
        );
    }
    Ok(candidate)
}

fn describe(problems: &[FieldError]) -> String {
    problems
        .iter()
        .map(|e| format!("{}: {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}
