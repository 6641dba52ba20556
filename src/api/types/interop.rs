//! An article in the formats of other newsroom tools: schema.org `NewsArticle` JSON-LD and IPTC
//! ninjs 2.2. They are built from [`super::Article`] by `crate::api::interop`; these types only say
//! what the documents look like.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// The schema.org class of an entity node, by the entity's kind: `person` → `Person`,
/// `organization` → `Organization`, `location` → `Place`, `event` → `Event`, `other` → `Thing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub enum SchemaOrgType {
    Person,
    Organization,
    Place,
    Event,
    Thing,
}

/// A schema.org `NewsArticle` as JSON-LD (`Accept: application/ld+json`).
///
/// Entities are `mentions` (all of them) and `about` (the most-mentioned: at most three, each
/// mentioned at least twice and at least half as often as the most-mentioned one). Quotes are
/// `Quotation` parts of the article (`hasPart`), each `isPartOf` the article.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "@id": "http://127.0.0.1:8080/v1/articles/01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c4d",
    "identifier": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c4d",
    "headline": "US officials accuse successive UK governments of having 'let down' the British people on immigration",
    "articleBody": "Senior US officials have issued a stark condemnation of the United Kingdom's approach to immigration, ...",
    "articleSection": "politics",
    "inLanguage": "en",
    "keywords": ["immigration", "diplomacy", "united-kingdom", "united-states"],
    "author": [],
    "dateCreated": "2026-11-27T09:00:00Z",
    "dateModified": "2026-11-27T09:00:00Z",
    "version": 1,
    "wordCount": 416,
    "about": [
        {"@type": "Place", "@id": "http://127.0.0.1:8080/v1/entities/01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c52", "identifier": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c52", "name": "United Kingdom", "sameAs": "https://www.wikidata.org/wiki/Q145"}
    ],
    "mentions": [
        {"@type": "Place", "@id": "http://127.0.0.1:8080/v1/entities/01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c52", "identifier": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c52", "name": "United Kingdom", "sameAs": "https://www.wikidata.org/wiki/Q145"},
        {"@type": "Person", "@id": "http://127.0.0.1:8080/v1/entities/01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c51", "identifier": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c51", "name": "Donald Trump", "sameAs": "https://www.wikidata.org/wiki/Q22686"}
    ],
    "hasPart": [
        {"@type": "Quotation", "@id": "http://127.0.0.1:8080/v1/quotes/01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c50",
         "identifier": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c50", "position": 6,
         "text": "I would stop it, and it doesn't matter if you call out the military.", "creditText": "Mr Trump",
         "spokenByCharacter": {"@type": "Person", "@id": "http://127.0.0.1:8080/v1/entities/01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c51", "identifier": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c51", "name": "Donald Trump", "sameAs": "https://www.wikidata.org/wiki/Q22686"},
         "creator": {"@type": "Person", "@id": "http://127.0.0.1:8080/v1/entities/01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c51", "identifier": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c51", "name": "Donald Trump", "sameAs": "https://www.wikidata.org/wiki/Q22686"},
         "isPartOf": {"@id": "http://127.0.0.1:8080/v1/articles/01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c4d"}}
    ]
}))]
pub struct NewsArticleLd {
    /// Always `https://schema.org`.
    #[serde(rename = "@context")]
    pub context: String,
    /// Always `NewsArticle`.
    #[serde(rename = "@type")]
    pub schema_type: String,
    /// The article's URL in this API.
    #[serde(rename = "@id")]
    pub node_id: String,
    /// The article's id.
    pub identifier: String,
    pub headline: String,
    /// The standfirst, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub article_body: String,
    /// The category, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article_section: Option<String>,
    /// BCP 47 language tag.
    pub in_language: String,
    pub keywords: Vec<String>,
    /// Where the article was published (`source_url`), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The authors, as `Person`s.
    pub author: Vec<NamedNodeLd>,
    /// The publisher, as an `Organization`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher: Option<NamedNodeLd>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_published: Option<DateTime<Utc>>,
    /// When the article was stored here.
    pub date_created: DateTime<Utc>,
    pub date_modified: DateTime<Utc>,
    /// The article's `version`.
    pub version: i64,
    pub word_count: i32,
    /// The entities the article is mainly about (see above for the rule).
    pub about: Vec<EntityNodeLd>,
    /// Every entity the article mentions, most mentioned first.
    pub mentions: Vec<EntityNodeLd>,
    /// The article's quotes, in order.
    pub has_part: Vec<QuotationLd>,
}

/// A person or organisation known only by name (an author, the publisher).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NamedNodeLd {
    /// `Person` or `Organization`.
    #[serde(rename = "@type")]
    pub schema_type: SchemaOrgType,
    pub name: String,
}

/// An entity as a schema.org node, typed by its kind.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EntityNodeLd {
    #[serde(rename = "@type")]
    pub schema_type: SchemaOrgType,
    /// The entity's URL in this API.
    #[serde(rename = "@id")]
    pub node_id: String,
    /// The entity's id.
    pub identifier: String,
    pub name: String,
    /// Its Wikidata page (`https://www.wikidata.org/wiki/Q…`), when the entity has a `wikidata_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_as: Option<String>,
}

/// A quote as a schema.org `Quotation`.
///
/// `spokenByCharacter` and `creator` name the speaker when it is a `Person` or an `Organization`,
/// the types schema.org expects there; a speaker of another kind (a country speaking through its
/// officials) is left out of both, and `creditText` keeps the attribution as the article writes it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QuotationLd {
    /// Always `Quotation`.
    #[serde(rename = "@type")]
    pub schema_type: String,
    /// The quote's URL in this API.
    #[serde(rename = "@id")]
    pub node_id: String,
    /// The quote's id.
    pub identifier: String,
    /// Order of the quote in the article.
    pub position: i32,
    /// The quoted words.
    pub text: String,
    /// The speaker as the article names them (`speaker_label`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spoken_by_character: Option<EntityNodeLd>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creator: Option<EntityNodeLd>,
    /// The article, by its `@id`.
    pub is_part_of: NodeRefLd,
}

/// A reference to a node by its `@id`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NodeRefLd {
    #[serde(rename = "@id")]
    pub node_id: String,
}

/// An IPTC ninjs 2.2 news item (`Accept: application/vnd.ninjs+json`), valid against
/// `http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json`.
///
/// Entities go to `people`, `organisations`, `places`, `events` or (kind `other`) `subjects` by
/// kind, with `rel` `mentioned`, `uri` the Wikidata entity when known (otherwise the entity's URL
/// here) and `literal` its slug. The category and keywords are `subjects` too (`rel` `category`,
/// `keyword`). ninjs has no place for quotes; use the JSON or JSON-LD form for them.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "uri": "http://127.0.0.1:8080/v1/articles/01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c4d",
    "standard": {"name": "ninjs", "version": "2.2", "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json"},
    "type": "text",
    "representationtype": "full",
    "version": "1",
    "firstcreated": "2026-11-27T09:00:00Z",
    "versioncreated": "2026-11-27T09:00:00Z",
    "pubstatus": "usable",
    "language": "en",
    "slugline": "us-officials-condemn-uk-immigration-approach",
    "headlines": [{"role": "main", "value": "US officials accuse successive UK governments of having 'let down' the British people on immigration"}],
    "bodies": [{"role": "main", "contenttype": "text/plain", "charcount": 2710, "wordcount": 416,
                "value": "Senior US officials have issued a stark condemnation of the United Kingdom's approach to immigration, ..."}],
    "people": [{"name": "Donald Trump", "rel": "mentioned", "uri": "http://www.wikidata.org/entity/Q22686", "literal": "donald-trump"}],
    "organisations": [{"name": "The Times", "rel": "mentioned", "uri": "http://www.wikidata.org/entity/Q50008", "literal": "the-times"}],
    "places": [{"name": "United Kingdom", "rel": "mentioned", "uri": "http://www.wikidata.org/entity/Q145", "literal": "united-kingdom"}],
    "subjects": [{"name": "politics", "rel": "category", "literal": "politics"},
                 {"name": "immigration", "rel": "keyword", "literal": "immigration"}],
    "altids": [{"role": "newsmeta-id", "value": "01936b4e-6b1a-7c3e-9a40-3f2d8e1b2c4d"}]
}))]
pub struct Ninjs {
    /// The article's URL in this API.
    pub uri: String,
    /// Which standard and schema this document follows.
    pub standard: NinjsStandard,
    /// Always `text`.
    #[serde(rename = "type")]
    pub item_type: String,
    /// Always `full`: every field the article has is here.
    pub representationtype: String,
    /// The article's `version`.
    pub version: String,
    /// When the article was stored here.
    pub firstcreated: DateTime<Utc>,
    /// When the article last changed.
    pub versioncreated: DateTime<Utc>,
    /// When the article was published at its source (`published_at`), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contentcreated: Option<DateTime<Utc>>,
    /// Always `usable`.
    pub pubstatus: String,
    /// BCP 47 language tag.
    pub language: String,
    /// The article's slug.
    pub slugline: String,
    /// The authors, joined by commas.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The headline, role `main`.
    pub headlines: Vec<NinjsText>,
    /// The standfirst, role `summary`, when there is one.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub descriptions: Vec<NinjsText>,
    /// The body as plain text, role `main`.
    pub bodies: Vec<NinjsBody>,
    /// The publisher, when known.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub infosources: Vec<NinjsNamed>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<NinjsConcept>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub organisations: Vec<NinjsConcept>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub places: Vec<NinjsConcept>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<NinjsConcept>,
    /// Entities of kind `other`, the category and the keywords.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<NinjsConcept>,
    /// The article's id here (`newsmeta-id`) and its source URL (`source-url`), when known.
    pub altids: Vec<NinjsAltId>,
}

/// The standard a ninjs document follows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NinjsStandard {
    /// `ninjs`.
    pub name: String,
    /// `2.2`.
    pub version: String,
    /// The URI of the ninjs 2.2 JSON Schema.
    pub schema: String,
}

/// A headline or description.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NinjsText {
    pub role: String,
    pub value: String,
}

/// A body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NinjsBody {
    /// `main`.
    pub role: String,
    /// `text/plain`.
    pub contenttype: String,
    /// Characters in `value`.
    pub charcount: i64,
    /// Words in `value`.
    pub wordcount: i32,
    pub value: String,
}

/// A party known by name (the publisher).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NinjsNamed {
    pub name: String,
}

/// A person, organisation, place, event or subject the article relates to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NinjsConcept {
    pub name: String,
    /// How the article relates to it: `mentioned`, `category` or `keyword`.
    pub rel: String,
    /// Its Wikidata entity (`http://www.wikidata.org/entity/Q…`) when known, otherwise the entity's
    /// URL here; absent for the category and keywords.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// The entity's slug, or the category or keyword itself.
    pub literal: String,
}

/// Another identifier of the article.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NinjsAltId {
    pub role: String,
    pub value: String,
}
