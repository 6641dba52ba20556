//! Scoring a [`Proposal`] against a hand-checked gold structure: how well the extractor finds
//! quote spans, attributes speakers and finds entities. Pure, like the rest of the module.
//!
//! The measures (the targets are on the totals over the evaluation set):
//! - **quotes**: precision, recall and F1 of quote spans, a span matching only when `start` and
//!   `end` are both exact;
//! - **speakers**: accuracy over the gold quotes whose span was found — the proposed speaker
//!   names the gold speaker (by name or alias, case- and diacritic-insensitive), and a gold
//!   `null` (an anonymous speaker) must be proposed as `null`;
//! - **entities**: precision, recall and F1, a proposed entity matching a gold one when one of
//!   its names (name or alias) is one of the gold's, each gold entity matched at most once; and
//!   the same with the kind required to agree;
//! - **mention-count error**: mean absolute difference of `mention_count` over matched entities;
//! - **sections** (reported, no target): exact `start`, `end` and heading.
//!
//! Per-article [`Scores`] hold counts, not ratios, so a set's total is their sum (micro-averaged):
//! `scores.iter().copied().sum::<Scores>()`.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::iter::Sum;
use std::ops::{Add, AddAssign};

use serde::Deserialize;

use super::{Proposal, ProposedEntity};
use crate::api::types::{EntityKind, QuoteKind};
use crate::domain::match_key;

/// The hand-checked structure of one article (`tests/fixtures/extraction/NAME.gold.json`).
/// Offsets are char offsets into the article text, as in [`Proposal`].
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gold {
    pub sections: Vec<GoldSection>,
    pub quotes: Vec<GoldQuote>,
    pub entities: Vec<GoldEntity>,
}

/// A section: `heading` is `null` for the untitled lede.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldSection {
    pub heading: Option<String>,
    pub start: usize,
    pub end: usize,
}

/// A quote: the text between its marks and who said it (`speaker` is a gold entity's `name`,
/// `null` when the text does not say who).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldQuote {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub kind: QuoteKind,
    pub speaker: Option<String>,
}

/// An entity with every name it goes by in the text and its named-mention count.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldEntity {
    pub name: String,
    pub kind: EntityKind,
    pub aliases: Vec<String>,
    pub mention_count: i32,
    pub first_offset: usize,
}

/// Matches found against gold and proposed sizes, for precision, recall and F1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub matched: usize,
    pub proposed: usize,
    pub gold: usize,
}

impl Counts {
    /// Matched over proposed; 1 when nothing was proposed (nothing proposed was wrong).
    pub fn precision(&self) -> f64 {
        ratio(self.matched, self.proposed)
    }

    /// Matched over gold; 1 when the gold is empty (nothing was missed).
    pub fn recall(&self) -> f64 {
        ratio(self.matched, self.gold)
    }

    /// Harmonic mean of precision and recall; 0 when either is.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

impl Add for Counts {
    type Output = Counts;

    fn add(self, other: Counts) -> Counts {
        Counts {
            matched: self.matched + other.matched,
            proposed: self.proposed + other.proposed,
            gold: self.gold + other.gold,
        }
    }
}

/// The scores of one article, or (summed) of a set.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Scores {
    /// Quote spans, exact start and end.
    pub quotes: Counts,
    /// Gold quotes whose span was found and whose speaker was right.
    pub speakers_correct: usize,
    /// Gold quotes whose span was found (the speakers judged).
    pub speakers_judged: usize,
    /// Entities matched by name or alias.
    pub entities: Counts,
    /// Entities matched by name or alias and of the same kind.
    pub entities_kind: Counts,
    /// Sum of |proposed − gold| `mention_count` over the entities matched by name.
    pub mention_error_sum: u64,
    /// Sections with exact start, end and heading.
    pub sections: Counts,
}

impl Scores {
    /// Correct speakers over judged ones; `None` when no gold quote's span was found.
    pub fn speaker_accuracy(&self) -> Option<f64> {
        (self.speakers_judged > 0)
            .then(|| self.speakers_correct as f64 / self.speakers_judged as f64)
    }

    /// Mean absolute mention-count error over matched entities; `None` when none matched.
    pub fn mention_error(&self) -> Option<f64> {
        (self.entities.matched > 0)
            .then(|| self.mention_error_sum as f64 / self.entities.matched as f64)
    }
}

impl Add for Scores {
    type Output = Scores;

    fn add(self, other: Scores) -> Scores {
        Scores {
            quotes: self.quotes + other.quotes,
            speakers_correct: self.speakers_correct + other.speakers_correct,
            speakers_judged: self.speakers_judged + other.speakers_judged,
            entities: self.entities + other.entities,
            entities_kind: self.entities_kind + other.entities_kind,
            mention_error_sum: self.mention_error_sum + other.mention_error_sum,
            sections: self.sections + other.sections,
        }
    }
}

impl AddAssign for Scores {
    fn add_assign(&mut self, other: Scores) {
        *self = *self + other;
    }
}

impl Sum for Scores {
    fn sum<I: Iterator<Item = Scores>>(iter: I) -> Scores {
        iter.fold(Scores::default(), Add::add)
    }
}

/// Scores `proposal` against `gold`.
pub fn score(gold: &Gold, proposal: &Proposal) -> Scores {
    let alignment = Alignment::new(gold, proposal);
    let speakers_correct = alignment
        .quote_pairs
        .iter()
        .filter(|&&(g, p)| alignment.speaker_is_right(g, p))
        .count();
    let mention_error_sum = alignment
        .entity_pairs
        .iter()
        .map(|&(g, p)| {
            u64::from(
                gold.entities[g]
                    .mention_count
                    .abs_diff(proposal.entities[p].mention_count),
            )
        })
        .sum();
    let same_kind = alignment
        .entity_pairs
        .iter()
        .filter(|&&(g, p)| gold.entities[g].kind == proposal.entities[p].kind)
        .count();
    let matched_sections = gold
        .sections
        .iter()
        .filter(|section| section_found(section, proposal))
        .count();
    Scores {
        quotes: Counts {
            matched: alignment.quote_pairs.len(),
            proposed: proposal.quotes.len(),
            gold: gold.quotes.len(),
        },
        speakers_correct,
        speakers_judged: alignment.quote_pairs.len(),
        entities: Counts {
            matched: alignment.entity_pairs.len(),
            proposed: proposal.entities.len(),
            gold: gold.entities.len(),
        },
        entities_kind: Counts {
            matched: same_kind,
            proposed: proposal.entities.len(),
            gold: gold.entities.len(),
        },
        mention_error_sum,
        sections: Counts {
            matched: matched_sections,
            proposed: proposal.sections.len(),
            gold: gold.sections.len(),
        },
    }
}

/// What `proposal` got wrong against `gold`, one line each, for a person tuning the extractor:
/// missed and spurious quotes, wrong speakers, missed and spurious entities, wrong kinds and
/// mention counts, missed sections.
pub fn misses(gold: &Gold, proposal: &Proposal) -> Vec<String> {
    let alignment = Alignment::new(gold, proposal);
    let mut lines = Vec::new();
    let found_gold: BTreeSet<usize> = alignment.quote_pairs.iter().map(|&(g, _)| g).collect();
    let found_proposed: BTreeSet<usize> = alignment.quote_pairs.iter().map(|&(_, p)| p).collect();
    for (index, quote) in gold.quotes.iter().enumerate() {
        if !found_gold.contains(&index) {
            lines.push(format!(
                "quote missed     [{}..{}] {:?} ({})",
                quote.start,
                quote.end,
                clip(&quote.text),
                speaker_or_none(quote.speaker.as_deref())
            ));
        }
    }
    for (index, quote) in proposal.quotes.iter().enumerate() {
        if !found_proposed.contains(&index) {
            lines.push(format!(
                "quote spurious   [{}..{}] {:?}",
                quote.start,
                quote.end,
                clip(&quote.text)
            ));
        }
    }
    for &(g, p) in &alignment.quote_pairs {
        if !alignment.speaker_is_right(g, p) {
            let proposed = &proposal.quotes[p];
            lines.push(format!(
                "speaker wrong    {:?}: gold {}, proposed {} (label {:?}, rule {})",
                clip(&gold.quotes[g].text),
                speaker_or_none(gold.quotes[g].speaker.as_deref()),
                speaker_or_none(proposed.speaker.as_deref()),
                proposed.speaker_label.as_deref().unwrap_or(""),
                proposed.rule
            ));
        }
    }
    let found_gold: BTreeSet<usize> = alignment.entity_pairs.iter().map(|&(g, _)| g).collect();
    let found_proposed: BTreeSet<usize> = alignment.entity_pairs.iter().map(|&(_, p)| p).collect();
    for (index, entity) in gold.entities.iter().enumerate() {
        if !found_gold.contains(&index) {
            lines.push(format!(
                "entity missed    {} ({}, {} mentions)",
                entity.name,
                entity.kind.as_str(),
                entity.mention_count
            ));
        }
    }
    for (index, entity) in proposal.entities.iter().enumerate() {
        if !found_proposed.contains(&index) {
            lines.push(format!(
                "entity spurious  {} ({}, {} mentions)",
                entity.name,
                entity.kind.as_str(),
                entity.mention_count
            ));
        }
    }
    for &(g, p) in &alignment.entity_pairs {
        let (gold, proposed) = (&gold.entities[g], &proposal.entities[p]);
        if gold.kind != proposed.kind {
            lines.push(format!(
                "entity kind      {}: gold {}, proposed {}",
                gold.name,
                gold.kind.as_str(),
                proposed.kind.as_str()
            ));
        }
        if gold.mention_count != proposed.mention_count {
            lines.push(format!(
                "entity mentions  {}: gold {}, proposed {} (as {:?})",
                gold.name, gold.mention_count, proposed.mention_count, proposed.name
            ));
        }
    }
    for section in &gold.sections {
        if !section_found(section, proposal) {
            lines.push(format!(
                "section missed   [{}..{}] {:?}",
                section.start,
                section.end,
                section.heading.as_deref().unwrap_or("(lede)")
            ));
        }
    }
    lines
}

/// A fixed-width table of per-article scores and their total, as the quality test prints it.
pub fn table(rows: &[(String, Scores)]) -> String {
    let total: Scores = rows.iter().map(|(_, s)| *s).sum();
    let width = rows
        .iter()
        .map(|(name, _)| name.chars().count())
        .chain([5])
        .max()
        .unwrap_or(5);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:width$}  {:>6} {:>6} {:>6} {:>7} {:>6} {:>6} {:>6} {:>6} {:>6}",
        "article", "q.P", "q.R", "q.F1", "speaker", "e.P", "e.R", "e.F1", "e+kF1", "m.err"
    );
    for (name, scores) in rows.iter().chain([&("TOTAL".to_owned(), total)]) {
        let _ = writeln!(
            out,
            "{:width$}  {:>6} {:>6} {:>6} {:>7} {:>6} {:>6} {:>6} {:>6} {:>6}",
            name,
            figure(Some(scores.quotes.precision())),
            figure(Some(scores.quotes.recall())),
            figure(Some(scores.quotes.f1())),
            figure(scores.speaker_accuracy()),
            figure(Some(scores.entities.precision())),
            figure(Some(scores.entities.recall())),
            figure(Some(scores.entities.f1())),
            figure(Some(scores.entities_kind.f1())),
            figure(scores.mention_error()),
        );
    }
    out
}

/// Which gold item matched which proposed item (indices), one to one.
struct Alignment<'a> {
    gold: &'a Gold,
    proposal: &'a Proposal,
    quote_pairs: Vec<(usize, usize)>,
    entity_pairs: Vec<(usize, usize)>,
}

impl<'a> Alignment<'a> {
    fn new(gold: &'a Gold, proposal: &'a Proposal) -> Self {
        let mut taken = BTreeSet::new();
        let mut quote_pairs = Vec::new();
        for (g, quote) in gold.quotes.iter().enumerate() {
            let found = proposal.quotes.iter().enumerate().find(|(p, proposed)| {
                !taken.contains(p) && proposed.start == quote.start && proposed.end == quote.end
            });
            if let Some((p, _)) = found {
                taken.insert(p);
                quote_pairs.push((g, p));
            }
        }
        Self {
            gold,
            proposal,
            quote_pairs,
            entity_pairs: align_entities(&gold.entities, &proposal.entities),
        }
    }

    /// Whether proposed quote `p` names the speaker of gold quote `g`.
    fn speaker_is_right(&self, g: usize, p: usize) -> bool {
        match (
            self.gold.quotes[g].speaker.as_deref(),
            self.proposal.quotes[p].speaker.as_deref(),
        ) {
            (None, None) => true,
            (Some(gold), Some(proposed)) => {
                let gold_names = self
                    .gold
                    .entities
                    .iter()
                    .find(|e| e.name == gold)
                    .map_or_else(|| keys([gold]), gold_keys);
                let proposed_names = self
                    .proposal
                    .entities
                    .iter()
                    .find(|e| e.name == proposed)
                    .map_or_else(|| keys([proposed]), proposed_keys);
                !gold_names.is_disjoint(&proposed_names)
            }
            _ => false,
        }
    }
}

/// Pairs gold and proposed entities one to one, most certain first: a proposed name equal to the
/// gold name; then one name equal to an alias of the other; then any shared alias. Within a pass,
/// gold entities claim in their order, each the first free proposed entity that fits.
fn align_entities(gold: &[GoldEntity], proposed: &[ProposedEntity]) -> Vec<(usize, usize)> {
    let gold_names: Vec<BTreeSet<String>> = gold.iter().map(gold_keys).collect();
    let proposed_names: Vec<BTreeSet<String>> = proposed.iter().map(proposed_keys).collect();
    let passes: [&dyn Fn(usize, usize) -> bool; 3] = [
        &|g, p| match_key(&gold[g].name) == match_key(&proposed[p].name),
        &|g, p| {
            gold_names[g].contains(&match_key(&proposed[p].name))
                || proposed_names[p].contains(&match_key(&gold[g].name))
        },
        &|g, p| !gold_names[g].is_disjoint(&proposed_names[p]),
    ];
    let mut pairs = Vec::new();
    let (mut gold_taken, mut proposed_taken) = (BTreeSet::new(), BTreeSet::new());
    for fits in passes {
        for g in 0..gold.len() {
            if gold_taken.contains(&g) {
                continue;
            }
            if let Some(p) =
                (0..proposed.len()).find(|&p| !proposed_taken.contains(&p) && fits(g, p))
            {
                gold_taken.insert(g);
                proposed_taken.insert(p);
                pairs.push((g, p));
            }
        }
    }
    pairs.sort_unstable();
    pairs
}

/// Whether `proposal` has `section`: same start, end and heading.
fn section_found(section: &GoldSection, proposal: &Proposal) -> bool {
    proposal.sections.iter().any(|p| {
        p.start == section.start
            && p.end == section.end
            && p.heading.as_deref() == section.heading.as_deref()
    })
}

fn gold_keys(entity: &GoldEntity) -> BTreeSet<String> {
    keys(std::iter::once(entity.name.as_str()).chain(entity.aliases.iter().map(String::as_str)))
}

fn proposed_keys(entity: &ProposedEntity) -> BTreeSet<String> {
    keys(std::iter::once(entity.name.as_str()).chain(entity.aliases.iter().map(String::as_str)))
}

fn keys<'s>(names: impl IntoIterator<Item = &'s str>) -> BTreeSet<String> {
    names.into_iter().map(match_key).collect()
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

fn figure(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{v:.3}"))
}

fn clip(text: &str) -> String {
    const MAX: usize = 60;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(MAX).collect::<String>())
    }
}

fn speaker_or_none(speaker: Option<&str>) -> &str {
    speaker.unwrap_or("null")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::{ProposedQuote, ProposedSection, EXTRACTOR_VERSION};

    fn gold() -> Gold {
        serde_json::from_value(serde_json::json!({
            "sections": [
                {"heading": null, "start": 0, "end": 50},
                {"heading": "The Vote", "start": 51, "end": 120}
            ],
            "quotes": [
                {"text": "a", "start": 5, "end": 10, "kind": "partial", "speaker": "Inês Carvalho"},
                {"text": "b", "start": 20, "end": 30, "kind": "direct", "speaker": "Inês Carvalho"},
                {"text": "c", "start": 60, "end": 70, "kind": "direct", "speaker": "National Health Service"},
                {"text": "d", "start": 80, "end": 90, "kind": "direct", "speaker": null}
            ],
            "entities": [
                {"name": "Inês Carvalho", "kind": "person", "aliases": ["Ms Carvalho"], "mention_count": 3, "first_offset": 0},
                {"name": "National Health Service", "kind": "organization", "aliases": ["NHS"], "mention_count": 2, "first_offset": 12},
                {"name": "Lisbon", "kind": "location", "aliases": [], "mention_count": 1, "first_offset": 40}
            ]
        }))
        .unwrap()
    }

    /// The proposal an extractor that agrees with the gold on everything would make.
    fn perfect(gold: &Gold) -> Proposal {
        Proposal {
            extractor_version: EXTRACTOR_VERSION.to_owned(),
            headline: None,
            standfirst: None,
            body: String::new(),
            sections: gold
                .sections
                .iter()
                .zip(0..)
                .map(|(s, position)| ProposedSection {
                    position,
                    heading: s.heading.clone(),
                    body: String::new(),
                    start: s.start,
                    end: s.end,
                    confidence: 1.0,
                })
                .collect(),
            quotes: gold
                .quotes
                .iter()
                .zip(0..)
                .map(|(q, position)| ProposedQuote {
                    position,
                    text: q.text.clone(),
                    kind: q.kind,
                    start: q.start,
                    end: q.end,
                    section_position: None,
                    speaker: q.speaker.clone(),
                    speaker_label: None,
                    cue: None,
                    confidence: 1.0,
                    rule: "test".to_owned(),
                })
                .collect(),
            entities: gold
                .entities
                .iter()
                .map(|e| ProposedEntity {
                    name: e.name.clone(),
                    kind: e.kind,
                    aliases: e.aliases.clone(),
                    mention_count: e.mention_count,
                    first_offset: e.first_offset,
                    confidence: 1.0,
                })
                .collect(),
        }
    }

    fn close(actual: f64, expected: f64) -> bool {
        (actual - expected).abs() < 1e-9
    }

    #[test]
    fn a_perfect_proposal_scores_one_everywhere() {
        let gold = gold();
        let scores = score(&gold, &perfect(&gold));
        assert_eq!(scores.quotes.f1(), 1.0);
        assert_eq!(scores.speaker_accuracy(), Some(1.0));
        assert_eq!(scores.entities.f1(), 1.0);
        assert_eq!(scores.entities_kind.f1(), 1.0);
        assert_eq!(scores.mention_error(), Some(0.0));
        assert_eq!(scores.sections.f1(), 1.0);
        assert!(misses(&gold, &perfect(&gold)).is_empty());
    }

    #[test]
    fn an_empty_proposal_scores_zero_and_judges_no_speaker() {
        let gold = gold();
        let mut proposal = perfect(&gold);
        proposal.quotes.clear();
        proposal.entities.clear();
        proposal.sections.clear();
        let scores = score(&gold, &proposal);
        assert_eq!(scores.quotes.precision(), 1.0);
        assert_eq!(scores.quotes.recall(), 0.0);
        assert_eq!(scores.quotes.f1(), 0.0);
        assert_eq!(scores.entities.f1(), 0.0);
        assert_eq!(scores.speaker_accuracy(), None);
        assert_eq!(scores.mention_error(), None);
        assert_eq!(misses(&gold, &proposal).len(), 4 + 3 + 2);
    }

    #[test]
    fn a_missing_quote_costs_recall_and_is_not_judged_for_its_speaker() {
        let gold = gold();
        let mut proposal = perfect(&gold);
        proposal.quotes.remove(1);
        let scores = score(&gold, &proposal);
        assert_eq!(
            scores.quotes,
            Counts {
                matched: 3,
                proposed: 3,
                gold: 4
            }
        );
        assert!(close(scores.quotes.f1(), 2.0 * 0.75 / 1.75));
        assert_eq!(scores.speaker_accuracy(), Some(1.0));
        assert_eq!(
            misses(&gold, &proposal),
            ["quote missed     [20..30] \"b\" (Inês Carvalho)"]
        );
    }

    #[test]
    fn a_span_off_by_one_char_is_a_miss_and_a_spurious_quote() {
        let gold = gold();
        let mut proposal = perfect(&gold);
        proposal.quotes[0].end += 1;
        let scores = score(&gold, &proposal);
        assert_eq!(
            scores.quotes,
            Counts {
                matched: 3,
                proposed: 4,
                gold: 4
            }
        );
        assert!(close(scores.quotes.f1(), 0.75));
    }

    #[test]
    fn speakers_match_by_name_or_alias_ignoring_case_and_diacritics() {
        let gold = gold();
        let mut proposal = perfect(&gold);
        proposal.quotes[0].speaker = Some("ines carvalho".to_owned());
        proposal.quotes[1].speaker = Some("Ms Carvalho".to_owned());
        proposal.quotes[2].speaker = Some("NHS".to_owned());
        assert_eq!(score(&gold, &proposal).speaker_accuracy(), Some(1.0));
    }

    #[test]
    fn a_wrong_or_invented_speaker_is_wrong_and_an_anonymous_one_must_stay_null() {
        let gold = gold();
        let mut proposal = perfect(&gold);
        proposal.quotes[0].speaker = Some("Lisbon".to_owned());
        proposal.quotes[1].speaker = None;
        proposal.quotes[3].speaker = Some("Inês Carvalho".to_owned());
        let scores = score(&gold, &proposal);
        assert_eq!((scores.speakers_correct, scores.speakers_judged), (1, 4));
        assert_eq!(scores.speaker_accuracy(), Some(0.25));
    }

    #[test]
    fn entities_match_by_alias_once_and_the_kind_is_scored_apart() {
        let gold = gold();
        let mut proposal = perfect(&gold);
        // "NHS" for the National Health Service, as a location with one mention too many.
        proposal.entities[1] = ProposedEntity {
            name: "NHS".to_owned(),
            kind: EntityKind::Location,
            aliases: Vec::new(),
            mention_count: 3,
            first_offset: 12,
            confidence: 1.0,
        };
        // A second entity for the same person matches nothing: gold entities match once.
        proposal.entities.push(ProposedEntity {
            name: "Ms Carvalho".to_owned(),
            kind: EntityKind::Person,
            aliases: Vec::new(),
            mention_count: 1,
            first_offset: 30,
            confidence: 1.0,
        });
        let scores = score(&gold, &proposal);
        assert_eq!(
            scores.entities,
            Counts {
                matched: 3,
                proposed: 4,
                gold: 3
            }
        );
        assert_eq!(scores.entities_kind.matched, 2);
        assert!(close(scores.entities.f1(), 2.0 * 0.75 / 1.75));
        assert!(close(
            scores.entities_kind.f1(),
            2.0 * (0.5 * 2.0 / 3.0) / (0.5 + 2.0 / 3.0)
        ));
        assert!(close(scores.mention_error().unwrap(), 1.0 / 3.0));
        assert_eq!(
            misses(&gold, &proposal),
            [
                "entity spurious  Ms Carvalho (person, 1 mentions)",
                "entity kind      National Health Service: gold organization, proposed location",
                "entity mentions  National Health Service: gold 2, proposed 3 (as \"NHS\")",
            ]
        );
    }

    #[test]
    fn an_exact_name_is_preferred_to_an_alias_when_aligning_entities() {
        let gold = gold();
        let mut proposal = perfect(&gold);
        // "Ms Carvalho" comes first and shares an alias, but the exact name takes the gold entity.
        proposal.entities.insert(
            0,
            ProposedEntity {
                name: "Ms Carvalho".to_owned(),
                kind: EntityKind::Person,
                aliases: Vec::new(),
                mention_count: 1,
                first_offset: 0,
                confidence: 1.0,
            },
        );
        let scores = score(&gold, &proposal);
        assert_eq!(scores.mention_error(), Some(0.0));
    }

    #[test]
    fn a_set_is_scored_by_summing_counts() {
        let gold = gold();
        let mut half = perfect(&gold);
        half.quotes.truncate(2);
        let total: Scores = [score(&gold, &perfect(&gold)), score(&gold, &half)]
            .into_iter()
            .sum();
        assert_eq!(
            total.quotes,
            Counts {
                matched: 6,
                proposed: 6,
                gold: 8
            }
        );
        assert!(close(total.quotes.recall(), 0.75));
        assert_eq!(total.speakers_judged, 6);
    }

    #[test]
    fn the_table_has_a_row_per_article_and_a_total() {
        let gold = gold();
        let rows = vec![
            ("one".to_owned(), score(&gold, &perfect(&gold))),
            ("two".to_owned(), Scores::default()),
        ];
        let table = table(&rows);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[1].starts_with("one  "), "{table}");
        assert!(lines[1].contains("1.000"), "{table}");
        assert!(lines[3].starts_with("TOTAL"), "{table}");
    }
}
