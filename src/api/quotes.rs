//! Quotes: `/v1/quotes`, `/v1/articles/{article}/quotes` and `/v1/quotes/{id}`.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::fields::{self, Embedded, Fields, FieldsParams};
use super::http::{self, AppState, Body, Json, Reader, Writer};
use super::problems::*;
use super::types::{Page, Quote, QuoteCreate, QuoteHighlights, QuoteKind, QuotePatch};
use crate::error::ApiError;
use crate::store::quotes::{self, QuoteFilter, QuoteSort};

/// Filters, order and paging of the quote list. Every filter given must hold.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QuoteListParams {
    /// The speaker, an entity id or slug.
    speaker: Option<String>,
    /// The article, by id or slug.
    article: Option<String>,
    /// Full-text search in the quote's text, with the syntax of `q` on `/v1/articles`: words,
    /// `"an exact phrase"`, `prefix*`, `OR`, `-word` / `NOT word`. Matches come best first unless
    /// `sort` says otherwise. A search without a letter or digit matches nothing.
    #[param(example = "military OR \"let down\"")]
    q: Option<String>,
    /// `direct` or `partial`.
    #[param(value_type = Option<QuoteKind>)]
    kind: Option<String>,
    /// The quote's article was published at or after this time (RFC 3339 or `YYYY-MM-DD`).
    #[param(value_type = Option<String>)]
    published_after: Option<String>,
    /// The quote's article was published before this time.
    #[param(value_type = Option<String>)]
    published_before: Option<String>,
    /// `relevance` (best match of `q` first; the default with `q`, an error without),
    /// `-created_at` (the default without `q`) or `created_at`.
    sort: Option<String>,
    /// Page size, 1 to 100.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// `true` adds `total`.
    #[param(value_type = Option<bool>)]
    count: Option<String>,
    /// `true` adds `highlights` to each quote: where `q` matched, as HTML with `<mark>` around the
    /// matches. Nothing is added without `q`.
    #[param(value_type = Option<bool>)]
    highlight: Option<String>,
    /// Comma-separated members of each quote to answer (`text,speaker_label`); the others are left
    /// out, `id` is always there. `speaker.name` narrows the speaker; `highlights` stays whole with
    /// `highlight=true`. An unknown name is a 400 listing the members.
    fields: Option<String>,
}

/// Answers a page of quotes; the list routes of quotes, of an article's quotes and of an entity's
/// quotes all come here, each fixing a filter from its path.
pub async fn list_page(
    req: &HttpRequest,
    state: &AppState,
    fixed: impl FnOnce(&mut QuoteFilter),
) -> Result<HttpResponse, ApiError> {
    let params: QuoteListParams = http::query(req)?;
    let kind = match params.kind.as_deref() {
        None => None,
        Some("direct") => Some(QuoteKind::Direct),
        Some("partial") => Some(QuoteKind::Partial),
        Some(_) => {
            return Err(ApiError::bad_request(
                "kind",
                "must be `direct` or `partial`",
            ))
        }
    };
    let mut filter = QuoteFilter {
        speaker: params.speaker.clone(),
        article: params.article.clone(),
        q: http::search("q", params.q.as_deref())?,
        kind,
        published_after: http::date("published_after", params.published_after.as_deref())?,
        published_before: http::date("published_before", params.published_before.as_deref())?,
    };
    fixed(&mut filter);
    let sort = http::sort_with_relevance(
        params.sort.as_deref(),
        &QuoteSort::KEYS,
        QuoteSort::Relevance,
        filter.q.is_some(),
    )?;
    let limit = http::limit(params.limit.as_deref())?;
    let cursor = http::cursor(params.cursor.as_deref())?;
    let highlight = http::flag("highlight", params.highlight.as_deref())?;
    let fields = Fields::parse_embedding::<Quote>(
        params.fields.as_deref(),
        &[Embedded::highlights(highlight && filter.q.is_some())],
    )?;
    let count = http::flag("count", params.count.as_deref())?;
    let page = || async {
        let total = match count {
            true => Some(quotes::count(state.reader(), &filter).await?),
            false => None,
        };
        let (rows, next) =
            quotes::list(state.reader(), &filter, sort, limit, cursor.as_ref()).await?;
        let mut data: Vec<Quote> = rows.into_iter().map(Quote::from).collect();
        if let (true, Some(q)) = (highlight, &filter.q) {
            let ids: Vec<uuid::Uuid> = data.iter().map(|quote| quote.id).collect();
            let mut found = quotes::highlights(state.reader(), q, &ids).await?;
            for quote in &mut data {
                let snippets = found.remove(&quote.id).unwrap_or_default();
                quote.highlights = Some(QuoteHighlights::from(snippets));
            }
        }
        http::page_json(data, next, total, &fields)
    };
    http::list_answer(req, state, filter.q.is_some(), page).await
}

/// List quotes across all articles: who said what, filtered by speaker, article, text, kind and date.
#[utoipa::path(
    tag = "quotes",
    params(QuoteListParams),
    responses(
        (status = 200, description = "A page of quotes", body = Page<Quote>, headers(("ETag" = String), ("Link" = String))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 503, response = Unavailable),
    )
)]
#[get("/quotes")]
pub async fn list_quotes(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Reader,
) -> Result<HttpResponse, ApiError> {
    list_page(&req, &state, |_| {}).await
}

/// List an article's quotes (the same filters as `/v1/quotes`).
#[utoipa::path(
    tag = "quotes",
    params(("article" = String, Path, description = "Article id or slug", example = "us-officials-condemn-uk-immigration-approach"), QuoteListParams),
    responses(
        (status = 200, description = "A page of the article's quotes", body = Page<Quote>, headers(("ETag" = String), ("Link" = String))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
#[get("/articles/{article}/quotes")]
pub async fn list_article_quotes(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Reader,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let article = crate::store::articles::find(state.reader(), &key).await?;
    list_page(&req, &state, |f| f.article = Some(article.id.to_string())).await
}

/// Add a quote to an article. Its section must belong to the same article; its speaker is an
/// existing entity or one named inline (matched or created).
#[utoipa::path(
    tag = "quotes",
    params(("article" = String, Path, description = "Article id or slug")),
    request_body = QuoteCreate,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "The new quote", body = Quote, headers(("Location" = String), ("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = Unavailable),
    )
)]
#[post("/articles/{article}/quotes")]
pub async fn create_quote(
    state: web::Data<AppState>,
    _: Writer,
    key: web::Path<String>,
    Body(input): Body<QuoteCreate>,
) -> Result<HttpResponse, ApiError> {
    let quote = Quote::from(quotes::create(&state.db, &key, &input).await?);
    let location = format!("/v1/quotes/{}", quote.id);
    Ok(Json::new(&quote)?.created(&location))
}

/// Get a quote with its speaker.
#[utoipa::path(
    tag = "quotes",
    params(("id" = uuid::Uuid, Path, description = "Quote id"), FieldsParams),
    responses(
        (status = 200, description = "The quote", body = Quote, headers(("ETag" = String))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
#[get("/quotes/{id}")]
pub async fn get_quote(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Reader,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let fields = fields::from_query::<Quote>(&req)?;
    let id = http::uuid("id", &id)?;
    Ok(fields
        .json(&Quote::from(quotes::get(state.reader(), id).await?))?
        .ok(&req))
}

/// Change a quote with a JSON merge patch (`"speaker": null` clears the speaker). `If-Match` is honoured.
///
/// A patch that changes nothing (`{}`, or values as they are) writes nothing: the article's
/// version, every ETag and the change feed stay as they were.
#[utoipa::path(
    tag = "quotes",
    params(("id" = uuid::Uuid, Path, description = "Quote id"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version this change is based on")),
    request_body(content = QuotePatch, content_type = "application/merge-patch+json"),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The updated quote", body = Quote, headers(("ETag" = String))),
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
#[patch("/quotes/{id}")]
pub async fn patch_quote(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Writer,
    id: web::Path<String>,
    Body(patch): Body<QuotePatch>,
) -> Result<HttpResponse, ApiError> {
    let id = http::uuid("id", &id)?;
    let precondition =
        http::IfMatch::of(&req).precondition(|row: &quotes::QuoteRow| Quote::from(row.clone()));
    let quote = Quote::from(quotes::update(&state.db, id, &patch, precondition).await?);
    Ok(Json::new(&quote)?.respond(StatusCode::OK))
}

/// Delete a quote.
#[utoipa::path(
    tag = "quotes",
    params(("id" = uuid::Uuid, Path, description = "Quote id"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version to delete")),
    security(("api_key" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
        (status = 503, response = Unavailable),
    )
)]
#[delete("/quotes/{id}")]
pub async fn delete_quote(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Writer,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = http::uuid("id", &id)?;
    let precondition =
        http::IfMatch::of(&req).precondition(|row: &quotes::QuoteRow| Quote::from(row.clone()));
    quotes::delete(&state.db, id, precondition).await?;
    Ok(http::no_content())
}
