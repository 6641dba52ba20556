//! Sparse fieldsets: `fields=slug,headline` answers only the members named (and `id`), so a
//! dashboard that polls a list gets a small answer.
//!
//! The names are checked against the response type's own OpenAPI schema (its `ToSchema`), so the
//! members a client may name can never drift from the members the type has. A dotted path
//! (`sections.heading`, `entity.name`) narrows a nested object, or each object of a nested list.
//! Pruning works on the serialised answer, and only when `fields` is given: without it the answer
//! is serialised straight from the type, as before.

use std::collections::{BTreeMap, HashMap};

use actix_web::HttpRequest;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::openapi::schema::{ArrayItems, Object, Schema};
use utoipa::openapi::RefOr;
use utoipa::{IntoParams, ToSchema};

use super::http::{self, Json};
use crate::error::ApiError;

/// The `fields` parameter of a route that takes no other.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FieldsParams {
    /// Comma-separated members to answer (in a list, of each item); the members not named are
    /// left out, `id` is always there. A dotted path narrows a nested object (`entity.name`,
    /// `speaker.name`). An unknown name is a 400 listing the members.
    fields: Option<String>,
}

/// A member that another parameter puts in the answer (`include=sections`, `highlight=true`).
/// When it is there, `fields` keeps it whole unless a dotted path narrows it; a dotted path into
/// it when it is not there is a 400 saying how to ask for it.
pub struct Embedded {
    /// The member's name in the resource.
    pub member: &'static str,
    /// Whether this answer has it.
    pub present: bool,
    /// The parameter that puts it in the answer, for the error (`include=sections`).
    pub asked_with: &'static str,
}

impl Embedded {
    /// `highlights`, there in a list searched with `q` and `highlight=true`.
    pub fn highlights(present: bool) -> Self {
        Self {
            member: "highlights",
            present,
            asked_with: "highlight=true` and `q",
        }
    }
}

/// The members of a resource a request asked for with `fields`; all of them when it did not.
#[derive(Debug, Default)]
pub struct Fields(Option<Selection>);

impl Fields {
    /// Reads `fields` for answers of type `T`.
    pub fn parse<T: ToSchema>(value: Option<&str>) -> Result<Self, ApiError> {
        Self::parse_embedding::<T>(value, &[])
    }

    /// Reads `fields` for answers of type `T` that carry the `embedded` members when present.
    pub fn parse_embedding<T: ToSchema>(
        value: Option<&str>,
        embedded: &[Embedded],
    ) -> Result<Self, ApiError> {
        let Some(text) = value else {
            return Ok(Self(None));
        };
        let paths: Vec<&str> = text
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if paths.is_empty() {
            return Err(ApiError::bad_request(
                "fields",
                "names no member: give member names separated by commas (`fields=slug,headline`), \
                 or leave `fields` out for every member",
            ));
        }
        let schemas = Schemas::of::<T>();
        let root = schemas.object(&schemas.root).ok_or_else(|| {
            ApiError::Internal(anyhow::anyhow!("{} has no members to pick", T::name()))
        })?;
        let mut selection = Selection::default();
        for path in paths {
            check_embedded(path, embedded)?;
            let segments: Vec<&str> = path.split('.').collect();
            selection.add(path, &segments, root, &schemas)?;
        }
        for extra in embedded.iter().filter(|e| e.present) {
            selection.0.entry(extra.member.to_owned()).or_insert(None);
        }
        selection.add_identity(root, &schemas);
        Ok(Self(Some(selection)))
    }

    /// Whether `fields` was left out (every member is answered).
    pub fn is_all(&self) -> bool {
        self.0.is_none()
    }

    /// Whether the answer has the top-level `member` (all do without `fields`): a member left out
    /// need not be read at all.
    pub fn keeps(&self, member: &str) -> bool {
        self.0
            .as_ref()
            .is_none_or(|selection| selection.0.contains_key(member))
    }

    /// `value` as JSON with only the members asked for, and the ETag of exactly that.
    pub fn json(&self, value: &impl Serialize) -> Result<Json, ApiError> {
        self.json_at(value, "")
    }

    /// Like [`Fields::json`], narrowing the resource (or list of resources) at the JSON `pointer`
    /// inside `value` (`/data` in a page) and leaving the rest as it is.
    pub fn json_at(&self, value: &impl Serialize, pointer: &str) -> Result<Json, ApiError> {
        let Some(selection) = &self.0 else {
            return Json::new(value);
        };
        let mut value = serde_json::to_value(value).map_err(|e| ApiError::Internal(e.into()))?;
        if let Some(target) = value.pointer_mut(pointer) {
            selection.prune(target);
        }
        Json::new(&value)
    }
}

/// Reads `fields` for a route whose only query parameter it is (unknown parameters are a 400).
pub fn from_query<T: ToSchema>(req: &HttpRequest) -> Result<Fields, ApiError> {
    let params: FieldsParams = http::query(req)?;
    Fields::parse::<T>(params.fields.as_deref())
}

/// 400 for a dotted path into an embedded member that this answer does not have.
fn check_embedded(path: &str, embedded: &[Embedded]) -> Result<(), ApiError> {
    let Some((head, _)) = path.split_once('.') else {
        return Ok(());
    };
    match embedded.iter().find(|e| e.member == head && !e.present) {
        Some(missing) => Err(ApiError::bad_request(
            "fields",
            format!(
                "names `{path}`, but `{head}` is not in this answer: ask for it with `{}`",
                missing.asked_with
            ),
        )),
        None => Ok(()),
    }
}

/// The members to keep at one level of a resource, each with the members to keep inside it
/// (`None`: all of it).
#[derive(Debug, Default)]
struct Selection(BTreeMap<String, Option<Selection>>);

impl Selection {
    /// Adds the member at `segments` (the rest of `path`), checked against `object`.
    fn add(
        &mut self,
        path: &str,
        segments: &[&str],
        object: &Object,
        schemas: &Schemas,
    ) -> Result<(), ApiError> {
        let Some((name, rest)) = segments.split_first() else {
            return Ok(());
        };
        let Some(member) = object.properties.get(*name) else {
            return Err(unknown_member(path, segments.len(), object));
        };
        if rest.is_empty() {
            self.0.insert((*name).to_owned(), None);
            return Ok(());
        }
        let Some(inner) = schemas.object(member) else {
            return Err(ApiError::bad_request(
                "fields",
                format!("names `{path}`, but `{name}` has no members to pick"),
            ));
        };
        let mut narrowed = Selection::default();
        narrowed.add(path, rest, inner, schemas)?;
        // A member named whole stays whole, whatever else names parts of it.
        if let Some(existing) = self
            .0
            .entry((*name).to_owned())
            .or_insert_with(|| Some(Selection::default()))
        {
            existing.merge(narrowed);
        }
        Ok(())
    }

    fn merge(&mut self, other: Selection) {
        for (name, inner) in other.0 {
            match (self.0.get_mut(&name), inner) {
                (Some(Some(existing)), Some(inner)) => existing.merge(inner),
                (Some(None), _) => {}
                (_, inner) => {
                    self.0.insert(name, inner);
                }
            }
        }
    }

    /// Keeps what identifies each object: its `id`, or, in an object without one (a mention),
    /// the `id` of each object it must hold (the mention's `entity`).
    fn add_identity(&mut self, object: &Object, schemas: &Schemas) {
        if object.properties.contains_key("id") {
            self.0.entry("id".to_owned()).or_insert(None);
        } else {
            for name in &object.required {
                let identified = object
                    .properties
                    .get(name)
                    .and_then(|member| schemas.object(member))
                    .is_some_and(|inner| inner.properties.contains_key("id"));
                if identified {
                    self.0
                        .entry(name.clone())
                        .or_insert_with(|| Some(Selection::default()));
                }
            }
        }
        for (name, inner) in &mut self.0 {
            let member = object.properties.get(name);
            if let (Some(inner), Some(member)) = (inner, member.and_then(|m| schemas.object(m))) {
                inner.add_identity(member, schemas);
            }
        }
    }

    /// Drops from `value` (an object, or a list of them) every member not selected.
    fn prune(&self, value: &mut Value) {
        match value {
            Value::Object(members) => {
                members.retain(|name, _| self.0.contains_key(name));
                for (name, member) in members.iter_mut() {
                    if let Some(Some(inner)) = self.0.get(name) {
                        inner.prune(member);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|item| self.prune(item)),
            _ => {}
        }
    }
}

/// 400 for a name that is not a member, listing the members there are at that level.
fn unknown_member(path: &str, remaining: usize, object: &Object) -> ApiError {
    let segments: Vec<&str> = path.split('.').collect();
    let parent = segments[..segments.len() - remaining].join(".");
    let names: Vec<&str> = object.properties.keys().map(String::as_str).collect();
    let of = if parent.is_empty() {
        String::new()
    } else {
        format!(" of `{parent}`")
    };
    ApiError::bad_request(
        "fields",
        format!(
            "names `{path}`, which is not a member{of}; the members{of} are {}",
            names.join(", ")
        ),
    )
}

/// A response type's schema with every schema it refers to, by name.
struct Schemas {
    root: RefOr<Schema>,
    named: HashMap<String, RefOr<Schema>>,
}

impl Schemas {
    fn of<T: ToSchema>() -> Self {
        let mut referenced = Vec::new();
        T::schemas(&mut referenced);
        Self {
            root: T::schema(),
            named: referenced.into_iter().collect(),
        }
    }

    /// The object with members that `schema` answers: itself, the schema it refers to, the item
    /// of a list, or the non-null choice of a nullable one. `None` for strings, numbers, enums.
    fn object<'a>(&'a self, schema: &'a RefOr<Schema>) -> Option<&'a Object> {
        match schema {
            RefOr::Ref(reference) => {
                let name = reference.ref_location.rsplit('/').next()?;
                self.object(self.named.get(name)?)
            }
            RefOr::T(Schema::Object(object)) => (!object.properties.is_empty()).then_some(object),
            RefOr::T(Schema::Array(array)) => match &array.items {
                ArrayItems::RefOrSchema(item) => self.object(item),
                _ => None,
            },
            RefOr::T(Schema::OneOf(choice)) => choice.items.iter().find_map(|s| self.object(s)),
            RefOr::T(Schema::AnyOf(choice)) => choice.items.iter().find_map(|s| self.object(s)),
            RefOr::T(Schema::AllOf(all)) => all.items.iter().find_map(|s| self.object(s)),
            RefOr::T(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::api::types::{Article, Mention};
    use serde_json::json;

    fn pruned<T: ToSchema>(fields: &str, embedded: &[Embedded], mut value: Value) -> Value {
        let fields = Fields::parse_embedding::<T>(Some(fields), embedded).unwrap();
        fields.0.unwrap().prune(&mut value);
        value
    }

    #[test]
    fn a_mention_keeps_the_id_of_its_entity() {
        let mention = json!({"entity": {"id": "e", "slug": "s", "name": "n", "kind": "person"},
                             "mention_count": 2, "first_offset": 3, "salience": null});
        assert_eq!(
            pruned::<Mention>("mention_count", &[], mention.clone()),
            json!({"entity": {"id": "e"}, "mention_count": 2})
        );
        assert_eq!(
            pruned::<Mention>("entity.name", &[], mention),
            json!({"entity": {"id": "e", "name": "n"}})
        );
    }

    #[test]
    fn a_member_named_whole_stays_whole() {
        let article = json!({"id": "a", "headline": "h", "sections": [{"id": "s", "heading": "x", "body": "b"}]});
        let embedded = [Embedded {
            member: "sections",
            present: true,
            asked_with: "include=sections",
        }];
        assert_eq!(
            pruned::<Article>(
                "headline,sections.heading, sections",
                &embedded,
                article.clone()
            ),
            article
        );
        assert_eq!(
            pruned::<Article>("headline", &embedded, article.clone()),
            article
        );
        assert_eq!(
            pruned::<Article>("sections.heading", &embedded, article),
            json!({"id": "a", "sections": [{"id": "s", "heading": "x"}]})
        );
    }
}
