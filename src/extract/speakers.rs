//! Attribution: who said each quote, by sieves, most precise first.
//!
//! Each quote is looked at within its sentence (quotes masked as single tokens). The sieves, in
//! order, each with its confidence and `rule` name:
//! - `interrupted`: the second part of `"We will," she said, "fight this."` takes the first's
//!   speaker;
//! - `adjacent` / `inverted`: a cue right after the quote, `"...," Smith said` or
//!   `"...," said Smith`;
//! - `colon` / `adjacent_before`: a cue right before it, `Smith said: "..."`,
//!   `he told the Prime Minister, "..."`;
//! - `cue_subject`: the subject of the nearest cue in the sentence (skipping appositives and
//!   adverbs; a coordinated or participial cue takes the subject of the clause before it);
//! - `continuation`: a paragraph that is only a quote goes on from the previous speaker;
//! - for a whole-statement quote with no cue in its sentence: `paragraph` (the previous quote's
//!   speaker in the same paragraph), `previous_subject` (the subject of the nearest earlier
//!   sentence's cue in the paragraph), `paragraph_person` (the last person named in the
//!   paragraph), then `continuation` when the paragraph opens with the quote.
//!
//! A speaker phrase takes a person named in apposition ("its chief executive, Jo Pratt, said";
//! "critics, including the Heritage Foundation, said"), keeps a short title's full stop
//! ("Sen. Ann Lee") and never cuts a named mention in two ("the Department of Health and Social
//! Care").
//!
//! The speaker phrase found is then resolved: to the entity whose named mention it holds (a
//! person first, then an organisation, then a place: "a US State Department spokesperson" is the
//! department); a pronoun to the last named person (he/she) or the last organisation or document
//! speaker (it/they); a document noun ("the memo") to whoever the text says wrote it, or else the
//! previous speaker; "the spokesperson" to the previous speaker labelled with that role or to
//! whoever the text tied to it ("a spokeswoman for the Met Office"); "a council spokesperson" and
//! "the council" to the last organisation whose name holds "council"; "its leader" and "the
//! company" to the last organisation; he/she prefers the person speaking in the antecedent's
//! sentence ("Pike said Mendes had left").

use super::cues::{self, Cue, Pronoun};
use super::entities::FoundEntity;
use super::quotes::{sentence_of, QuoteSpan};
use super::text::{Document, Span, Token, TokenKind};
use super::{ProposedQuote, ProposedSection};
use crate::api::types::{EntityKind, QuoteKind};

/// Tokens an object may take between a cue and its quote: `told the Prime Minister, "..."`.
const MAX_OBJECT_TOKENS: usize = 6;

/// Tokens an appositive may take: `The memo, seen by The Times, stated`.
const MAX_APPOSITIVE_TOKENS: usize = 16;

/// How far back (in chars) to look for who wrote a document ("a report published by ...").
const AUTHOR_WINDOW: usize = 2_000;

/// How far back (in chars) a pronoun looks for its antecedent.
const ANTECEDENT_WINDOW: usize = 3_000;

/// How many earlier quotes a document, pronoun or role speaker looks back through.
const MAX_HISTORY: usize = 20;

/// How far (in chars) after a name its cue may be ("Pike has repeatedly said").
const CUE_WINDOW: usize = 60;

/// How many earlier sentences of its paragraph a cue-less quote looks back through.
const MAX_EARLIER_SENTENCES: usize = 3;

/// Verbs that name a document's author when followed by "by".
const AUTHORING_VERBS: &[&str] = &[
    "authored",
    "commissioned",
    "compiled",
    "drafted",
    "issued",
    "prepared",
    "produced",
    "published",
    "released",
    "sent",
    "signed",
    "written",
];

/// Attributes each quote to a speaker among `entities` (or a label only), in text order.
pub fn attribute(
    doc: &Document,
    sections: &[ProposedSection],
    quotes: Vec<QuoteSpan>,
    entities: &[FoundEntity],
) -> Vec<ProposedQuote> {
    let outer: Vec<Span> = quotes.iter().map(QuoteSpan::outer).collect();
    let mut mentions: Vec<(Span, usize)> = entities
        .iter()
        .enumerate()
        .flat_map(|(index, entity)| {
            entity.mentions.iter().map(move |m| {
                (
                    Span {
                        start: m.start,
                        end: m.end,
                    },
                    index,
                )
            })
        })
        .collect();
    mentions.sort_by_key(|(span, index)| (span.start, span.end, *index));
    let attributor = Attributor {
        doc,
        entities,
        genders: entities
            .iter()
            .map(|entity| Attributor::find_gender(doc, entity))
            .collect(),
        mentions,
        people: entities
            .iter()
            .map(|entity| entity.kind == EntityKind::Person)
            .collect(),
        direct: quotes.iter().map(|q| q.kind == QuoteKind::Direct).collect(),
        sentences: doc.sentences(&outer),
        outer,
    };
    let mut history: Vec<Attribution> = Vec::new();
    for index in 0..quotes.len() {
        let attribution = attributor.attribute(index, &history);
        history.push(attribution);
    }
    quotes
        .into_iter()
        .zip(history)
        .enumerate()
        .map(|(position, (quote, attribution))| ProposedQuote {
            position: i32::try_from(position).unwrap_or(i32::MAX),
            section_position: sections
                .iter()
                .rev()
                .find(|s| s.start <= quote.start)
                .map(|s| s.position),
            speaker: attribution.speaker.map(|e| entities[e].name.clone()),
            speaker_label: attribution.label,
            cue: attribution.cue,
            confidence: attribution.confidence,
            rule: attribution.rule.to_owned(),
            text: quote.text,
            kind: quote.kind,
            start: quote.start,
            end: quote.end,
        })
        .collect()
}

/// Who said one quote, and how it was decided.
#[derive(Debug, Clone, PartialEq)]
struct Attribution {
    /// Index into the entities.
    speaker: Option<usize>,
    label: Option<String>,
    cue: Option<String>,
    confidence: f64,
    rule: &'static str,
}

impl Attribution {
    fn none() -> Self {
        Self {
            speaker: None,
            label: None,
            cue: None,
            confidence: 0.0,
            rule: "none",
        }
    }

    fn is_attributed(&self) -> bool {
        self.speaker.is_some() || self.label.is_some()
    }
}

/// Who a speaker phrase is: the entity, the label as written, how sure.
struct Resolved {
    speaker: Option<usize>,
    label: Option<String>,
    certainty: f64,
}

/// Tokens `[start, end)` of a sentence that name a speaker.
#[derive(Debug, Clone, Copy)]
struct Phrase {
    start: usize,
    end: usize,
}

struct Attributor<'a> {
    doc: &'a Document,
    entities: &'a [FoundEntity],
    /// Each entity's gender, when a title gives it (Some(true) male).
    genders: Vec<Option<bool>>,
    /// Every named mention, by start.
    mentions: Vec<(Span, usize)>,
    /// Whether each entity is a person.
    people: Vec<bool>,
    /// Whether each quote is a whole statement (not a partial quote).
    direct: Vec<bool>,
    /// Every quote with its marks, in order (the same order as the quotes).
    outer: Vec<Span>,
    sentences: Vec<Span>,
}

impl Attributor<'_> {
    fn sentence(&self, tokens: Vec<Token>) -> Sentence<'_> {
        Sentence {
            tokens,
            doc: self.doc,
            mentions: &self.mentions,
            people: &self.people,
        }
    }

    fn attribute(&self, index: usize, history: &[Attribution]) -> Attribution {
        let quote = self.outer[index];
        let left = sentence_of(&self.sentences, quote.start);
        let right = sentence_of(&self.sentences, quote.end.saturating_sub(1));
        let tokens = self
            .doc
            .tokens(left.start, left.end.max(right.end), &self.outer);
        let Some(at) = tokens
            .iter()
            .position(|t| t.kind == TokenKind::Quote(index))
        else {
            return Attribution::none();
        };
        let sentence = self.sentence(tokens);
        self.interrupted(&sentence, at, history)
            .or_else(|| self.after(&sentence, at, history))
            .or_else(|| self.before(&sentence, at, history))
            .or_else(|| self.in_sentence(&sentence, at, history))
            .or_else(|| self.continuation(quote, history))
            .or_else(|| self.in_paragraph(index, left, history))
            .unwrap_or_else(Attribution::none)
    }

    /// `"We will," she said, "fight this."`: the second part takes the first part's speaker.
    fn interrupted(
        &self,
        sentence: &Sentence,
        at: usize,
        history: &[Attribution],
    ) -> Option<Attribution> {
        let tokens = &sentence.tokens;
        let previous_at = tokens[..at]
            .iter()
            .rposition(|t| matches!(t.kind, TokenKind::Quote(_)))?;
        let TokenKind::Quote(previous) = tokens[previous_at].kind else {
            return None;
        };
        let gap = &tokens[previous_at + 1..at];
        let previous_attribution = history.get(previous)?;
        let joined = gap.len() <= 8
            && gap.last().is_some_and(|t| sentence.is(t, ","))
            && gap.iter().any(|t| sentence.cue(t).is_some())
            && matches!(previous_attribution.rule, "adjacent" | "inverted");
        joined.then(|| Attribution {
            rule: "interrupted",
            ..previous_attribution.clone()
        })
    }

    /// A cue right after the quote: `"...," Smith said`, `"...," said a spokesperson`.
    fn after(
        &self,
        sentence: &Sentence,
        at: usize,
        history: &[Attribution],
    ) -> Option<Attribution> {
        let mut next = at + 1;
        if sentence
            .tokens
            .get(next)
            .is_some_and(|t| sentence.is(t, ",") || sentence.is(t, "—"))
        {
            next += 1;
        }
        let token = sentence.tokens.get(next)?;
        if let Some(cue) = sentence.cue_at(next) {
            if cue.cue.takes_object {
                return None;
            }
            let phrase = sentence.phrase_after(next + cue.len)?;
            return self.attribution(sentence, phrase, next, cue.len, "inverted", 0.95, history);
        }
        if matches!(token.kind, TokenKind::Word) {
            let phrase = sentence.phrase_after(next)?;
            let cue_at = sentence.skip_between(phrase.end);
            let cue = sentence.cue_at(cue_at)?;
            return self.attribution(sentence, phrase, cue_at, cue.len, "adjacent", 0.95, history);
        }
        None
    }

    /// A cue right before the quote: `Smith said: "..."`, `he told the Prime Minister, "..."`.
    fn before(
        &self,
        sentence: &Sentence,
        at: usize,
        history: &[Attribution],
    ) -> Option<Attribution> {
        let tokens = &sentence.tokens;
        let mut end = at;
        let colon = end > 0 && sentence.is(&tokens[end - 1], ":");
        let marked = end > 0 && (colon || sentence.is(&tokens[end - 1], ","));
        if marked {
            end -= 1;
        }
        let from = end.saturating_sub(MAX_OBJECT_TOKENS + 1);
        let cue_at = (from..end).rev().find(|&i| sentence.cue_at(i).is_some())?;
        let cue = sentence.cue_at(cue_at)?;
        // Without a comma or colon, only a cue right before the quote is adjacent
        // (`said the plan was "flawed"` is a cue's subject, found later).
        let object = &tokens[cue_at + cue.len..end];
        if (!marked && !object.is_empty()) || object.iter().any(|t| t.kind != TokenKind::Word) {
            return None;
        }
        let rule = if colon { "colon" } else { "adjacent_before" };
        if let Some(phrase) = sentence.phrase_before(cue_at) {
            return self.attribution(sentence, phrase, cue_at, cue.len, rule, 0.9, history);
        }
        if !cue.cue.takes_object {
            if let Some(phrase) = sentence
                .phrase_after(cue_at + cue.len)
                .filter(|p| p.end == end)
            {
                return self
                    .attribution(sentence, phrase, cue_at, cue.len, "inverted", 0.9, history);
            }
        }
        None
    }

    /// The subject of the nearest cue in the sentence, before the quote or else after it.
    fn in_sentence(
        &self,
        sentence: &Sentence,
        at: usize,
        history: &[Attribution],
    ) -> Option<Attribution> {
        let cue_before = (0..at).rev().find(|&i| sentence.cue_at(i).is_some());
        let cue_after = (at + 1..sentence.tokens.len()).find(|&i| sentence.cue_at(i).is_some());
        let (cue_at, confidence) = match (cue_before, cue_after) {
            (Some(cue_at), _) => (cue_at, 0.8),
            (None, Some(cue_at)) => (cue_at, 0.75),
            (None, None) => return None,
        };
        let cue = sentence.cue_at(cue_at)?;
        if cue.according {
            let phrase = sentence.phrase_after(cue_at + cue.len)?;
            return self.attribution(
                sentence,
                phrase,
                cue_at,
                cue.len,
                "according_to",
                confidence,
                history,
            );
        }
        let phrase = sentence.subject_of(cue_at)?;
        self.attribution(
            sentence,
            phrase,
            cue_at,
            cue.len,
            "cue_subject",
            confidence,
            history,
        )
    }

    /// A paragraph that is only a quote goes on from the previous speaker.
    fn continuation(&self, quote: Span, history: &[Attribution]) -> Option<Attribution> {
        let paragraphs = self.doc.paragraphs();
        let paragraph = paragraphs.get(paragraphs.partition_point(|p| p.end <= quote.start))?;
        let outside = format!(
            "{}{}",
            self.doc.slice(paragraph.start, quote.start),
            self.doc.slice(quote.end, paragraph.end)
        );
        if outside.chars().any(char::is_alphanumeric) {
            return None;
        }
        let previous = recent(history).find(|a| a.is_attributed())?;
        Some(Attribution {
            confidence: 0.6,
            rule: "continuation",
            ..previous.clone()
        })
    }

    /// A whole-statement quote with no cue in its sentence, in a paragraph that names its
    /// speaker: the previous quote's speaker in the paragraph, else the subject of the nearest
    /// earlier sentence's cue, else the last person named in the paragraph; a paragraph that
    /// opens with the quote goes on from the previous speaker.
    fn in_paragraph(
        &self,
        index: usize,
        sentence: Span,
        history: &[Attribution],
    ) -> Option<Attribution> {
        if !self.direct.get(index).copied().unwrap_or(false) {
            return None;
        }
        let quote = self.outer[index];
        let paragraphs = self.doc.paragraphs();
        let paragraph = *paragraphs.get(paragraphs.partition_point(|p| p.end <= quote.start))?;
        if let Some(previous) = index
            .checked_sub(1)
            .filter(|&i| self.outer[i].start >= paragraph.start)
            .and_then(|i| history.get(i))
            .filter(|a| a.is_attributed())
        {
            return Some(Attribution {
                confidence: previous.confidence.min(0.7),
                rule: "paragraph",
                ..previous.clone()
            });
        }
        let first = self.sentences.partition_point(|s| s.end <= paragraph.start);
        let current = self.sentences.partition_point(|s| s.end <= sentence.start);
        let earlier_sentences = self.sentences[first..current.max(first)].iter().rev();
        for earlier in earlier_sentences.take(MAX_EARLIER_SENTENCES) {
            let tokens = self.doc.tokens(earlier.start, earlier.end, &self.outer);
            let sentence = self.sentence(tokens);
            let Some(cue_at) = (0..sentence.tokens.len())
                .rev()
                .find(|&i| sentence.cue_at(i).is_some_and(|c| !c.according))
            else {
                continue;
            };
            let found = sentence.subject_of(cue_at).and_then(|phrase| {
                let cue = sentence.cue_at(cue_at)?;
                self.attribution(
                    &sentence,
                    phrase,
                    cue_at,
                    cue.len,
                    "previous_subject",
                    0.65,
                    history,
                )
            });
            if let Some(found) = found.filter(|a| a.speaker.is_some()) {
                return Some(found);
            }
        }
        if let Some((_, entity)) = self
            .last_mention_before(quote.start, |e| self.people[e])
            .filter(|(m, _)| m.start >= paragraph.start)
        {
            return Some(Attribution {
                speaker: Some(entity),
                label: None,
                cue: None,
                confidence: 0.55,
                rule: "paragraph_person",
            });
        }
        if quote.start > paragraph.start {
            return None;
        }
        let previous = recent(history).find(|a| a.is_attributed())?;
        Some(Attribution {
            confidence: 0.5,
            rule: "continuation",
            ..previous.clone()
        })
    }

    /// Builds the attribution for a speaker phrase and the cue at `cue_at` (`cue_len` tokens).
    #[allow(clippy::too_many_arguments)]
    fn attribution(
        &self,
        sentence: &Sentence,
        phrase: Phrase,
        cue_at: usize,
        cue_len: usize,
        rule: &'static str,
        confidence: f64,
        history: &[Attribution],
    ) -> Option<Attribution> {
        let resolved = self.resolve(sentence, phrase, history)?;
        let cue_end = sentence.tokens[cue_at + cue_len - 1].end;
        Some(Attribution {
            speaker: resolved.speaker,
            label: resolved.label,
            cue: Some(
                self.doc
                    .slice(sentence.tokens[cue_at].start, cue_end)
                    .to_owned(),
            ),
            confidence: confidence * resolved.certainty,
            rule,
        })
    }

    /// Who the speaker phrase names.
    fn resolve(
        &self,
        sentence: &Sentence,
        phrase: Phrase,
        history: &[Attribution],
    ) -> Option<Resolved> {
        let tokens = &sentence.tokens;
        let span = Span {
            start: tokens[phrase.start].start,
            end: tokens[phrase.end - 1].end,
        };
        let text = self.doc.slice(span.start, span.end).to_owned();
        if phrase.end - phrase.start == 1 {
            if let Some(pronoun) = cues::pronoun(&text) {
                return Some(self.resolve_pronoun(pronoun, span.start, &text, history));
            }
        }
        if let Some(entity) = self.best_mention_in(span) {
            let label = (self.entities[entity].name != text).then_some(text);
            return Some(Resolved {
                speaker: Some(entity),
                label,
                certainty: 1.0,
            });
        }
        let head = sentence.word(&tokens[phrase.end - 1]);
        let definite = sentence
            .word(&tokens[phrase.start])
            .eq_ignore_ascii_case("the");
        let speaker = if cues::is_document_noun(head) {
            self.author_of(head, span.start)
                .or_else(|| previous_speaker(history, |_| true).and_then(|a| a.speaker))
        } else if cues::is_body_noun(head) {
            self.named_body(head, span.start).or_else(|| {
                definite
                    .then(|| self.last_mention_before(span.start, |e| self.is_body(e)))
                    .flatten()
                    .map(|(_, entity)| entity)
            })
        } else if cues::is_role_noun(head) {
            self.role_owner(sentence, phrase, head, definite, span, history)
        } else {
            None
        };
        Some(Resolved {
            certainty: if speaker.is_some() { 0.85 } else { 0.7 },
            speaker,
            label: Some(text),
        })
    }

    /// Whom a role phrase with no name in it speaks for: "the spokeswoman" → the previous
    /// speaker with that role, or whoever the text last tied to it ("a spokeswoman for the Met
    /// Office"); "a council spokesperson" → the last organisation whose name holds "council";
    /// "its leader" → the last organisation.
    fn role_owner(
        &self,
        sentence: &Sentence,
        phrase: Phrase,
        head: &str,
        definite: bool,
        span: Span,
        history: &[Attribution],
    ) -> Option<usize> {
        let tokens = &sentence.tokens;
        if definite {
            let previous = previous_speaker(history, |a| {
                a.label.as_deref().is_some_and(|label| {
                    label
                        .split_whitespace()
                        .any(|word| word.eq_ignore_ascii_case(head))
                })
            });
            if let Some(found) = previous.and_then(|a| a.speaker) {
                return Some(found);
            }
            if let Some(found) = self.author_of(head, span.start) {
                return Some(found);
            }
        }
        for token in &tokens[phrase.start..phrase.end - 1] {
            let word = sentence.word(token);
            if capitalised(word) || cues::is_phrase_word(word) || cues::is_role_noun(word) {
                continue;
            }
            if let Some(entity) = self.named_body(word, span.start) {
                return Some(entity);
            }
        }
        let possessive = sentence.word(&tokens[phrase.start]);
        if ["its", "their"]
            .iter()
            .any(|p| p.eq_ignore_ascii_case(possessive))
        {
            return self
                .last_mention_before(span.start, |entity| self.is_body(entity))
                .map(|(_, entity)| entity);
        }
        None
    }

    /// The last body named before `at` whose name holds `noun`: "the council" → "Leeds City
    /// Council", "a union spokesman" → "the Transport Union".
    fn named_body(&self, noun: &str, at: usize) -> Option<usize> {
        let noun = noun.trim_end_matches("'s").trim_end_matches("’s");
        self.last_mention_before(at, |entity| {
            self.is_body(entity)
                && self.entities[entity]
                    .name
                    .split_whitespace()
                    .any(|w| w.eq_ignore_ascii_case(noun))
        })
        .map(|(_, entity)| entity)
    }

    /// Whether an entity can be a body that speaks: not a person or a place.
    fn is_body(&self, entity: usize) -> bool {
        matches!(
            self.entities[entity].kind,
            EntityKind::Organization | EntityKind::Other
        )
    }

    /// he/she → the last named person (of that gender when known) before `at`; it/they → the
    /// previous speaker that is not a person, or else the last organisation named.
    fn resolve_pronoun(
        &self,
        pronoun: Pronoun,
        at: usize,
        text: &str,
        history: &[Attribution],
    ) -> Resolved {
        let unresolved = Resolved {
            speaker: None,
            label: Some(text.to_owned()),
            certainty: 0.5,
        };
        match pronoun {
            Pronoun::He | Pronoun::She => {
                let male = pronoun == Pronoun::He;
                let compatible = |entity: usize| {
                    self.entities[entity].kind == EntityKind::Person
                        && self.gender(entity).is_none_or(|g| g == male)
                };
                let found = self
                    .last_mention_before(at, compatible)
                    .map(|found| self.speaking_subject(found, compatible).unwrap_or(found));
                found.map_or(unresolved, |(span, entity)| Resolved {
                    speaker: Some(entity),
                    label: Some(self.doc.slice(span.start, span.end).to_owned()),
                    certainty: 0.85,
                })
            }
            Pronoun::It => {
                let previous = history
                    .iter()
                    .enumerate()
                    .rev()
                    .take(MAX_HISTORY)
                    .find(|(_, a)| {
                        a.speaker
                            .is_some_and(|e| self.entities[e].kind != EntityKind::Person)
                    });
                let found = self.last_mention_before(at, |entity| self.is_body(entity));
                // An organisation named since the previous one spoke is the nearer antecedent.
                let nearer = found.filter(|(mention, _)| {
                    previous.is_none_or(|(index, _)| mention.start > self.outer[index].end)
                });
                if let Some((_, entity)) = nearer {
                    return Resolved {
                        speaker: Some(entity),
                        label: Some(text.to_owned()),
                        certainty: 0.7,
                    };
                }
                previous.map_or(unresolved, |(_, previous)| Resolved {
                    speaker: previous.speaker,
                    label: previous.label.clone(),
                    certainty: 0.8,
                })
            }
        }
    }

    /// The subject of a cue earlier in the sentence of mention `found` that `wanted` accepts:
    /// in "Pike said Mendes had left", "he" is more likely Pike, who is speaking.
    fn speaking_subject(
        &self,
        found: (Span, usize),
        wanted: impl Fn(usize) -> bool,
    ) -> Option<(Span, usize)> {
        let sentence = sentence_of(&self.sentences, found.0.start);
        let from = self
            .mentions
            .partition_point(|(m, _)| m.start < sentence.start);
        self.mentions[from..]
            .iter()
            .take_while(|(m, _)| m.start < found.0.start)
            .find(|(m, entity)| {
                wanted(*entity) && !self.in_quote(m.start) && {
                    let until = sentence.end.min(m.end + CUE_WINDOW);
                    let after = self.sentence(self.doc.tokens(m.end, until, &self.outer));
                    after.cue_at(after.skip_between(0)).is_some()
                }
            })
            .copied()
    }

    /// The entity named inside `span`: a person first, then an organisation, then a place; the
    /// longest mention of that kind.
    fn best_mention_in(&self, span: Span) -> Option<usize> {
        let from = self.mentions.partition_point(|(m, _)| m.start < span.start);
        self.mentions[from..]
            .iter()
            .take_while(|(m, _)| m.start < span.end)
            .filter(|(m, _)| m.end <= span.end)
            .min_by_key(|(m, entity)| {
                let rank = match self.entities[*entity].kind {
                    EntityKind::Person => 0,
                    EntityKind::Organization => 1,
                    EntityKind::Location => 2,
                    EntityKind::Event | EntityKind::Other => 3,
                };
                (rank, usize::MAX - (m.end - m.start))
            })
            .map(|(_, entity)| *entity)
    }

    /// The last mention before `at`, outside quotes, of an entity `wanted` accepts.
    fn last_mention_before(
        &self,
        at: usize,
        wanted: impl Fn(usize) -> bool,
    ) -> Option<(Span, usize)> {
        let until = self.mentions.partition_point(|(m, _)| m.start < at);
        let since = self
            .mentions
            .partition_point(|(m, _)| m.start + ANTECEDENT_WINDOW < at);
        self.mentions[since..until]
            .iter()
            .rev()
            .find(|(m, entity)| wanted(*entity) && !self.in_quote(m.start))
            .copied()
    }

    fn in_quote(&self, at: usize) -> bool {
        let index = self.outer.partition_point(|q| q.end <= at);
        self.outer.get(index).is_some_and(|q| q.start <= at)
    }

    fn gender(&self, entity: usize) -> Option<bool> {
        self.genders.get(entity).copied().flatten()
    }

    /// A person's gender from a title in any of their mentions: Some(true) male.
    fn find_gender(doc: &Document, entity: &FoundEntity) -> Option<bool> {
        entity
            .mentions
            .iter()
            .map(|m| doc.slice(m.start, m.end))
            .chain(entity.aliases.iter().map(String::as_str))
            .find_map(|name| name.split_whitespace().next().and_then(cues::title_gender))
    }

    /// Who the text says wrote the document `noun` names: "the Home Office memo", "a letter
    /// from the council", "a report published by the Audit Office".
    fn author_of(&self, noun: &str, before: usize) -> Option<usize> {
        let from = before.saturating_sub(AUTHOR_WINDOW);
        let sentence = self.sentence(self.doc.tokens(from, before, &self.outer));
        let tokens = &sentence.tokens;
        let word = |i: usize| tokens.get(i).map_or("", |t| sentence.word(t));
        let authoring = |i: usize| {
            AUTHORING_VERBS
                .iter()
                .any(|v| v.eq_ignore_ascii_case(word(i)))
        };
        (0..tokens.len())
            .rev()
            .filter(|&i| word(i).eq_ignore_ascii_case(noun))
            .find_map(|i| {
                let owner = i
                    .checked_sub(1)
                    .and_then(|j| self.mention_ending_at(tokens[j].end));
                let author_at = if ["from", "for", "at", "of"].contains(&word(i + 1)) {
                    Some(i + 2)
                } else if authoring(i + 1) && word(i + 2) == "by" {
                    Some(i + 3)
                } else if authoring(i + 2) && word(i + 3) == "by" {
                    Some(i + 4)
                } else {
                    None
                };
                owner.or_else(|| {
                    let author = tokens.get(author_at?)?;
                    self.mention_starting_near(author.start)
                })
            })
    }

    /// The entity of a mention ending exactly at `end`.
    fn mention_ending_at(&self, end: usize) -> Option<usize> {
        let from = self.mentions.partition_point(|(m, _)| m.end + 80 < end);
        self.mentions[from..]
            .iter()
            .take_while(|(m, _)| m.start < end)
            .find(|(m, _)| m.end == end)
            .map(|(_, e)| *e)
    }

    /// The entity of a mention starting at `at` or after a determiner ("the Audit Office").
    fn mention_starting_near(&self, at: usize) -> Option<usize> {
        let from = self.mentions.partition_point(|(m, _)| m.start < at);
        self.mentions[from..]
            .iter()
            .take_while(|(m, _)| m.start <= at + "the ".len())
            .max_by_key(|(m, _)| m.end - m.start)
            .map(|(_, e)| *e)
    }
}

/// The latest attribution with a speaker that `accept` takes.
fn previous_speaker(
    history: &[Attribution],
    accept: impl Fn(&Attribution) -> bool,
) -> Option<&Attribution> {
    recent(history).find(|a| a.speaker.is_some() && accept(a))
}

/// The latest attributions, newest first, as far back as a reader would follow.
fn recent(history: &[Attribution]) -> impl Iterator<Item = &Attribution> {
    history.iter().rev().take(MAX_HISTORY)
}

/// A found cue: its entry and how many tokens it spans ("pointed to" is two).
#[derive(Debug, Clone, Copy)]
struct CueAt {
    cue: Cue,
    len: usize,
    according: bool,
}

/// The tokens of a sentence, quotes as single tokens, with the phrase rules over them.
struct Sentence<'a> {
    tokens: Vec<Token>,
    doc: &'a Document,
    /// Every named mention, by start (a phrase never cuts one in two).
    mentions: &'a [(Span, usize)],
    /// Whether each entity is a person.
    people: &'a [bool],
}

impl Sentence<'_> {
    fn word(&self, token: &Token) -> &str {
        self.doc.slice(token.start, token.end)
    }

    fn is(&self, token: &Token, text: &str) -> bool {
        self.word(token) == text
    }

    fn cue(&self, token: &Token) -> Option<Cue> {
        (token.kind == TokenKind::Word)
            .then(|| cues::cue(self.word(token)))
            .flatten()
    }

    /// The cue starting at token `at`, with its particle when it needs one.
    fn cue_at(&self, at: usize) -> Option<CueAt> {
        let token = self.tokens.get(at)?;
        let next = self.tokens.get(at + 1).map(|t| self.word(t));
        if self.word(token).eq_ignore_ascii_case("according") {
            return next
                .filter(|n| n.eq_ignore_ascii_case("to"))
                .map(|_| CueAt {
                    cue: Cue {
                        particle: Some("to"),
                        takes_object: false,
                    },
                    len: 2,
                    according: true,
                });
        }
        let cue = self.cue(token)?;
        match cue.particle {
            Some(particle) if next.is_some_and(|n| n.eq_ignore_ascii_case(particle)) => {
                Some(CueAt {
                    cue,
                    len: 2,
                    according: false,
                })
            }
            Some(_) => None,
            None => Some(CueAt {
                cue,
                len: 1,
                according: false,
            }),
        }
    }

    /// The first token from `at` that is not an adverb or auxiliary.
    fn skip_between(&self, mut at: usize) -> usize {
        while self
            .tokens
            .get(at)
            .is_some_and(|t| t.kind == TokenKind::Word && cues::is_between_word(self.word(t)))
        {
            at += 1;
        }
        at
    }

    /// Whether token `at` can be part of a speaker phrase: a capitalised word, a determiner or
    /// role adjective, a role or document noun, or "of/for/at/from" before a capitalised word.
    fn in_phrase(&self, at: usize) -> bool {
        if self.title_stop(at) {
            return true;
        }
        let Some(token) = self.tokens.get(at).filter(|t| t.kind == TokenKind::Word) else {
            return false;
        };
        let word = self.word(token);
        if cues::pronoun(word).is_some() || cues::cue(word).is_some() {
            return false;
        }
        if ["of", "for", "at", "from", "in"].contains(&word) {
            return self.tokens.get(at + 1).is_some_and(|next| {
                let next = self.word(next);
                next.starts_with(char::is_uppercase) || next == "the"
            });
        }
        capitalised(word)
            || self.modifies_role(at)
            || cues::is_phrase_word(word)
            || cues::is_role_noun(word)
            || cues::is_document_noun(word)
            || cues::is_body_noun(word)
    }

    /// Whether token `at` is a lower-case noun before a role noun, within two words: "a council
    /// spokesperson", "the agency's flood duty manager".
    fn modifies_role(&self, at: usize) -> bool {
        let plain = |i: usize| {
            self.tokens.get(i).is_some_and(|t| {
                let word = self.word(t);
                t.kind == TokenKind::Word
                    && word
                        .chars()
                        .all(|c| c.is_lowercase() || matches!(c, '-' | '\'' | '’'))
                    && cues::cue(word).is_none()
                    && cues::pronoun(word).is_none()
                    && !cues::is_phrase_word(word)
                    && !cues::is_small_word(word)
            })
        };
        let role = |i: usize| {
            self.tokens
                .get(i)
                .is_some_and(|t| t.kind == TokenKind::Word && cues::is_role_noun(self.word(t)))
        };
        plain(at) && (role(at + 1) || (plain(at + 1) && role(at + 2)))
    }

    /// Whether token `at` is the full stop of a short title before a name ("Sen. Maria
    /// Delgado"), which does not end the phrase.
    fn title_stop(&self, at: usize) -> bool {
        let word_at = |i: usize| {
            self.tokens
                .get(i)
                .filter(|t| t.kind == TokenKind::Word)
                .map(|t| self.word(t))
        };
        self.tokens.get(at).is_some_and(|t| self.is(t, "."))
            && at
                .checked_sub(1)
                .and_then(word_at)
                .is_some_and(cues::is_title_abbreviation)
            && word_at(at + 1).is_some_and(capitalised)
    }

    /// The mention that chars `at` fall strictly inside of (after its first char).
    fn mention_across(&self, at: usize) -> Option<Span> {
        let until = self.mentions.partition_point(|(m, _)| m.start < at);
        self.mentions[until.saturating_sub(8)..until]
            .iter()
            .map(|(m, _)| *m)
            .filter(|m| m.start < at && at < m.end)
            .min_by_key(|m| m.start)
    }

    /// Whether tokens `[from, to)` are a person's name: capitalised words (and a title's full
    /// stop) holding a person's mention.
    fn is_person_name(&self, from: usize, to: usize) -> bool {
        if from >= to || to > self.tokens.len() {
            return false;
        }
        let name_like = (from..to).all(|i| {
            let token = &self.tokens[i];
            (token.kind == TokenKind::Word && capitalised(self.word(token))) || self.title_stop(i)
        });
        let (start, end) = (self.tokens[from].start, self.tokens[to - 1].end);
        let first = self.mentions.partition_point(|(m, _)| m.start < start);
        name_like
            && self.mentions[first..]
                .iter()
                .take_while(|(m, _)| m.start < end)
                .any(|(m, entity)| m.end <= end && self.people.get(*entity) == Some(&true))
    }

    /// The person's name that tokens `[from, to)` open with ("Ann Bell of Bell & Co"): the
    /// name's tokens.
    fn leading_person_name(&self, from: usize, to: usize) -> Option<Phrase> {
        (from + 1..=to)
            .rev()
            .find(|&end| self.is_person_name(from, end))
            .map(|end| Phrase { start: from, end })
    }

    /// A person named in apposition right after a phrase ending at token `end`
    /// ("its chief executive, Joanne Pratt"): the name's tokens.
    fn appositive_name(&self, end: usize) -> Option<Phrase> {
        if !self.tokens.get(end).is_some_and(|t| self.is(t, ",")) {
            return None;
        }
        let mut to = end + 1;
        while self.tokens.get(to).is_some_and(|t| {
            (t.kind == TokenKind::Word && capitalised(self.word(t))) || self.title_stop(to)
        }) {
            to += 1;
        }
        let closed = self
            .tokens
            .get(to)
            .is_none_or(|t| self.is(t, ",") || self.is(t, ".") || t.kind != TokenKind::Word);
        (closed && self.is_person_name(end + 1, to)).then_some(Phrase {
            start: end + 1,
            end: to,
        })
    }

    /// Whether token `at` can end a speaker phrase.
    fn is_head(&self, at: usize) -> bool {
        let word = self.word(&self.tokens[at]);
        (capitalised(word) && !cues::is_phrase_word(word) && !cues::is_opener(word))
            || cues::is_role_noun(word)
            || cues::is_document_noun(word)
            || cues::is_body_noun(word)
    }

    /// Trims openers and prepositions from the front of a phrase; `None` without a head.
    fn finish(&self, mut phrase: Phrase) -> Option<Phrase> {
        while phrase.start < phrase.end {
            let word = self.word(&self.tokens[phrase.start]);
            if cues::is_opener(word) || ["of", "for", "at", "from", "in"].contains(&word) {
                phrase.start += 1;
            } else {
                break;
            }
        }
        while phrase.end > phrase.start && !self.is_head(phrase.end - 1) {
            phrase.end -= 1;
        }
        (phrase.start < phrase.end).then_some(phrase)
    }

    /// The speaker phrase starting at token `at`.
    fn phrase_after(&self, at: usize) -> Option<Phrase> {
        let token = self.tokens.get(at)?;
        if token.kind == TokenKind::Word && cues::pronoun(self.word(token)).is_some() {
            return Some(Phrase {
                start: at,
                end: at + 1,
            });
        }
        let mut end = at;
        loop {
            while self.in_phrase(end) {
                end += 1;
            }
            // A name the phrase cuts at "and" or a comma is taken whole.
            let Some(across) = end
                .checked_sub(1)
                .filter(|&last| last >= at)
                .and_then(|last| self.mention_across(self.tokens[last].end))
            else {
                break;
            };
            let Some(to) = self.tokens[end..].iter().position(|t| t.end >= across.end) else {
                break;
            };
            end += to + 1;
        }
        let phrase = self.finish(Phrase { start: at, end })?;
        Some(self.appositive_name(phrase.end).unwrap_or(phrase))
    }

    /// The speaker phrase ending right before token `end` (past adverbs and an appositive).
    fn phrase_before(&self, end: usize) -> Option<Phrase> {
        let mut end = end;
        let skip = |mut end: usize| {
            while end > 0
                && self.tokens[end - 1].kind == TokenKind::Word
                && cues::is_between_word(self.word(&self.tokens[end - 1]))
            {
                end -= 1;
            }
            end
        };
        end = skip(end);
        if end > 0 && self.is(&self.tokens[end - 1], ",") {
            let from = end.saturating_sub(MAX_APPOSITIVE_TOKENS);
            let comma = (from..end - 1)
                .rev()
                .find(|&i| self.is(&self.tokens[i], ","))?;
            if self.tokens[comma + 1..end - 1]
                .iter()
                .any(|t| matches!(t.kind, TokenKind::Quote(_)))
            {
                return None;
            }
            // "Its chief executive, Rachel Adeyemi, said": the person named in apposition.
            if let Some(name) = self.leading_person_name(comma + 1, end - 1) {
                return Some(name);
            }
            // "Critics, including the Heritage Foundation, said": the one named.
            if self.is(&self.tokens[comma + 1], "including") {
                let named = self
                    .finish(Phrase {
                        start: comma + 2,
                        end: end - 1,
                    })
                    .filter(|p| p.end == end - 1 && (p.start..p.end).all(|i| self.in_phrase(i)));
                if named.is_some() {
                    return named;
                }
            }
            end = skip(comma);
        }
        let last = end.checked_sub(1)?;
        let token = &self.tokens[last];
        if token.kind == TokenKind::Word && cues::pronoun(self.word(token)).is_some() {
            return Some(Phrase { start: last, end });
        }
        let mut start = end;
        loop {
            while start > 0 && self.in_phrase(start - 1) {
                start -= 1;
            }
            // A name the phrase cuts at "and" or a comma is taken whole.
            let Some(across) = self
                .tokens
                .get(start)
                .filter(|_| start < end)
                .and_then(|t| self.mention_across(t.start))
            else {
                break;
            };
            let Some(from) = self.tokens[..start]
                .iter()
                .rposition(|t| t.start <= across.start)
            else {
                break;
            };
            start = from;
        }
        self.finish(Phrase { start, end }).filter(|p| p.end == end)
    }

    /// The subject of the cue at token `at`; for a cue in a coordinated or participial clause
    /// ("and mentioned", ", accusing"), the subject of the cue before it or of the sentence.
    fn subject_of(&self, at: usize) -> Option<Phrase> {
        if let Some(phrase) = self.phrase_before(at) {
            return Some(phrase);
        }
        if let Some(previous) = (0..at).rev().find(|&i| self.cue_at(i).is_some()) {
            return self.subject_of(previous);
        }
        let mut from = 0;
        let opens_with_clause = self
            .tokens
            .first()
            .is_some_and(|t| cues::is_opener(self.word(t)));
        if opens_with_clause {
            from = self.tokens[..at.min(12)]
                .iter()
                .position(|t| self.is(t, ","))
                .map_or(0, |comma| comma + 1);
        }
        self.phrase_after(from).filter(|p| p.end <= at)
    }
}

fn capitalised(word: &str) -> bool {
    word.starts_with(|c: char| c.is_uppercase())
}

#[cfg(test)]
mod tests {
    use super::super::entities::Mention;
    use super::super::quotes;
    use super::*;

    /// An entity for `name`, mentioned wherever each of `forms` appears in `text`.
    fn entity(text: &str, name: &str, kind: EntityKind, forms: &[&str]) -> FoundEntity {
        let doc = Document::new(text);
        let mut mentions: Vec<Mention> = Vec::new();
        for form in forms {
            for (byte, _) in text.match_indices(form) {
                let start = doc.char_at_byte(byte);
                let end = start + form.chars().count();
                let covered = mentions.iter().any(|m| m.start <= start && end <= m.end);
                if !covered {
                    mentions.push(Mention { start, end });
                }
            }
        }
        mentions.sort_by_key(|m| m.start);
        FoundEntity {
            name: name.to_owned(),
            kind,
            aliases: Vec::new(),
            mentions,
            confidence: 1.0,
        }
    }

    /// (quote text, speaker, label, cue, rule) of a quote.
    type Row = (
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
    );

    /// The rows for each quote of `text`.
    fn attributed(text: &str, entities: &[FoundEntity]) -> Vec<Row> {
        let doc = Document::new(text);
        let sections = super::super::sections::find(&doc);
        attribute(&doc, &sections, quotes::find(&doc), entities)
            .into_iter()
            .map(|q| (q.text, q.speaker, q.speaker_label, q.cue, q.rule))
            .collect()
    }

    fn some(text: &str) -> Option<String> {
        Some(text.to_owned())
    }

    #[test]
    fn a_cue_after_the_quote_names_the_speaker_either_way_round() {
        let text = "\"We are ready for this,\" Jane Smith said. \"So are we,\" said Tom Jones.";
        let entities = [
            entity(text, "Jane Smith", EntityKind::Person, &["Jane Smith"]),
            entity(text, "Tom Jones", EntityKind::Person, &["Tom Jones"]),
        ];
        let found = attributed(text, &entities);
        assert_eq!(
            found,
            [
                (
                    "We are ready for this,".into(),
                    some("Jane Smith"),
                    None,
                    some("said"),
                    "adjacent".into()
                ),
                (
                    "So are we,".into(),
                    some("Tom Jones"),
                    None,
                    some("said"),
                    "inverted".into()
                ),
            ]
        );
    }

    #[test]
    fn an_interrupted_quote_has_one_speaker_for_both_parts() {
        let text = "Mrs Jane Smith spoke. \"We will,\" she said, \"fight this all the way.\"";
        let entities = [entity(
            text,
            "Jane Smith",
            EntityKind::Person,
            &["Mrs Jane Smith"],
        )];
        let found = attributed(text, &entities);
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[0].1.as_deref(), found[0].2.as_deref()),
            (Some("Jane Smith"), Some("Mrs Jane Smith"))
        );
        assert_eq!(
            (found[1].1.as_deref(), found[1].4.as_str()),
            (Some("Jane Smith"), "interrupted")
        );
    }

    #[test]
    fn a_colon_introduction_skips_the_appositive() {
        let text = "Mr Tom Jones, the minister for schools, stated: \"Reform is coming soon.\"";
        let entities = [entity(
            text,
            "Tom Jones",
            EntityKind::Person,
            &["Mr Tom Jones"],
        )];
        assert_eq!(
            attributed(text, &entities),
            [(
                "Reform is coming soon.".into(),
                some("Tom Jones"),
                some("Mr Tom Jones"),
                some("stated"),
                "colon".into()
            )]
        );
    }

    #[test]
    fn a_pronoun_speaker_is_the_last_named_person_of_that_gender() {
        let text = "Mr Tom Jones met Ms Ann Lee. Later he told reporters, \"It went well.\"";
        let entities = [
            entity(text, "Tom Jones", EntityKind::Person, &["Mr Tom Jones"]),
            entity(text, "Ann Lee", EntityKind::Person, &["Ms Ann Lee"]),
        ];
        let found = attributed(text, &entities);
        assert_eq!(found[0].1.as_deref(), Some("Tom Jones"));
        assert_eq!(found[0].3.as_deref(), Some("told"));
    }

    #[test]
    fn a_role_speaker_keeps_its_label_and_links_to_the_organisation_it_names() {
        let text = "A Home Office spokesperson said the plan was \"deeply flawed in every way\". \
                    The spokesperson added that it was \"under review\".";
        let entities = [entity(
            text,
            "Home Office",
            EntityKind::Organization,
            &["Home Office"],
        )];
        let found = attributed(text, &entities);
        assert_eq!(
            found[0],
            (
                "deeply flawed in every way".into(),
                some("Home Office"),
                some("A Home Office spokesperson"),
                some("said"),
                "cue_subject".into()
            )
        );
        assert_eq!(
            (found[1].1.as_deref(), found[1].2.as_deref()),
            (Some("Home Office"), Some("The spokesperson"))
        );
    }

    #[test]
    fn a_role_speaker_without_a_named_organisation_is_a_label_only() {
        let text = "\"Nobody saw it coming,\" a senior source said.";
        assert_eq!(
            attributed(text, &[]),
            [(
                "Nobody saw it coming,".into(),
                None,
                some("a senior source"),
                some("said"),
                "adjacent".into()
            )]
        );
    }

    #[test]
    fn a_document_speaks_for_whoever_issued_it() {
        let text = "A report published by the Audit Office landed on Monday. \
                    The report warned that costs had \"spiralled out of control\".";
        let entities = [entity(
            text,
            "Audit Office",
            EntityKind::Organization,
            &["Audit Office"],
        )];
        assert_eq!(
            attributed(text, &entities),
            [(
                "spiralled out of control".into(),
                some("Audit Office"),
                some("The report"),
                some("warned"),
                "cue_subject".into()
            )]
        );
    }

    #[test]
    fn a_participial_or_coordinated_cue_takes_the_clause_subject() {
        let text =
            "Union leaders from Unite rejected the offer, accusing bosses of \"bad faith\". \
                    Unite struck in May and later described the deal as \"an insult to members\".";
        let entities = [entity(text, "Unite", EntityKind::Organization, &["Unite"])];
        let found = attributed(text, &entities);
        assert_eq!(found[0].1.as_deref(), Some("Unite"));
        assert_eq!(found[0].2.as_deref(), Some("Union leaders from Unite"));
        assert_eq!(found[0].3.as_deref(), Some("accusing"));
        assert_eq!(found[1].1.as_deref(), Some("Unite"));
        assert_eq!(found[1].3.as_deref(), Some("described"));
    }

    #[test]
    fn a_quote_only_paragraph_continues_the_previous_speaker() {
        let text = "\"We won,\" said Jane Smith.\n\"And we will win again next year.\"";
        let entities = [entity(
            text,
            "Jane Smith",
            EntityKind::Person,
            &["Jane Smith"],
        )];
        let found = attributed(text, &entities);
        assert_eq!(
            (found[1].1.as_deref(), found[1].4.as_str()),
            (Some("Jane Smith"), "continuation")
        );
    }

    #[test]
    fn according_to_names_the_speaker_after_it() {
        let text = "The talks \"collapsed without warning last night\", according to Ann Lee.";
        let entities = [entity(text, "Ann Lee", EntityKind::Person, &["Ann Lee"])];
        let found = attributed(text, &entities);
        assert_eq!(found[0].1.as_deref(), Some("Ann Lee"));
        assert_eq!(found[0].3.as_deref(), Some("according to"));
    }

    #[test]
    fn a_quote_with_no_cue_anywhere_has_no_speaker() {
        let text = "Jane Smith arrived. The mood was \"tense but hopeful for now\" on the day.";
        let entities = [entity(
            text,
            "Jane Smith",
            EntityKind::Person,
            &["Jane Smith"],
        )];
        let found = attributed(text, &entities);
        assert_eq!((found[0].1.clone(), found[0].4.as_str()), (None, "none"));
    }

    /// (speaker, rule) of each quote.
    fn speakers(text: &str, entities: &[FoundEntity]) -> Vec<(Option<String>, String)> {
        attributed(text, entities)
            .into_iter()
            .map(|row| (row.1, row.4))
            .collect()
    }

    fn by(name: &str, rule: &str) -> (Option<String>, String) {
        (some(name), rule.to_owned())
    }

    #[test]
    fn a_role_with_a_name_in_apposition_is_that_person() {
        let text = "The charity's director, Paul Green, said: \"We need help now.\"\n\
                    \"Nobody is coming,\" said the trust's chair, Mary Cole. \"Nobody at all will come to help us.\"";
        let entities = [
            entity(text, "Paul Green", EntityKind::Person, &["Paul Green"]),
            entity(text, "Mary Cole", EntityKind::Person, &["Mary Cole"]),
        ];
        let found = speakers(text, &entities);
        assert_eq!(found[0], by("Paul Green", "colon"));
        assert_eq!(found[1], by("Mary Cole", "inverted"));
        assert_eq!(found[2], by("Mary Cole", "paragraph"));
    }

    #[test]
    fn a_short_title_with_a_full_stop_does_not_end_the_speaker() {
        let text = "\"It passed at last,\" said Gov. Ann Lee, a Republican.\n\
                    Prof. Tom Hart, an economist who advised the panel for two years, said the \
                    figures were \"deeply worrying for everyone\".";
        let entities = [
            entity(text, "Ann Lee", EntityKind::Person, &["Ann Lee"]),
            entity(text, "Tom Hart", EntityKind::Person, &["Tom Hart"]),
        ];
        let found = attributed(text, &entities);
        assert_eq!(
            (found[0].1.as_deref(), found[0].2.as_deref()),
            (Some("Ann Lee"), Some("Gov. Ann Lee"))
        );
        assert_eq!(found[1].1.as_deref(), Some("Tom Hart"));
    }

    #[test]
    fn a_name_with_and_in_it_is_taken_whole() {
        let text =
            "A spokesman for the Department for Culture, Media and Sport said: \"We welcome it.\"";
        let name = "Department for Culture, Media and Sport";
        let entities = [entity(text, name, EntityKind::Organization, &[name])];
        assert_eq!(speakers(text, &entities), [by(name, "colon")]);
    }

    #[test]
    fn a_cue_less_quote_takes_the_speaker_its_paragraph_names() {
        let text =
            "\"We lost,\" Jane Smith said after the match. \"Next year will be different.\"\n\
                    Tom Hart, who coaches the side, said the defeat hurt. \"We were poor today.\"\n\
                    Ann Lee shook her head. \"I have seen enough of this.\"\n\
                    Ann Lee left. The mood was \"tense but hopeful for now\" as she went.";
        let entities = [
            entity(text, "Jane Smith", EntityKind::Person, &["Jane Smith"]),
            entity(text, "Tom Hart", EntityKind::Person, &["Tom Hart"]),
            entity(text, "Ann Lee", EntityKind::Person, &["Ann Lee"]),
        ];
        let found = speakers(text, &entities);
        assert_eq!(found[1], by("Jane Smith", "paragraph"));
        assert_eq!(found[2], by("Tom Hart", "previous_subject"));
        assert_eq!(found[3], by("Ann Lee", "paragraph_person"));
        assert_eq!(found[4], (None, "none".to_owned()));
    }

    #[test]
    fn a_role_noun_alone_speaks_for_whoever_the_text_tied_to_it() {
        let text = "A spokesman for the Port Authority said ferries would run. \"Crossings resume \
                    tomorrow,\" the spokesman said.\n\
                    The Harbour Council said it would help. \"We will pay for it,\" a council \
                    spokeswoman said.\n\
                    The Port Authority met on Friday. Its chair said the deal was \"fair to all\".";
        let entities = [
            entity(
                text,
                "Port Authority",
                EntityKind::Organization,
                &["Port Authority"],
            ),
            entity(
                text,
                "Harbour Council",
                EntityKind::Organization,
                &["Harbour Council"],
            ),
        ];
        let found = speakers(text, &entities);
        assert_eq!(found[0].0.as_deref(), Some("Port Authority"));
        assert_eq!(found[1].0.as_deref(), Some("Harbour Council"));
        assert_eq!(found[2].0.as_deref(), Some("Port Authority"));
    }

    #[test]
    fn a_pronoun_prefers_the_person_speaking_in_the_sentence_before() {
        let text = "Tom Hart said Bill Reed had resigned. \"He was tired,\" he said.";
        let entities = [
            entity(text, "Tom Hart", EntityKind::Person, &["Tom Hart"]),
            entity(text, "Bill Reed", EntityKind::Person, &["Bill Reed"]),
        ];
        assert_eq!(speakers(text, &entities), [by("Tom Hart", "adjacent")]);
    }

    #[test]
    fn a_group_including_a_named_one_is_that_one() {
        let text = "Residents, including the Green Lane Society, called the plan \"a disgrace\".";
        let name = "Green Lane Society";
        let entities = [entity(text, name, EntityKind::Organization, &[name])];
        assert_eq!(speakers(text, &entities), [by(name, "cue_subject")]);
    }

    #[test]
    fn a_body_noun_speaks_for_the_last_body_whose_name_holds_it() {
        let text = "Ridge Valley Council met on Monday. The council said the budget was \
                    \"balanced for the first time in years\".";
        let name = "Ridge Valley Council";
        let entities = [entity(text, name, EntityKind::Organization, &[name])];
        let found = attributed(text, &entities);
        assert_eq!(
            (found[0].1.as_deref(), found[0].2.as_deref()),
            (Some(name), Some("The council"))
        );
    }

    #[test]
    fn the_company_and_they_speak_for_the_nearest_organisation() {
        let text = "Acme Corp said it would hire 500 staff. \"This is a proud day,\" the company \
                    said.\nThe Farmers League and Rural Action objected. \"This goes too far,\" \
                    they said in a letter.";
        let entities = [
            entity(text, "Acme Corp", EntityKind::Organization, &["Acme Corp"]),
            entity(
                text,
                "Farmers League",
                EntityKind::Organization,
                &["Farmers League"],
            ),
            entity(
                text,
                "Rural Action",
                EntityKind::Organization,
                &["Rural Action"],
            ),
        ];
        let found = speakers(text, &entities);
        assert_eq!(found[0].0.as_deref(), Some("Acme Corp"));
        assert_eq!(found[1].0.as_deref(), Some("Rural Action"));
    }

    #[test]
    fn an_appositive_that_opens_with_a_name_is_that_person() {
        let text = "The family's lawyer, Ann Bell of Bell Partners, said: \"They are innocent.\"";
        let entities = [
            entity(text, "Ann Bell", EntityKind::Person, &["Ann Bell"]),
            entity(
                text,
                "Bell Partners",
                EntityKind::Organization,
                &["Bell Partners"],
            ),
        ];
        assert_eq!(speakers(text, &entities), [by("Ann Bell", "colon")]);
    }
}
