//! The change feed: what changed, in commit order.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::entity::change;

/// What kind of resource changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChangeResource {
    Article,
    Quote,
    Entity,
}

/// What happened to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChangeAction {
    Created,
    Updated,
    /// A tombstone: the resource is gone (its `href` now answers 404).
    Deleted,
}

/// One create, update or delete of an article, a quote or an entity.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "seq": 42,
    "resource": "article",
    "action": "updated",
    "id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c4d",
    "href": "/v1/articles/01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c4d",
    "slug": "us-officials-condemn-uk-immigration-approach",
    "article_id": null,
    "version": 3,
    "changed_at": "2026-11-27T09:15:02.120Z"
}))]
pub struct Change {
    /// Position in the feed, increasing in commit order (with gaps). Pass the last one you
    /// processed as `since` to continue after it.
    pub seq: i64,
    pub resource: ChangeResource,
    pub action: ChangeAction,
    /// The id of the article, quote or entity.
    pub id: Uuid,
    /// Where to read it now (404 after a deletion).
    pub href: String,
    /// The slug it had after the change (before it, for a deletion); articles and entities only.
    pub slug: Option<String>,
    /// The article a quote belongs to; quotes only.
    pub article_id: Option<Uuid>,
    /// The article's `version` after the change; articles only.
    pub version: Option<i64>,
    /// When the change was committed (UTC; millisecond precision on SQLite).
    pub changed_at: DateTime<Utc>,
}

impl From<change::Model> for Change {
    fn from(row: change::Model) -> Self {
        let resource = match row.resource.as_str() {
            "article" => ChangeResource::Article,
            "quote" => ChangeResource::Quote,
            _ => ChangeResource::Entity,
        };
        let collection = match resource {
            ChangeResource::Article => "articles",
            ChangeResource::Quote => "quotes",
            ChangeResource::Entity => "entities",
        };
        let action = match row.action.as_str() {
            "created" => ChangeAction::Created,
            "updated" => ChangeAction::Updated,
            _ => ChangeAction::Deleted,
        };
        Self {
            seq: row.seq,
            resource,
            action,
            id: row.resource_id,
            href: format!("/v1/{collection}/{}", row.resource_id),
            slug: row.slug,
            article_id: row.article_id,
            version: row.version,
            changed_at: row.changed_at,
        }
    }
}

/// A page of the change feed, oldest change first.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "data": [{
        "seq": 42, "resource": "article", "action": "updated",
        "id": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c4d",
        "href": "/v1/articles/01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c4d",
        "slug": "us-officials-condemn-uk-immigration-approach", "article_id": null, "version": 3,
        "changed_at": "2026-11-27T09:15:02.120Z"
    }],
    "next_cursor": "42",
    "has_more": false
}))]
pub struct ChangePage {
    pub data: Vec<Change>,
    /// Where to continue: pass it as `since` next time. Always present, also when `data` is empty
    /// (then it is the `since` you sent), so a poller never loses its place.
    pub next_cursor: String,
    /// Whether more changes follow right now (ask again at once); `false` means you are up to date.
    pub has_more: bool,
}
