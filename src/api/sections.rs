//! Sections: `/v1/articles/{article}/sections` and `/v1/sections/{id}`.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};

use super::fields::{self, FieldsParams};
use super::http::{self, AppState, Body, Json, Reader, Writer};
use super::problems::*;
use super::types::{Page, Section, SectionCreate, SectionPatch};
use crate::error::ApiError;
use crate::store::{articles, sections};

/// List an article's sections, in order.
#[utoipa::path(
    tag = "sections",
    params(("article" = String, Path, description = "Article id or slug", example = "us-officials-condemn-uk-immigration-approach"), FieldsParams),
    responses(
        (status = 200, description = "All the sections, in order, as one page (`next_cursor` is null)", body = Page<Section>, headers(("ETag" = String))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
#[get("/articles/{article}/sections")]
pub async fn list_sections(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Reader,
    key: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let fields = fields::from_query::<Section>(&req)?;
    let article = articles::find(state.reader(), &key).await?;
    let rows = sections::of_article(state.reader(), article.id).await?;
    let data: Vec<Section> = rows.into_iter().map(Section::from).collect();
    http::page_response(&req, data, None, None, &fields)
}

/// Add a section to an article. Offsets, when given, must lie within the article body.
#[utoipa::path(
    tag = "sections",
    params(("article" = String, Path, description = "Article id or slug")),
    request_body = SectionCreate,
    security(("api_key" = [])),
    responses(
        (status = 201, description = "The new section", body = Section, headers(("Location" = String), ("ETag" = String))),
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
#[post("/articles/{article}/sections")]
pub async fn create_section(
    state: web::Data<AppState>,
    _: Writer,
    key: web::Path<String>,
    Body(input): Body<SectionCreate>,
) -> Result<HttpResponse, ApiError> {
    let section = Section::from(sections::create(&state.db, &key, &input).await?);
    let location = format!("/v1/sections/{}", section.id);
    Ok(Json::new(&section)?.created(&location))
}

/// Get a section.
#[utoipa::path(
    tag = "sections",
    params(("id" = uuid::Uuid, Path, description = "Section id"), FieldsParams),
    responses(
        (status = 200, description = "The section", body = Section, headers(("ETag" = String))),
        (status = 304, response = NotModified),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
#[get("/sections/{id}")]
pub async fn get_section(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Reader,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let fields = fields::from_query::<Section>(&req)?;
    let id = http::uuid("id", &id)?;
    Ok(fields
        .json(&Section::from(sections::get(state.reader(), id).await?))?
        .ok(&req))
}

/// Change a section with a JSON merge patch. `If-Match` is honoured.
///
/// A patch that changes nothing (`{}`, or values as they are) writes nothing: the article's
/// version, every ETag and the change feed stay as they were.
#[utoipa::path(
    tag = "sections",
    params(("id" = uuid::Uuid, Path, description = "Section id"),
           ("If-Match" = Option<String>, Header, description = "ETag of the version this change is based on")),
    request_body(content = SectionPatch, content_type = "application/merge-patch+json"),
    security(("api_key" = [])),
    responses(
        (status = 200, description = "The updated section", body = Section, headers(("ETag" = String))),
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
#[patch("/sections/{id}")]
pub async fn patch_section(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Writer,
    id: web::Path<String>,
    Body(patch): Body<SectionPatch>,
) -> Result<HttpResponse, ApiError> {
    let id = http::uuid("id", &id)?;
    let precondition = http::IfMatch::of(&req)
        .precondition(|row: &crate::entity::section::Model| Section::from(row.clone()));
    let section = Section::from(sections::update(&state.db, id, &patch, precondition).await?);
    Ok(Json::new(&section)?.respond(StatusCode::OK))
}

/// Delete a section. Its quotes stay, no longer tied to a section.
#[utoipa::path(
    tag = "sections",
    params(("id" = uuid::Uuid, Path, description = "Section id"),
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
#[delete("/sections/{id}")]
pub async fn delete_section(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Writer,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = http::uuid("id", &id)?;
    let precondition = http::IfMatch::of(&req)
        .precondition(|row: &crate::entity::section::Model| Section::from(row.clone()));
    sections::delete(&state.db, id, precondition).await?;
    Ok(http::no_content())
}
