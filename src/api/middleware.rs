//! What every answer passes through on its way out, for browsers and caches: CORS for pages on
//! other origins, `Cache-Control` on reads, a problem+json 406 when the client accepts no
//! content coding this service can send, security headers, and HEAD served as GET. Each reads
//! its settings from [`AppState`].

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, AcceptEncoding, Encoding, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse};

use super::http::AppState;
use crate::config::AllowedOrigins;
use crate::error::ApiError;

/// Methods a page on an allowed origin may use.
pub const CORS_METHODS: [&str; 5] = ["GET", "POST", "PATCH", "PUT", "DELETE"];
/// Request headers a page on an allowed origin may set. `Accept` is listed because a long or
/// unusual `Accept` value is not CORS-safelisted, and content negotiation (JSON-LD, ninjs) uses it.
pub const CORS_ALLOWED_HEADERS: [&str; 5] = [
    "Accept",
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
];
/// Response headers a page may read besides the CORS-safelisted ones.
pub const CORS_EXPOSED_HEADERS: [&str; 4] = ["ETag", "Link", "Location", "X-Request-Id"];
/// Seconds a browser may reuse a preflight answer (Chromium caps it at 7200).
pub const CORS_MAX_AGE: u32 = 7200;

/// Content codings this service can send, as `Compress` negotiates them.
const CODINGS: [Encoding; 4] = [
    Encoding::brotli(),
    Encoding::gzip(),
    Encoding::deflate(),
    Encoding::identity(),
];

fn state(req: &ServiceRequest) -> Option<web::Data<AppState>> {
    req.app_data::<web::Data<AppState>>().cloned()
}

fn append(response: &mut ServiceResponse<BoxBody>, name: header::HeaderName, value: &'static str) {
    response
        .headers_mut()
        .append(name, HeaderValue::from_static(value));
}

/// CORS, as `CORS_ALLOWED_ORIGINS` says. With no origins configured it does nothing at all.
///
/// A preflight (`OPTIONS` with `Access-Control-Request-Method`) is answered here: 204 with the
/// allowed methods and headers for an allowed origin, 403 problem+json without any
/// `Access-Control-Allow-Origin` otherwise. Other requests go on as usual; an allowed origin's
/// answer (errors included, so a page can read the problem) gets `Access-Control-Allow-Origin`
/// and `Access-Control-Expose-Headers`. Requests from other origins are served without them: the
/// browser then keeps the answer from the page, and non-browser clients are unaffected.
pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = state(&req).filter(|s| s.cors != AllowedOrigins::None) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let is_preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if let (true, Some(origin)) = (is_preflight, origin.as_deref()) {
        let response = preflight(&req, &state.cors, origin);
        return Ok(req.into_response(response));
    }

    let allow = match &state.cors {
        AllowedOrigins::Any => Some("*".to_owned()),
        allowed => origin.as_deref().and_then(|o| allowed.allow(o)),
    };
    let mut response = next.call(req).await?.map_into_boxed_body();
    if let AllowedOrigins::List(_) = state.cors {
        // The answer depends on the Origin, so caches must keep one per origin.
        append(&mut response, header::VARY, "Origin");
    }
    if let Some(value) = allow.and_then(|a| HeaderValue::from_str(&a).ok()) {
        let headers = response.headers_mut();
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("ETag, Link, Location, X-Request-Id"),
        );
    }
    Ok(response)
}

/// The answer to a preflight from `origin`.
fn preflight(req: &ServiceRequest, allowed: &AllowedOrigins, origin: &str) -> HttpResponse {
    let method = req
        .headers()
        .get(header::ACCESS_CONTROL_REQUEST_METHOD)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim();
    let requested_headers: Vec<String> = req
        .headers()
        .get_all(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|h| h.trim().to_ascii_lowercase())
        .filter(|h| !h.is_empty())
        .collect();
    let refusal = match allowed.allow(origin) {
        None => Err(format!(
            "pages on `{origin}` may not call this API: the origin is not among the allowed ones"
        )),
        Some(_) if !CORS_METHODS.contains(&method) => Err(format!(
            "`{method}` is not allowed across origins; allowed: {}",
            CORS_METHODS.join(", ")
        )),
        Some(allow) => match requested_headers.iter().find(|h| {
            !CORS_ALLOWED_HEADERS
                .iter()
                .any(|allowed| allowed.eq_ignore_ascii_case(h))
        }) {
            Some(header) => Err(format!(
                "the request header `{header}` is not allowed across origins; allowed: {}",
                CORS_ALLOWED_HEADERS.join(", ")
            )),
            None => Ok(allow),
        },
    };
    let vary = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
    match refusal {
        Ok(allow) => HttpResponse::NoContent()
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, allow))
            .insert_header((
                header::ACCESS_CONTROL_ALLOW_METHODS,
                CORS_METHODS.join(", "),
            ))
            .insert_header((
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                CORS_ALLOWED_HEADERS.join(", "),
            ))
            .insert_header((header::ACCESS_CONTROL_MAX_AGE, CORS_MAX_AGE.to_string()))
            .insert_header((header::VARY, vary))
            .finish(),
        Err(detail) => {
            let mut response = ApiError::CorsRefused(detail).response_with(
                Some(req.path()),
                super::telemetry::request_id(req).as_deref(),
            );
            response
                .headers_mut()
                .insert(header::VARY, HeaderValue::from_static(vary));
            response
        }
    }
}

/// `Cache-Control` on every successful read under `/v1` (200 and 304) that did not set its own.
///
/// Reads are `public, max-age=N, must-revalidate` (N from `CACHE_MAX_AGE`): a browser or a shared
/// cache may reuse the answer for N seconds, then must revalidate with the ETag, which costs a
/// 304 without a body. When reads need a key the answer is `private`, so that no shared cache
/// hands one client's read to another who may hold no key.
pub async fn cache_control(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let is_read =
        matches!(*req.method(), Method::GET | Method::HEAD) && req.path().starts_with("/v1/");
    let directive = state(&req)
        .filter(|_| is_read)
        .map(|s| cache_directive(s.reads_require_key, s.cache_max_age));
    let mut response = next.call(req).await?.map_into_boxed_body();
    let cacheable = matches!(response.status(), StatusCode::OK | StatusCode::NOT_MODIFIED);
    if let Some(directive) = directive.filter(|_| cacheable) {
        if !response.headers().contains_key(header::CACHE_CONTROL) {
            if let Ok(value) = HeaderValue::from_str(&directive) {
                response.headers_mut().insert(header::CACHE_CONTROL, value);
            }
        }
    }
    Ok(response)
}

/// The `Cache-Control` of a successful read.
pub fn cache_directive(reads_require_key: bool, max_age: u32) -> String {
    let audience = if reads_require_key {
        "private"
    } else {
        "public"
    };
    format!("{audience}, max-age={max_age}, must-revalidate")
}

/// Answers 406 problem+json, before `Compress` would answer it in plain text, when
/// `Accept-Encoding` rules out every coding this service has, identity included
/// (`identity;q=0` or `*;q=0` and nothing else it knows).
pub async fn acceptable_encoding(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(accepted) = req.get_header::<AcceptEncoding>() {
        if accepted.negotiate(CODINGS.iter()).is_none() {
            let sent = req
                .headers()
                .get(header::ACCEPT_ENCODING)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let error = ApiError::not_acceptable(
                "Accept-Encoding",
                &sent,
                &["br", "gzip", "deflate", "identity"],
            );
            let mut response = error.response_with(
                Some(req.path()),
                super::telemetry::request_id(&req).as_deref(),
            );
            response
                .headers_mut()
                .insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
            return Ok(req.into_response(response));
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// Serves `HEAD` as `GET`: the route runs as for a GET, and the server sends the head of its
/// answer (status, headers, `Content-Length`) without the body, as RFC 9110 asks.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}

/// The Content-Security-Policy of Swagger UI's pages: its own scripts and styles (it sets inline
/// styles), its data-URI icons, and calls to this origin only.
pub const SWAGGER_UI_CSP: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/// The policy of everything else (JSON answers): nothing may load, nothing may frame it.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// Security headers on every answer: no MIME sniffing, no referrer leaking to other sites, and a
/// Content-Security-Policy (Swagger UI's own, or one that lets nothing run or frame an answer).
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let swagger = req.path().starts_with("/swagger-ui");
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    let policy = if swagger { SWAGGER_UI_CSP } else { API_CSP };
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(policy),
    );
    Ok(response)
}
