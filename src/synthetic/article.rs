//! One synthetic article, written sentence by sentence so that every offset is exact: sections
//! tile the body, each quote's `start..end` is its text, and each mention is counted where its
//! name is written. Pure: no I/O, and the same random stream gives the same article.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use super::pool::{pick, EntityPool};
use super::words::{self, Category};
use crate::api::types::{EntityKind, QuoteKind};
use crate::domain;
use crate::entity::{article, quote, section};

/// Where an article is in its corpus, which fixes its publication time.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    /// The corpus seed.
    pub seed: u64,
    /// 0-based number of the article in the corpus.
    pub index: u64,
    /// Articles in the corpus.
    pub total: u64,
    /// The corpus's articles are published in the `window` before `until`.
    pub until: DateTime<Utc>,
    pub window: Duration,
}

/// An article ready to store, except that entities are still pool indices: they get their ids
/// when the corpus writes them.
#[derive(Debug, Clone)]
pub struct Draft {
    pub article: article::Model,
    pub keywords: Vec<String>,
    pub sections: Vec<section::Model>,
    /// Each quote with its speaker's pool index.
    pub quotes: Vec<(quote::Model, Option<usize>)>,
    pub mentions: Vec<MentionDraft>,
}

/// How often an article names one entity.
#[derive(Debug, Clone, PartialEq)]
pub struct MentionDraft {
    pub entity: usize,
    pub mention_count: i32,
    pub first_offset: i32,
    pub salience: f64,
}

/// A UUIDv7 at `time`, with its random part taken from the corpus's random stream.
pub fn uuid_v7(time: DateTime<Utc>, bits: &[u8; 10]) -> Uuid {
    let millis = u64::try_from(time.timestamp_millis()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, bits).into_uuid()
}

fn random_uuid(rng: &mut ChaCha8Rng, time: DateTime<Utc>) -> Uuid {
    let mut bits = [0u8; 10];
    rng.fill(&mut bits);
    uuid_v7(time, &bits)
}

/// Writes article `place.index` of the corpus with the random stream `rng`.
pub fn write(pool: &EntityPool, rng: &mut ChaCha8Rng, place: Place) -> Draft {
    let category = pick_category(rng);
    let topic = *pick(rng, category.topics);
    let cast = cast(pool, rng);
    // The cast always holds a person or an organisation (see `cast`).
    let lead = cast
        .iter()
        .copied()
        .find(|&e| is_speaker(pool, e))
        .unwrap_or(cast[0]);

    let published_at = published_at(rng, place);
    let created_at = published_at + Duration::seconds(rng.random_range(120..=3 * 3600));
    let article_id = random_uuid(rng, created_at);

    let section_count = rng.random_range(4..=8usize);
    let quote_count = rng.random_range(3..=10usize);
    // Quotes per section; the lede holds at most one, a partial quote.
    let mut quotes_in = vec![0usize; section_count];
    for _ in 0..quote_count {
        if quotes_in[0] == 0 && is_speaker(pool, lead) && rng.random_bool(0.1) {
            quotes_in[0] = 1;
        } else {
            quotes_in[rng.random_range(1..section_count)] += 1;
        }
    }

    let mut writer = Writer::new(pool, &cast, topic, category.topics, published_at);
    let mut sections = Vec::with_capacity(section_count);
    let mut quotes = Vec::with_capacity(quote_count);
    let mut headings: Vec<&str> = words::HEADINGS.to_vec();
    headings.shuffle(rng);

    for (position, &section_quotes) in quotes_in.iter().enumerate() {
        let section_id = random_uuid(rng, created_at);
        let (start, body_from) = if position == 0 {
            writer.lede(rng, lead);
            (0, 0)
        } else {
            writer.push("\n");
            let start = writer.chars;
            writer.push(headings[position - 1]);
            writer.push("\n");
            (start, writer.text.len())
        };
        let lede_quote = position == 0 && section_quotes > 0;
        let mut items: Vec<bool> = (0..section_quotes).map(|_| true).collect();
        if position > 0 {
            // Enough reporting to name the whole cast by the end, as far as possible.
            let sections_left = section_count - position;
            let facts = rng
                .random_range(2..=5)
                .max(writer.unmentioned().len().div_ceil(sections_left))
                .min(8);
            items.extend((0..facts).map(|_| false));
            items.shuffle(rng);
        }
        // Paragraphs of one to three sentences; the lede is one paragraph.
        let mut in_paragraph = 0;
        let mut paragraph_length = rng.random_range(1..=3);
        for (n, is_quote) in items.into_iter().enumerate() {
            if position == 0 {
                writer.push(" ");
            } else if n > 0 {
                if in_paragraph >= paragraph_length {
                    writer.push("\n");
                    in_paragraph = 0;
                    paragraph_length = rng.random_range(1..=3);
                } else {
                    writer.push(" ");
                }
            }
            in_paragraph += 1;
            if is_quote {
                let speaker = if lede_quote {
                    Some(lead)
                } else {
                    writer.pick_speaker(rng, lead)
                };
                let spoken = writer.quote(rng, speaker, lede_quote);
                quotes.push((
                    quote::Model {
                        id: random_uuid(rng, created_at),
                        article_id,
                        section_id: Some(section_id),
                        position: i32::try_from(quotes.len()).unwrap_or(i32::MAX),
                        text: spoken.text,
                        kind: spoken.kind.as_str().to_owned(),
                        speaker_entity_id: None,
                        speaker_label: Some(spoken.label),
                        cue: Some(spoken.cue.to_owned()),
                        start_offset: Some(offset(spoken.start)),
                        end_offset: Some(offset(spoken.end)),
                        extractor_version: None,
                        confidence: None,
                        verified: true,
                    },
                    speaker,
                ));
            } else {
                writer.fact(rng);
            }
        }
        if position + 1 == section_count {
            writer.roundup(rng);
        }
        sections.push(section::Model {
            id: section_id,
            article_id,
            position: i32::try_from(position).unwrap_or(i32::MAX),
            heading: (position > 0).then(|| headings[position - 1].to_owned()),
            body: writer.text[body_from..].to_owned(),
            start_offset: Some(offset(start)),
            end_offset: Some(offset(writer.chars)),
            extractor_version: None,
            confidence: None,
            verified: true,
        });
    }

    let mentions = writer.mention_drafts();
    let body = writer.text;
    let headline = headline(pool, rng, lead, topic);
    let slug = slug(&headline, place);
    let (publisher, domain_name) = *pick(rng, words::PUBLISHERS);
    let author_count = match rng.random_range(0..20) {
        0 => 0,
        1..=2 => 2,
        _ => 1,
    };
    let mut authors: Vec<String> = (0..author_count)
        .map(|_| pick(rng, &pool.journalists).clone())
        .collect();
    authors.sort();
    authors.dedup();

    let mut keywords: Vec<String> = category.keywords.iter().map(|k| k.to_string()).collect();
    keywords.shuffle(rng);
    keywords.truncate(rng.random_range(2..=4));
    keywords.push(pool.entities[lead].slug.clone());
    let mut seen = HashSet::new();
    keywords.retain(|k| seen.insert(k.clone()));

    let standfirst = standfirst(rng, topic);
    Draft {
        article: article::Model {
            id: article_id,
            source_url: Some(format!(
                "https://{domain_name}/{}/{}/{slug}",
                category.name,
                published_at.format("%Y/%m/%d")
            )),
            slug,
            headline,
            standfirst: Some(standfirst),
            word_count: domain::word_count(&body),
            content_hash: Some(domain::content_hash(&body)),
            body,
            authors: serde_json::json!(authors),
            publisher: Some(publisher.to_owned()),
            language: "en".to_owned(),
            category: Some(category.name.to_owned()),
            published_at: Some(published_at),
            version: 1,
            created_at,
            updated_at: created_at,
        },
        keywords,
        sections,
        quotes,
        mentions,
    }
}

fn offset(chars: usize) -> i32 {
    i32::try_from(chars).unwrap_or(i32::MAX)
}

fn is_speaker(pool: &EntityPool, entity: usize) -> bool {
    matches!(
        pool.kind(entity),
        EntityKind::Person | EntityKind::Organization
    )
}

fn pick_category(rng: &mut ChaCha8Rng) -> &'static Category {
    let total: u32 = words::CATEGORIES.iter().map(|c| c.weight).sum();
    let mut roll = rng.random_range(0..total);
    for category in words::CATEGORIES {
        if roll < category.weight {
            return category;
        }
        roll -= category.weight;
    }
    &words::CATEGORIES[0]
}

/// The 5–20 distinct entities an article mentions, drawn by popularity, in the order drawn; at
/// least one is a person or an organisation, so that someone can be quoted.
fn cast(pool: &EntityPool, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let size = rng.random_range(5..=20usize);
    let mut cast = Vec::with_capacity(size);
    let mut attempts = 0;
    while cast.len() < size && attempts < 10_000 {
        attempts += 1;
        let entity = pool.draw(rng);
        if !cast.contains(&entity) {
            cast.push(entity);
        }
    }
    if !cast.iter().any(|&e| is_speaker(pool, e)) {
        let speaker = loop {
            let speaker = pool.draw_speaker(rng);
            if !cast.contains(&speaker) {
                break speaker;
            }
        };
        cast.pop();
        cast.insert(0, speaker);
    }
    cast
}

/// Articles are spread evenly over the window, in corpus order, each at a random second of its
/// own slot: article `i` of `n` is published in `[i/n, (i+1)/n)` of the window.
fn published_at(rng: &mut ChaCha8Rng, place: Place) -> DateTime<Utc> {
    let window = place.window.num_seconds() as f64;
    let slot = (place.index as f64 + rng.random::<f64>()) / place.total.max(1) as f64;
    place.until - place.window + Duration::seconds((slot * window) as i64)
}

fn slug(headline: &str, place: Place) -> String {
    let mut base = domain::slugify(headline);
    if base.len() > 150 {
        let cut = base[..150].rfind('-').unwrap_or(150);
        base.truncate(cut);
    }
    format!("{base}-s{}-{}", place.seed, place.index + 1)
}

fn headline(pool: &EntityPool, rng: &mut ChaCha8Rng, lead: usize, topic: &str) -> String {
    let entity = &pool.entities[lead];
    let (templates, slot) = match entity.kind {
        EntityKind::Person => (words::HEADLINE_TEMPLATES_PERSON, "{P}"),
        _ => (words::HEADLINE_TEMPLATES_ORGANISATION, "{O}"),
    };
    pick(rng, templates)
        .replace(slot, &entity.name)
        .replace("{T}", topic)
}

fn standfirst(rng: &mut ChaCha8Rng, topic: &str) -> String {
    let template = pick(rng, words::STANDFIRST_TEMPLATES);
    let group = pick(rng, words::GROUPS).to_lowercase();
    let next = *pick(rng, words::NEXT);
    let recently = *pick(rng, words::RECENTLY);
    template
        .replace("{T}", topic)
        .replace("{g}", &group)
        .replace("{X}", next)
        .replace("{R}", recently)
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A quote as written into the body.
struct Spoken {
    text: String,
    kind: QuoteKind,
    label: String,
    cue: &'static str,
    start: usize,
    end: usize,
}

/// The body being written, with the offset of every entity named in it.
struct Writer<'a> {
    pool: &'a EntityPool,
    cast: &'a [usize],
    topic: &'a str,
    /// The topics of the article's category.
    topics: &'a [&'static str],
    year: i32,
    /// Templates already written, so that an article does not repeat itself while it has others.
    used: HashSet<&'static str>,
    text: String,
    /// Length of `text` in chars: the offset of whatever is written next.
    chars: usize,
    /// (entity, char offset) of every mention, in body order.
    mentions: Vec<(usize, usize)>,
    named: HashSet<usize>,
    /// Curly or straight quotation marks, one style per article.
    marks: (&'static str, &'static str),
}

impl<'a> Writer<'a> {
    fn new(
        pool: &'a EntityPool,
        cast: &'a [usize],
        topic: &'a str,
        topics: &'a [&'static str],
        published_at: DateTime<Utc>,
    ) -> Self {
        use chrono::Datelike;
        // Straight marks for articles published on even days, curly ones otherwise: both styles
        // are common in real copy.
        let marks = if published_at.day() % 2 == 0 {
            ("\"", "\"")
        } else {
            ("\u{201c}", "\u{201d}")
        };
        Self {
            pool,
            cast,
            topic,
            topics,
            year: published_at.year(),
            used: HashSet::new(),
            text: String::with_capacity(4096),
            chars: 0,
            mentions: Vec::with_capacity(48),
            named: HashSet::new(),
            marks,
        }
    }

    fn push(&mut self, text: &str) {
        self.text.push_str(text);
        self.chars += text.chars().count();
    }

    /// Names `entity`: a person by full name the first time, mostly by title and surname after.
    fn mention(&mut self, rng: &mut ChaCha8Rng, entity: usize) {
        let pool = self.pool;
        let e = &pool.entities[entity];
        self.mentions.push((entity, self.chars));
        let first = self.named.insert(entity);
        match &e.short_name {
            Some(short) if !first && rng.random_bool(0.7) => self.push(short),
            _ => self.push(&e.name),
        }
    }

    fn unmentioned(&self) -> Vec<usize> {
        self.cast
            .iter()
            .copied()
            .filter(|e| !self.named.contains(e))
            .collect()
    }

    /// A cast member, the first ones more often than the last.
    fn prominent(&self, rng: &mut ChaCha8Rng) -> usize {
        let u: f64 = rng.random();
        let index = ((u * u) * self.cast.len() as f64) as usize;
        self.cast[index.min(self.cast.len() - 1)]
    }

    /// Who says the next quote: mostly the lead, else another person or organisation of the
    /// cast; now and then nobody named.
    fn pick_speaker(&self, rng: &mut ChaCha8Rng, lead: usize) -> Option<usize> {
        if rng.random_bool(0.08) {
            return None;
        }
        if is_speaker(self.pool, lead) && rng.random_bool(0.5) {
            return Some(lead);
        }
        let speakers: Vec<usize> = self
            .cast
            .iter()
            .copied()
            .filter(|&e| is_speaker(self.pool, e))
            .collect();
        speakers
            .get(rng.random_range(0..speakers.len().max(1)))
            .copied()
    }

    fn lede(&mut self, rng: &mut ChaCha8Rng, lead: usize) {
        let slot = match self.pool.kind(lead) {
            EntityKind::Person => "{P}",
            _ => "{O}",
        };
        let templates: Vec<&str> = words::LEDE_TEMPLATES
            .iter()
            .copied()
            .filter(|t| t.starts_with(slot))
            .collect();
        let template = *pick(rng, &templates);
        self.render(rng, template, &[lead]);
    }

    /// A sentence of reporting: about an entity not named yet while there are some, else about a
    /// prominent one, or about nobody in particular.
    fn fact(&mut self, rng: &mut ChaCha8Rng) {
        let unmentioned = self.unmentioned();
        let primary = match unmentioned.first() {
            Some(&first) if rng.random_bool(0.9) => Some(first),
            _ if rng.random_bool(0.5) => Some(self.prominent(rng)),
            _ => None,
        };
        let templates = match primary.map(|e| self.pool.kind(e)) {
            None => words::FILLER_TEMPLATES,
            Some(EntityKind::Person) => words::FACT_TEMPLATES_PERSON,
            Some(EntityKind::Organization) => words::FACT_TEMPLATES_ORGANISATION,
            Some(EntityKind::Location) => words::FACT_TEMPLATES_LOCATION,
            Some(_) => words::FACT_TEMPLATES_EVENT,
        };
        let usable: Vec<(&'static str, Vec<usize>)> = templates
            .iter()
            .filter_map(|&t| match primary {
                Some(primary) => self.slots(rng, t, primary).map(|slots| (t, slots)),
                None => Some((t, Vec::new())),
            })
            .collect();
        let unused: Vec<&(&'static str, Vec<usize>)> = usable
            .iter()
            .filter(|(t, _)| !self.used.contains(t))
            .collect();
        let chosen = if unused.is_empty() {
            usable.get(rng.random_range(0..usable.len().max(1)))
        } else {
            Some(unused[rng.random_range(0..unused.len())])
        };
        match chosen {
            Some((template, slots)) => {
                self.used.insert(template);
                self.render(rng, template, slots);
            }
            // Every entity kind has templates that need nobody else; this is only a safe default.
            None => {
                let template = *pick(rng, words::FILLER_TEMPLATES);
                self.render(rng, template, &[]);
            }
        }
    }

    /// The entities for the entity placeholders of `template`: `primary` for the first, other cast
    /// members of the right kind (not yet named ones first) for the rest; `None` when the cast has
    /// nobody to fill one.
    fn slots(&self, rng: &mut ChaCha8Rng, template: &str, primary: usize) -> Option<Vec<usize>> {
        let mut slots = vec![primary];
        for key in placeholders(template)
            .skip_while(|k| !is_entity_key(k))
            .skip(1)
        {
            let Some(kind) = entity_kind_of(key) else {
                continue;
            };
            let candidates: Vec<usize> = self
                .cast
                .iter()
                .copied()
                .filter(|e| self.pool.kind(*e) == kind && !slots.contains(e))
                .collect();
            let fresh: Vec<usize> = candidates
                .iter()
                .copied()
                .filter(|e| !self.named.contains(e))
                .collect();
            let from = if fresh.is_empty() {
                &candidates
            } else {
                &fresh
            };
            if from.is_empty() {
                return None;
            }
            slots.push(from[rng.random_range(0..from.len())]);
        }
        Some(slots)
    }

    /// Writes `template`, naming `entities` at its entity placeholders in order.
    fn render(&mut self, rng: &mut ChaCha8Rng, template: &str, entities: &[usize]) {
        let mut entities = entities.iter().copied();
        let mut parts = template.split('{');
        if let Some(literal) = parts.next() {
            self.push(literal);
        }
        for part in parts {
            let (key, literal) = part.split_once('}').unwrap_or((part, ""));
            if is_entity_key(key) {
                if let Some(entity) = entities.next() {
                    self.mention(rng, entity);
                }
            } else {
                let value = match key {
                    // The article's topic mostly, now and then another of its category.
                    "T" if rng.random_bool(0.7) => self.topic.to_owned(),
                    "T" => pick(rng, self.topics).to_string(),
                    "W" => pick(rng, words::WHEN).to_string(),
                    "R" => pick(rng, words::RECENTLY).to_string(),
                    "X" => pick(rng, words::NEXT).to_string(),
                    "Y" => (self.year - rng.random_range(1..=8)).to_string(),
                    "N" => rng.random_range(2..=85).to_string(),
                    "G" => pick(rng, words::GROUPS).to_string(),
                    "g" => pick(rng, words::GROUPS).to_lowercase(),
                    "v" => pick(rng, words::GROUP_VERBS).to_string(),
                    _ => String::new(),
                };
                self.push(&value);
            }
            self.push(literal);
        }
    }

    /// Names whoever is still unnamed, so that every cast member is mentioned at least once.
    fn roundup(&mut self, rng: &mut ChaCha8Rng) {
        let unmentioned = self.unmentioned();
        if unmentioned.is_empty() {
            return;
        }
        self.push(" ");
        let template = *pick(rng, words::ROUNDUP_TEMPLATES);
        let (before, after) = template.split_once("{list}").unwrap_or((template, ""));
        self.render(rng, before, &[]);
        for (n, &entity) in unmentioned.iter().enumerate() {
            if n > 0 {
                self.push(if n + 1 == unmentioned.len() {
                    " and "
                } else {
                    ", "
                });
            }
            self.mention(rng, entity);
        }
        self.push(after);
    }

    /// Writes who is speaking: a named person or organisation (an organisation often through its
    /// spokesperson), or an unnamed source. Answers the label as written.
    fn speaker(&mut self, rng: &mut ChaCha8Rng, speaker: Option<usize>, opens: bool) -> String {
        let from = self.text.len();
        let article = if opens { "A" } else { "a" };
        match speaker {
            None => {
                let label = *pick(rng, words::ANONYMOUS_SPEAKERS);
                self.push(&if opens {
                    capitalise(label)
                } else {
                    label.to_owned()
                });
            }
            Some(entity) if self.pool.kind(entity) == EntityKind::Organization => {
                match rng.random_range(0..3) {
                    0 => self.mention(rng, entity),
                    1 => {
                        self.push(&format!("{article} "));
                        self.mention(rng, entity);
                        self.push(" spokesperson");
                    }
                    _ => {
                        self.push(&format!("{article} spokesperson for "));
                        self.mention(rng, entity);
                    }
                }
            }
            Some(entity) => self.mention(rng, entity),
        }
        self.text[from..].to_owned()
    }

    /// Writes one quoting sentence and answers what it quotes and where.
    fn quote(&mut self, rng: &mut ChaCha8Rng, speaker: Option<usize>, partial: bool) -> Spoken {
        let (open, close) = self.marks;
        if partial || rng.random_bool(0.3) {
            let fragment = *pick(rng, words::PARTIAL_FRAGMENTS);
            let object = *pick(rng, words::PARTIAL_OBJECTS);
            let label = self.speaker(rng, speaker, true);
            let cue = if rng.random_bool(0.25) {
                self.push(&format!(" described {object} as {open}"));
                "described"
            } else {
                let cue = *pick(rng, words::PARTIAL_CUES);
                self.push(&format!(" {cue} that {object} was {open}"));
                cue
            };
            let start = self.chars;
            self.push(fragment);
            let end = self.chars;
            self.push(&format!("{close}."));
            return Spoken {
                text: fragment.to_owned(),
                kind: QuoteKind::Partial,
                label,
                cue,
                start,
                end,
            };
        }
        let words = quote_words(rng, self.topic);
        if rng.random_bool(0.6) {
            // “We will not accept the budget,” Ms Okafor said.
            let (cue, phrase) = *pick(rng, words::DIRECT_CUES_AFTER);
            self.push(open);
            let start = self.chars;
            self.push(&words);
            self.push(",");
            let end = self.chars;
            self.push(close);
            self.push(" ");
            let label = self.speaker(rng, speaker, false);
            self.push(&format!(" {phrase}."));
            Spoken {
                text: format!("{words},"),
                kind: QuoteKind::Direct,
                label,
                cue,
                start,
                end,
            }
        } else {
            // Ms Okafor said: “We will not accept the budget.”
            let (cue, phrase) = *pick(rng, words::DIRECT_CUES_BEFORE);
            let label = self.speaker(rng, speaker, true);
            self.push(&format!(" {phrase}: {open}"));
            let start = self.chars;
            self.push(&words);
            self.push(".");
            let end = self.chars;
            self.push(close);
            Spoken {
                text: format!("{words}."),
                kind: QuoteKind::Direct,
                label,
                cue,
                start,
                end,
            }
        }
    }

    /// Each cast member's count and first offset, in order of first mention. Salience is the share
    /// of the most-mentioned entity's count.
    fn mention_drafts(&self) -> Vec<MentionDraft> {
        let mut drafts: Vec<MentionDraft> = Vec::with_capacity(self.cast.len());
        for &(entity, at) in &self.mentions {
            match drafts.iter_mut().find(|d| d.entity == entity) {
                Some(draft) => draft.mention_count += 1,
                None => drafts.push(MentionDraft {
                    entity,
                    mention_count: 1,
                    first_offset: offset(at),
                    salience: 0.0,
                }),
            }
        }
        let most = drafts.iter().map(|d| d.mention_count).max().unwrap_or(1);
        for draft in &mut drafts {
            draft.salience =
                (f64::from(draft.mention_count) / f64::from(most) * 100.0).round() / 100.0;
        }
        drafts
    }
}

/// What a speaker says in a direct quote, without its final punctuation.
fn quote_words(rng: &mut ChaCha8Rng, topic: &str) -> String {
    match rng.random_range(0..3) {
        0 => format!("{} {topic}", pick(rng, words::QUOTE_OPENINGS)),
        1 => format!(
            "{} {topic} {}",
            pick(rng, words::QUOTE_OPENINGS),
            pick(rng, words::QUOTE_CLOSINGS)
        ),
        _ => pick(rng, words::QUOTE_STATEMENTS).to_string(),
    }
}

/// The placeholder keys of a template, in order (`"{P} met {O}"` → `P`, `O`).
fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(key, _)| key))
}

fn is_entity_key(key: &str) -> bool {
    entity_kind_of(key).is_some()
}

fn entity_kind_of(key: &str) -> Option<EntityKind> {
    match key {
        "P" => Some(EntityKind::Person),
        "O" => Some(EntityKind::Organization),
        "L" => Some(EntityKind::Location),
        "E" => Some(EntityKind::Event),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    fn corpus(seed: u64, total: u64) -> (EntityPool, Vec<Draft>) {
        let mut pool_rng = ChaCha8Rng::seed_from_u64(seed);
        let pool = EntityPool::new(&mut pool_rng);
        let drafts = (0..total)
            .map(|index| {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                rng.set_stream(index + 1);
                let place = Place {
                    seed,
                    index,
                    total,
                    until: DateTime::from_timestamp(1_793_491_200, 0).unwrap(),
                    window: Duration::days(730),
                };
                write(&pool, &mut rng, place)
            })
            .collect();
        (pool, drafts)
    }

    fn span(chars: &[char], start: Option<i32>, end: Option<i32>) -> String {
        chars[start.unwrap() as usize..end.unwrap() as usize]
            .iter()
            .collect()
    }

    #[test]
    fn articles_keep_every_offset_rule() {
        let (pool, drafts) = corpus(7, 400);
        for draft in &drafts {
            let body: Vec<char> = draft.article.body.chars().collect();
            let a = &draft.article;
            assert!(domain::is_valid_slug(&a.slug), "{}", a.slug);
            assert!((4..=8).contains(&draft.sections.len()));
            assert!((3..=10).contains(&draft.quotes.len()));
            assert!((5..=20).contains(&draft.mentions.len()));

            // Sections tile the body: each starts one newline after the last one ended.
            let mut expected_start = 0;
            for (position, section) in draft.sections.iter().enumerate() {
                assert_eq!(section.position, position as i32);
                assert_eq!(section.start_offset, Some(expected_start));
                let text = span(&body, section.start_offset, section.end_offset);
                match &section.heading {
                    None => assert_eq!(text, section.body),
                    Some(heading) => assert_eq!(text, format!("{heading}\n{}", section.body)),
                }
                assert_eq!(position == 0, section.heading.is_none());
                expected_start = section.end_offset.unwrap() + 1;
            }
            assert_eq!(expected_start - 1, body.len() as i32);

            for (position, (quote, speaker)) in draft.quotes.iter().enumerate() {
                assert_eq!(quote.position, position as i32);
                assert_eq!(
                    span(&body, quote.start_offset, quote.end_offset),
                    quote.text
                );
                let section = draft
                    .sections
                    .iter()
                    .find(|s| Some(s.id) == quote.section_id)
                    .unwrap();
                assert!(section.start_offset <= quote.start_offset);
                assert!(quote.end_offset <= section.end_offset);
                if let Some(speaker) = speaker {
                    assert!(is_speaker(&pool, *speaker));
                    assert!(draft.mentions.iter().any(|m| m.entity == *speaker));
                    let label = quote.speaker_label.as_deref().unwrap();
                    let entity = &pool.entities[*speaker];
                    assert!(
                        label.contains(&entity.name)
                            || entity
                                .short_name
                                .as_deref()
                                .is_some_and(|s| label.contains(s)),
                        "{label}"
                    );
                }
            }

            for mention in &draft.mentions {
                assert!(mention.mention_count >= 1);
                let name = &pool.entities[mention.entity].name;
                let at = mention.first_offset as usize;
                let written: String = body[at..].iter().take(name.chars().count()).collect();
                assert_eq!(&written, name);
                assert!(mention.salience > 0.0 && mention.salience <= 1.0);
            }
        }
    }

    #[test]
    fn the_same_stream_writes_the_same_article() {
        let (_, a) = corpus(11, 30);
        let (_, b) = corpus(11, 30);
        let (_, c) = corpus(12, 30);
        let bodies = |d: &[Draft]| d.iter().map(|d| d.article.clone()).collect::<Vec<_>>();
        assert_eq!(bodies(&a), bodies(&b));
        assert_ne!(bodies(&a), bodies(&c));
    }

    #[test]
    fn articles_are_published_in_order_over_two_years() {
        let (_, drafts) = corpus(3, 1000);
        let times: Vec<_> = drafts
            .iter()
            .map(|d| d.article.published_at.unwrap())
            .collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
        let until = DateTime::from_timestamp(1_793_491_200, 0).unwrap();
        assert!(times[0] < until - Duration::days(729));
        assert!(*times.last().unwrap() > until - Duration::days(1));
        assert!(*times.last().unwrap() < until);
    }
}
