//! Entities, their aliases, and the resolution of entity references in writes.

use std::collections::{BTreeMap, HashMap};

use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, OnConflict, Order, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
    StatementBuilder,
};
use uuid::Uuid;

use super::page::{split_page, Cursor, Ordering};
use super::{now, Precondition, StoreError, StoreResult};
use crate::api::types::{EntityCreate, EntityKind, EntityPatch, EntityRef, Provenance};
use crate::domain;
use crate::entity::{entity_alias, mention, named_entity, quote};
use crate::error::FieldError;

/// An entity with what is stored beside it.
#[derive(Debug, Clone)]
pub struct EntityRow {
    pub entity: named_entity::Model,
    pub aliases: Vec<String>,
    pub article_count: i64,
    pub mention_count: i64,
}

/// Filters of the entity list.
#[derive(Debug, Clone, Default)]
pub struct EntityFilter {
    pub kind: Option<EntityKind>,
    /// Matches the name or an alias, case-insensitively, anywhere in it.
    pub q: Option<String>,
}

/// Orders of the entity list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntitySort {
    Name,
    NameDesc,
    Mentions,
    MentionsDesc,
}

impl EntitySort {
    pub const KEYS: [(&'static str, EntitySort); 4] = [
        ("name", EntitySort::Name),
        ("-name", EntitySort::NameDesc),
        ("mentions", EntitySort::Mentions),
        ("-mentions", EntitySort::MentionsDesc),
    ];

    fn ordering(self) -> Ordering {
        let (key, descending) = match self {
            EntitySort::Name => (
                Expr::col((named_entity::Entity, named_entity::Column::Name)),
                false,
            ),
            EntitySort::NameDesc => (
                Expr::col((named_entity::Entity, named_entity::Column::Name)),
                true,
            ),
            EntitySort::Mentions => (mention_total(), false),
            EntitySort::MentionsDesc => (mention_total(), true),
        };
        Ordering {
            key,
            id: Expr::col((named_entity::Entity, named_entity::Column::Id)),
            descending,
            nullable: false,
        }
    }

    fn cursor(self, row: &EntityRow) -> Cursor {
        let key = match self {
            EntitySort::Name | EntitySort::NameDesc => serde_json::json!(row.entity.name),
            EntitySort::Mentions | EntitySort::MentionsDesc => serde_json::json!(row.mention_count),
        };
        Cursor {
            key,
            id: row.entity.id,
        }
    }

    fn cursor_value(self, cursor: &Cursor) -> StoreResult<Option<sea_orm::Value>> {
        super::page::cursor_key(cursor, |key| match self {
            EntitySort::Name | EntitySort::NameDesc => key.as_str().map(|s| s.to_owned().into()),
            EntitySort::Mentions | EntitySort::MentionsDesc => key.as_i64().map(Into::into),
        })
    }
}

/// Total mentions of the entity in the current row, as a correlated subquery.
fn mention_total() -> Expr {
    Expr::cust(
        "(SELECT COALESCE(SUM(article_entities.mention_count), 0) FROM article_entities \
         WHERE article_entities.entity_id = entities.id)",
    )
}

/// Finds an entity by id, or by slug. A valid slug can also read as a uuid (32 hex digits, or
/// hex groups joined by hyphens), so a uuid that names no entity is tried as a slug as well.
pub async fn find(conn: &impl ConnectionTrait, key: &str) -> StoreResult<named_entity::Model> {
    let by_id = match Uuid::parse_str(key) {
        Ok(id) => named_entity::Entity::find_by_id(id).one(conn).await?,
        Err(_) => None,
    };
    let found = match by_id {
        Some(entity) => Some(entity),
        // No slug holds a NUL, and Postgres refuses one in a text parameter: not found, unasked.
        None if key.contains('\0') => None,
        None => {
            named_entity::Entity::find()
                .filter(named_entity::Column::Slug.eq(key))
                .one(conn)
                .await?
        }
    };
    found.ok_or_else(|| StoreError::NotFound(format!("entity `{key}`")))
}

/// The entities with the given ids, by id (one query; none for an empty list).
pub async fn by_ids(
    conn: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> StoreResult<HashMap<Uuid, named_entity::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(named_entity::Entity::find()
        .filter(named_entity::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect())
}

/// Like [`find`], but an unknown entity is an invalid input at `field` rather than a missing resource.
pub async fn find_for_field(
    conn: &impl ConnectionTrait,
    key: &str,
    field: &str,
) -> StoreResult<named_entity::Model> {
    match find(conn, key).await {
        Err(StoreError::NotFound(_)) => Err(StoreError::invalid(
            field,
            format!("no entity `{key}` exists"),
        )),
        other => other,
    }
}

/// Resolves an entity reference from a write, creating the entity when it is named inline and no
/// entity of that slug, name or alias exists. `field` is where to report problems.
pub async fn resolve(
    conn: &impl ConnectionTrait,
    reference: &EntityRef,
    field: &str,
) -> StoreResult<named_entity::Model> {
    resolve_with(conn, reference, field, &Provenance::manual()).await
}

/// Resolves an entity the extractor proposed: like [`resolve`], but before a new entity is made
/// (with `provenance`), each of the proposal's aliases is tried too, against existing names and
/// aliases of the same kind — the extractor's canonical name ("Keir Starmer") may differ from the
/// name already stored ("Sir Keir Starmer") while an alias ("Starmer") matches.
pub async fn resolve_extracted(
    conn: &impl ConnectionTrait,
    reference: &EntityRef,
    field: &str,
    provenance: &Provenance,
) -> StoreResult<named_entity::Model> {
    if let Some(name) = &reference.name {
        if find_by_slug_or_alias(conn, &domain::slugify(name), name)
            .await?
            .is_none()
        {
            let kind = reference.kind.map(EntityKind::as_str);
            for alias in &reference.aliases {
                let found = find_by_alias(conn, alias).await?;
                if let Some(entity) = found.into_iter().find(|e| Some(e.kind.as_str()) == kind) {
                    if let Some(held) = hold(conn, &entity).await? {
                        return Ok(held);
                    }
                }
            }
        }
    }
    resolve_with(conn, reference, field, provenance).await
}

/// The entities whose name or an alias matches `alias` (case- and accent-insensitively).
async fn find_by_alias(
    conn: &impl ConnectionTrait,
    alias: &str,
) -> StoreResult<Vec<named_entity::Model>> {
    let key = domain::match_key(alias);
    if key.is_empty() {
        return Ok(Vec::new());
    }
    Ok(named_entity::Entity::find()
        .filter(named_entity::Column::Id.in_subquery(named_by_key(&key)))
        .order_by_asc(named_entity::Column::Id)
        .all(conn)
        .await?)
}

/// [`resolve`], creating a missing entity with `provenance`. The entity answered is held (see
/// [`hold`]) until the write transaction ends; when a concurrent merge or delete removed the one
/// found first, the reference is resolved again (a name may now be an alias of the survivor).
async fn resolve_with(
    conn: &impl ConnectionTrait,
    reference: &EntityRef,
    field: &str,
    provenance: &Provenance,
) -> StoreResult<named_entity::Model> {
    for _ in 0..3 {
        let found = resolve_unheld(conn, reference, field, provenance).await?;
        if let Some(held) = hold(conn, &found).await? {
            return Ok(held);
        }
    }
    Err(StoreError::invalid(
        field,
        "names an entity that concurrent merges or deletes keep removing; retry",
    ))
}

/// The entity `key`, held (see [`hold`]) until the write transaction ends.
pub async fn find_held(conn: &impl ConnectionTrait, key: &str) -> StoreResult<named_entity::Model> {
    let found = find(conn, key).await?;
    hold(conn, &found)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("entity `{key}`")))
}

/// `entity` as it is now, locked until the write transaction ends against being merged away or
/// deleted, but not against other writers that refer to it (`FOR KEY SHARE` on Postgres, the
/// lock a foreign key takes); `None` when a concurrent merge or delete removed it. A write that
/// points a mention or a quote at an entity holds it first, so that the insert cannot fail on the
/// foreign key, and a merge that comes later moves what it wrote.
async fn hold(
    conn: &impl ConnectionTrait,
    entity: &named_entity::Model,
) -> StoreResult<Option<named_entity::Model>> {
    Ok(super::lock_by_id::<named_entity::Entity>(
        conn,
        named_entity::Column::Id,
        &[entity.id],
        sea_orm::sea_query::LockType::KeyShare,
    )
    .await?
    .pop())
}

async fn resolve_unheld(
    conn: &impl ConnectionTrait,
    reference: &EntityRef,
    field: &str,
    provenance: &Provenance,
) -> StoreResult<named_entity::Model> {
    if let Some(id) = reference.id {
        return find_for_field(conn, &id.to_string(), &format!("{field}.id")).await;
    }
    let Some(name) = &reference.name else {
        let slug = reference.slug.as_deref().unwrap_or_default();
        return find_for_field(conn, slug, &format!("{field}.slug")).await;
    };
    let slug = reference
        .slug
        .clone()
        .unwrap_or_else(|| domain::slugify(name));
    if let Some(existing) = find_by_slug_or_alias(conn, &slug, name).await? {
        return Ok(existing);
    }
    let create = EntityCreate {
        slug: Some(slug.clone()),
        name: name.clone(),
        kind: reference.kind.unwrap_or(EntityKind::Other),
        aliases: reference.aliases.clone(),
        description: reference.description.clone(),
        wikidata_id: reference.wikidata_id.clone(),
    };
    match insert_new(
        conn,
        &create,
        &format!("{field}.name"),
        provenance,
        Taken::Keep,
    )
    .await?
    {
        Some(created) => Ok(created),
        // A concurrent write made it between our look and our insert: it is the one.
        None => find_for_field(conn, &slug, &format!("{field}.slug")).await,
    }
}

/// An entity whose slug is `slug`, or whose name, alias or slug matches `name`.
async fn find_by_slug_or_alias(
    conn: &impl ConnectionTrait,
    slug: &str,
    name: &str,
) -> StoreResult<Option<named_entity::Model>> {
    let name_slug = domain::slugify(name);
    let name_key = domain::match_key(name);
    let named = named_by_key(&name_key);
    let found = named_entity::Entity::find()
        .filter(
            Condition::any()
                .add(named_entity::Column::Slug.eq(slug))
                .add(named_entity::Column::Slug.eq(name_slug.as_str()))
                .add(named_entity::Column::Id.in_subquery(named)),
        )
        .order_by_asc(named_entity::Column::Id)
        .all(conn)
        .await?;
    // Prefer the exact slug, then the canonical name, then the name's slug, then an alias.
    let by_slug = found.iter().position(|e| e.slug == slug);
    let by_name = found
        .iter()
        .position(|e| domain::match_key(&e.name) == name_key);
    let by_name_slug = found.iter().position(|e| e.slug == name_slug);
    let pick = by_slug
        .or(by_name)
        .or(by_name_slug)
        .or(if found.is_empty() { None } else { Some(0) });
    Ok(pick.and_then(|i| found.into_iter().nth(i)))
}

/// The id of the entity named by `key`, its id or its slug, as a scalar subquery: NULL, which
/// equals nothing, when there is none. A key that reads as a uuid is compared as one, so `ABC…`
/// and `abc…` name the same entity; it may still be a slug that happens to look like a uuid,
/// which counts only when no entity has that id.
pub(super) fn id_named(key: &str) -> Expr {
    let mut select = Query::select();
    select
        .column((named_entity::Entity, named_entity::Column::Id))
        .from(named_entity::Entity);
    let slug = Expr::col((named_entity::Entity, named_entity::Column::Slug));
    match Uuid::parse_str(key) {
        Ok(id) => {
            let is_id = Expr::col((named_entity::Entity, named_entity::Column::Id)).eq(id);
            select
                .cond_where(Condition::any().add(is_id.clone()).add(slug.eq(key)))
                .order_by_expr(is_id, Order::Desc)
                .limit(1);
        }
        Err(_) => {
            select.and_where(slug.eq(key));
        }
    }
    Expr::SubQuery(None, Box::new(select.into()))
}

/// The ids of the entities with a name or alias of match key `key`: the key rows hold the
/// canonical name's key too (see `replace_aliases`).
fn named_by_key(key: &str) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(entity_alias::Column::EntityId)
        .from(entity_alias::Entity)
        .and_where(entity_alias::Column::AliasKey.eq(key))
        .to_owned()
}

/// Inserts a new entity with its aliases. A taken slug is a conflict reported at `field`.
pub async fn insert(
    conn: &impl ConnectionTrait,
    input: &EntityCreate,
    field: &str,
) -> StoreResult<named_entity::Model> {
    let slug = input
        .slug
        .clone()
        .unwrap_or_else(|| domain::slugify(&input.name));
    insert_new(conn, input, field, &Provenance::manual(), Taken::Conflict)
        .await?
        .ok_or_else(|| {
            StoreError::Conflict(FieldError::new(
                "slug",
                format!("`{slug}` is taken by another entity"),
            ))
        })
}

/// What [`insert_new`] does when the slug is taken.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Taken {
    /// Fail with a conflict.
    Conflict,
    /// Insert nothing and answer `None`, leaving the transaction usable: a concurrent inline
    /// reference to the same new entity then finds the one the other write made (on Postgres
    /// the insert waits for that write to commit).
    Keep,
}

/// Inserts a new entity with `provenance` and its aliases; `taken` says what a taken slug does.
async fn insert_new(
    conn: &impl ConnectionTrait,
    input: &EntityCreate,
    field: &str,
    provenance: &Provenance,
    taken: Taken,
) -> StoreResult<Option<named_entity::Model>> {
    let slug = input
        .slug
        .clone()
        .unwrap_or_else(|| domain::slugify(&input.name));
    if !domain::is_valid_slug(&slug) {
        return Err(StoreError::invalid(
            field,
            "has no letters or digits to make a slug from; give a `slug`",
        ));
    }
    let now = now();
    let model = named_entity::ActiveModel {
        id: Set(Uuid::now_v7()),
        slug: Set(slug.clone()),
        name: Set(input.name.trim().to_owned()),
        kind: Set(input.kind.as_str().to_owned()),
        description: Set(input.description.clone()),
        wikidata_id: Set(input.wikidata_id.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        extractor_version: Set(provenance.extractor_version.clone()),
        confidence: Set(provenance.confidence),
        verified: Set(provenance.verified),
    };
    let mut statement = named_entity::Entity::insert(model);
    if taken == Taken::Keep {
        statement = statement.on_conflict(
            OnConflict::column(named_entity::Column::Slug)
                .do_nothing()
                .to_owned(),
        );
    }
    let inserted = match statement.exec_with_returning(conn).await {
        Ok(model) => model,
        // Nothing inserted: sea-orm says so one way or the other depending on the backend.
        Err(DbErr::RecordNotInserted | DbErr::RecordNotFound(_)) if taken == Taken::Keep => {
            return Ok(None)
        }
        Err(e) => {
            return Err(StoreError::unique_as_conflict(
                e,
                "slug",
                &format!("`{slug}` is taken by another entity"),
            ))
        }
    };
    replace_aliases(conn, inserted.id, &inserted.name, &input.aliases).await?;
    Ok(Some(inserted))
}

/// Replaces an entity's aliases; duplicates (by match key) and the canonical name itself are dropped.
///
/// The canonical name is stored among the key rows as well, so that a name and an alias are
/// matched the same way — case- and accent-insensitively — by search and by inline references
/// (SQL `LOWER` cannot fold accents, and SQLite's folds only ASCII). [`aliases_of`] hides that row.
async fn replace_aliases(
    conn: &impl ConnectionTrait,
    entity_id: Uuid,
    name: &str,
    aliases: &[String],
) -> StoreResult<()> {
    entity_alias::Entity::delete_many()
        .filter(entity_alias::Column::EntityId.eq(entity_id))
        .exec(conn)
        .await?;
    let rows = alias_rows(name, aliases);
    if rows.is_empty() {
        return Ok(());
    }
    entity_alias::Entity::insert_many(rows.into_iter().map(|(alias_key, alias)| {
        entity_alias::ActiveModel {
            entity_id: Set(entity_id),
            alias_key: Set(alias_key),
            alias: Set(alias),
        }
    }))
    .exec(conn)
    .await?;
    Ok(())
}

/// The key rows of an entity named `name` with `aliases`: each match key once, with the first
/// spelling that has it, the name's first.
fn alias_rows(name: &str, aliases: &[String]) -> BTreeMap<String, String> {
    let mut rows = BTreeMap::new();
    for alias in std::iter::once(name).chain(aliases.iter().map(String::as_str)) {
        let key = domain::match_key(alias);
        if !key.is_empty() {
            rows.entry(key).or_insert_with(|| alias.trim().to_owned());
        }
    }
    rows
}

/// The key rows stored for entity `entity_id`.
async fn stored_alias_rows(
    conn: &impl ConnectionTrait,
    entity_id: Uuid,
) -> StoreResult<BTreeMap<String, String>> {
    let rows = entity_alias::Entity::find()
        .filter(entity_alias::Column::EntityId.eq(entity_id))
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.alias_key, row.alias))
        .collect())
}

/// Aliases of each of `entities`, sorted; the row that holds the canonical name is not one.
pub async fn aliases_of(
    conn: &impl ConnectionTrait,
    entities: &[&named_entity::Model],
) -> StoreResult<HashMap<Uuid, Vec<String>>> {
    let mut out: HashMap<Uuid, Vec<String>> = HashMap::new();
    if entities.is_empty() {
        return Ok(out);
    }
    let name_keys: HashMap<Uuid, String> = entities
        .iter()
        .map(|e| (e.id, domain::match_key(&e.name)))
        .collect();
    let rows = entity_alias::Entity::find()
        .filter(entity_alias::Column::EntityId.is_in(name_keys.keys().copied()))
        .order_by_asc(entity_alias::Column::Alias)
        .all(conn)
        .await?;
    for row in rows {
        if name_keys.get(&row.entity_id) != Some(&row.alias_key) {
            out.entry(row.entity_id).or_default().push(row.alias);
        }
    }
    Ok(out)
}

#[derive(Debug, FromQueryResult)]
struct Counts {
    entity_id: Uuid,
    article_count: i64,
    mention_count: i64,
}

/// Article and mention counts of each of `ids`, in one GROUP BY.
async fn counts_of(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
) -> StoreResult<HashMap<Uuid, (i64, i64)>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let query = Query::select()
        .column(mention::Column::EntityId)
        .expr_as(
            Func::count(Expr::col(mention::Column::ArticleId)).cast_as(Alias::new("BIGINT")),
            "article_count",
        )
        .expr_as(
            Func::sum(Expr::col(mention::Column::MentionCount)).cast_as(Alias::new("BIGINT")),
            "mention_count",
        )
        .from(mention::Entity)
        .and_where(mention::Column::EntityId.is_in(ids.iter().copied()))
        .group_by_col(mention::Column::EntityId)
        .to_owned();
    let rows = Counts::find_by_statement(StatementBuilder::build(
        &query,
        &conn.get_database_backend(),
    ))
    .all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|c| (c.entity_id, (c.article_count, c.mention_count)))
        .collect())
}

/// Completes entity rows with their aliases and counts (two queries for any number of entities).
pub async fn rows_for(
    conn: &impl ConnectionTrait,
    entities: Vec<named_entity::Model>,
) -> StoreResult<Vec<EntityRow>> {
    let ids: Vec<Uuid> = entities.iter().map(|e| e.id).collect();
    let mut aliases = aliases_of(conn, &entities.iter().collect::<Vec<_>>()).await?;
    let counts = counts_of(conn, &ids).await?;
    Ok(entities
        .into_iter()
        .map(|entity| {
            let (article_count, mention_count) = counts.get(&entity.id).copied().unwrap_or((0, 0));
            EntityRow {
                aliases: aliases.remove(&entity.id).unwrap_or_default(),
                article_count,
                mention_count,
                entity,
            }
        })
        .collect())
}

/// One entity with its aliases and counts.
pub async fn get(conn: &impl ConnectionTrait, key: &str) -> StoreResult<EntityRow> {
    let entity = find(conn, key).await?;
    let mut rows = rows_for(conn, vec![entity]).await?;
    rows.pop()
        .ok_or_else(|| StoreError::NotFound(format!("entity `{key}`")))
}

/// A page of entities.
pub async fn list(
    conn: &impl ConnectionTrait,
    filter: &EntityFilter,
    sort: EntitySort,
    limit: u64,
    cursor: Option<&Cursor>,
) -> StoreResult<(Vec<EntityRow>, Option<Cursor>)> {
    let ordering = sort.ordering();
    let mut select = named_entity::Entity::find().filter(conditions(filter));
    if let Some(cursor) = cursor {
        select = select.filter(ordering.after(sort.cursor_value(cursor)?, cursor.id));
    }
    ordering.apply(QueryTrait::query(&mut select));
    let entities = select.limit(limit + 1).all(conn).await?;
    let rows = rows_for(conn, entities).await?;
    Ok(split_page(rows, limit, |row| sort.cursor(row)))
}

/// How many entities match `filter`.
pub async fn count(conn: &impl ConnectionTrait, filter: &EntityFilter) -> StoreResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(named_entity::Entity::find()
        .filter(conditions(filter))
        .count(conn)
        .await?)
}

fn conditions(filter: &EntityFilter) -> Condition {
    let mut all = Condition::all();
    if let Some(kind) = filter.kind {
        all = all.add(named_entity::Column::Kind.eq(kind.as_str()));
    }
    if let Some(q) = filter
        .q
        .as_deref()
        .map(domain::match_key)
        .filter(|q| !q.is_empty())
    {
        let pattern = format!("%{}%", escape_like(&q));
        let aliased = Query::select()
            .column(entity_alias::Column::EntityId)
            .from(entity_alias::Entity)
            .and_where(
                Expr::col(entity_alias::Column::AliasKey)
                    .like(sea_orm::sea_query::LikeExpr::new(pattern.clone()).escape('\\')),
            )
            .to_owned();
        all = all.add(
            Condition::any()
                .add(
                    Func::lower(Expr::col((
                        named_entity::Entity,
                        named_entity::Column::Name,
                    )))
                    .like(sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')),
                )
                .add(named_entity::Column::Id.in_subquery(aliased)),
        );
    }
    all
}

/// Escapes `%`, `_` and `\` so that user text matches literally inside a LIKE pattern.
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Creates an entity.
pub async fn create(db: &DatabaseConnection, input: &EntityCreate) -> StoreResult<EntityRow> {
    let txn = super::begin_write(db).await?;
    let entity = insert(&txn, input, "name").await?;
    let row = rows_for(&txn, vec![entity]).await?.pop();
    txn.commit().await?;
    row.ok_or_else(|| StoreError::NotFound("the new entity".to_owned()))
}

/// Applies a merge patch to an entity, if `precondition` holds for it. A patch that changes
/// nothing writes nothing (see [`super::articles::update`]).
pub async fn update(
    db: &DatabaseConnection,
    key: &str,
    patch: &EntityPatch,
    precondition: Precondition<EntityRow>,
) -> StoreResult<EntityRow> {
    let txn = super::begin_write(db).await?;
    let current = locked(&txn, key, &precondition).await?;
    let id = current.id;
    let name = patch.name.clone().unwrap_or_else(|| current.name.clone());
    // A new name replaces the old one among the key rows; the aliases stay as they were unless
    // the patch replaces them too.
    let stored = match (&patch.aliases, &patch.name) {
        (None, None) => None,
        _ => Some(stored_alias_rows(&txn, id).await?),
    };
    let aliases = match (&patch.aliases, &stored) {
        (Some(aliases), _) => Some(aliases.clone()),
        // The stored aliases but for the row of the old name.
        (None, Some(stored)) => {
            let old_name = domain::match_key(&current.name);
            let kept = stored.iter().filter(|(key, _)| **key != old_name);
            Some(kept.map(|(_, alias)| alias.clone()).collect())
        }
        (None, None) => None,
    };
    let mut model: named_entity::ActiveModel = current.clone().into();
    if let Some(slug) = &patch.slug {
        model.slug.set_if_not_equals(slug.clone());
    }
    if let Some(name) = &patch.name {
        model.name.set_if_not_equals(name.trim().to_owned());
    }
    if let Some(kind) = patch.kind {
        model.kind.set_if_not_equals(kind.as_str().to_owned());
    }
    if let Some(description) = &patch.description {
        model.description.set_if_not_equals(description.clone());
    }
    if let Some(wikidata_id) = &patch.wikidata_id {
        model.wikidata_id.set_if_not_equals(wikidata_id.clone());
    }
    if let Some(verified) = patch.verified {
        model.verified.set_if_not_equals(verified);
    }
    // Key rows as they are stored already are not written again.
    let aliases = aliases.filter(|aliases| stored.as_ref() != Some(&alias_rows(&name, aliases)));
    if !model.is_changed() && aliases.is_none() {
        // Nothing to write: `updated_at` stays, and so does the ETag.
        let row = rows_for(&txn, vec![current]).await?.pop();
        txn.commit().await?;
        return row.ok_or_else(|| StoreError::NotFound(format!("entity `{key}`")));
    }
    model.updated_at = Set(now());
    let slug = patch.slug.clone().unwrap_or_default();
    let entity = model.update(&txn).await.map_err(|e| {
        StoreError::unique_as_conflict(e, "slug", &format!("`{slug}` is taken by another entity"))
    })?;
    if let Some(aliases) = &aliases {
        // The new name may have been an alias; `replace_aliases` keeps it out of the list.
        replace_aliases(&txn, id, &name, aliases).await?;
    }
    let row = rows_for(&txn, vec![entity]).await?.pop();
    txn.commit().await?;
    row.ok_or_else(|| StoreError::NotFound(format!("entity `{key}`")))
}

/// Deletes an entity, if `precondition` holds for it; its mentions go with it and quotes it
/// spoke lose their speaker.
pub async fn delete(
    db: &DatabaseConnection,
    key: &str,
    precondition: Precondition<EntityRow>,
) -> StoreResult<()> {
    let txn = super::begin_write(db).await?;
    let entity = locked(&txn, key, &precondition).await?;
    let articles = mentioning_articles(&txn, entity.id).await?;
    named_entity::Entity::delete_by_id(entity.id)
        .exec(&txn)
        .await?;
    super::articles::touch_many(&txn, &articles).await?;
    txn.commit().await?;
    Ok(())
}

/// Locks entities for the rest of the write transaction, in id order, and answers them as they
/// are now; a row deleted by a concurrent write (a merge, a delete) is missing from the answer.
/// Every write that merges or deletes entities locks them first, so those writes queue per
/// entity instead of deadlocking or acting on an entity another one just removed.
async fn lock(conn: &impl ConnectionTrait, ids: &[Uuid]) -> StoreResult<Vec<named_entity::Model>> {
    super::lock_by_id::<named_entity::Entity>(
        conn,
        named_entity::Column::Id,
        ids,
        sea_orm::sea_query::LockType::Update,
    )
    .await
}

/// The entity `key`, locked (see [`lock`]), if `precondition` holds for it as it is now.
async fn locked(
    txn: &sea_orm::DatabaseTransaction,
    key: &str,
    precondition: &Precondition<EntityRow>,
) -> StoreResult<named_entity::Model> {
    let found = find(txn, key).await?;
    let current = lock(txn, &[found.id])
        .await?
        .pop()
        .ok_or_else(|| StoreError::NotFound(format!("entity `{key}`")))?;
    if precondition.is_some() {
        let row = rows_for(txn, vec![current.clone()])
            .await?
            .pop()
            .ok_or_else(|| StoreError::NotFound(format!("entity `{key}`")))?;
        super::check(precondition, &row)?;
    }
    Ok(current)
}

/// Ids of the articles that mention `entity_id` or quote it.
async fn mentioning_articles(
    conn: &impl ConnectionTrait,
    entity_id: Uuid,
) -> StoreResult<Vec<Uuid>> {
    let mut ids: Vec<Uuid> = mention::Entity::find()
        .filter(mention::Column::EntityId.eq(entity_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.article_id)
        .collect();
    ids.extend(
        quote::Entity::find()
            .filter(quote::Column::SpeakerEntityId.eq(entity_id))
            .all(conn)
            .await?
            .into_iter()
            .map(|q| q.article_id),
    );
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// Folds `duplicate_key` into `survivor_key`: mentions are added together per article, quotes
/// change speaker, the duplicate's name and aliases become aliases, and the duplicate is deleted.
pub async fn merge(
    db: &DatabaseConnection,
    survivor_key: &str,
    duplicate_key: &str,
) -> StoreResult<EntityRow> {
    let txn = super::begin_write(db).await?;
    let survivor = find(&txn, survivor_key).await?;
    let duplicate = find_for_field(&txn, duplicate_key, "duplicate").await?;
    if survivor.id == duplicate.id {
        return Err(StoreError::invalid(
            "duplicate",
            "is the entity itself; name another one",
        ));
    }
    // Both locked, and read again as they are now: a concurrent merge or delete may have removed
    // either while we looked them up.
    let locked = lock(&txn, &[survivor.id, duplicate.id]).await?;
    let now_of = |id: Uuid| locked.iter().find(|e| e.id == id).cloned();
    let survivor = now_of(survivor.id)
        .ok_or_else(|| StoreError::NotFound(format!("entity `{survivor_key}`")))?;
    let duplicate = now_of(duplicate.id).ok_or_else(|| {
        StoreError::invalid("duplicate", format!("no entity `{duplicate_key}` exists"))
    })?;
    let touched = mentioning_articles(&txn, duplicate.id).await?;
    // The articles are locked (and their versions bumped) before their mentions move: a new
    // mention row takes its article's `published_at` (a database trigger), and the lock keeps a
    // concurrent change of that date from slipping in between.
    super::articles::touch_many(&txn, &touched).await?;

    let survivor_mentions: HashMap<Uuid, mention::Model> = mention::Entity::find()
        .filter(mention::Column::EntityId.eq(survivor.id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|m| (m.article_id, m))
        .collect();
    let duplicate_mentions = mention::Entity::find()
        .filter(mention::Column::EntityId.eq(duplicate.id))
        .all(&txn)
        .await?;
    for moved in duplicate_mentions {
        match survivor_mentions.get(&moved.article_id) {
            Some(kept) => {
                let first_offset = match (kept.first_offset, moved.first_offset) {
                    (Some(a), Some(b)) => Some(std::cmp::min(a, b)),
                    (a, b) => a.or(b),
                };
                let salience = match (kept.salience, moved.salience) {
                    (Some(a), Some(b)) => Some(f64::max(a, b)),
                    (a, b) => a.or(b),
                };
                let mut model: mention::ActiveModel = kept.clone().into();
                // The folded counts are unchecked if either part was.
                model.verified = Set(kept.verified && moved.verified);
                model.mention_count = Set(kept.mention_count.saturating_add(moved.mention_count));
                model.first_offset = Set(first_offset);
                model.salience = Set(salience);
                model.update(&txn).await?;
            }
            None => {
                mention::Entity::insert(mention::ActiveModel {
                    article_id: Set(moved.article_id),
                    entity_id: Set(survivor.id),
                    mention_count: Set(moved.mention_count),
                    first_offset: Set(moved.first_offset),
                    salience: Set(moved.salience),
                    extractor_version: Set(moved.extractor_version.clone()),
                    confidence: Set(moved.confidence),
                    verified: Set(moved.verified),
                })
                .exec(&txn)
                .await?;
            }
        }
    }
    quote::Entity::update_many()
        .col_expr(quote::Column::SpeakerEntityId, Expr::val(survivor.id))
        .filter(quote::Column::SpeakerEntityId.eq(duplicate.id))
        .exec(&txn)
        .await?;

    let mut aliases = aliases_of(&txn, &[&survivor, &duplicate]).await?;
    let mut merged = aliases.remove(&survivor.id).unwrap_or_default();
    merged.extend(aliases.remove(&duplicate.id).unwrap_or_default());
    merged.push(duplicate.name.clone());
    named_entity::Entity::delete_by_id(duplicate.id)
        .exec(&txn)
        .await?;
    replace_aliases(&txn, survivor.id, &survivor.name, &merged).await?;

    let mut model: named_entity::ActiveModel = survivor.into();
    model.updated_at = Set(now());
    let survivor = model.update(&txn).await?;
    let row = rows_for(&txn, vec![survivor]).await?.pop();
    txn.commit().await?;
    row.ok_or_else(|| StoreError::NotFound(format!("entity `{survivor_key}`")))
}
