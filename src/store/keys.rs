//! API keys. A key is `nm_` followed by 43 base64url characters (256 random bits); only its
//! SHA-256 hash is stored, with a short prefix to find it by.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use super::{now, StoreError, StoreResult};
use crate::entity::api_key;

/// What a key may do. Each scope includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Scope {
    /// Read everything.
    Read,
    /// Read, and create, change and delete articles, sections, quotes and entities.
    Write,
    /// Everything, including what later administrative routes need.
    Admin,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }

    fn from_stored(value: &str) -> Scope {
        match value {
            "admin" => Scope::Admin,
            "write" => Scope::Write,
            _ => Scope::Read,
        }
    }
}

const KEY_PREFIX: &str = "nm_";
/// Characters of the key (after `nm_`) stored in clear to look it up by.
const LOOKUP_LEN: usize = 8;

fn hash(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A newly made key: the secret, shown once, and its stored record.
pub struct NewKey {
    pub secret: String,
    pub record: api_key::Model,
}

/// Makes and stores a new key.
pub async fn create(conn: &impl ConnectionTrait, name: &str, scope: Scope) -> StoreResult<NewKey> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = format!("{KEY_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let record = api_key::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.to_owned()),
        prefix: Set(secret[..KEY_PREFIX.len() + LOOKUP_LEN].to_owned()),
        hash: Set(hash(&secret)),
        scope: Set(scope.as_str().to_owned()),
        created_at: Set(now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(NewKey { secret, record })
}

/// All keys, oldest first.
pub async fn list(conn: &impl ConnectionTrait) -> StoreResult<Vec<api_key::Model>> {
    Ok(api_key::Entity::find()
        .order_by_asc(api_key::Column::Id)
        .all(conn)
        .await?)
}

/// How many keys have not been revoked.
pub async fn count_active(conn: &impl ConnectionTrait) -> StoreResult<u64> {
    Ok(api_key::Entity::find()
        .filter(api_key::Column::RevokedAt.is_null())
        .count(conn)
        .await?)
}

/// Revokes a key by id or prefix; it stops working at once.
pub async fn revoke(conn: &impl ConnectionTrait, key: &str) -> StoreResult<api_key::Model> {
    let found = match Uuid::parse_str(key) {
        Ok(id) => api_key::Entity::find_by_id(id).one(conn).await?,
        Err(_) => {
            api_key::Entity::find()
                .filter(api_key::Column::Prefix.eq(key))
                .one(conn)
                .await?
        }
    };
    let found = found.ok_or_else(|| StoreError::NotFound(format!("API key `{key}`")))?;
    let mut model: api_key::ActiveModel = found.into();
    model.revoked_at = Set(Some(now()));
    Ok(model.update(conn).await?)
}

/// A key that was presented and is valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyHolder {
    /// The key's id (what its quota is counted by).
    pub id: Uuid,
    pub scope: Scope,
}

/// The holder of a presented key, or `None` when the key is unknown or revoked. The hash
/// comparison takes the same time wherever the strings differ.
pub async fn authenticate(
    conn: &impl ConnectionTrait,
    presented: &str,
) -> StoreResult<Option<KeyHolder>> {
    let lookup_len = KEY_PREFIX.len() + LOOKUP_LEN;
    if !presented.starts_with(KEY_PREFIX) || presented.len() < lookup_len || !presented.is_ascii() {
        return Ok(None);
    }
    let Some(record) = api_key::Entity::find()
        .filter(api_key::Column::Prefix.eq(&presented[..lookup_len]))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let matches: bool = hash(presented)
        .as_bytes()
        .ct_eq(record.hash.as_bytes())
        .into();
    if !matches || record.revoked_at.is_some() {
        return Ok(None);
    }
    let holder = KeyHolder {
        id: record.id,
        scope: Scope::from_stored(&record.scope),
    };
    // Record use at most once a minute, so that reads do not turn into writes.
    let stale = record
        .last_used_at
        .is_none_or(|t| now() - t > chrono::Duration::seconds(60));
    if stale {
        let mut model: api_key::ActiveModel = record.into();
        model.last_used_at = Set(Some(now()));
        if let Err(error) = model.update(conn).await {
            tracing::warn!(error = %crate::error::loggable(&error), "could not record API key use");
        }
    }
    Ok(Some(holder))
}
