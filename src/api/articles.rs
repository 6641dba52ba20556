//! `/v1/articles`: list, nested create, get with includes, merge-patch and delete.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse, ResponseError};
use serde::Deserialize;
use utoipa::IntoParams;

use super::fields::{Embedded, Fields};
use super::http::{self, AppState, Body, Json, Reader, Writer};
use super::interop::{self, ArticleFormat};
use super::problems::*;
use super::types::{
    Article, ArticleCreate, ArticleHighlights, ArticlePatch, NewsArticleLd, Ninjs, Page,
};
use crate::error::ApiError;
use crate::ingest::{self, Origins};
use crate::store::articles::{self, ArticleFilter, ArticleSort, Bodies};
use crate::store::nested::{self, ArticleWithParts, Parts};

/// Filters, order and paging of the article list. Every filter given must hold.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ArticleListParams {
    /// Full-text search in headline, standfirst and body: words (all must match), `"an exact
    /// phrase"`, `prefix*`, `OR` between alternatives, `-word` or `NOT word` to leave out. Case and
    /// accents do not matter. Matches come best first unless `sort` says otherwise: the newest 200
    /// matches (the server's `SEARCH_RANK_CANDIDATES`) by `published_at` are ranked, a headline
    /// match over a standfirst match over a match in the body only, equal matches newest first.
    /// A search without a letter or digit matches nothing. At most 1000 characters and 32 terms.
    q: Option<String>,
    /// An entity (id or slug) the article mentions; repeat for articles that mention all of them.
    #[serde(default)]
    entity: Vec<String>,
    /// An entity (id or slug) quoted in the article.
    speaker: Option<String>,
    category: Option<String>,
    keyword: Option<String>,
    /// BCP 47 language tag.
    language: Option<String>,
    publisher: Option<String>,
    /// Published at or after this time (RFC 3339, or `YYYY-MM-DD` for midnight UTC).
    #[param(value_type = Option<String>)]
    published_after: Option<String>,
    /// Published before this time (RFC 3339, or `YYYY-MM-DD`).
    #[param(value_type = Option<String>)]
    published_before: Option<String>,
    /// One of `relevance` (best match of `q` first among its newest 200 matches, so its pages end
    /// there while `total` counts every match; the default with `q`, an error without),
    /// `-published_at` (the default without `q`; undated articles last), `published_at`,
    /// `-created_at`, `created_at`.
    sort: Option<String>,
    /// Page size, 1 to 100.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, example = 20)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// `true` adds `total`, the number of matching articles.
    #[param(value_type = Option<bool>)]
    count: Option<String>,
    /// `true` adds `highlights` to each article: where `q` matched, as HTML with `<mark>` around
    /// the matches. Nothing is added without `q`.
    #[param(value_type = Option<bool>)]
    highlight: Option<String>,
    /// Comma-separated members of each article to answer (`slug,headline,published_at`); the
    /// others are left out, `id` is always there. `highlights` stays whole with `highlight=true`.
    /// An unknown name is a 400 listing the members. Without `body` the bodies are not read at
    /// all (except by a search in relevance order): a page is a few KB instead of about 50.
    fields: Option<String>,
}

/// The parts of an article to embed in the answer.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ArticleGetParams {
    /// Comma-separated: `sections`, `quotes`, `entities`. They are read with the article in one
    /// statement, so they are always those of the `version` they come with, even while it changes.
    #[param(example = "sections,quotes,entities")]
    include: Option<String>,
    /// Comma-separated members of the article to answer (`headline,published_at`); the others
    /// are left out, `id` is always there. An included relation stays whole unless a dotted path
    /// names members of it (`sections.heading`, `quotes.text`, `entities.entity.name`; each item
    /// keeps its `id`, a mention its `entity.id`). JSON only: a 400 with JSON-LD or ninjs.
    fields: Option<String>,
}

/// The relations as members `fields` may narrow, and whether this answer has them.
fn embedded(includes: &Parts) -> [Embedded; 3] {
    let relation = |member, present, asked_with| Embedded {
        member,
        present,
        asked_with,
    };
    [
        relation("sections", includes.sections, "include=sections"),
        relation("quotes", includes.quotes, "include=quotes"),
        relation("entities", includes.entities, "include=entities"),
    ]
}

fn includes(value: Option<&str>) -> Result<Parts, ApiError> {
    let mut includes = Parts::default();
    for part in value
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match part {
            "sections" => includes.sections = true,
            "quotes" => includes.quotes = true,
            "entities" => includes.entities = true,
            other => {
                return Err(ApiError::bad_request(
                    "include",
                    format!(
                        "`{other}` is not something to include; use sections, quotes, entities"
                    ),
                ))
            }
        }
    }
    Ok(includes)
}

fn filter(params: &ArticleListParams) -> Result<ArticleFilter, ApiError> {
    Ok(ArticleFilter {
        q: http::search("q", params.q.as_deref())?,
        entities: params.entity.clone(),
        speaker: params.speaker.clone(),
        category: params.category.clone(),
        keyword: params.keyword.clone(),
        language: params.language.clone(),
        publisher: params.publisher.clone(),
        published_after: http::date("published_after", params.published_after.as_deref())?,
        published_before: http::date("published_before", params.published_before.as_deref())?,
    })
}

/// Answers a page of articles for `filter`; shared with `/v1/entities/{entity}/articles`.
pub async fn list_page(
    req: &HttpRequest,
    state: &AppState,
    params: &ArticleListParams,
    filter: ArticleFilter,
) -> Result<HttpResponse, ApiError> {
    let sort = http::sort_with_relevance(
        params.sort.as_deref(),
        &ArticleSort::KEYS,
        ArticleSort::Relevance,
        filter.q.is_some(),
    )?;
    let limit = http::limit(params.limit.as_deref())?;
    let cursor = http::cursor(params.cursor.as_deref())?;
    let highlight = http::flag("highlight", params.highlight.as_deref())?;
    let fields = list_fields(params.fields.as_deref(), highlight && filter.q.is_some())?;
    let count = http::flag("count", params.count.as_deref())?;
    let page = || async {
        let total = match count {
            true => Some(articles::count(state.reader(), &filter).await?),
            false => None,
        };
        let bodies = match fields.keeps("body") {
            true => Bodies::Read,
            false => Bodies::Skipped,
        };
        let (rows, next) = articles::list(
            state.reader(),
            &filter,
            sort,
            limit,
            cursor.as_ref(),
            state.search_rank_candidates,
            bodies,
        )
        .await?;
        let mut data: Vec<Article> = rows.into_iter().map(Article::from).collect();
        if let (true, Some(q)) = (highlight, &filter.q) {
            let ids: Vec<uuid::Uuid> = data.iter().map(|a| a.id).collect();
            let mut found = articles::highlights(state.reader(), q, &ids).await?;
            for article in &mut data {
                let snippets = found.remove(&article.id).unwrap_or_default();
                article.highlights = Some(ArticleHighlights::from(snippets));
            }
        }
        http::page_json(data, next, total, &fields)
    };
    http::list_answer(req, state, filter.q.is_some(), page).await
}

/// Reads `fields` of an article list: no relations there, `highlights` when searched for.
fn list_fields(value: Option<&str>, highlighted: bool) -> Result<Fields, ApiError> {
    let [sections, quotes, entities] = embedded(&Parts::default());
    let highlights = Embedded::highlights(highlighted);
    Fields::parse_embedding::<Article>(value, &[sections, quotes, entities, highlights])
}

/// Parses the list parameters for a list nested under another resource (which sets some filters).
pub fn list_params(req: &HttpRequest) -> Result<(ArticleListParams, ArticleFilter), ApiError> {
    let params: ArticleListParams = http::query(req)?;
    let filter = filter(&params)?;
    Ok((params, filter))
}

/// List articles, newest first (best match first with `q`), filtered by full-text search,
/// entities, speaker, category, keyword, language, publisher and publication time.
#[utoipa::path(
    tag = "articles",
    params(ArticleListParams),
    responses(
        (status = 200, description = "A page of articles", body = Page<Article>,
            headers(("ETag" = String, description = "Validator for If-None-Match"),
                    ("Link" = String, description = "RFC 8288 link to the next page, when there is one"))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 503, response = Unavailable),
    )
)]
#[get("/articles")]
pub async fn list_articles(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Reader,
) -> Result<HttpResponse, ApiError> {
    let (params, filter) = list_params(&req)?;
    list_page(&req, &state, &params, filter).await
}

/// Create an article, with its sections, quotes and mentioned entities, in one transaction.
///
/// Speakers and entities are given by `id` or `slug`, or inline by `name` and `kind`: an inline
/// entity is matched against existing names, slugs and aliases and created only when none matches.
/// If any part is invalid nothing is stored.
///
/// With `"extract": true` the extractor fills in what the request leaves out (headline,
/// standfirst, sections, quotes, entities) from `body`; see `ArticleCreate`.
#[utoipa::path(
    tag = "articles",
    request_body = ArticleCreate,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "The article as stored", body = Article,
            headers(("Location" = String, description = "URL of the new article"), ("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = Unavailable),
    )
)]
#[post("/articles")]
pub async fn create_article(
    state: web::Data<AppState>,
    _: Writer,
    Body(input): Body<ArticleCreate>,
) -> Result<HttpResponse, ApiError> {
    let (input, origins) = if input.extract {
        // Extraction is CPU work: off the async workers.
        let (input, origins) = web::block(move || ingest::fill(input))
            .await
            .map_err(|e| ApiError::Internal(e.into()))?;
        state.metrics.record_extraction(
            crate::metrics::ExtractionSource::Article,
            origins.quotes.len(),
            origins.entities.len(),
        );
        http::check_body(&input)?;
        (input, origins)
    } else {
        (input, Origins::default())
    };
    let row = articles::create_with(&state.db, &input, &origins).await?;
    let id = row.article.id.to_string();
    let location = format!("/v1/articles/{id}");
    // The answer reads back what was just written: from the primary, which has it (a replica
    // may not yet).
    let article = Article::from(nested::get(&state.db, &id, Parts::ALL).await?);
    Ok(Json::new(&article)?.created(&location))
}

/// Get an article by id or slug, optionally with its sections, quotes and entities; or, by
/// `Accept`, as schema.org `NewsArticle` JSON-LD or an IPTC ninjs 2.2 document.
///
/// `Accept: application/json` (or none, or `*/*`) answers this API's JSON, shaped by `include`.
/// `application/ld+json` answers JSON-LD and `application/vnd.ninjs+json` ninjs; both always
/// carry the article's entities (and JSON-LD its quotes), whatever `include` says. q-values are
/// honoured (`application/ld+json;q=0.9, application/json` picks JSON); an `Accept` that rules out
/// all three is a 406. Each form has its own ETag, and answers say `Vary: Accept`.
#[utoipa::path(
    tag = "articles",
    params(("article" = String, Path, description = "Article id or slug", example = "us-officials-condemn-uk-immigration-approach"), ArticleGetParams),
    responses(
        (status = 200, description = "The article, in the form `Accept` asked for",
            content(
                (Article = "application/json"),
                (NewsArticleLd = "application/ld+json"),
                (Ninjs = "application/vnd.ninjs+json"),
            ),
            headers(("ETag" = String, description = "Validator for If-None-Match, one per form; use the JSON ETag of the article without `include` for If-Match"),
                    ("Vary" = String, description = "`Accept`: the answer depends on it"),
                    ("Cache-Control" = String, description = "How long caches may reuse the answer"))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 406, response = NotAcceptable),
        (status = 503, response = Unavailable),
    )
)]
#[get("/articles/{article}")]
pub async fn get_article(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Reader,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let params: ArticleGetParams = http::query(&req)?;
    let includes = includes(params.include.as_deref())?;
    let fields =
        Fields::parse_embedding::<Article>(params.fields.as_deref(), &embedded(&includes))?;
    let accept: Vec<&str> = req
        .headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .collect();
    let format = match interop::negotiate(Some(&accept.join(","))) {
        Ok(format) => format,
        Err(not_acceptable) => {
            let mut response = not_acceptable.error_response();
            response
                .headers_mut()
                .append(header::VARY, header::HeaderValue::from_static("Accept"));
            return Ok(response);
        }
    };
    if format != ArticleFormat::Json && !fields.is_all() {
        return Err(ApiError::bad_request(
            "fields",
            format!(
                "shapes this API's JSON only; leave it out to get `{}`",
                format.media_type()
            ),
        ));
    }
    let mut response = match format {
        ArticleFormat::Json => {
            let article = nested::get(state.reader(), &key, includes).await?;
            fields.json(&Article::from(article))?.ok(&req)
        }
        ArticleFormat::JsonLd | ArticleFormat::Ninjs => {
            let parts = Parts {
                quotes: true,
                entities: true,
                ..Parts::default()
            };
            let article = nested::get(state.reader(), &key, parts).await?;
            interop_response(&req, article, format)?
        }
    };
    response
        .headers_mut()
        .append(header::VARY, header::HeaderValue::from_static("Accept"));
    Ok(response)
}

/// The article as JSON-LD or ninjs, with the quotes and entities (and their Wikidata ids) those
/// forms carry.
fn interop_response(
    req: &HttpRequest,
    article: ArticleWithParts,
    format: ArticleFormat,
) -> Result<HttpResponse, ApiError> {
    let mentioned = article.entities.iter().flatten().map(|row| &row.entity);
    let speakers = article.quotes.iter().flatten();
    let wikidata: HashMap<uuid::Uuid, String> = mentioned
        .chain(speakers.filter_map(|row| row.speaker.as_ref()))
        .filter_map(|entity| Some((entity.id, entity.wikidata_id.clone()?)))
        .collect();
    let article = Article::from(article);
    let base_url = {
        let info = req.connection_info();
        format!("{}://{}", info.scheme(), info.host())
    };
    let links = interop::Links {
        base_url: &base_url,
        wikidata: &wikidata,
    };
    let json = match format {
        ArticleFormat::JsonLd => Json::new(&interop::news_article(&article, &links))?,
        _ => Json::new(&interop::ninjs(&article, &links))?,
    };
    Ok(json.with_content_type(format.media_type()).ok(req))
}

/// The article's current version when `If-Match` names its current ETag; 412 when it names another.
/// Read on the primary: the check must see the version the write will meet, not a replica's.
async fn expected_version(
    req: &HttpRequest,
    state: &AppState,
    key: &str,
) -> Result<(uuid::Uuid, Option<i64>), ApiError> {
    let row = articles::get(&state.db, key).await?;
    let (id, version) = (row.article.id, row.article.version);
    let conditional = http::check_if_match(req, &Article::from(row))?;
    Ok((id, conditional.then_some(version)))
}

/// Change an article's own fields with a JSON merge patch (RFC 7396).
///
/// Send `If-Match` with the ETag from a GET to make sure nobody changed it in between (412 if so).
/// A patch that changes nothing (`{}`, or values as they are) writes nothing: the version, the
/// ETag and the change feed stay as they were.
#[utoipa::path(
    tag = "articles",
    params(("article" = String, Path, description = "Article id or slug"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version this change is based on")),
    request_body(content = ArticlePatch, content_type = "application/merge-patch+json"),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The updated article", body = Article, headers(("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = Unavailable),
    )
)]
#[patch("/articles/{article}")]
pub async fn patch_article(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Writer,
    key: web::Path<String>,
    Body(patch): Body<ArticlePatch>,
) -> Result<HttpResponse, ApiError> {
    let (id, version) = expected_version(&req, &state, &key).await?;
    let row = articles::update(&state.db, id, version, &patch).await?;
    Ok(Json::new(&Article::from(row))?.respond(actix_web::http::StatusCode::OK))
}

/// Delete an article with its sections, quotes and mentions. Entities stay.
#[utoipa::path(
    tag = "articles",
    params(("article" = String, Path, description = "Article id or slug"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version to delete")),
    security(("api_key" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
        (status = 503, response = Unavailable),
    )
)]
#[delete("/articles/{article}")]
pub async fn delete_article(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Writer,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (id, version) = expected_version(&req, &state, &key).await?;
    articles::delete(&state.db, id, version).await?;
    Ok(http::no_content())
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn an_include_list_names_only_sections_quotes_and_entities_or_is_a_400(
            text in prop_oneof![any::<String>(), "((sections|quotes|entities|section|) ?,?){0,6}"]
        ) {
            match includes(Some(&text)) {
                Ok(found) => {
                    let names: Vec<&str> =
                        text.split(',').map(str::trim).filter(|n| !n.is_empty()).collect();
                    prop_assert!(names.iter().all(|n| ["sections", "quotes", "entities"].contains(n)));
                    prop_assert_eq!(found.sections, names.contains(&"sections"));
                    prop_assert_eq!(found.quotes, names.contains(&"quotes"));
                    prop_assert_eq!(found.entities, names.contains(&"entities"));
                }
                Err(error) => prop_assert!(
                    matches!(&error, ApiError::BadRequest { errors, .. } if errors[0].field == "include"),
                    "{error:?}"
                ),
            }
        }
    }
}
