//! The change feed: rows the database's triggers write on every insert, update and delete of an
//! article, quote or entity (migration 000003), read in `seq` order, which is commit order.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::StoreResult;
use crate::entity::change;

/// The kinds of resource the feed reports on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Resource {
    Article,
    Quote,
    Entity,
}

impl Resource {
    pub const ALL: [Resource; 3] = [Resource::Article, Resource::Quote, Resource::Entity];

    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Article => "article",
            Resource::Quote => "quote",
            Resource::Entity => "entity",
        }
    }

    pub fn parse(text: &str) -> Option<Resource> {
        Resource::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// Up to `limit` changes after `since`, oldest first, of the given resources (all when empty),
/// and whether more follow.
pub async fn after(
    conn: &impl ConnectionTrait,
    since: i64,
    resources: &[Resource],
    limit: u64,
) -> StoreResult<(Vec<change::Model>, bool)> {
    let mut query = change::Entity::find()
        .filter(change::Column::Seq.gt(since))
        .order_by_asc(change::Column::Seq)
        .limit(limit + 1);
    if !resources.is_empty() {
        query = query.filter(change::Column::Resource.is_in(resources.iter().map(|r| r.as_str())));
    }
    let mut rows = query.all(conn).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    Ok((rows, more))
}

/// The `seq` of the newest change (0 when there is none): where a client that has just read
/// everything starts polling.
pub async fn head(conn: &impl ConnectionTrait) -> StoreResult<i64> {
    let head: Option<Option<i64>> = change::Entity::find()
        .select_only()
        .column_as(Expr::col(change::Column::Seq).max(), "head")
        .into_tuple()
        .one(conn)
        .await?;
    Ok(head.flatten().unwrap_or(0))
}
