//! `/v1/changes`: the change feed. A dashboard or a search index keeps in sync by polling it with
//! the `next_cursor` of its last answer, instead of re-reading everything.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::fields::Fields;
use super::http::{self, AppState, Reader};
use super::problems::*;
use super::types::{Change, ChangePage};
use crate::error::ApiError;
use crate::store::changes::{self, Resource};

/// Largest and default page sizes of the feed: bigger than lists', so catching up is quick.
const MAX_LIMIT: u64 = 1000;
const DEFAULT_LIMIT: u64 = 100;

/// Where to start, which resources, how many.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangeParams {
    /// The `next_cursor` of your previous answer (the `seq` of the last change you processed):
    /// the answer starts with the change after it. Absent or `0`: from the first change.
    /// `latest`: no changes, just the `next_cursor` of now, for a client that has just read
    /// everything and wants only what happens from here on.
    since: Option<String>,
    /// Comma-separated: only changes of `article`, `quote` and/or `entity`.
    resource: Option<String>,
    /// Changes per answer, 1 to 1000 (default 100).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
    /// Comma-separated members of each change to answer (`seq`, `resource`, `action`, ...);
    /// the others are left out, `id` is always there. An unknown name is a 400 listing them.
    fields: Option<String>,
}

/// Every create, update and delete of articles, quotes and entities, in commit order.
///
/// Each change says what changed (`resource`, `id`, `href`) and how (`action`); a deletion is a
/// tombstone. Poll with `since` set to the last answer's `next_cursor`: a change is listed once,
/// after every change committed before it, so a poller misses nothing and sees each change once.
/// Changes to an article's sections, keywords and mentions are updates of the article (its
/// `version` goes up); a quote edit is a quote update and an article update. When `has_more` is
/// true, ask again at once (the `Link: rel="next"` header has the URL).
#[utoipa::path(
    tag = "changes",
    params(ChangeParams),
    responses(
        (status = 200, description = "The changes after `since`, oldest first", body = ChangePage,
            headers(("ETag" = String, description = "Validator for If-None-Match"),
                    ("Link" = String, description = "RFC 8288 link to the next page, when `has_more`"))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 503, response = Unavailable),
    )
)]
#[get("/changes")]
pub async fn list_changes(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Reader,
) -> Result<HttpResponse, ApiError> {
    let params: ChangeParams = http::query(&req)?;
    let resources = resources(params.resource.as_deref())?;
    let limit = http::limit_within(params.limit.as_deref(), DEFAULT_LIMIT, MAX_LIMIT)?;
    let fields = Fields::parse::<Change>(params.fields.as_deref())?;
    let since = match params.since.as_deref() {
        Some("latest") => changes::head(state.reader()).await?,
        other => since(other)?,
    };
    let (rows, has_more) = changes::after(state.reader(), since, &resources, limit).await?;
    // A cursor ahead of a replica may be one it has not replayed yet (another instance read a
    // replica further on): ahead of the primary too, it is no cursor of this feed. Asked only
    // on this rare path, so polling stays on the replica.
    if rows.is_empty()
        && since > changes::head(state.reader()).await?
        && since > changes::head(&state.db).await?
    {
        return Err(ApiError::bad_request(
            "since",
            "is ahead of this feed: it is not a cursor this service gave out (was the database \
             restored?); read everything again and poll from `since=latest`",
        ));
    }
    let next = rows.last().map_or(since, |row| row.seq).to_string();
    let page = ChangePage {
        data: rows.into_iter().map(Change::from).collect(),
        next_cursor: next.clone(),
        has_more,
    };
    let mut response = fields.json_at(&page, "/data")?.ok(&req);
    if has_more {
        http::add_next_link(&req, &mut response, "since", &next);
    }
    Ok(response)
}

/// Reads `since`: a `seq` (a whole number, 0 or more); absent means from the start.
fn since(value: Option<&str>) -> Result<i64, ApiError> {
    let Some(text) = value else { return Ok(0) };
    text.parse::<i64>()
        .ok()
        .filter(|seq| *seq >= 0)
        .ok_or_else(|| {
            ApiError::bad_request(
                "since",
                "must be the `next_cursor` of a previous answer (a whole number), or `latest`",
            )
        })
}

/// Reads `resource`: a comma-separated subset of the resources the feed reports on.
fn resources(value: Option<&str>) -> Result<Vec<Resource>, ApiError> {
    let Some(text) = value else {
        return Ok(Vec::new());
    };
    let mut wanted = Vec::new();
    for name in text.split(',').map(str::trim) {
        let resource = Resource::parse(name).ok_or_else(|| {
            let valid: Vec<&str> = Resource::ALL.iter().map(|r| r.as_str()).collect();
            ApiError::bad_request(
                "resource",
                format!(
                    "`{name}` is not a resource the feed reports on; use {}",
                    valid.join(", ")
                ),
            )
        })?;
        wanted.push(resource);
    }
    wanted.sort();
    wanted.dedup();
    Ok(wanted)
}

#[cfg(test)]
mod properties {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use proptest::prelude::*;

    fn is_bad_request(error: &ApiError, field: &str) -> bool {
        matches!(error, ApiError::BadRequest { errors, .. }
            if errors.len() == 1 && errors[0].field == field)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn since_is_a_seq_of_0_or_more_or_a_400(
            text in prop_oneof![any::<String>(), any::<i128>().prop_map(|n| n.to_string()), "[+-]?[0-9]{0,30}"]
        ) {
            match since(Some(&text)) {
                Ok(seq) => {
                    prop_assert!(seq >= 0);
                    prop_assert_eq!(text.parse::<i64>().ok(), Some(seq));
                }
                Err(error) => prop_assert!(is_bad_request(&error, "since"), "{error:?}"),
            }
        }

        #[test]
        fn a_resource_list_names_only_feed_resources_once_each_or_is_a_400(
            text in prop_oneof![any::<String>(), "((article|quote|entity|articles|) ?,?){0,8}"]
        ) {
            match resources(Some(&text)) {
                Ok(wanted) => {
                    let mut unique = wanted.clone();
                    unique.dedup();
                    prop_assert_eq!(unique.len(), wanted.len());
                    prop_assert!(text.split(',').all(|name| Resource::parse(name.trim()).is_some()));
                }
                Err(error) => prop_assert!(is_bad_request(&error, "resource"), "{error:?}"),
            }
        }
    }
}
