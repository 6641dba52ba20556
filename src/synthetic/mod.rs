//! A synthetic corpus for tests and benchmarks: `newsmeta seed --synthetic N --seed S`.
//!
//! Each article has a headline, a standfirst and a body of 4–8 sections (the untitled lede, then
//! headed sections), 3–10 quotes taken from the body, 5–20 entities it names, a category,
//! keywords, authors and a publisher, and is published at a time spread over the two years
//! before [`until`]. Entities come from a pool of about five thousand invented people,
//! organisations, places and events whose popularity is Zipf-distributed ([`pool`]).
//!
//! The corpus is a function of N and S alone: every random choice comes from a ChaCha8 stream
//! seeded with S (stream 0 for the pool, stream `i + 1` for article `i`), and ids and timestamps
//! are derived from it too, never from the clock. Generating the same N and S into two empty
//! databases stores the same rows.
//!
//! Articles are written in batches, each batch one transaction of multi-row INSERTs
//! ([`crate::store::bulk`]), not through the per-article API path: that is what makes a hundred
//! thousand articles a matter of minutes.

mod article;
pub mod pool;
mod words;

use chrono::{DateTime, Duration, Utc};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use self::article::{Draft, Place};
use self::pool::EntityPool;
use crate::domain;
use crate::entity::{article as article_row, article_keyword, entity_alias, mention, named_entity};
use crate::entity::{quote, section};
use crate::store::{articles, bulk, StoreError};

/// Articles per transaction.
const BATCH: u64 = 500;

/// Synthetic articles are published in the two years before this instant (2026-11-01T00:00:00Z),
/// whatever the day the corpus is made.
pub fn until() -> DateTime<Utc> {
    DateTime::from_timestamp(1_793_491_200, 0).unwrap_or_default()
}

/// How far back from [`until`] the corpus reaches.
pub fn window() -> Duration {
    Duration::days(730)
}

/// What a run has stored so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyntheticReport {
    /// Articles the run is to write.
    pub target: u64,
    pub articles: u64,
    pub sections: u64,
    pub quotes: u64,
    pub mentions: u64,
    pub keywords: u64,
    /// Entities the run created.
    pub entities_created: u64,
    /// Pool entities whose slug was already stored (by the seed, say): their mentions point at
    /// the stored entity.
    pub entities_reused: u64,
}

/// Writes `count` synthetic articles made from `seed` into `db`, calling `progress` after every
/// batch. Fails, before writing anything, when the corpus of `seed` is already stored.
pub async fn generate(
    db: &DatabaseConnection,
    count: u64,
    seed: u64,
    mut progress: impl FnMut(&SyntheticReport),
) -> anyhow::Result<SyntheticReport> {
    let pool = EntityPool::new(&mut stream(seed, 0));
    let mut report = SyntheticReport {
        target: count,
        ..SyntheticReport::default()
    };
    if count == 0 {
        return Ok(report);
    }
    let first = draft(&pool, seed, 0, count);
    match articles::find(db, &first.article.slug).await {
        Err(StoreError::NotFound(_)) => {}
        Ok(_) => anyhow::bail!(
            "this database already holds the synthetic corpus of seed {seed} (article `{}`); \
             use another --seed or an empty database",
            first.article.slug
        ),
        Err(other) => return Err(other.into()),
    }

    let mut entity_ids: Vec<Option<Uuid>> = vec![None; pool.entities.len()];
    let mut from = 0;
    while from < count {
        let to = (from + BATCH).min(count);
        let drafts: Vec<Draft> = (from..to)
            .map(|index| draft(&pool, seed, index, count))
            .collect();
        write_batch(db, &pool, &mut entity_ids, drafts, &mut report).await?;
        progress(&report);
        from = to;
    }
    Ok(report)
}

/// The random stream `n` of the corpus of `seed`.
fn stream(seed: u64, n: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(n);
    rng
}

fn draft(pool: &EntityPool, seed: u64, index: u64, total: u64) -> Draft {
    let place = Place {
        seed,
        index,
        total,
        until: until(),
        window: window(),
    };
    article::write(pool, &mut stream(seed, index + 1), place)
}

/// Stores one batch of articles in one transaction, creating the entities they are the first to
/// mention.
async fn write_batch(
    db: &DatabaseConnection,
    pool: &EntityPool,
    entity_ids: &mut [Option<Uuid>],
    drafts: Vec<Draft>,
    report: &mut SyntheticReport,
) -> anyhow::Result<()> {
    let txn = crate::store::begin_write(db).await?;

    // Entities named for the first time, with the time of the article that first names them.
    let mut fresh: Vec<(usize, DateTime<Utc>)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for draft in &drafts {
        for mention in &draft.mentions {
            if entity_ids[mention.entity].is_none() && seen.insert(mention.entity) {
                fresh.push((mention.entity, draft.article.created_at));
            }
        }
    }
    let slugs: Vec<String> = fresh
        .iter()
        .map(|(entity, _)| pool.entities[*entity].slug.clone())
        .collect();
    let stored = bulk::entity_ids_by_slug(&txn, &slugs).await?;
    let mut new_entities = Vec::new();
    let mut aliases = Vec::new();
    for (entity, created_at) in fresh {
        let e = &pool.entities[entity];
        if let Some(id) = stored.get(&e.slug) {
            entity_ids[entity] = Some(*id);
            report.entities_reused += 1;
            continue;
        }
        let id = article::uuid_v7(created_at, &e.id_bits);
        entity_ids[entity] = Some(id);
        new_entities.push(named_entity::Model {
            id,
            slug: e.slug.clone(),
            name: e.name.clone(),
            kind: e.kind.as_str().to_owned(),
            description: None,
            wikidata_id: None,
            created_at,
            updated_at: created_at,
            extractor_version: None,
            confidence: None,
            verified: true,
        });
        // As `store::entities` keeps them: the canonical name among the match keys, then aliases.
        for alias in std::iter::once(&e.name).chain(&e.short_name) {
            aliases.push(entity_alias::Model {
                entity_id: id,
                alias_key: domain::match_key(alias),
                alias: alias.clone(),
            });
        }
    }
    report.entities_created += bulk::insert_all::<named_entity::Entity>(&txn, new_entities).await?;
    bulk::insert_all::<entity_alias::Entity>(&txn, aliases).await?;

    let id_of = |entity: usize| entity_ids[entity].unwrap_or_default();
    let mut article_rows = Vec::with_capacity(drafts.len());
    let mut keyword_rows = Vec::new();
    let mut section_rows = Vec::new();
    let mut quote_rows = Vec::new();
    let mut mention_rows = Vec::new();
    for draft in drafts {
        let article_id = draft.article.id;
        keyword_rows.extend(
            draft
                .keywords
                .into_iter()
                .enumerate()
                .map(|(position, keyword)| article_keyword::Model {
                    article_id,
                    position: i32::try_from(position).unwrap_or(i32::MAX),
                    keyword,
                }),
        );
        section_rows.extend(draft.sections);
        quote_rows.extend(
            draft
                .quotes
                .into_iter()
                .map(|(quote, speaker)| quote::Model {
                    speaker_entity_id: speaker.map(id_of),
                    ..quote
                }),
        );
        mention_rows.extend(draft.mentions.into_iter().map(|m| mention::Model {
            article_id,
            entity_id: id_of(m.entity),
            mention_count: m.mention_count,
            first_offset: Some(m.first_offset),
            salience: Some(m.salience),
            extractor_version: None,
            confidence: None,
            verified: true,
        }));
        article_rows.push(draft.article);
    }
    report.articles += bulk::insert_all::<article_row::Entity>(&txn, article_rows).await?;
    report.keywords += bulk::insert_all::<article_keyword::Entity>(&txn, keyword_rows).await?;
    report.sections += bulk::insert_all::<section::Entity>(&txn, section_rows).await?;
    report.quotes += bulk::insert_all::<quote::Entity>(&txn, quote_rows).await?;
    report.mentions += bulk::insert_all::<mention::Entity>(&txn, mention_rows).await?;
    txn.commit().await?;
    Ok(())
}
