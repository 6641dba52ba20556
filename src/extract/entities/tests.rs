//! Entity finding on sentences written for each rule, and on the seed article.

use super::*;

fn entities(text: &str) -> Vec<FoundEntity> {
    find(&Document::new(text))
}

/// (name, kind, mention count) of every entity, in order of first mention.
fn summary(text: &str) -> Vec<(String, EntityKind, usize)> {
    entities(text)
        .into_iter()
        .map(|e| (e.name, e.kind, e.mentions.len()))
        .collect()
}

fn entity(name: &str, kind: EntityKind, count: usize) -> (String, EntityKind, usize) {
    (name.to_owned(), kind, count)
}

/// The mentions of the entity called `name`, as written.
fn mentions(text: &str, name: &str) -> Vec<String> {
    let doc = Document::new(text);
    find(&doc)
        .into_iter()
        .find(|e| e.name == name)
        .map(|e| {
            e.mentions
                .iter()
                .map(|m| doc.slice(m.start, m.end).to_owned())
                .collect()
        })
        .unwrap_or_default()
}

use EntityKind::{Event, Location, Organization, Person};

#[test]
fn the_seed_article_gives_its_thirteen_entities_with_kinds_counts_and_first_offsets() {
    let text = include_str!("../../../seeds/seed-article.txt");
    let found: Vec<(String, EntityKind, usize, usize)> = entities(text)
        .into_iter()
        .map(|e| (e.name, e.kind, e.mentions.len(), e.mentions[0].start))
        .collect();
    let expected = [
        ("United States", Location, 5, 7),
        ("United Kingdom", Location, 7, 60),
        ("London", Location, 1, 358),
        ("Europe", Location, 2, 420),
        ("Australia", Location, 1, 428),
        ("New Zealand", Location, 1, 439),
        ("Canada", Location, 1, 456),
        ("The Times", Organization, 2, 794),
        ("Conservative Party", Organization, 1, 911),
        ("Labour Party", Organization, 1, 937),
        ("Donald Trump", Person, 4, 1733),
        ("Keir Starmer", Person, 2, 1980),
        ("US State Department", Organization, 1, 2389),
    ];
    let expected: Vec<(String, EntityKind, usize, usize)> = expected
        .iter()
        .map(|&(name, kind, count, first)| (name.to_owned(), kind, count, first))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn the_seed_article_aliases_include_the_forms_it_uses() {
    let text = include_str!("../../../seeds/seed-article.txt");
    let found = entities(text);
    let aliases = |name: &str| {
        found
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.aliases.clone())
            .unwrap_or_default()
    };
    for alias in ["US", "American"] {
        assert!(aliases("United States").contains(&alias.to_owned()));
    }
    for alias in ["UK", "Britain", "British"] {
        assert!(aliases("United Kingdom").contains(&alias.to_owned()));
    }
    assert!(aliases("Donald Trump").contains(&"Mr Trump".to_owned()));
    assert!(aliases("Keir Starmer").contains(&"Sir Keir Starmer".to_owned()));
}

#[test]
fn the_same_text_gives_the_same_entities() {
    let text = include_str!("../../../seeds/seed-article.txt");
    assert_eq!(entities(text), entities(text));
}

#[test]
fn titles_and_surnames_fold_into_one_person_named_without_honorific() {
    let text = "Prime Minister Sir Keir Starmer spoke first. Mr Starmer later said Starmer's \
                plan stood. Keir Starmer left.";
    assert_eq!(summary(text), [entity("Keir Starmer", Person, 4)]);
    assert_eq!(
        mentions(text, "Keir Starmer"),
        ["Sir Keir Starmer", "Mr Starmer", "Starmer", "Keir Starmer"]
    );
}

#[test]
fn a_surname_before_the_full_name_still_folds_into_it() {
    let text = "Why Okafor Won\nThe vote went to Grace Okafor on Friday. Ms Okafor thanked staff.";
    assert_eq!(summary(text), [entity("Grace Okafor", Person, 3)]);
}

#[test]
fn role_nouns_alone_are_not_entities() {
    let text = "The Prime Minister met the President and the Foreign Secretary in Paris.";
    assert_eq!(summary(text), [entity("Paris", Location, 1)]);
}

#[test]
fn role_titles_are_stripped_from_the_mention_but_honorifics_are_kept() {
    let text =
        "It was Health Secretary Dame Ada Lovelace who said so, and President Obi Nwosu agreed.";
    assert_eq!(mentions(text, "Ada Lovelace"), ["Dame Ada Lovelace"]);
    assert_eq!(mentions(text, "Obi Nwosu"), ["Obi Nwosu"]);
}

#[test]
fn acronyms_fold_into_the_organisation_they_abbreviate() {
    let text = "The Financial Conduct Authority (FCA) fined the firm. Later the FCA said more.";
    assert_eq!(
        summary(text),
        [entity("Financial Conduct Authority", Organization, 3)]
    );
    let found = entities(text);
    assert_eq!(found[0].aliases, ["FCA"]);
}

#[test]
fn known_acronyms_take_their_gazetteer_name_and_aliases() {
    let text = "Patients waited longer, the NHS said, and the National Health Service agreed.";
    let found = entities(text);
    assert_eq!(found[0].name, "National Health Service");
    assert_eq!(found[0].mentions.len(), 2);
    assert!(found[0].aliases.contains(&"NHS".to_owned()));
}

#[test]
fn demonyms_and_short_names_count_for_their_country() {
    let text = "British troops left. Britain and the UK are one; the United Kingdom agreed. \
                American and French officials met in the US.";
    assert_eq!(
        summary(text),
        [
            entity("United Kingdom", Location, 4),
            entity("United States", Location, 2),
            entity("France", Location, 1),
        ]
    );
}

#[test]
fn an_organisation_named_after_its_country_counts_for_both() {
    let text = "A US State Department official and the UK Home Office spoke.";
    assert_eq!(
        summary(text),
        [
            entity("United States", Location, 1),
            entity("US State Department", Organization, 1),
            entity("United Kingdom", Location, 1),
            entity("Home Office", Organization, 1),
        ]
    );
}

#[test]
fn party_adjectives_count_for_the_party() {
    let text = "Conservative governments and Labour governments failed, said Tory MPs.";
    assert_eq!(
        summary(text),
        [
            entity("Conservative Party", Organization, 2),
            entity("Labour Party", Organization, 1),
        ]
    );
}

#[test]
fn organisation_cue_words_type_unknown_names() {
    let text = "Staff at Brackley Borough Council and the Ministry of Coastal Affairs joined the \
                Harwick Teachers Union outside Fennel Street.";
    assert_eq!(
        summary(text),
        [
            entity("Brackley Borough Council", Organization, 1),
            entity("Ministry of Coastal Affairs", Organization, 1),
            entity("Harwick Teachers Union", Organization, 1),
            entity("Fennel Street", Location, 1),
        ]
    );
}

#[test]
fn sentence_initial_words_and_dates_are_not_names() {
    let text = "Senior officials met on Monday. Meanwhile, the plan stalled in September 2025. \
                Critics said Christian and Islamic groups were consulted.";
    assert_eq!(summary(text), []);
}

#[test]
fn a_sentence_may_open_with_a_name() {
    let text = "Okonjo-Iweala said the talks failed. Later Okonjo-Iweala left Geneva.";
    assert_eq!(
        summary(text),
        [
            entity("Okonjo-Iweala", Person, 2),
            entity("Geneva", Location, 1),
        ]
    );
}

#[test]
fn title_case_headings_keep_only_names_the_body_shows() {
    let text = "Continuation of Lamb's Warnings\nThe memo followed Mr Lamb's visit, said Tom Lamb.";
    assert_eq!(summary(text), [entity("Tom Lamb", Person, 3)]);
    assert_eq!(mentions(text, "Tom Lamb")[0], "Lamb");
}

#[test]
fn names_inside_quotes_count() {
    let text = "She said: \u{201C}Germany and the EU must act.\u{201D}";
    assert_eq!(
        summary(text),
        [
            entity("Germany", Location, 1),
            entity("European Union", Organization, 1),
        ]
    );
}

#[test]
fn names_joined_by_and_are_two_names_unless_an_organisation() {
    let text = "Maria Lopez and Tom Jones joined the Food and Drug Administration.";
    assert_eq!(
        summary(text),
        [
            entity("Maria Lopez", Person, 1),
            entity("Tom Jones", Person, 1),
            entity("Food and Drug Administration", Organization, 1),
        ]
    );
}

#[test]
fn capitalised_datelines_are_looked_up_in_title_case() {
    assert_eq!(
        summary("WASHINGTON \u{2014} Lawmakers left."),
        [entity("Washington", Location, 1)]
    );
}

#[test]
fn a_given_name_before_a_place_name_is_a_person() {
    assert_eq!(
        summary("A statue of George Washington stands in Washington."),
        [entity("George Washington", Person, 2)]
    );
}

#[test]
fn well_known_events_are_events() {
    assert_eq!(
        summary("Veterans of the Second World War marked the Olympics."),
        [
            entity("World War II", Event, 1),
            entity("Olympic Games", Event, 1)
        ]
    );
}

#[test]
fn mention_spans_are_char_offsets_without_the_possessive() {
    let text = "\u{201C}caf\u{e9}\u{201D} \u{2014} Mr Trump\u{2019}s team.";
    let doc = Document::new(text);
    let found = find(&doc);
    assert_eq!(found.len(), 1);
    let mention = found[0].mentions[0];
    assert_eq!((mention.start, mention.end), (9, 17));
    assert_eq!(doc.slice(mention.start, mention.end), "Mr Trump");
}

#[test]
fn gazetteer_hits_are_surer_than_rules_and_rules_than_guesses() {
    let found = entities("Paris hosted Dr Ann Obi and Quillon Marsh.");
    let confidence = |name: &str| {
        found
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.confidence)
            .unwrap_or_default()
    };
    assert!(confidence("Paris") > confidence("Ann Obi"));
    assert!(confidence("Ann Obi") > confidence("Quillon Marsh"));
}

#[test]
fn a_place_before_a_cued_name_is_part_of_it() {
    let found = summary("Delegates flew to the Oslo Climate Summit on Friday.");
    assert_eq!(found, vec![entity("Oslo Climate Summit", Event, 1)]);
    let found = summary("Traders joined the Leeds Area Chamber of Commerce last year.");
    assert_eq!(
        found,
        vec![entity("Leeds Area Chamber of Commerce", Organization, 1)]
    );
}

#[test]
fn a_head_word_anywhere_before_of_joins_the_place() {
    let found = summary("He spoke for the Allied Dock Workers of Canada at the hearing.");
    assert_eq!(
        found,
        vec![entity("Allied Dock Workers of Canada", Organization, 1)]
    );
}

#[test]
fn a_compass_word_before_a_known_place_is_a_region() {
    let found =
        summary("Police closed the road across West Yorkshire overnight. Roads reopened later.");
    assert_eq!(found, vec![entity("West Yorkshire", Location, 1)]);
}

#[test]
fn leading_place_words_make_places_and_given_names_make_people() {
    let found = summary("Fishermen on the River Tamar met Helen Brook and Rachel Hill there.");
    assert_eq!(
        found,
        vec![
            entity("River Tamar", Location, 1),
            entity("Helen Brook", Person, 1),
            entity("Rachel Hill", Person, 1),
        ]
    );
}

#[test]
fn pronoun_contractions_and_a_leading_the_are_not_names() {
    let found = summary("\"We've waited long enough,\" he said. The Crofton Bakers Guild agreed.");
    assert_eq!(found, vec![entity("Crofton Bakers Guild", Organization, 1)]);
}

#[test]
fn post_nominal_letters_and_elect_titles_are_not_part_of_names() {
    let text = "Daniel Marsh KC argued the case. Governor-elect Marsh thanked Daniel Marsh's team.";
    assert_eq!(summary(text), vec![entity("Daniel Marsh", Person, 3)]);
}

#[test]
fn a_company_is_later_named_by_its_first_word() {
    let text = "Shares in Bellhaven Holdings fell. Bellhaven said demand was weak.";
    assert_eq!(
        summary(text),
        vec![entity("Bellhaven Holdings", Organization, 2)]
    );
}

#[test]
fn sentence_initial_participles_and_plurals_are_not_names() {
    let text = "Walking home, she saw the bridge. Bridges were shut. Hastings said it was calm.";
    assert_eq!(summary(text), vec![entity("Hastings", Person, 1)]);
}

#[test]
fn an_organisation_name_may_list_its_remits_with_commas() {
    let text =
        "The Department for Culture, Media and Sport, the Treasury and Kent, Surrey and Essex.";
    let found = summary(text);
    assert_eq!(
        found[0],
        entity("Department for Culture, Media and Sport", Organization, 1)
    );
    assert!(found.iter().any(|e| e.0 == "Kent"));
}

#[test]
fn a_head_word_alone_names_the_organisation_it_heads() {
    let text = "She studied at the Academy of Ancient Music. Later the Academy hired her.";
    assert_eq!(
        summary(text),
        vec![entity("Academy of Ancient Music", Organization, 2)]
    );
}

#[test]
fn an_unknown_word_beside_a_known_place_or_after_from_is_a_place() {
    let text = "Buses ran between Leeds and Garforth. A nurse from Rothwell agreed.";
    let found = summary(text);
    assert!(
        found.contains(&entity("Garforth", Location, 1)),
        "{found:?}"
    );
    assert!(
        found.contains(&entity("Rothwell", Location, 1)),
        "{found:?}"
    );
}

#[test]
fn a_place_reading_outweighs_a_bare_capital() {
    let text = "Rain hit Garforth and Mirfield. Clinics in Mirfield closed.";
    let found = summary(text);
    assert!(
        found.contains(&entity("Mirfield", Location, 2)),
        "{found:?}"
    );
}

#[test]
fn a_sentence_initial_preposition_still_marks_a_place_and_said_after_a_comma_no_person() {
    let text = "In Mirfield, the school reopened. A charity in Garforth, said to be small, helped.";
    let found = summary(text);
    assert!(
        found.contains(&entity("Mirfield", Location, 1)),
        "{found:?}"
    );
    assert!(
        found.contains(&entity("Garforth", Location, 1)),
        "{found:?}"
    );
}

#[test]
fn a_royal_possessive_before_a_head_word_is_one_name() {
    let text = "Funds came from the Prince's Trust and from Britain's Labour Party.";
    let found = summary(text);
    assert!(
        found.contains(&entity("Prince's Trust", Organization, 1)),
        "{found:?}"
    );
    assert!(
        found.contains(&entity("Labour Party", Organization, 1)),
        "{found:?}"
    );
}

#[test]
fn a_sentence_can_open_with_a_head_word_and_of() {
    let text = "The city flooded.\nCity of Wakefield Council said roads were shut.";
    let found = summary(text);
    assert!(
        found.contains(&entity("City of Wakefield Council", Organization, 1)),
        "{found:?}"
    );
}

#[test]
fn a_name_before_a_place_noun_is_a_place() {
    let found = summary("Turnout rose in the Seven Oaks Hill district on Tuesday.");
    assert!(
        found.contains(&entity("Seven Oaks Hill", Location, 1)),
        "{found:?}"
    );
    let found = summary("Voters in the Mill Lane Bottoms area queued early.");
    assert!(
        found.contains(&entity("Mill Lane Bottoms", Location, 1)),
        "{found:?}"
    );
}

#[test]
fn a_list_of_names_after_an_organisation_is_not_part_of_it() {
    let text = "Officials from the Ministry of Defence, Downing Street and Transport Scotland met.";
    let found = summary(text);
    assert!(
        found.contains(&entity("Ministry of Defence", Organization, 1)),
        "{found:?}"
    );
}
