//! An article in other newsroom formats: which one a request asks for (`Accept`, with q-values),
//! and the pure mappings from [`Article`] to schema.org `NewsArticle` JSON-LD and IPTC ninjs 2.2.

use std::collections::HashMap;

use uuid::Uuid;

use super::types::{
    Article, EntityKind, EntityNodeLd, EntitySummary, Mention, NamedNodeLd, NewsArticleLd, Ninjs,
    NinjsAltId, NinjsBody, NinjsConcept, NinjsNamed, NinjsStandard, NinjsText, NodeRefLd,
    QuotationLd, SchemaOrgType,
};
use crate::domain;
use crate::error::ApiError;

/// The forms `GET /v1/articles/{article}` answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleFormat {
    /// This API's own JSON (`application/json`), the default.
    Json,
    /// schema.org `NewsArticle` (`application/ld+json`).
    JsonLd,
    /// IPTC ninjs 2.2 (`application/vnd.ninjs+json`).
    Ninjs,
}

impl ArticleFormat {
    /// In the order the service prefers them when the client has no preference.
    pub const ALL: [ArticleFormat; 3] = [
        ArticleFormat::Json,
        ArticleFormat::JsonLd,
        ArticleFormat::Ninjs,
    ];

    pub fn media_type(self) -> &'static str {
        match self {
            ArticleFormat::Json => "application/json",
            ArticleFormat::JsonLd => "application/ld+json",
            ArticleFormat::Ninjs => "application/vnd.ninjs+json",
        }
    }
}

/// One media range of an `Accept` header.
struct MediaRange {
    kind: String,
    subtype: String,
    quality: f32,
}

impl MediaRange {
    /// Parses `type/subtype;param=value;q=0.5`; `None` for what is not a media range.
    fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split(';');
        let (kind, subtype) = parts.next()?.trim().split_once('/')?;
        let (kind, subtype) = (kind.trim(), subtype.trim());
        if kind.is_empty() || subtype.is_empty() || (kind == "*" && subtype != "*") {
            return None;
        }
        let mut quality = 1.0;
        for param in parts {
            if let Some((name, value)) = param.split_once('=') {
                if name.trim().eq_ignore_ascii_case("q") {
                    quality = value
                        .trim()
                        .parse::<f32>()
                        .ok()
                        .filter(|q| (0.0..=1.0).contains(q))?;
                }
            }
        }
        Some(Self {
            kind: kind.to_ascii_lowercase(),
            subtype: subtype.to_ascii_lowercase(),
            quality,
        })
    }

    /// How specifically this range names `media_type` (2 exact, 1 `type/*`, 0 `*/*`), if at all.
    fn specificity(&self, media_type: &str) -> Option<u8> {
        let (kind, subtype) = media_type.split_once('/')?;
        match (self.kind.as_str(), self.subtype.as_str()) {
            ("*", "*") => Some(0),
            (k, "*") if k == kind => Some(1),
            (k, s) if k == kind && s == subtype => Some(2),
            _ => None,
        }
    }
}

/// Picks the form for an `Accept` header (RFC 9110 §12.5.1). Each form takes the quality of the
/// most specific range that names it; the highest non-zero quality wins, ties going to the more
/// specific range, then to the range the client listed first, then to plain JSON. No header,
/// or an empty one, means JSON; a header that rules out all three is a 406 listing them.
pub fn negotiate(accept: Option<&str>) -> Result<ArticleFormat, ApiError> {
    let Some(header) = accept.filter(|h| !h.trim().is_empty()) else {
        return Ok(ArticleFormat::Json);
    };
    let ranges: Vec<MediaRange> = header.split(',').filter_map(MediaRange::parse).collect();
    let mut best: Option<(ArticleFormat, f32, u8, usize)> = None;
    for format in ArticleFormat::ALL {
        // The most specific range naming this form decides its quality.
        let Some((index, range, specificity)) = ranges
            .iter()
            .enumerate()
            .filter_map(|(i, r)| r.specificity(format.media_type()).map(|s| (i, r, s)))
            .max_by(|a, b| a.2.cmp(&b.2).then(b.0.cmp(&a.0)))
        else {
            continue;
        };
        if range.quality <= 0.0 {
            continue;
        }
        let better = match best {
            None => true,
            Some((_, quality, best_specificity, best_index)) => {
                range.quality > quality
                    || (range.quality == quality
                        && (specificity > best_specificity
                            || (specificity == best_specificity && index < best_index)))
            }
        };
        if better {
            best = Some((format, range.quality, specificity, index));
        }
    }
    best.map(|(format, ..)| format).ok_or_else(|| {
        let available: Vec<&str> = ArticleFormat::ALL.iter().map(|f| f.media_type()).collect();
        ApiError::not_acceptable("Accept", header, &available)
    })
}

/// What the mappings need besides the article: where this service answers (for the URIs that
/// name the article, its quotes and its entities) and the entities' Wikidata ids.
pub struct Links<'a> {
    /// `scheme://host[:port]` of this service, as the client reached it.
    pub base_url: &'a str,
    /// Wikidata item ids (`Q145`) by entity id, for the entities that have one.
    pub wikidata: &'a HashMap<Uuid, String>,
}

impl Links<'_> {
    fn article(&self, id: Uuid) -> String {
        format!("{}/v1/articles/{id}", self.base_url)
    }

    fn entity(&self, id: Uuid) -> String {
        format!("{}/v1/entities/{id}", self.base_url)
    }

    fn quote(&self, id: Uuid) -> String {
        format!("{}/v1/quotes/{id}", self.base_url)
    }
}

/// The most entities `about` names.
pub const ABOUT_MAX: usize = 3;

/// The entities an article is mainly about: the most-mentioned ones, at most [`ABOUT_MAX`], each
/// mentioned at least twice and at least half as often as the most-mentioned entity. On the seed
/// that is the United Kingdom (7), the United States (5) and Donald Trump (4).
pub fn about(mentions: &[Mention]) -> Vec<&Mention> {
    let mut ranked: Vec<&Mention> = mentions.iter().collect();
    ranked.sort_by(|a, b| {
        b.mention_count
            .cmp(&a.mention_count)
            .then_with(|| a.entity.name.cmp(&b.entity.name))
    });
    let top = ranked.first().map_or(0, |m| m.mention_count);
    ranked
        .into_iter()
        .filter(|m| m.mention_count >= 2 && m.mention_count * 2 >= top)
        .take(ABOUT_MAX)
        .collect()
}

fn schema_org_type(kind: EntityKind) -> SchemaOrgType {
    match kind {
        EntityKind::Person => SchemaOrgType::Person,
        EntityKind::Organization => SchemaOrgType::Organization,
        EntityKind::Location => SchemaOrgType::Place,
        EntityKind::Event => SchemaOrgType::Event,
        EntityKind::Other => SchemaOrgType::Thing,
    }
}

fn entity_node(entity: &EntitySummary, links: &Links) -> EntityNodeLd {
    EntityNodeLd {
        schema_type: schema_org_type(entity.kind),
        node_id: links.entity(entity.id),
        identifier: entity.id.to_string(),
        name: entity.name.clone(),
        same_as: links
            .wikidata
            .get(&entity.id)
            .map(|q| format!("https://www.wikidata.org/wiki/{q}")),
    }
}

/// The article as a schema.org `NewsArticle`. Uses `article.entities` and `article.quotes`; the
/// caller loads them.
pub fn news_article(article: &Article, links: &Links) -> NewsArticleLd {
    let mentions = article.entities.as_deref().unwrap_or_default();
    let article_id = links.article(article.id);
    let quotations = article
        .quotes
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|quote| {
            // spokenByCharacter and creator expect a Person or an Organization.
            let speaker = quote
                .speaker
                .as_ref()
                .filter(|s| matches!(s.kind, EntityKind::Person | EntityKind::Organization))
                .map(|s| entity_node(s, links));
            QuotationLd {
                schema_type: "Quotation".to_owned(),
                node_id: links.quote(quote.id),
                identifier: quote.id.to_string(),
                position: quote.position,
                text: quote.text.clone(),
                credit_text: quote.speaker_label.clone(),
                spoken_by_character: speaker.clone(),
                creator: speaker,
                is_part_of: NodeRefLd {
                    node_id: article_id.clone(),
                },
            }
        })
        .collect();
    NewsArticleLd {
        context: "https://schema.org".to_owned(),
        schema_type: "NewsArticle".to_owned(),
        node_id: article_id.clone(),
        identifier: article.id.to_string(),
        headline: article.headline.clone(),
        description: article.standfirst.clone(),
        article_body: article.body.clone(),
        article_section: article.category.clone(),
        in_language: article.language.clone(),
        keywords: article.keywords.clone(),
        url: article.source_url.clone(),
        author: article
            .authors
            .iter()
            .map(|name| NamedNodeLd {
                schema_type: SchemaOrgType::Person,
                name: name.clone(),
            })
            .collect(),
        publisher: article.publisher.as_ref().map(|name| NamedNodeLd {
            schema_type: SchemaOrgType::Organization,
            name: name.clone(),
        }),
        date_published: article.published_at,
        date_created: article.created_at,
        date_modified: article.updated_at,
        version: article.version,
        word_count: article.word_count,
        about: about(mentions)
            .into_iter()
            .map(|m| entity_node(&m.entity, links))
            .collect(),
        mentions: mentions
            .iter()
            .map(|m| entity_node(&m.entity, links))
            .collect(),
        has_part: quotations,
    }
}

/// The ninjs 2.2 JSON Schema this module's output follows.
pub const NINJS_SCHEMA: &str = "http://www.iptc.org/std/ninjs/ninjs-schema_2.2.json";

/// The article as an IPTC ninjs 2.2 news item. Uses `article.entities`; the caller loads them.
pub fn ninjs(article: &Article, links: &Links) -> Ninjs {
    let (mut people, mut organisations, mut places, mut events, mut subjects) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for mention in article.entities.as_deref().unwrap_or_default() {
        let entity = &mention.entity;
        let concept = NinjsConcept {
            name: entity.name.clone(),
            rel: "mentioned".to_owned(),
            uri: Some(match links.wikidata.get(&entity.id) {
                Some(q) => format!("http://www.wikidata.org/entity/{q}"),
                None => links.entity(entity.id),
            }),
            literal: entity.slug.clone(),
        };
        match entity.kind {
            EntityKind::Person => people.push(concept),
            EntityKind::Organization => organisations.push(concept),
            EntityKind::Location => places.push(concept),
            EntityKind::Event => events.push(concept),
            EntityKind::Other => subjects.push(concept),
        }
    }
    let tag = |name: &str, rel: &str| NinjsConcept {
        name: name.to_owned(),
        rel: rel.to_owned(),
        uri: None,
        literal: name.to_owned(),
    };
    subjects.extend(article.category.iter().map(|c| tag(c, "category")));
    subjects.extend(article.keywords.iter().map(|k| tag(k, "keyword")));

    let mut altids = vec![NinjsAltId {
        role: "newsmeta-id".to_owned(),
        value: article.id.to_string(),
    }];
    altids.extend(article.source_url.iter().map(|url| NinjsAltId {
        role: "source-url".to_owned(),
        value: url.clone(),
    }));

    Ninjs {
        uri: links.article(article.id),
        standard: NinjsStandard {
            name: "ninjs".to_owned(),
            version: "2.2".to_owned(),
            schema: NINJS_SCHEMA.to_owned(),
        },
        item_type: "text".to_owned(),
        representationtype: "full".to_owned(),
        version: article.version.to_string(),
        firstcreated: article.created_at,
        versioncreated: article.updated_at,
        contentcreated: article.published_at,
        pubstatus: "usable".to_owned(),
        language: article.language.clone(),
        slugline: article.slug.clone(),
        by: (!article.authors.is_empty()).then(|| article.authors.join(", ")),
        headlines: vec![NinjsText {
            role: "main".to_owned(),
            value: article.headline.clone(),
        }],
        descriptions: article
            .standfirst
            .iter()
            .map(|s| NinjsText {
                role: "summary".to_owned(),
                value: s.clone(),
            })
            .collect(),
        bodies: vec![NinjsBody {
            role: "main".to_owned(),
            contenttype: "text/plain".to_owned(),
            charcount: domain::char_len(&article.body),
            wordcount: article.word_count,
            value: article.body.clone(),
        }],
        infosources: article
            .publisher
            .iter()
            .map(|name| NinjsNamed { name: name.clone() })
            .collect(),
        people,
        organisations,
        places,
        events,
        subjects,
        altids,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(accept: &str) -> Option<ArticleFormat> {
        negotiate(Some(accept)).ok()
    }

    #[test]
    fn no_preference_means_json() {
        assert_eq!(negotiate(None).ok(), Some(ArticleFormat::Json));
        assert_eq!(pick(""), Some(ArticleFormat::Json));
        assert_eq!(pick("*/*"), Some(ArticleFormat::Json));
        assert_eq!(pick("application/*"), Some(ArticleFormat::Json));
    }

    #[test]
    fn q_values_rank_the_forms() {
        assert_eq!(
            pick("application/ld+json;q=0.9, application/json"),
            Some(ArticleFormat::Json)
        );
        assert_eq!(
            pick("application/json;q=0.5, application/vnd.ninjs+json"),
            Some(ArticleFormat::Ninjs)
        );
        assert_eq!(
            pick("application/ld+json, */*;q=0.1"),
            Some(ArticleFormat::JsonLd)
        );
        assert_eq!(
            pick("application/json;q=0, application/*"),
            Some(ArticleFormat::JsonLd)
        );
    }

    #[test]
    fn equal_q_values_go_to_the_more_specific_range_then_the_first_listed() {
        assert_eq!(
            pick("*/*, application/ld+json"),
            Some(ArticleFormat::JsonLd)
        );
        assert_eq!(
            pick("application/vnd.ninjs+json, application/ld+json"),
            Some(ArticleFormat::Ninjs)
        );
    }

    #[test]
    fn parameters_and_case_do_not_matter() {
        assert_eq!(
            pick("Application/LD+JSON; profile=\"https://www.w3.org/ns/json-ld#compacted\""),
            Some(ArticleFormat::JsonLd)
        );
    }

    #[test]
    fn forms_the_service_lacks_are_not_acceptable() {
        for accept in [
            "text/html",
            "application/xml, text/*",
            "application/json;q=0",
            "*/*;q=0",
            "nonsense",
        ] {
            assert!(
                matches!(negotiate(Some(accept)), Err(ApiError::NotAcceptable { .. })),
                "{accept}"
            );
        }
    }

    fn mention(name: &str, count: i32) -> Mention {
        Mention {
            entity: EntitySummary {
                id: Uuid::now_v7(),
                slug: name.to_lowercase(),
                name: name.to_owned(),
                kind: EntityKind::Location,
            },
            mention_count: count,
            first_offset: None,
            salience: None,
            provenance: crate::api::types::Provenance::manual(),
        }
    }

    #[test]
    fn about_is_the_few_most_mentioned() {
        let mentions = [
            mention("Europe", 2),
            mention("United Kingdom", 7),
            mention("United States", 5),
            mention("Donald Trump", 4),
            mention("Canada", 1),
        ];
        let names: Vec<&str> = about(&mentions)
            .iter()
            .map(|m| m.entity.name.as_str())
            .collect();
        assert_eq!(names, ["United Kingdom", "United States", "Donald Trump"]);
        assert!(about(&[mention("Canada", 1)]).is_empty());
    }
}
