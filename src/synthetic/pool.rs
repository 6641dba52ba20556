//! The entity pool a synthetic corpus draws from, and how popular each entity is.
//!
//! Popularity follows Zipf's law, as it does in real news: the entity at popularity rank `k` is
//! drawn with probability proportional to `1 / k^s` (s = 1.1), so a handful of entities turn up
//! in most articles and most entities in a few.

use std::collections::HashSet;

use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::words;
use crate::api::types::EntityKind;
use crate::domain;

/// The Zipf exponent of entity popularity.
pub const ZIPF_EXPONENT: f64 = 1.1;

const PEOPLE: usize = 2_400;
const ORGANISATIONS: usize = 1_200;
const EVENTS: usize = 600;
/// Journalists who write the articles (not entities).
const JOURNALISTS: usize = 240;

/// One entity of the pool, as it is stored when an article first mentions it.
#[derive(Debug, Clone)]
pub struct PoolEntity {
    pub name: String,
    pub slug: String,
    pub kind: EntityKind,
    /// How a person is named after the first mention ("Ms Okafor"); also stored as an alias.
    pub short_name: Option<String>,
    /// The random part of the entity's UUIDv7, fixed by the corpus seed.
    pub id_bits: [u8; 10],
}

/// The entities a corpus draws from, in popularity order (index 0 is the most popular), and the
/// journalists who write its articles.
pub struct EntityPool {
    pub entities: Vec<PoolEntity>,
    pub journalists: Vec<String>,
    popularity: Zipf,
    speakers: Zipf,
    /// Pool indices of the people and organisations, in popularity order.
    speaker_indices: Vec<usize>,
}

impl EntityPool {
    /// Makes the pool of a corpus: the same `rng` state gives the same pool.
    pub fn new(rng: &mut ChaCha8Rng) -> Self {
        let mut names = NameBook::default();
        let towns: Vec<String> = words::TOWN_PREFIXES
            .iter()
            .flat_map(|prefix| {
                let lower = prefix.to_lowercase();
                words::TOWN_SUFFIXES
                    .iter()
                    // No "Portport" or "Ashhaven".
                    .filter(move |suffix| lower != **suffix && !lower.ends_with(&suffix[..1]))
                    .map(move |suffix| format!("{prefix}{suffix}"))
            })
            .collect();

        for place in words::COUNTRIES.iter().chain(words::CITIES) {
            names.add(rng, place, EntityKind::Location, None);
        }
        for town in &towns {
            names.add(rng, town, EntityKind::Location, None);
        }
        names.fill(rng, PEOPLE, person);
        names.fill(rng, ORGANISATIONS, |rng| organisation(rng, &towns));
        names.fill(rng, EVENTS, |rng| {
            let place = if rng.random_bool(0.7) {
                pick(rng, &towns).clone()
            } else {
                pick(rng, words::CITIES).to_string()
            };
            (
                pick(rng, words::EVENT_PATTERNS).replace("{}", &place),
                EntityKind::Event,
                None,
            )
        });

        let mut entities = names.entities;
        entities.shuffle(rng);
        let speaker_indices: Vec<usize> = entities
            .iter()
            .enumerate()
            .filter(|(_, e)| matches!(e.kind, EntityKind::Person | EntityKind::Organization))
            .map(|(index, _)| index)
            .collect();

        let mut journalists = Vec::with_capacity(JOURNALISTS);
        let mut seen = HashSet::new();
        while journalists.len() < JOURNALISTS {
            let (name, _, _) = person(rng);
            if seen.insert(name.clone()) {
                journalists.push(name);
            }
        }

        Self {
            popularity: Zipf::new(entities.len(), ZIPF_EXPONENT),
            speakers: Zipf::new(speaker_indices.len(), ZIPF_EXPONENT),
            speaker_indices,
            entities,
            journalists,
        }
    }

    /// An entity drawn by popularity.
    pub fn draw(&self, rng: &mut ChaCha8Rng) -> usize {
        self.popularity.sample(rng)
    }

    /// A person or organisation drawn by popularity.
    pub fn draw_speaker(&self, rng: &mut ChaCha8Rng) -> usize {
        self.speaker_indices[self.speakers.sample(rng)]
    }

    pub fn kind(&self, entity: usize) -> EntityKind {
        self.entities[entity].kind
    }
}

/// The names made so far, kept unique by slug.
#[derive(Default)]
struct NameBook {
    entities: Vec<PoolEntity>,
    slugs: HashSet<String>,
}

impl NameBook {
    fn add(
        &mut self,
        rng: &mut ChaCha8Rng,
        name: &str,
        kind: EntityKind,
        short_name: Option<String>,
    ) -> bool {
        let slug = domain::slugify(name);
        if slug.is_empty() || !self.slugs.insert(slug.clone()) {
            return false;
        }
        let mut id_bits = [0u8; 10];
        rng.fill(&mut id_bits);
        self.entities.push(PoolEntity {
            name: name.to_owned(),
            slug,
            kind,
            short_name,
            id_bits,
        });
        true
    }

    /// Adds `count` more entities made by `make`, skipping names already taken.
    fn fill(
        &mut self,
        rng: &mut ChaCha8Rng,
        count: usize,
        mut make: impl FnMut(&mut ChaCha8Rng) -> (String, EntityKind, Option<String>),
    ) {
        let mut added = 0;
        // Every list offers far more combinations than asked for; the bound only guards a typo.
        for _ in 0..count * 50 {
            if added == count {
                break;
            }
            let (name, kind, short_name) = make(rng);
            if self.add(rng, &name, kind, short_name) {
                added += 1;
            }
        }
    }
}

/// One item of a word list (the lists are constants, never empty).
pub(super) fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A person's full name and the way an article refers to them afterwards.
fn person(rng: &mut ChaCha8Rng) -> (String, EntityKind, Option<String>) {
    let female = rng.random_bool(0.5);
    let first = if female {
        pick(rng, words::FEMALE_FIRST)
    } else {
        pick(rng, words::MALE_FIRST)
    };
    let surname = pick(rng, words::SURNAMES);
    let title = if rng.random_bool(0.08) {
        "Dr"
    } else if female {
        "Ms"
    } else {
        "Mr"
    };
    (
        format!("{first} {surname}"),
        EntityKind::Person,
        Some(format!("{title} {surname}")),
    )
}

fn organisation(rng: &mut ChaCha8Rng, towns: &[String]) -> (String, EntityKind, Option<String>) {
    let name = match rng.random_range(0..10) {
        0..=3 => {
            let owner = if rng.random_bool(0.5) {
                pick(rng, words::SURNAMES).to_string()
            } else {
                pick(rng, towns).clone()
            };
            pick(rng, words::COMPANY_PATTERNS).replace("{}", &owner)
        }
        4..=6 => pick(rng, words::PLACE_ORGANISATIONS).replace("{}", pick(rng, towns).as_str()),
        7 => pick(rng, words::MINISTRIES).to_string(),
        _ => {
            let adjective = *pick(rng, words::PARTY_ADJECTIVES);
            pick(rng, words::PARTY_PATTERNS).replace("{}", adjective)
        }
    };
    (name, EntityKind::Organization, None)
}

/// Draws ranks `0..n` with probability proportional to `1 / (rank + 1)^s`.
struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    fn new(n: usize, s: f64) -> Self {
        let mut total = 0.0;
        let cumulative = (1..=n)
            .map(|rank| {
                total += (rank as f64).powf(-s);
                total
            })
            .collect();
        Self { cumulative }
    }

    fn sample(&self, rng: &mut ChaCha8Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0.0);
        let u = rng.random::<f64>() * total;
        self.cumulative
            .partition_point(|&c| c <= u)
            .min(self.cumulative.len().saturating_sub(1))
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn zipf_draws_the_first_ranks_far_more_often_than_the_rest() {
        let zipf = Zipf::new(5_000, ZIPF_EXPONENT);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut counts = vec![0u32; 5_000];
        for _ in 0..200_000 {
            counts[zipf.sample(&mut rng)] += 1;
        }
        // P(rank 1) = 1 / H(5000, 1.1) ≈ 0.16; P(rank 10) ≈ 0.013.
        assert!((30_000..35_000).contains(&counts[0]), "{}", counts[0]);
        assert!(counts[0] > 8 * counts[9], "{} vs {}", counts[0], counts[9]);
        let mut sorted = counts.clone();
        sorted.sort_unstable();
        assert!(sorted[2_500] < 20, "median {}", sorted[2_500]);
    }

    #[test]
    fn the_pool_has_unique_slugs_and_every_kind() {
        let pool = EntityPool::new(&mut ChaCha8Rng::seed_from_u64(7));
        let slugs: HashSet<_> = pool.entities.iter().map(|e| e.slug.as_str()).collect();
        assert_eq!(slugs.len(), pool.entities.len());
        assert!(pool.entities.len() > 4_500, "{}", pool.entities.len());
        for kind in [
            EntityKind::Person,
            EntityKind::Organization,
            EntityKind::Location,
            EntityKind::Event,
        ] {
            assert!(pool.entities.iter().any(|e| e.kind == kind), "{kind:?}");
        }
        assert_eq!(pool.journalists.len(), JOURNALISTS);
    }

    #[test]
    fn the_same_seed_makes_the_same_pool() {
        let a = EntityPool::new(&mut ChaCha8Rng::seed_from_u64(3));
        let b = EntityPool::new(&mut ChaCha8Rng::seed_from_u64(3));
        let c = EntityPool::new(&mut ChaCha8Rng::seed_from_u64(4));
        let names = |p: &EntityPool| {
            p.entities
                .iter()
                .map(|e| e.name.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&a), names(&b));
        assert_ne!(names(&a), names(&c));
    }
}
