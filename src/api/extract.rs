//! `POST /v1/extract`: structure a text without storing anything.

use actix_web::http::{header, StatusCode};
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use super::http::{self, AppState, Json, Reader};
use super::problems::*;
use crate::error::{ApiError, FieldError};
use crate::extract::{self, Proposal};
use crate::metrics::ExtractionSource;

/// A text to structure, as JSON (or send the text itself as `text/plain`).
#[derive(Debug, Deserialize, ToSchema, Validate)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "Minister quits over housing plan\nThe housing minister resigned on Monday.\n\"I cannot defend this plan,\" she said."}))]
pub struct ExtractRequest {
    /// The article text, UTF-8; paragraphs are lines. A headline and standfirst at the top are
    /// recognised and left out of the proposal's `body`.
    pub text: String,
}

impl super::http::CrossFieldRules for ExtractRequest {}

/// How the request body is sent.
enum TextFormat {
    Plain,
    Json,
}

/// Reads the media type: `text/plain` (UTF-8, the default charset) or JSON; anything else is a 415.
fn text_format(req: &HttpRequest) -> Result<TextFormat, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut parts = content_type.split(';').map(str::trim);
    let essence = parts.next().unwrap_or("").to_ascii_lowercase();
    let charset_ok = parts
        .filter_map(|p| p.split_once('='))
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case("charset"))
        .all(|(_, value)| {
            let value = value.trim().trim_matches('"');
            value.eq_ignore_ascii_case("utf-8") || value.eq_ignore_ascii_case("utf8")
        });
    match essence.as_str() {
        "text/plain" if charset_ok => Ok(TextFormat::Plain),
        "application/json" => Ok(TextFormat::Json),
        _ => Err(ApiError::UnsupportedMediaType(format!(
            "send the text as `Content-Type: text/plain; charset=utf-8`, or as JSON `{{\"text\": \"...\"}}` with `Content-Type: application/json` (got `{}`)",
            if content_type.is_empty() {
                "nothing"
            } else {
                content_type
            }
        ))),
    }
}

/// Reads the text of the request: the body itself, or the JSON's `text`.
async fn read_text(
    req: &HttpRequest,
    payload: &mut web::Payload,
    limit: usize,
) -> Result<String, ApiError> {
    let format = text_format(req)?;
    let bytes = http::read_body(payload, limit).await?;
    let text = match format {
        TextFormat::Plain => String::from_utf8(bytes.to_vec()).map_err(|e| {
            ApiError::bad_request(
                "body",
                format!(
                    "is not UTF-8 text (invalid byte at {})",
                    e.utf8_error().valid_up_to()
                ),
            )
        })?,
        TextFormat::Json => {
            let request: ExtractRequest = http::parse_json(&bytes)?;
            http::check_body(&request)?;
            request.text
        }
    };
    if text.trim().is_empty() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "text",
            "must not be empty or only whitespace",
        )]));
    }
    Ok(text)
}

/// Propose the structure of an article text: headline and standfirst hints, sections, quotes with
/// their speakers, and the entities it names. Nothing is stored.
///
/// Send the text as `text/plain` (UTF-8) or as JSON `{"text": "..."}`. The same text always gets
/// the same answer, byte for byte; every offset counts Unicode characters into the answer's `body`.
/// Reads are open unless the service requires a key for them; then any key will do. The body may
/// be at most `EXTRACT_MAX_BYTES` (1 MiB by default).
#[utoipa::path(
    tag = "extract",
    security((), ("api_key" = [])),
    request_body(
        description = "The article text",
        content(
            (String = "text/plain", example = "Minister quits over housing plan\nThe housing minister resigned on Monday.\n\"I cannot defend this plan,\" she said."),
            (ExtractRequest = "application/json"),
        )
    ),
    responses(
        (status = 200, description = "The proposed structure", body = Proposal,
            example = json!({
                "extractor_version": "newsmeta-extract/0.1.0",
                "headline": {"text": "Minister quits over housing plan", "confidence": 0.8},
                "standfirst": null,
                "body": "The housing minister resigned on Monday.\n\"I cannot defend this plan,\" she said.",
                "sections": [{"position": 0, "heading": null, "body": "The housing minister resigned on Monday.\n\"I cannot defend this plan,\" she said.", "start": 0, "end": 79, "confidence": 0.9}],
                "quotes": [{"position": 0, "text": "I cannot defend this plan,", "kind": "direct", "start": 42, "end": 68, "section_position": 0,
                    "speaker": null, "speaker_label": "she", "cue": "said", "confidence": 0.5, "rule": "pronoun-after"}],
                "entities": []
            })),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
    )
)]
#[post("/extract")]
pub async fn extract_text(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: Reader,
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let text = read_text(&req, &mut payload, state.extract_max_bytes).await?;
    // Extraction is CPU work: off the async workers.
    let proposal = web::block(move || extract::extract(&text))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    state.metrics.record_extraction(
        ExtractionSource::Extract,
        proposal.quotes.len(),
        proposal.entities.len(),
    );
    Ok(Json::new(&proposal)?.respond(StatusCode::OK))
}
