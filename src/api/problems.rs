//! The error responses of the OpenAPI document, shared by every operation. Each is a
//! problem+json [`Problem`] with an example of the real answer.

#![allow(dead_code)] // These types exist for the OpenAPI document; they are never constructed.

use utoipa::ToResponse;

use crate::error::Problem;

/// The request could not be read: malformed JSON, or a query or path parameter that is not valid.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "/problems/bad-request", "title": "The request could not be read", "status": 400,
        "detail": "`limit` must be a whole number from 1 to 100", "instance": "/v1/articles",
        "errors": [{"field": "limit", "message": "must be a whole number from 1 to 100"}]})
)]
pub struct BadRequest(Problem);

/// No API key was given, or it is unknown or revoked. Send `Authorization: Bearer <key>`.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "/problems/unauthorized", "title": "An API key is required", "status": 401,
        "detail": "send a write key as `Authorization: Bearer <key>`", "instance": "/v1/articles", "errors": []})
)]
pub struct Unauthorized(Problem);

/// The API key is valid but its scope does not allow this.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "/problems/forbidden", "title": "The API key lacks the scope for this", "status": 403,
        "detail": "this key has the `read` scope; writes need `write` or `admin`", "instance": "/v1/articles", "errors": []})
)]
pub struct Forbidden(Problem);

/// Nothing has that id or slug.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "/problems/not-found", "title": "No such resource", "status": 404,
        "detail": "article `no-such-article` was not found", "instance": "/v1/articles/no-such-article", "errors": []})
)]
pub struct NotFound(Problem);

/// A unique value (a slug, a source URL, a position) is already taken.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "/problems/conflict", "title": "The request conflicts with existing data", "status": 409,
        "detail": "`slug` `us-officials-condemn-uk-immigration-approach` is taken by another article", "instance": "/v1/articles",
        "errors": [{"field": "slug", "message": "`us-officials-condemn-uk-immigration-approach` is taken by another article"}]})
)]
pub struct Conflict(Problem);

/// `If-Match` named a version that is no longer the current one.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "/problems/precondition-failed", "title": "The resource has changed since you read it", "status": 412,
        "detail": "the If-Match version is not the current one; GET it again and retry", "instance": "/v1/articles/us-officials-condemn-uk-immigration-approach", "errors": []})
)]
pub struct PreconditionFailed(Problem);

/// The request body is larger than the configured limit.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "/problems/payload-too-large", "title": "The request body is too large", "status": 413,
        "detail": "the body is larger than 1048576 bytes", "instance": "/v1/articles", "errors": []})
)]
pub struct PayloadTooLarge(Problem);

/// `Accept` (or `Accept-Encoding`) rules out every form the resource can be sent in; `detail`
/// lists the forms there are.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "/problems/not-acceptable", "title": "The resource cannot be sent in a form the client accepts", "status": 406,
        "detail": "`Accept: text/html` rules out every form of this resource; it is available as application/json, application/ld+json, application/vnd.ninjs+json",
        "instance": "/v1/articles/us-officials-condemn-uk-immigration-approach",
        "errors": [{"field": "Accept", "message": "must accept one of application/json, application/ld+json, application/vnd.ninjs+json"}]})
)]
pub struct NotAcceptable(Problem);

/// The request body is not JSON.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "/problems/unsupported-media-type", "title": "The request body has the wrong content type", "status": 415,
        "detail": "send the body as `Content-Type: application/json`", "instance": "/v1/articles", "errors": []})
)]
pub struct UnsupportedMediaType(Problem);

/// The body was read but breaks a rule; `errors` names every offending field.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "/problems/validation-failed", "title": "The request body is not valid", "status": 422,
        "detail": "2 fields are not valid", "instance": "/v1/articles",
        "errors": [{"field": "headline", "message": "must not be blank"},
                   {"field": "quotes[0].end", "message": "must lie within the article body (0..=2710)"}]})
)]
pub struct ValidationFailed(Problem);

/// The client's quota of requests is used up (`RATE_LIMIT_IP_PER_MINUTE` for requests without a
/// valid key, `RATE_LIMIT_KEY_PER_MINUTE` per key); retry after the `Retry-After` seconds.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "/problems/too-many-requests", "title": "Too many requests", "status": 429,
        "detail": "the quota of 1200 requests a minute for requests without a valid API key from your address is used up; retry in 1 s",
        "instance": "/v1/articles", "errors": []})
)]
pub struct TooManyRequests(Problem);

/// The database cannot be reached (`/problems/unavailable`), or the request took longer than
/// `REQUEST_TIMEOUT` and was abandoned (`/problems/timeout`); retry after the `Retry-After` seconds.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    example = json!({"type": "/problems/unavailable", "title": "The service is temporarily unavailable", "status": 503,
        "detail": "the database cannot be reached; retry shortly", "instance": "/v1/articles", "errors": []})
)]
pub struct Unavailable(Problem);

/// The representation has not changed since the `ETag` given in `If-None-Match`.
#[derive(ToResponse)]
pub struct NotModified;
