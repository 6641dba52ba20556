//! `POST /v1/articles:batch`: many nested articles in one request and one transaction, the path
//! ingest pipelines take.

use actix_web::{post, web, HttpRequest, HttpResponse};

use super::http::{self, AppState, Writer};
use super::problems::*;
use super::types::{ArticleCreate, BatchCreated, BatchItem};
use crate::error::{ApiError, FieldError};
use crate::store::articles::{self, BatchFailure};
use crate::store::StoreError;

/// How the articles of a batch are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BatchFormat {
    /// One JSON array of articles.
    JsonArray,
    /// Newline-delimited JSON: one article per line.
    Ndjson,
}

/// Create many articles, each with its sections, quotes and mentioned entities, in ONE
/// transaction: all of them or none.
///
/// Send a JSON array of `ArticleCreate` (`Content-Type: application/json`), or one
/// `ArticleCreate` per line (`Content-Type: application/x-ndjson`; blank lines are skipped). Each
/// article follows the rules of `POST /v1/articles`, except that `extract` is not taken here.
/// Every article is checked before anything is written; errors name the article by its index
/// in the batch (`items[3].sections[0].end`), counting from 0 (for NDJSON, the index among the
/// non-blank lines). A slug or source URL that is stored already, or given twice in the batch,
/// is a 409 naming each item that has one. More than `BATCH_MAX_ITEMS` articles (default 1000),
/// or a body over `BATCH_BODY_LIMIT` bytes (default 16 MiB), is a 413: split the batch.
///
/// `BATCH_CONCURRENCY` batches (default 4) are read and written at once; a batch sent while they
/// are busy waits its turn before its body is read, within the request timeout (past it, a 503
/// with `Retry-After`).
///
/// The answer lists where each article went, in the order sent, without their bodies.
#[utoipa::path(
    tag = "articles",
    request_body(
        description = "The articles: a JSON array, or one JSON object per line (NDJSON)",
        content(
            (Vec<ArticleCreate> = "application/json"),
            (ArticleCreate = "application/x-ndjson"),
        ),
    ),
    security(("api_key" = [])),
    responses(
        (status = 201, description = "Every article of the batch was stored", body = BatchCreated),
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
#[post("/articles:batch")]
pub async fn create_articles_batch(
    _: Writer,
    req: HttpRequest,
    state: web::Data<AppState>,
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let format = batch_format(&req)?;
    // Wait for a turn before reading the body: a batch that waits holds no more than its socket.
    // Nothing closes the semaphore, so acquiring does not fail; the request timeout bounds the wait.
    let _turn = state
        .batch_turns
        .acquire()
        .await
        .map_err(|closed| ApiError::Internal(closed.into()))?;
    let bytes = http::read_body(&mut payload, state.batch_body_limit).await?;
    let inputs = match format {
        BatchFormat::JsonArray => parse_array(&bytes)?,
        BatchFormat::Ndjson => parse_ndjson(&bytes, state.batch_max_items)?,
    };
    if inputs.is_empty() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "items",
            "is an empty batch; send at least one article",
        )]));
    }
    check_size(inputs.len(), state.batch_max_items)?;
    check_items(&inputs)?;
    let created = articles::create_many(&state.db, &inputs)
        .await
        .map_err(batch_error)?;
    let items: Vec<BatchItem> = created
        .into_iter()
        .map(|article| BatchItem {
            href: format!("/v1/articles/{}", article.id),
            id: article.id,
            slug: article.slug,
        })
        .collect();
    let answer = BatchCreated {
        created: items.len(),
        items,
    };
    Ok(HttpResponse::Created().json(answer))
}

fn batch_format(req: &HttpRequest) -> Result<BatchFormat, ApiError> {
    let (sent, essence) = http::content_type(req);
    match essence.as_str() {
        "application/json" => Ok(BatchFormat::JsonArray),
        "application/x-ndjson" | "application/ndjson" => Ok(BatchFormat::Ndjson),
        _ => Err(ApiError::UnsupportedMediaType(format!(
            "send the batch as `Content-Type: application/json` (an array of articles) or \
             `application/x-ndjson` (one article per line) (got `{sent}`)"
        ))),
    }
}

/// 413 for a batch of more than `max` articles.
fn check_size(items: usize, max: usize) -> Result<(), ApiError> {
    if items > max {
        return Err(ApiError::PayloadTooLarge(format!(
            "the batch has {items} articles; at most {max} are taken in one request \
             (`BATCH_MAX_ITEMS`): split it"
        )));
    }
    Ok(())
}

/// The field path of `field` in article `index` of the batch.
fn in_item(index: usize, field: &str) -> String {
    format!("items[{index}].{field}")
}

/// A JSON array of articles. serde names where it failed from the array down (`[3].headline`),
/// which becomes `items[3].headline`; a body that is no array at all stays `body`.
fn parse_array(bytes: &[u8]) -> Result<Vec<ArticleCreate>, ApiError> {
    let items = |errors: Vec<FieldError>| -> Vec<FieldError> {
        errors
            .into_iter()
            .map(|error| match error.field.strip_prefix('[') {
                Some(_) => FieldError::new(format!("items{}", error.field), error.message),
                None => error,
            })
            .collect()
    };
    http::parse_json::<Vec<ArticleCreate>>(bytes).map_err(|error| match error {
        ApiError::Validation(errors) => ApiError::Validation(items(errors)),
        other => other,
    })
}

/// One article per non-blank line. Every line is read, so the answer names every one that cannot
/// be; a line that is not JSON makes the answer a 400, one of the wrong shape a 422. More than
/// `max` lines is a 413 before any is parsed.
fn parse_ndjson(bytes: &[u8], max: usize) -> Result<Vec<ArticleCreate>, ApiError> {
    let lines: Vec<&[u8]> = bytes
        .split(|b| *b == b'\n')
        .filter(|line| !line.trim_ascii().is_empty())
        .collect();
    check_size(lines.len(), max)?;
    let mut inputs = Vec::with_capacity(lines.len());
    let mut malformed = Vec::new();
    let mut invalid = Vec::new();
    for (index, line) in lines.into_iter().enumerate() {
        if !line.trim_ascii_start().starts_with(b"{") {
            malformed.push(FieldError::new(
                format!("items[{index}]"),
                "is not a JSON object; send one article per line",
            ));
            continue;
        }
        match http::parse_json::<ArticleCreate>(line) {
            Ok(input) => inputs.push(input),
            Err(ApiError::Validation(errors)) => invalid.extend(
                errors
                    .into_iter()
                    .map(|e| FieldError::new(in_item(index, &e.field), e.message)),
            ),
            Err(ApiError::BadRequest { errors, .. }) => malformed.extend(
                errors
                    .into_iter()
                    .map(|e| FieldError::new(format!("items[{index}]"), e.message)),
            ),
            Err(other) => return Err(other),
        }
    }
    if !malformed.is_empty() {
        return Err(ApiError::BadRequest {
            detail: match malformed.as_slice() {
                [one] => format!("`{}` {}", one.field, one.message),
                many => format!("{} lines are not valid JSON objects", many.len()),
            },
            errors: malformed,
        });
    }
    if !invalid.is_empty() {
        return Err(ApiError::Validation(invalid));
    }
    Ok(inputs)
}

/// Every rule of every article (those of `POST /v1/articles`), before anything is written: a 422
/// naming each offending field of each article.
fn check_items(inputs: &[ArticleCreate]) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        if input.extract {
            errors.push(FieldError::new(
                in_item(index, "extract"),
                "is not taken in a batch; create an article to extract with `POST /v1/articles`",
            ));
        }
        errors.extend(
            input
                .problems()
                .into_iter()
                .map(|e| FieldError::new(in_item(index, &e.field), e.message)),
        );
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// The answer to a batch the store refused: a 422 naming the invalid articles' fields when there
/// are any, else a 409 naming each article that conflicts with stored data or an earlier one.
fn batch_error(failures: Vec<BatchFailure>) -> ApiError {
    let mut conflicts = Vec::new();
    let mut invalid = Vec::new();
    for failure in failures {
        match (failure.index, failure.error) {
            (Some(index), StoreError::Conflict(e)) => {
                conflicts.push(FieldError::new(in_item(index, &e.field), e.message));
            }
            (Some(index), StoreError::Invalid(errors)) => invalid.extend(
                errors
                    .into_iter()
                    .map(|e| FieldError::new(in_item(index, &e.field), e.message)),
            ),
            (Some(index), StoreError::NotFound(what)) => invalid.push(FieldError::new(
                format!("items[{index}]"),
                format!("names {what}, which does not exist"),
            )),
            (_, other) => return ApiError::from(other),
        }
    }
    if !invalid.is_empty() {
        return ApiError::Validation(invalid);
    }
    ApiError::Conflict {
        detail: match conflicts.as_slice() {
            [one] => format!("`{}` {}", one.field, one.message),
            many => format!(
                "{} articles of the batch conflict with stored ones or each other",
                many.len()
            ),
        },
        errors: conflicts,
    }
}
