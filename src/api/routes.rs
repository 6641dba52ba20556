//! Which methods each path has, read from the OpenAPI document (the routes registered with
//! utoipa-actix-web), so that a request for a known path with another method is a 405 with
//! `Allow`, and `OPTIONS` answers `Allow`, without a hand-kept list.

use actix_web::http::Method;
use utoipa::openapi::OpenApi;

/// One path template (`/v1/articles/{article}`) and its methods.
#[derive(Debug, Clone)]
struct Route {
    /// `None` for a `{parameter}` segment.
    segments: Vec<Option<String>>,
    methods: Vec<Method>,
}

impl Route {
    fn matches(&self, path: &str) -> bool {
        let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        parts.len() == self.segments.len()
            && parts
                .iter()
                .zip(&self.segments)
                .all(|(part, segment)| match segment {
                    Some(literal) => literal == part,
                    None => !part.is_empty(),
                })
    }
}

/// The routes of an OpenAPI document.
#[derive(Debug, Clone, Default)]
pub struct RouteTable(Vec<Route>);

impl RouteTable {
    pub fn from_openapi(doc: &OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let segments = template
                    .trim_end_matches('/')
                    .split('/')
                    .map(|segment| {
                        let parameter = segment.starts_with('{') && segment.ends_with('}');
                        (!parameter).then(|| segment.to_owned())
                    })
                    .collect();
                let operations = [
                    (Method::GET, item.get.is_some()),
                    (Method::PUT, item.put.is_some()),
                    (Method::POST, item.post.is_some()),
                    (Method::DELETE, item.delete.is_some()),
                    (Method::PATCH, item.patch.is_some()),
                ];
                let mut methods: Vec<Method> = operations
                    .into_iter()
                    .filter_map(|(method, present)| present.then_some(method))
                    .collect();
                if methods.contains(&Method::GET) {
                    methods.insert(1, Method::HEAD);
                }
                methods.push(Method::OPTIONS);
                Route { segments, methods }
            })
            .collect();
        Self(routes)
    }

    /// The `Allow` value for `path` (`GET, HEAD, PATCH, DELETE, OPTIONS`), when it is a known path.
    /// A literal template wins over one with parameters, as in the router.
    pub fn allow(&self, path: &str) -> Option<String> {
        let mut matching: Vec<&Route> = self.0.iter().filter(|r| r.matches(path)).collect();
        matching.sort_by_key(|r| r.segments.iter().filter(|s| s.is_none()).count());
        let route = matching.first()?;
        let names: Vec<&str> = route.methods.iter().map(Method::as_str).collect();
        Some(names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_knows_the_methods_of_each_documented_path() {
        let table = RouteTable::from_openapi(&crate::app::openapi());
        assert_eq!(
            table.allow("/v1/articles").as_deref(),
            Some("GET, HEAD, POST, OPTIONS")
        );
        assert_eq!(
            table.allow("/v1/articles/some-slug").as_deref(),
            Some("GET, HEAD, DELETE, PATCH, OPTIONS")
        );
        assert_eq!(
            table.allow("/v1/articles:batch").as_deref(),
            Some("POST, OPTIONS")
        );
        assert_eq!(table.allow("/v1/nothing-here"), None);
        assert_eq!(table.allow("/v1/articles/a/b/c"), None);
    }
}
