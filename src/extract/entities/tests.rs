//! Entity finding on sentences written for each rule, and on the seed article.

use super::*;

fn entities(text: &str) -> Vec<FoundEntity> {
    find(&Document::new(text))
}

fn summary(text: &str) -> Vec<(String, EntityKind, usize)> {
    entities(text)
        .into_iter()
        .map(|e| (e.name, e.kind, e.mentions.len()))
        .collect()
}

#[test]
fn debug_seed() {
    let text = include_str!("../../../seeds/seed-article.txt");
    for e in entities(text) {
        println!(
            "{:?} {:?} {} {:?} {:?}",
            e.name,
            e.kind,
            e.mentions.len(),
            e.mentions.first(),
            e.aliases
        );
    }
    let _ = summary("");
}
