//! Loads the seed articles in `seeds/`: each `*.json` there is a `POST /v1/articles` body.
//! Loading is idempotent: an article whose slug is already stored is left alone.

use std::path::Path;

use anyhow::Context;
use sea_orm::DatabaseConnection;

use crate::api::types::ArticleCreate;
use crate::domain;
use crate::store::{articles, StoreError};

/// What a seed run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub created: Vec<String>,
    pub skipped: Vec<String>,
}

/// Loads every seed article in `dir` that is not stored yet.
pub async fn load(db: &DatabaseConnection, dir: &Path) -> anyhow::Result<SeedReport> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the seeds directory {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    let mut report = SeedReport::default();
    for file in files {
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let input: ArticleCreate = serde_json::from_str(&text)
            .with_context(|| format!("{} is not an article", file.display()))?;
        let problems: Vec<String> = input
            .problems()
            .into_iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        anyhow::ensure!(
            problems.is_empty(),
            "{} is not valid: {}",
            file.display(),
            problems.join("; ")
        );
        let slug = input
            .slug
            .clone()
            .unwrap_or_else(|| domain::slugify(input.headline.as_deref().unwrap_or_default()));
        match articles::find(db, &slug).await {
            Ok(_) => {
                report.skipped.push(slug);
                continue;
            }
            Err(StoreError::NotFound(_)) => {}
            Err(other) => return Err(other).context("cannot look up the seed article"),
        }
        articles::create(db, &input)
            .await
            .map_err(|e| anyhow::anyhow!("cannot store {}: {e:?}", file.display()))?;
        report.created.push(slug);
    }
    Ok(report)
}
