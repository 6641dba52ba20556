//! One error type for the whole HTTP surface: every failure a client can see is an [`ApiError`],
//! answered as RFC 9457 `application/problem+json`. Internal causes go to the log, never to the client.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;
use validator::{ValidationErrors, ValidationErrorsKind};

use crate::store::StoreError;

/// One offending input: where it is and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// Where the problem is: a JSON path into the request body (`sections[1].heading`), or the name
    /// of a query or path parameter.
    #[schema(example = "headline")]
    pub field: String,
    /// What is wrong, in words a person can act on.
    #[schema(example = "must not be empty")]
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document, the body of every error response.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/validation-failed",
    "title": "The request body is not valid",
    "status": 422,
    "detail": "1 field is not valid",
    "instance": "/v1/articles",
    "request_id": "01936a5e-7b2c-7d40-9a51-3f0e8c2b6d11",
    "errors": [{"field": "headline", "message": "must not be empty"}]
}))]
pub struct Problem {
    /// A URI reference naming the kind of problem; stable, so clients can branch on it.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short summary of the kind of problem; the same for every occurrence of one type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request.
    pub detail: String,
    /// The path of the request that failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The id of the request (its `X-Request-Id`), to quote when reporting the problem: the
    /// service's log lines for the request carry it too.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "01936a5e-7b2c-7d40-9a51-3f0e8c2b6d11")]
    pub request_id: Option<String>,
    /// The offending fields, for validation failures; empty otherwise.
    pub errors: Vec<FieldError>,
}

/// The problem+json media type.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Everything that can go wrong in a request, each variant one problem type.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request could not be read: malformed JSON, a bad query parameter or path segment.
    #[error("{detail}")]
    BadRequest {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// The request was read but its content breaks a rule.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// The path exists but not with this method; `allow` lists the methods it has.
    #[error("{detail}")]
    MethodNotAllowed { detail: String, allow: String },
    #[error("{detail}")]
    Conflict {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The client accepts no representation (`Accept`) or content coding (`Accept-Encoding`)
    /// this resource can be sent in.
    #[error("{detail}")]
    NotAcceptable {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// A CORS preflight from an origin, or for a method or header, that is not allowed.
    #[error("{0}")]
    CorsRefused(String),
    /// The client has used up its quota of requests; it may retry after `retry_after` seconds.
    #[error("{detail}")]
    TooManyRequests { detail: String, retry_after: u64 },
    /// The request took longer than `REQUEST_TIMEOUT`; its work was dropped.
    #[error("{0}")]
    TimedOut(String),
    /// The database cannot be reached; the client may retry.
    #[error("the database is unavailable")]
    Unavailable(#[source] sea_orm::DbErr),
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn bad_request(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ApiError::BadRequest {
            detail: format!("`{field}` {message}"),
            errors: vec![FieldError::new(field, message)],
        }
    }

    /// 406 for a request header (`Accept`, `Accept-Encoding`) that rules out every form this
    /// resource comes in; the problem lists the forms there are.
    pub fn not_acceptable(header: &str, sent: &str, available: &[&str]) -> Self {
        let message = format!("must accept one of {}", available.join(", "));
        ApiError::NotAcceptable {
            detail: format!(
                "`{header}: {sent}` rules out every form of this resource; it is available as {}",
                available.join(", ")
            ),
            errors: vec![FieldError::new(header, message)],
        }
    }

    pub fn not_found(what: impl std::fmt::Display) -> Self {
        ApiError::NotFound(format!("{what} was not found"))
    }

    /// The stable slug of this problem type; the `type` URI is `/problems/{slug}`.
    fn slug_and_title(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::BadRequest { .. } => ("bad-request", "The request could not be read"),
            ApiError::Validation(_) => ("validation-failed", "The request body is not valid"),
            ApiError::Unauthorized(_) => ("unauthorized", "An API key is required"),
            ApiError::Forbidden(_) => ("forbidden", "The API key lacks the scope for this"),
            ApiError::NotFound(_) => ("not-found", "No such resource"),
            ApiError::MethodNotAllowed { .. } => (
                "method-not-allowed",
                "The resource does not support this method",
            ),
            ApiError::Conflict { .. } => ("conflict", "The request conflicts with existing data"),
            ApiError::PreconditionFailed(_) => (
                "precondition-failed",
                "The resource has changed since you read it",
            ),
            ApiError::PayloadTooLarge(_) => ("payload-too-large", "The request body is too large"),
            ApiError::UnsupportedMediaType(_) => (
                "unsupported-media-type",
                "The request body has the wrong content type",
            ),
            ApiError::NotAcceptable { .. } => (
                "not-acceptable",
                "The resource cannot be sent in a form the client accepts",
            ),
            ApiError::CorsRefused(_) => ("cors-refused", "The cross-origin request is not allowed"),
            ApiError::TooManyRequests { .. } => ("too-many-requests", "Too many requests"),
            ApiError::TimedOut(_) => ("timeout", "The request took too long"),
            ApiError::Unavailable(_) => ("unavailable", "The service is temporarily unavailable"),
            ApiError::Internal(_) => ("internal", "Internal server error"),
        }
    }

    pub fn problem(&self) -> Problem {
        let (slug, title) = self.slug_and_title();
        let (detail, errors) = match self {
            ApiError::BadRequest { detail, errors }
            | ApiError::Conflict { detail, errors }
            | ApiError::NotAcceptable { detail, errors } => (detail.clone(), errors.clone()),
            ApiError::Validation(errors) => {
                let detail = match errors.as_slice() {
                    [one] => format!("`{}` {}", one.field, one.message),
                    many => format!("{} fields are not valid", many.len()),
                };
                (detail, errors.clone())
            }
            ApiError::Unavailable(_) => (
                "the database cannot be reached; retry shortly".to_owned(),
                Vec::new(),
            ),
            ApiError::Internal(_) => (
                "an unexpected error occurred; it has been logged".to_owned(),
                Vec::new(),
            ),
            other => (other.to_string(), Vec::new()),
        };
        Problem {
            problem_type: format!("/problems/{slug}"),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail,
            instance: None,
            request_id: None,
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::NotAcceptable { .. } => StatusCode::NOT_ACCEPTABLE,
            ApiError::CorsRefused(_) => StatusCode::FORBIDDEN,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::TimedOut(_) | ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.response(None)
    }
}

impl ApiError {
    /// The problem+json answer, with `instance` set when the caller knows the request path (the
    /// `problem_instance` middleware fills it in for answers made further in).
    pub fn response(&self, instance: Option<&str>) -> HttpResponse {
        self.response_with(instance, None)
    }

    /// The problem+json answer with `instance` and `request_id` set, for answers made outside the
    /// `problem_instance` middleware (which fills both in for the rest).
    pub fn response_with(&self, instance: Option<&str>, request_id: Option<&str>) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => {
                tracing::error!(error = %loggable_cause(cause), "request failed");
            }
            ApiError::Unavailable(cause) => {
                tracing::warn!(error = %loggable(cause), "database unavailable");
            }
            ApiError::TimedOut(detail) => tracing::warn!(%detail, "request timed out"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            ApiError::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            ApiError::Unavailable(_) | ApiError::TimedOut(_) => {
                response.insert_header((header::RETRY_AFTER, "5"));
            }
            ApiError::TooManyRequests { retry_after, .. } => {
                response.insert_header((header::RETRY_AFTER, (*retry_after).max(1).to_string()));
            }
            ApiError::MethodNotAllowed { allow, .. } => {
                response.insert_header((header::ALLOW, allow.as_str()));
            }
            _ => {}
        }
        let mut problem = self.problem();
        problem.instance = instance.map(str::to_owned);
        problem.request_id = request_id.map(str::to_owned);
        response.json(problem)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => ApiError::not_found(what),
            StoreError::Invalid(errors) => ApiError::Validation(errors),
            StoreError::Conflict(error) => ApiError::Conflict {
                detail: format!("`{}` {}", error.field, error.message),
                errors: vec![error],
            },
            StoreError::Stale => ApiError::PreconditionFailed(
                "the If-Match version is not the current one; GET it again and retry".to_owned(),
            ),
            StoreError::ForeignCursor => ApiError::bad_request(
                "cursor",
                "is not a cursor of this list; use `next_cursor` from a previous page of the same \
                 query",
            ),
            StoreError::Db(error) => ApiError::from(error),
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(error: sea_orm::DbErr) -> Self {
        use sea_orm::{DbErr, RuntimeErr};
        match &error {
            DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => ApiError::Unavailable(error),
            DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e))
                if is_unavailable(e) =>
            {
                ApiError::Unavailable(error)
            }
            _ => ApiError::Internal(error.into()),
        }
    }
}

/// A database error as the log may show it: what kind it is, its SQLSTATE, and the constraint and
/// table it names, but no value from the request. Postgres puts the offending row's values in an
/// error's `detail` (`Key (slug)=(minister-quits)`), which only its `Debug` form shows, and quotes
/// some in the message itself (`invalid input syntax for type uuid: "…"`): the detail is never
/// read, and quoted text is blanked out.
pub fn loggable(error: &sea_orm::DbErr) -> String {
    use sea_orm::{DbErr, RuntimeErr};
    let sqlx = match error {
        DbErr::Query(RuntimeErr::SqlxError(e))
        | DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Conn(RuntimeErr::SqlxError(e)) => Some(e),
        _ => None,
    };
    match sqlx.map(|e| e.as_database_error()) {
        Some(Some(database)) => {
            let mut out = format!(
                "database error {}: {}",
                database.code().as_deref().unwrap_or("-"),
                blank_quoted(database.message())
            );
            if let Some(constraint) = database.constraint() {
                out.push_str(&format!(" (constraint {constraint}"));
                if let Some(table) = database.table() {
                    out.push_str(&format!(", table {table}"));
                }
                out.push(')');
            }
            out
        }
        _ => blank_quoted(&error.to_string()),
    }
}

/// The cause of an internal error as the log may show it: [`loggable`] for a database error,
/// its chain of messages with quoted text blanked out otherwise.
fn loggable_cause(cause: &anyhow::Error) -> String {
    match cause.downcast_ref::<sea_orm::DbErr>() {
        Some(database) => loggable(database),
        None => blank_quoted(&format!("{cause:#}")),
    }
}

/// `text` with everything between double or single quotes replaced by `…`: error messages quote
/// the values they reject.
fn blank_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut open: Option<char> = None;
    for c in text.chars() {
        match open {
            Some(quote) if c == quote => {
                out.push(c);
                open = None;
            }
            Some(_) => {}
            None if c == '"' || c == '\'' => {
                out.push(c);
                out.push('…');
                open = Some(c);
            }
            None => out.push(c),
        }
    }
    out
}

/// Whether a database error means "the database cannot serve this now; retry" rather than a bug:
/// the connection broke or could not be made, the server is shutting down or starting up (a
/// restart, a failover), or it is out of connections; on SQLite, the write lock stayed taken past
/// the busy timeout. All of these answer 503 with `Retry-After`, never 500.
fn is_unavailable(error: &sea_orm::sqlx::Error) -> bool {
    use sea_orm::sqlx::Error;
    match error {
        // A broken or refused connection (broken pipe, reset, refused, EOF mid-message), a pool
        // that is closed or timed out, TLS failing on a reconnect.
        Error::Io(_)
        | Error::Tls(_)
        | Error::Protocol(_)
        | Error::PoolTimedOut
        | Error::PoolClosed
        | Error::WorkerCrashed => true,
        Error::Database(database) => database
            .code()
            .is_some_and(|code| is_unavailable_code(&code)),
        _ => false,
    }
}

/// The SQLSTATEs (Postgres) and result codes (SQLite) of a database that is unavailable for now.
fn is_unavailable_code(code: &str) -> bool {
    // Postgres: class 08 is "connection exception"; 57P01 admin_shutdown (`pg_ctl stop -m fast`
    // terminates every session with it), 57P02 crash_shutdown, 57P03 cannot_connect_now (starting
    // up or shutting down), 53300 too_many_connections; and 40001 serialization_failure and
    // 40P01 deadlock_detected, which the store's lock order is meant to rule out but which,
    // should one happen, a retry resolves.
    if code.starts_with("08")
        || matches!(
            code,
            "57P01" | "57P02" | "57P03" | "53300" | "40001" | "40P01"
        )
    {
        return true;
    }
    // SQLite: extended result codes whose primary code is SQLITE_BUSY (5) or SQLITE_LOCKED (6).
    code.parse::<i32>()
        .is_ok_and(|code| matches!(code & 0xff, 5 | 6))
}

/// Flattens validator's nested errors into `{field, message}` pairs with JSON paths
/// (`sections[0].body`), sorted so that the answer is the same on every run.
pub fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    collect(errors, "", &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field).then(a.message.cmp(&b.message)));
    out
}

fn collect(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let path = if field == "__all__" {
            prefix.to_owned()
        } else if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                out.extend(list.iter().map(|e| FieldError::new(&path, describe(e))));
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect(inner, &format!("{path}[{index}]"), out);
                }
            }
        }
    }
}

fn describe(error: &validator::ValidationError) -> String {
    if let Some(message) = &error.message {
        return message.to_string();
    }
    let param = |name: &str| error.params.get(name).map(|v| v.to_string());
    match error.code.as_ref() {
        "length" => match (param("min"), param("max")) {
            (Some(min), Some(max)) if min == "1" => {
                format!("must not be empty and at most {max} characters long")
            }
            (Some(min), Some(max)) => format!("must be {min} to {max} long"),
            (Some(min), None) => format!("must be at least {min} long"),
            (None, Some(max)) => format!("must be at most {max} long"),
            _ => "has the wrong length".to_owned(),
        },
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            (Some(min), None) => format!("must be at least {min}"),
            (None, Some(max)) => format!("must be at most {max}"),
            _ => "is out of range".to_owned(),
        },
        "url" => "must be an absolute http(s) URL".to_owned(),
        code => format!("is not valid ({code})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_are_blanked_out_of_logged_messages() {
        assert_eq!(
            blank_quoted(r#"invalid input syntax for type uuid: "minister-quits""#),
            r#"invalid input syntax for type uuid: "…""#
        );
        assert_eq!(
            blank_quoted("value 'secret' and \"other\" end"),
            "value '…' and \"…\" end"
        );
        assert_eq!(blank_quoted("no quotes"), "no quotes");
    }

    #[test]
    fn shutdown_restart_and_lock_codes_are_unavailable_and_others_are_not() {
        for code in [
            "57P01", "57P02", "57P03", "08006", "08001", "53300", "40001", "40P01", "5", "517", "6",
        ] {
            assert!(is_unavailable_code(code), "{code}");
        }
        // unique_violation, foreign_key_violation, syntax_error, SQLITE_CONSTRAINT_UNIQUE.
        for code in ["23505", "23503", "42601", "2067", "19"] {
            assert!(!is_unavailable_code(code), "{code}");
        }
    }
}
