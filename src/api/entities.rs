//! Entities: `/v1/entities`, their articles, quotes and merges; and mentions under
//! `/v1/articles/{article}/entities`.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::fields::{self, Fields, FieldsParams};
use super::http::{self, AppState, Body, Json, Reader, Writer};
use super::problems::*;
use super::types::{
    Article, Entity, EntityCreate, EntityKind, EntityMerge, EntityPatch, Mention, MentionPut, Page,
    Quote,
};
use crate::error::ApiError;
use crate::store::entities::{self, EntityFilter, EntitySort};
use crate::store::{articles, mentions};

/// Filters, order and paging of the entity list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EntityListParams {
    /// `person`, `organization`, `location`, `event` or `other`.
    #[param(value_type = Option<EntityKind>)]
    kind: Option<String>,
    /// Text found in the name or an alias (case- and accent-insensitive).
    q: Option<String>,
    /// `name` (default), `-name`, `mentions` or `-mentions` (most mentioned first).
    sort: Option<String>,
    /// Page size, 1 to 100.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// `true` adds `total`.
    #[param(value_type = Option<bool>)]
    count: Option<String>,
    /// Comma-separated members of each entity to answer (`slug,name,mention_count`); the others
    /// are left out, `id` is always there. An unknown name is a 400 listing the members.
    fields: Option<String>,
}

/// Reads an entity `kind` parameter.
pub(crate) fn kind(value: Option<&str>) -> Result<Option<EntityKind>, ApiError> {
    value
        .map(|text| {
            EntityKind::ALL
                .into_iter()
                .find(|k| k.as_str() == text)
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "kind",
                        "must be one of person, organization, location, event, other",
                    )
                })
        })
        .transpose()
}

/// List entities, by name or by how often they are mentioned.
#[utoipa::path(
    tag = "entities",
    params(EntityListParams),
    responses(
        (status = 200, description = "A page of entities", body = Page<Entity>, headers(("ETag" = String), ("Link" = String))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 503, response = Unavailable),
    )
)]
#[get("/entities")]
pub async fn list_entities(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Reader,
) -> Result<HttpResponse, ApiError> {
    let params: EntityListParams = http::query(&req)?;
    let filter = EntityFilter {
        kind: kind(params.kind.as_deref())?,
        q: params.q.clone(),
    };
    let sort = http::sort(params.sort.as_deref(), &EntitySort::KEYS)?;
    let limit = http::limit(params.limit.as_deref())?;
    let cursor = http::cursor(params.cursor.as_deref())?;
    let fields = Fields::parse::<Entity>(params.fields.as_deref())?;
    let total = if http::flag("count", params.count.as_deref())? {
        Some(entities::count(state.reader(), &filter).await?)
    } else {
        None
    };
    let (rows, next) =
        entities::list(state.reader(), &filter, sort, limit, cursor.as_ref()).await?;
    let data: Vec<Entity> = rows.into_iter().map(Entity::from).collect();
    http::page_response(&req, data, next, total, &fields)
}

/// Create an entity.
#[utoipa::path(
    tag = "entities",
    request_body = EntityCreate,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "The new entity", body = Entity, headers(("Location" = String), ("ETag" = String))),
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
#[post("/entities")]
pub async fn create_entity(
    state: web::Data<AppState>,
    _: Writer,
    Body(input): Body<EntityCreate>,
) -> Result<HttpResponse, ApiError> {
    let entity = Entity::from(entities::create(&state.db, &input).await?);
    let location = format!("/v1/entities/{}", entity.id);
    Ok(Json::new(&entity)?.created(&location))
}

/// Get an entity by id or slug, with its aliases and how often it is mentioned.
#[utoipa::path(
    tag = "entities",
    params(("entity" = String, Path, description = "Entity id or slug", example = "keir-starmer"), FieldsParams),
    responses(
        (status = 200, description = "The entity", body = Entity, headers(("ETag" = String))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
#[get("/entities/{entity}")]
pub async fn get_entity(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Reader,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let fields = fields::from_query::<Entity>(&req)?;
    Ok(fields
        .json(&Entity::from(entities::get(state.reader(), &key).await?))?
        .ok(&req))
}

/// Change an entity with a JSON merge patch. `If-Match` is honoured.
///
/// A patch that changes nothing (`{}`, or values as they are) writes nothing: `updated_at`, the
/// ETag and the change feed stay as they were.
#[utoipa::path(
    tag = "entities",
    params(("entity" = String, Path, description = "Entity id or slug"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version this change is based on")),
    request_body(content = EntityPatch, content_type = "application/merge-patch+json"),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The updated entity", body = Entity, headers(("ETag" = String))),
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
#[patch("/entities/{entity}")]
pub async fn patch_entity(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Writer,
    key: web::Path<String>,
    Body(patch): Body<EntityPatch>,
) -> Result<HttpResponse, ApiError> {
    let precondition =
        http::IfMatch::of(&req).precondition(|row: &entities::EntityRow| Entity::from(row.clone()));
    let entity = Entity::from(entities::update(&state.db, &key, &patch, precondition).await?);
    Ok(Json::new(&entity)?.respond(StatusCode::OK))
}

/// Delete an entity. Its mentions go with it; quotes it spoke keep their text and label but lose
/// their speaker.
#[utoipa::path(
    tag = "entities",
    params(("entity" = String, Path, description = "Entity id or slug"),
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
#[delete("/entities/{entity}")]
pub async fn delete_entity(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Writer,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let precondition =
        http::IfMatch::of(&req).precondition(|row: &entities::EntityRow| Entity::from(row.clone()));
    entities::delete(&state.db, &key, precondition).await?;
    Ok(http::no_content())
}

/// Fold a duplicate entity into this one: mentions and quotes move here, the duplicate's names
/// become aliases, and the duplicate is deleted. All in one transaction.
#[utoipa::path(
    tag = "entities",
    params(("entity" = String, Path, description = "Id or slug of the entity that stays")),
    request_body = EntityMerge,
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The entity after the merge", body = Entity, headers(("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = Unavailable),
    )
)]
#[post("/entities/{entity}/merge")]
pub async fn merge_entity(
    state: web::Data<AppState>,
    _: Writer,
    key: web::Path<String>,
    Body(input): Body<EntityMerge>,
) -> Result<HttpResponse, ApiError> {
    let entity = Entity::from(entities::merge(&state.db, &key, &input.duplicate).await?);
    Ok(Json::new(&entity)?.respond(StatusCode::OK))
}

/// List the articles that mention an entity (the filters of `/v1/articles` apply too).
#[utoipa::path(
    tag = "entities",
    params(("entity" = String, Path, description = "Entity id or slug", example = "united-kingdom"), super::articles::ArticleListParams),
    responses(
        (status = 200, description = "A page of articles", body = Page<Article>, headers(("ETag" = String), ("Link" = String))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
#[get("/entities/{entity}/articles")]
pub async fn list_entity_articles(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Reader,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let entity = entities::find(state.reader(), &key).await?;
    let (params, mut filter) = super::articles::list_params(&req)?;
    filter.entities.push(entity.id.to_string());
    super::articles::list_page(&req, &state, &params, filter).await
}

/// List the quotes an entity spoke (the filters of `/v1/quotes` apply too).
#[utoipa::path(
    tag = "entities",
    params(("entity" = String, Path, description = "Entity id or slug", example = "donald-trump"), super::quotes::QuoteListParams),
    responses(
        (status = 200, description = "A page of quotes", body = Page<Quote>, headers(("ETag" = String), ("Link" = String))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
#[get("/entities/{entity}/quotes")]
pub async fn list_entity_quotes(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Reader,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let entity = entities::find(state.reader(), &key).await?;
    super::quotes::list_page(&req, &state, |f| f.speaker = Some(entity.id.to_string())).await
}

/// List the entities an article mentions, most mentioned first.
#[utoipa::path(
    tag = "mentions",
    params(("article" = String, Path, description = "Article id or slug", example = "us-officials-condemn-uk-immigration-approach"), FieldsParams),
    responses(
        (status = 200, description = "All the mentions, most mentioned first, as one page (`next_cursor` is null)", body = Page<Mention>, headers(("ETag" = String))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
#[get("/articles/{article}/entities")]
pub async fn list_mentions(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Reader,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let fields = fields::from_query::<Mention>(&req)?;
    let article = articles::find(state.reader(), &key).await?;
    let data: Vec<Mention> = mentions::of_article(state.reader(), article.id)
        .await?
        .into_iter()
        .map(Mention::from)
        .collect();
    http::page_response(&req, data, None, None, &fields)
}

/// Get how an article mentions one entity.
#[utoipa::path(
    tag = "mentions",
    params(("article" = String, Path, description = "Article id or slug"),
           ("entity" = String, Path, description = "Entity id or slug", example = "keir-starmer"), FieldsParams),
    responses(
        (status = 200, description = "The mention", body = Mention, headers(("ETag" = String))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
#[get("/articles/{article}/entities/{entity}")]
pub async fn get_mention(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Reader,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let fields = fields::from_query::<Mention>(&req)?;
    let (article, entity) = path.into_inner();
    Ok(fields
        .json(&Mention::from(
            mentions::get(state.reader(), &article, &entity).await?,
        ))?
        .ok(&req))
}

/// Set how an article mentions an entity: 201 when the mention is new, 200 when it is replaced.
#[utoipa::path(
    tag = "mentions",
    params(("article" = String, Path, description = "Article id or slug"),
           ("entity" = String, Path, description = "Entity id or slug")),
    request_body = MentionPut,
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The mention, replaced", body = Mention),
        (status = 201, description = "The mention, created", body = Mention, headers(("Location" = String))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = Unavailable),
    )
)]
#[put("/articles/{article}/entities/{entity}")]
pub async fn put_mention(
    _: Writer,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    Body(input): Body<MentionPut>,
) -> Result<HttpResponse, ApiError> {
    let (article, entity) = path.into_inner();
    let (row, created) = mentions::put(&state.db, &article, &entity, &input).await?;
    let location = format!(
        "/v1/articles/{}/entities/{}",
        row.mention.article_id, row.mention.entity_id
    );
    let json = Json::new(&Mention::from(row))?;
    Ok(if created {
        json.created(&location)
    } else {
        json.respond(StatusCode::OK)
    })
}

/// Remove an entity from an article's mentions. The entity itself stays.
#[utoipa::path(
    tag = "mentions",
    params(("article" = String, Path, description = "Article id or slug"),
           ("entity" = String, Path, description = "Entity id or slug")),
    security(("api_key" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
#[delete("/articles/{article}/entities/{entity}")]
pub async fn delete_mention(
    _: Writer,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (article, entity) = path.into_inner();
    mentions::delete(&state.db, &article, &entity).await?;
    Ok(http::no_content())
}
