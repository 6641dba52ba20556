//! Builds the actix application: state, routes, the OpenAPI document and Swagger UI, and the
//! problem+json answers for everything that fails before a handler runs.

use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{from_fn, Compress, Next};
use actix_web::{web, App, HttpRequest, HttpResponse, ResponseError};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::api::routes::RouteTable;
use crate::api::{self, http::AppState, middleware, problems};
use crate::error::{ApiError, FieldError, Problem, PROBLEM_JSON};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "newsmeta",
        description = "Structured news-article metadata: articles, their sections, the quotes in them \
            (who said what) and the entities they mention.\n\n\
            Reads are open; writes need an API key with the `write` scope, sent as \
            `Authorization: Bearer <key>`. Errors are RFC 9457 problem+json. Lists are keyset-paginated: \
            pass `next_cursor` back as `cursor`.\n\n\
            Every successful read carries an `ETag` (send it back in `If-None-Match` for a 304) and \
            `Cache-Control: public, max-age=N, must-revalidate` (`private` when reads need a key). \
            Answers are compressed with brotli or gzip when `Accept-Encoding` allows. Browser pages \
            on the origins in `CORS_ALLOWED_ORIGINS` may call every route. \
            `GET /v1/articles/{article}` also answers schema.org JSON-LD (`Accept: application/ld+json`) \
            and IPTC ninjs (`Accept: application/vnd.ninjs+json`).\n\n\
            Every answer carries `X-Request-Id`: the request's own when it sent a sane one (1 to 128 \
            visible ASCII characters), a new UUIDv7 otherwise. Problems repeat it as `request_id`, \
            and the service's log lines for the request name it.\n\n\
            Requests are rate-limited per API key, and per client IP address for requests without \
            a valid key: every limited answer carries `RateLimit-Limit`, `RateLimit-Remaining` and \
            `RateLimit-Reset`, and past the quota the answer is 429 with `Retry-After`. A request \
            that takes longer than the service's `REQUEST_TIMEOUT` is abandoned (a write is rolled \
            back) and answered 503 with `Retry-After`.",
        license(name = "MIT", identifier = "MIT")
    ),
    modifiers(&BearerAuth),
    components(
        schemas(Problem, FieldError),
        responses(
            problems::BadRequest, problems::Unauthorized, problems::Forbidden, problems::NotFound,
            problems::Conflict, problems::PreconditionFailed, problems::PayloadTooLarge,
            problems::NotAcceptable, problems::UnsupportedMediaType, problems::ValidationFailed,
            problems::Unavailable, problems::NotModified, problems::TooManyRequests
        )
    ),
    tags(
        (name = "articles", description = "News articles, created whole with their structure"),
        (name = "sections", description = "The headed parts of an article's body"),
        (name = "quotes", description = "Who said what, in which article"),
        (name = "entities", description = "People, organisations, locations and events"),
        (name = "mentions", description = "Which entities an article mentions, and how often"),
        (name = "stats", description = "Dashboard queries: top entities and speakers, co-mentions, timelines and totals"),
        (name = "changes", description = "The change feed: every create, update and delete, in commit order, for keeping in sync by polling"),
        (name = "extract", description = "Structure a plain article text: sections, quotes with their speakers, entities — proposed, not stored"),
        (name = "health", description = "Probes for orchestrators and load balancers"),
    )
)]
struct ApiDoc;

/// Declares the bearer scheme that write operations name.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description = Some("An API key made with `newsmeta keys create`.".to_owned());
        components.add_security_scheme("api_key", SecurityScheme::Http(scheme));
    }
}

/// Marks every `/v1` operation that declares no key requirement of its own (the reads) as taking
/// one optionally: none is needed unless the service runs with `READS_REQUIRE_KEY`, when any
/// valid key is. Runs on the collected document, after the routes have added their paths.
fn optional_key_on_reads(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::security::SecurityRequirement;
    for (path, item) in openapi.paths.paths.iter_mut() {
        if !path.starts_with("/v1/") {
            continue;
        }
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            operation.security.get_or_insert_with(|| {
                vec![
                    SecurityRequirement::default(),
                    SecurityRequirement::new("api_key", Vec::<String>::new()),
                ]
            });
        }
    }
}

/// Documents what the limits answer on every operation but the probes: 429 (rate limits), 503
/// (`REQUEST_TIMEOUT`, besides the database), 413 wherever a body is read, and the `RateLimit-*`
/// headers on every answer (absent when rate limiting is off, so never required). Applied to the
/// collected document, since the paths are not there yet when `ApiDoc`'s own modifiers run.
fn document_limits(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{HeaderBuilder, ObjectBuilder, Ref, RefOr, Type};

    let header_ref = |name: &str| RefOr::Ref(Ref::new(format!("#/components/headers/{name}")));
    let rate_limit_headers = [
        (
            middleware::RATE_LIMIT_LIMIT,
            "The client's quota: requests a minute. Sent on every rate-limited answer.",
        ),
        (
            middleware::RATE_LIMIT_REMAINING,
            "Requests the client may still make at once.",
        ),
        (
            middleware::RATE_LIMIT_RESET,
            "Seconds until the client's quota is whole again.",
        ),
    ];
    let components = openapi.components.get_or_insert_with(Default::default);
    let described = [
        rate_limit_headers.as_slice(),
        &[("Retry-After", "Seconds to wait before trying again.")],
    ]
    .concat();
    for (name, description) in described {
        let header = HeaderBuilder::new()
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(0)),
            ))
            .description(Some(description))
            .build();
        components.headers.insert(name.to_owned(), RefOr::T(header));
    }
    let add_headers = |response: &mut utoipa::openapi::Response, retry: bool| {
        for (name, _) in rate_limit_headers {
            response.headers.insert(name.to_owned(), header_ref(name));
        }
        if retry {
            response
                .headers
                .insert("Retry-After".to_owned(), header_ref("Retry-After"));
        }
    };
    for (name, response) in components.responses.iter_mut() {
        if let RefOr::T(response) = response {
            add_headers(
                response,
                matches!(name.as_str(), "TooManyRequests" | "Unavailable"),
            );
        }
    }
    for (path, item) in openapi.paths.paths.iter_mut() {
        if path.starts_with("/health/") {
            continue;
        }
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            let reads_body = operation.request_body.is_some();
            let responses = &mut operation.responses.responses;
            let mut shared = vec![("429", "TooManyRequests"), ("503", "Unavailable")];
            if reads_body {
                shared.push(("413", "PayloadTooLarge"));
            }
            for (status, name) in shared {
                responses
                    .entry(status.to_owned())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name(name)));
            }
            for response in responses.values_mut() {
                if let RefOr::T(response) = response {
                    add_headers(response, false);
                }
            }
        }
    }
}

/// The OpenAPI document, collected from the registered routes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(utoipa_actix_web::scope("/v1").configure(api::configure))
        .service(api::health::live)
        .service(api::health::ready)
        .service(api::telemetry::metrics)
        .split_for_parts();
    complete(&mut doc);
    doc
}

/// What the routes' own annotations cannot say, added to the collected document: the limits'
/// answers, the optional key on reads, and the links from each create.
fn complete(doc: &mut utoipa::openapi::OpenApi) {
    document_limits(doc);
    optional_key_on_reads(doc);
    add_links(doc);
}

/// The whole application, ready for `HttpServer::new` or `actix_web::test::init_service`.
pub fn build(
    state: AppState,
) -> App<
    impl actix_web::dev::ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, mut doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .app_data(web::Data::new(state))
        .app_data(
            web::PathConfig::default()
                .error_handler(|error, _| ApiError::bad_request("path", error.to_string()).into()),
        )
        .service(utoipa_actix_web::scope("/v1").configure(api::configure))
        .service(api::health::live)
        .service(api::health::ready)
        .service(api::telemetry::metrics)
        .split_for_parts();
    complete(&mut doc);
    let doc_for_routes = doc.clone();
    app.service(web::resource("/openapi.json").route(web::get().to({
        let doc = doc.clone();
        move || {
            let doc = doc.clone();
            async move { HttpResponse::Ok().json(doc) }
        }
    })))
    .service(SwaggerUi::new("/swagger-ui/{_:.*}").url("/openapi.json", doc))
    .service(web::resource("/swagger-ui").route(web::get().to(|| async {
        HttpResponse::PermanentRedirect()
            .insert_header((header::LOCATION, "/swagger-ui/"))
            .finish()
    })))
    .service(web::resource("/").route(web::get().to(|| async {
        HttpResponse::TemporaryRedirect()
            .insert_header((header::LOCATION, "/swagger-ui/"))
            .finish()
    })))
    .default_service(web::to({
        let routes = RouteTable::from_openapi(&doc_for_routes);
        move |req: HttpRequest| {
            let allow = routes.allow(req.path());
            async move { unrouted(&req, allow) }
        }
    }))
    // Outermost last. Compress sits outside `problem_instance`, which must read problems before
    // they are compressed, and inside the 406 check that would otherwise be answered in plain text.
    .wrap(from_fn(problem_instance))
    .wrap(Compress::default())
    .wrap(from_fn(middleware::cache_control))
    .wrap(from_fn(middleware::acceptable_encoding))
    // Inside CORS, so that a page can read a 429 and its headers, and preflights are not counted.
    .wrap(from_fn(middleware::rate_limit))
    .wrap(from_fn(middleware::identify_caller))
    // Outside the key lookup, which reads (and may write) the database.
    .wrap(from_fn(middleware::request_timeout))
    .wrap(from_fn(middleware::cors))
    .wrap(from_fn(middleware::head_as_get))
    .wrap(from_fn(middleware::security_headers))
    // Outermost: every answer, preflights and 406s included, gets the request id, a log line and
    // a count.
    .wrap(from_fn(api::telemetry::observe))
}

/// The answer to a request no route took: `OPTIONS` on a known path lists its methods, another
/// method on a known path is a 405 that lists them, anything else a 404.
fn unrouted(req: &HttpRequest, allow: Option<String>) -> HttpResponse {
    match allow {
        Some(allow) if req.method() == actix_web::http::Method::OPTIONS => {
            HttpResponse::NoContent()
                .insert_header((header::ALLOW, allow))
                .finish()
        }
        Some(allow) => ApiError::MethodNotAllowed {
            detail: format!(
                "{} {} is not a route; this path allows {allow}",
                req.method(),
                req.path()
            ),
            allow,
        }
        .error_response(),
        None => ApiError::NotFound(format!("there is no route {} {}", req.method(), req.path()))
            .error_response(),
    }
}

/// Fills `instance` in problem+json answers with the request path, and `request_id` with its id.
/// Handlers and extractors build problems without access to the request; this is the one place
/// that knows both.
async fn problem_instance(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let path = req.path().to_owned();
    let request_id = api::telemetry::request_id(&req);
    let response = next.call(req).await?;
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == PROBLEM_JSON.as_bytes());
    if !is_problem {
        return Ok(response.map_into_boxed_body());
    }
    let (request, response) = response.into_parts();
    let (head, body) = response.into_parts();
    let bytes = to_bytes(body).await.unwrap_or_default();
    let body = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut problem)) => {
            problem.insert("instance".to_owned(), serde_json::Value::String(path));
            if let Some(id) = request_id {
                problem.insert("request_id".to_owned(), serde_json::Value::String(id));
            }
            serde_json::to_vec(&problem).unwrap_or_else(|_| bytes.to_vec())
        }
        _ => bytes.to_vec(),
    };
    let response = head.set_body(body).map_into_boxed_body();
    Ok(ServiceResponse::new(request, response))
}

/// How long a client may take to send a request's head.
pub const CLIENT_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);
/// How long a client may take to close the connection after the answer.
pub const CLIENT_DISCONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// How the HTTP workers reach the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pools {
    /// Each worker opens pools of its own with its share of the connections
    /// ([`AppState::for_worker`]): what `newsmeta serve` does.
    PerWorker,
    /// Every worker uses the state's connections as they are: for a connection that must stay
    /// the one given, such as the statement recorder of the query-count tests.
    Shared,
}

/// Starts serving on `listener`; the returned server runs when awaited (or spawned). It does not
/// watch for signals: stop it through its handle (`Server::handle`), as `newsmeta serve` does on SIGTERM/SIGINT.
pub fn serve(
    listener: std::net::TcpListener,
    state: AppState,
    pools: Pools,
) -> std::io::Result<actix_web::dev::Server> {
    serve_with(listener, state, pools, std::time::Duration::from_secs(30))
}

/// [`serve`], with the time a graceful stop gives requests in flight before it cuts them.
pub fn serve_with(
    listener: std::net::TcpListener,
    state: AppState,
    pools: Pools,
    shutdown_timeout: std::time::Duration,
) -> std::io::Result<actix_web::dev::Server> {
    // Named here, not left to actix, because the pools are split by it.
    let workers = crate::config::http_workers();
    let share_among = u32::try_from(workers).unwrap_or(u32::MAX);
    Ok(actix_web::HttpServer::new(move || match pools {
        // The factory runs once on each worker thread, so the pools it opens are that worker's.
        Pools::PerWorker => build(state.for_worker(share_among)),
        Pools::Shared => build(state.clone()),
    })
    .workers(workers)
    // actix would stop at once on SIGINT; `newsmeta serve` stops gracefully on both signals.
    .disable_signals()
    .shutdown_timeout(shutdown_timeout.as_secs())
    // A client gets this long to send a request's head (slowloris); the body is then read
    // under REQUEST_TIMEOUT, by the handler.
    .client_request_timeout(CLIENT_REQUEST_TIMEOUT)
    // And this long to close its side after the answer, before the connection is dropped.
    .client_disconnect_timeout(CLIENT_DISCONNECT_TIMEOUT)
    .listen(listener)?
    .run())
}

/// OpenAPI links from each create to what can be done with the result: clients (and the contract
/// fuzzer, which follows them into get → patch → delete sequences) learn which member of the
/// answer fills which parameter of the next call.
fn add_links(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::link::LinkBuilder;
    use utoipa::openapi::RefOr;

    // (path, method, status) of a create, then (link name, operation id, parameters) it leads to.
    type Target = (
        &'static str,
        &'static str,
        &'static [(&'static str, &'static str)],
    );
    const ID: &str = "$response.body#/id";
    const ETAG: &str = "$response.header.ETag";
    let article: &[(&str, &str)] = &[("article", ID)];
    let id: &[(&str, &str)] = &[("id", ID)];
    let id_if_match: &[(&str, &str)] = &[("id", ID), ("header.If-Match", ETAG)];
    let entity: &[(&str, &str)] = &[("entity", ID)];
    let entity_if_match: &[(&str, &str)] = &[("entity", ID), ("header.If-Match", ETAG)];
    let mention: &[(&str, &str)] = &[
        ("article", "$request.path.article"),
        ("entity", "$request.path.entity"),
    ];
    let creates: [(&str, &str, &[&str], Vec<Target>); 5] = [
        (
            "/v1/articles",
            "post",
            &["201"],
            vec![
                ("GetArticle", "get_article", article),
                // The created article comes with its sections, quotes and entities, so its ETag
                // is not the bare article's that If-Match compares with: no If-Match here.
                ("PatchArticle", "patch_article", article),
                ("DeleteArticle", "delete_article", article),
                ("ListSections", "list_sections", article),
                ("CreateSection", "create_section", article),
                ("ListQuotes", "list_article_quotes", article),
                ("CreateQuote", "create_quote", article),
                ("ListMentions", "list_mentions", article),
            ],
        ),
        (
            "/v1/articles/{article}/sections",
            "post",
            &["201"],
            vec![
                ("GetSection", "get_section", id),
                ("PatchSection", "patch_section", id_if_match),
                ("DeleteSection", "delete_section", id_if_match),
            ],
        ),
        (
            "/v1/articles/{article}/quotes",
            "post",
            &["201"],
            vec![
                ("GetQuote", "get_quote", id),
                ("PatchQuote", "patch_quote", id_if_match),
                ("DeleteQuote", "delete_quote", id_if_match),
            ],
        ),
        (
            "/v1/entities",
            "post",
            &["201"],
            vec![
                ("GetEntity", "get_entity", entity),
                ("PatchEntity", "patch_entity", entity_if_match),
                ("DeleteEntity", "delete_entity", entity_if_match),
                ("ListArticles", "list_entity_articles", entity),
                ("ListQuotes", "list_entity_quotes", entity),
                ("Merge", "merge_entity", entity),
            ],
        ),
        (
            "/v1/articles/{article}/entities/{entity}",
            "put",
            &["200", "201"],
            vec![
                ("GetMention", "get_mention", mention),
                ("DeleteMention", "delete_mention", mention),
            ],
        ),
    ];
    for (path, method, statuses, targets) in creates {
        let Some(item) = doc.paths.paths.get_mut(path) else {
            continue;
        };
        let operation = match method {
            "post" => item.post.as_mut(),
            "put" => item.put.as_mut(),
            _ => None,
        };
        let Some(operation) = operation else {
            continue;
        };
        for status in statuses {
            let Some(RefOr::T(response)) = operation.responses.responses.get_mut(*status) else {
                continue;
            };
            for (name, operation_id, parameters) in &targets {
                let link = parameters
                    .iter()
                    .fold(
                        LinkBuilder::new().operation_id(*operation_id),
                        |link, (name, value)| link.parameter(*name, *value),
                    )
                    .build();
                response.links.insert((*name).to_owned(), RefOr::T(link));
            }
        }
    }
}
