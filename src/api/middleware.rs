//! What every answer passes through on its way out, for browsers and caches: CORS for pages on
//! other origins, `Cache-Control` on reads, a problem+json 406 when the client accepts no
//! content coding this service can send, security headers, and HEAD served as GET. Each reads
//! its settings from [`AppState`].

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, AcceptEncoding, Encoding, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse};

use super::http::{identify, presented_key, AppState, Caller};
use crate::config::{AllowedOrigins, ClientIpSource};
use crate::error::ApiError;
use crate::rate_limit::{ip_client, Decision};

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
/// Response headers a page may read besides the CORS-safelisted ones
/// (`Access-Control-Expose-Headers`). Add a header here when the service starts sending one.
pub const CORS_EXPOSED_HEADERS: &[&str] = &[
    "ETag",
    "Link",
    "Location",
    "Retry-After",
    "X-Request-Id",
    RATE_LIMIT_LIMIT,
    RATE_LIMIT_REMAINING,
    RATE_LIMIT_RESET,
];
/// The quota in requests a minute (draft-ietf-httpapi-ratelimit-headers).
pub const RATE_LIMIT_LIMIT: &str = "RateLimit-Limit";
/// Requests left in the quota.
pub const RATE_LIMIT_REMAINING: &str = "RateLimit-Remaining";
/// Seconds until the quota is whole again.
pub const RATE_LIMIT_RESET: &str = "RateLimit-Reset";
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
        if let Ok(exposed) = HeaderValue::from_str(&CORS_EXPOSED_HEADERS.join(", ")) {
            headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, exposed);
        }
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

/// Probes are never limited nor timed out: orchestrators poll them, and `/health/ready` answers
/// its own 503 (bounded by the pool's acquire timeout).
fn is_probe(req: &ServiceRequest) -> bool {
    is_probe_path(req.path())
}

/// Whether `path` is one of the health probes (`/health/live`, `/health/ready`).
pub(crate) fn is_probe_path(path: &str) -> bool {
    path.starts_with("/health/")
}

/// Finds who sent the request, once, before anything else reads it: the [`Caller`] is left in
/// the request's extensions for the rate limiter and the scope checks. Because the key is known
/// before the handler's extractors run, a request without the scope it needs is refused (401,
/// 403) before its body is read, never answered about the body. The key is looked up afresh for
/// every request, so a revoked key stops working at once.
pub async fn identify_caller(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(state) = state(&req).filter(|_| !is_probe(&req)) {
        let caller = match presented_key(req.headers()) {
            None => Some(Caller::Anonymous),
            // When the database cannot say, nothing is left: the request counts against its IP,
            // and the scope check asks again (and answers 503 if it still cannot).
            Some(_) => identify(req.headers(), &state.db).await.ok(),
        };
        if let Some(caller) = caller {
            req.extensions_mut().insert(caller);
        }
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// Rate limiting, as `RATE_LIMIT_IP_PER_MINUTE` and `RATE_LIMIT_KEY_PER_MINUTE` say.
///
/// A request with a valid key counts against that key's quota; every other one (no key, or a key
/// that is unknown or revoked) against its client IP's, so inventing keys does not escape the IP
/// quota. Who sent it is [`identify_caller`]'s finding. Every limited answer, refused or not,
/// carries `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`; a refusal is a 429
/// problem with `Retry-After`. With both limits off it does nothing at all (no headers either).
pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(state) = state(&req).filter(|s| s.rate_limits.is_on() && !is_probe(&req)) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let caller = req.extensions().get::<Caller>().copied();
    let (decision, whose) = match caller {
        Some(Caller::Key(holder)) => (
            state
                .rate_limits
                .per_key
                .as_ref()
                .map(|l| l.check(&holder.id)),
            "this API key",
        ),
        _ => {
            let peer = req.peer_addr().map(|a| a.ip());
            let ip = client_ip(req.headers(), peer, state.client_ip);
            (
                state
                    .rate_limits
                    .per_ip
                    .as_ref()
                    .map(|l| l.check(&ip_client(ip))),
                "requests without a valid API key from your address",
            )
        }
    };
    let Some(decision) = decision else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    if !decision.allowed {
        let error = ApiError::TooManyRequests {
            detail: format!(
                "the quota of {} requests a minute for {whose} is used up; retry in {} s",
                decision.limit, decision.retry_after
            ),
            retry_after: decision.retry_after,
        };
        let mut response = error.response_with(
            Some(req.path()),
            super::telemetry::request_id(&req).as_deref(),
        );
        add_rate_limit_headers(response.headers_mut(), &decision);
        return Ok(req.into_response(response));
    }
    let mut response = next.call(req).await?.map_into_boxed_body();
    add_rate_limit_headers(response.headers_mut(), &decision);
    Ok(response)
}

fn add_rate_limit_headers(headers: &mut header::HeaderMap, decision: &Decision) {
    for (name, value) in [
        (RATE_LIMIT_LIMIT, u64::from(decision.limit)),
        (RATE_LIMIT_REMAINING, u64::from(decision.remaining)),
        (RATE_LIMIT_RESET, decision.reset),
    ] {
        if let Ok(name) = header::HeaderName::from_bytes(name.as_bytes()) {
            headers.insert(name, HeaderValue::from(value));
        }
    }
}

/// The client's IP address: the TCP peer, or (behind `hops` trusted proxies) the address the
/// outermost of them saw, read from the right of the header they append to. Entries further left
/// were written by the client or proxies not trusted, and are ignored. When the header is
/// missing or its entry is not an address, the peer it is.
pub fn client_ip(
    headers: &header::HeaderMap,
    peer: Option<IpAddr>,
    source: ClientIpSource,
) -> IpAddr {
    let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    let values = |name: header::HeaderName| -> Vec<String> {
        headers
            .get_all(name)
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|entry| entry.trim().to_owned())
            .collect()
    };
    let (entries, hops): (Vec<Option<String>>, usize) = match source {
        ClientIpSource::Peer => return peer,
        ClientIpSource::XForwardedFor(hops) => (
            values(header::HeaderName::from_static("x-forwarded-for"))
                .into_iter()
                .map(Some)
                .collect(),
            hops,
        ),
        ClientIpSource::Forwarded(hops) => (
            values(header::FORWARDED)
                .iter()
                .map(|element| {
                    element.split(';').find_map(|pair| {
                        let (name, value) = pair.split_once('=')?;
                        name.trim()
                            .eq_ignore_ascii_case("for")
                            .then(|| value.trim().to_owned())
                    })
                })
                .collect(),
            hops,
        ),
    };
    if entries.is_empty() {
        return peer;
    }
    let chosen = &entries[entries.len().saturating_sub(hops)];
    chosen.as_deref().and_then(parse_node).unwrap_or(peer)
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `"[2001:db8::1]:4711"`.
fn parse_node(node: &str) -> Option<IpAddr> {
    let node = node.trim().trim_matches('"');
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(socket) = node.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    node.strip_prefix('[')
        .and_then(|rest| rest.split(']').next())
        .and_then(|ip| ip.parse().ok())
}

/// Answers 503 problem+json (`/problems/timeout`, `Retry-After`) when a request takes longer than
/// `REQUEST_TIMEOUT`. The handler's future is dropped, and with it any transaction it holds
/// uncommitted, which rolls back.
pub async fn request_timeout(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limit = state(&req)
        .and_then(|s| s.request_timeout)
        .filter(|_| !is_probe(&req));
    let Some(limit) = limit else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    // The request cannot be kept: routing, further in, needs the only handle on it (a clone
    // held here makes actix panic). So only its path is kept, and the answer goes out on a
    // stand-in request. The layers outside read the answer's head, never its request.
    let path = req.path().to_owned();
    let request_id = super::telemetry::request_id(&req);
    match tokio::time::timeout(limit, next.call(req)).await {
        Ok(response) => Ok(response?.map_into_boxed_body()),
        Err(_) => {
            let error = ApiError::TimedOut(format!(
                "the request took longer than the limit of {} s and was abandoned; retry later",
                limit.as_secs_f64()
            ));
            let response = error.response_with(Some(&path), request_id.as_deref());
            let stand_in = actix_web::test::TestRequest::default().to_http_request();
            Ok(ServiceResponse::new(stand_in, response))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> header::HeaderMap {
        let mut map = header::HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                header::HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        map
    }

    const PEER: &str = "10.0.0.9";

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_peer_is_the_client_unless_a_proxy_header_is_trusted() {
        let spoofed = headers(&[("x-forwarded-for", "203.0.113.7")]);
        assert_eq!(
            client_ip(&spoofed, Some(ip(PEER)), ClientIpSource::Peer),
            ip(PEER)
        );
    }

    #[test]
    fn x_forwarded_for_is_read_from_the_right_by_the_number_of_trusted_hops() {
        // The client claims 1.1.1.1; the load balancer appended what it saw.
        let one = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.7")]);
        let source = ClientIpSource::XForwardedFor(1);
        assert_eq!(client_ip(&one, Some(ip(PEER)), source), ip("203.0.113.7"));
        // A CDN, then the load balancer, each in a header line of its own.
        let two = headers(&[
            ("x-forwarded-for", "1.1.1.1, 198.51.100.4"),
            ("x-forwarded-for", "192.0.2.10"),
        ]);
        let source = ClientIpSource::XForwardedFor(2);
        assert_eq!(client_ip(&two, Some(ip(PEER)), source), ip("198.51.100.4"));
        // Fewer entries than hops: the leftmost; none, or garbage: the peer.
        let short = headers(&[("x-forwarded-for", "198.51.100.4:5000")]);
        assert_eq!(client_ip(&short, None, source), ip("198.51.100.4"));
        assert_eq!(client_ip(&headers(&[]), Some(ip(PEER)), source), ip(PEER));
        let junk = headers(&[("x-forwarded-for", "unknown")]);
        assert_eq!(client_ip(&junk, Some(ip(PEER)), source), ip(PEER));
    }

    #[test]
    fn forwarded_for_is_read_with_ports_brackets_and_quotes() {
        let header = headers(&[(
            "forwarded",
            "for=1.1.1.1, for=\"[2001:db8:cafe::17]:4711\";proto=https, for=192.0.2.60;by=_lb",
        )]);
        let source = ClientIpSource::Forwarded(2);
        assert_eq!(
            client_ip(&header, Some(ip(PEER)), source),
            ip("2001:db8:cafe::17")
        );
        let obfuscated = headers(&[("forwarded", "for=_hidden")]);
        assert_eq!(
            client_ip(&obfuscated, Some(ip(PEER)), ClientIpSource::Forwarded(1)),
            ip(PEER)
        );
    }
}
