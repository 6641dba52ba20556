//! Text search over articles and quotes: the one place where matching text is decided.
//!
//! Today this is a case-insensitive substring match on both backends; full-text search
//! (Postgres `tsvector`, SQLite FTS5) replaces it here without touching the callers.

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{Condition, DbBackend};

use crate::entity::{article, quote};
use crate::store::entities::escape_like;

fn contains(column: Expr, needle: &str) -> Expr {
    let pattern = format!("%{}%", escape_like(&needle.to_lowercase()));
    Func::lower(column).like(LikeExpr::new(pattern).escape('\\'))
}

/// Articles whose headline, standfirst or body contain every word of `q`.
pub fn articles_matching(_backend: DbBackend, q: &str) -> Condition {
    q.split_whitespace().fold(Condition::all(), |all, word| {
        all.add(
            Condition::any()
                .add(contains(
                    Expr::col((article::Entity, article::Column::Headline)),
                    word,
                ))
                .add(contains(
                    Expr::col((article::Entity, article::Column::Standfirst)),
                    word,
                ))
                .add(contains(
                    Expr::col((article::Entity, article::Column::Body)),
                    word,
                )),
        )
    })
}

/// Quotes whose text contains every word of `q`.
pub fn quotes_matching(_backend: DbBackend, q: &str) -> Condition {
    q.split_whitespace().fold(Condition::all(), |all, word| {
        all.add(contains(
            Expr::col((quote::Entity, quote::Column::Text)),
            word,
        ))
    })
}
