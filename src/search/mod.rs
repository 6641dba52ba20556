//! Full-text search over articles and quotes: the one place where Postgres and SQLite differ.
//!
//! The index is kept by the database itself (migration `m20261127_000002_full_text_search`):
//! - **Postgres**: a generated `search_vector` column (tsvector, GIN index) on `articles`
//!   (headline weighted A, standfirst B, body C) and on `quotes` (text). Each holds the text twice:
//!   once through `newsmeta_english` (the `english` configuration with accents removed, so words
//!   are stemmed: "migrants" finds "migrant"), once through `newsmeta_simple` (accents removed,
//!   no stemming), which prefix searches use, because a typed prefix such as `housin` is not a
//!   prefix of the stem `hous`.
//! - **SQLite**: FTS5 tables `articles_fts` and `quotes_fts` (external content over the tables'
//!   rowids, `unicode61 remove_diacritics 2`, no stemming), kept in sync by triggers.
//!
//! A user's `q` is parsed once ([`parse`]) into a [`SearchQuery`]; the functions here turn it
//! into a condition, a rank and highlighted snippets for either backend. Ranks are "higher is
//! better" on both: Postgres `ts_rank_cd`, SQLite `-bm25`.

mod parse;

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, JoinType, Query, SelectStatement};
use sea_orm::{Condition, ConnectionTrait, DbBackend, DbErr};
use uuid::Uuid;

pub use parse::{parse, SearchError, SearchQuery, MAX_QUERY_CHARS, MAX_TERMS};
use parse::{Clause, Term};

/// How a backend searches text.
#[derive(Debug, Clone, Copy)]
enum Engine {
    /// tsvector columns and tsquery expressions.
    Postgres,
    /// FTS5 tables queried with MATCH.
    Fts5,
}

/// The one decision between the backends.
fn engine(backend: DbBackend) -> Engine {
    match backend {
        DbBackend::Postgres => Engine::Postgres,
        _ => Engine::Fts5,
    }
}

/// How much of a column a highlight shows.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// All of it (headlines, standfirsts, quotes).
    Whole,
    /// A few fragments around the matches (bodies).
    Snippet,
}

/// A searchable table and how it is indexed on each backend.
struct Target {
    table: &'static str,
    /// The FTS5 table over it (SQLite).
    fts: &'static str,
    /// Its rank as SQL over its `search_vector` and the tsquery `$1` (Postgres).
    pg_rank: &'static str,
    /// Its rank as SQL over its FTS5 table (SQLite).
    fts_rank: &'static str,
    /// The columns a highlight covers, in the FTS5 table's column order.
    columns: &'static [(&'static str, Shape)],
}

const ARTICLES: Target = Target {
    table: "articles",
    fts: "articles_fts",
    // The rank reads the headline (A) and standfirst (B) only, from the small `rank_vector`
    // (migration `m20261127_000006_search_rank_vector`): `search_vector`, with the body, is stored
    // out of line, and reading it for every candidate was most of a search's cost. A match in the
    // body alone ranks 0, and such matches come newest first. Weights for D, C, B, A; 1 divides
    // by 1 + log(length). FTS5 weighs its columns the same way: the body's weight is 0.
    pg_rank: r#"ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', "articles"."rank_vector", $1, 1)::float8"#,
    fts_rank: r#"-bm25("articles_fts", 10.0, 5.0, 0.0)"#,
    columns: &[
        ("headline", Shape::Whole),
        ("standfirst", Shape::Whole),
        ("body", Shape::Snippet),
    ],
};

const QUOTES: Target = Target {
    table: "quotes",
    fts: "quotes_fts",
    pg_rank: r#"ts_rank_cd("quotes"."search_vector", $1, 1)::float8"#,
    fts_rank: r#"-bm25("quotes_fts")"#,
    columns: &[("text", Shape::Whole)],
};

/// The alias of the rank column that [`rank_articles`] and [`rank_quotes`] add.
pub const RANK_COLUMN: &str = "search_rank";

/// Articles whose headline, standfirst or body match `query`.
pub fn articles_matching(backend: DbBackend, query: &SearchQuery) -> Condition {
    matching(engine(backend), &ARTICLES, query)
}

/// Quotes whose text matches `query`.
pub fn quotes_matching(backend: DbBackend, query: &SearchQuery) -> Condition {
    matching(engine(backend), &QUOTES, query)
}

/// Adds the rank of `query` to `select`, a query over `articles` restricted to its matches
/// ([`articles_matching`]), as the column [`RANK_COLUMN`]; answers the rank expression, higher for
/// better matches. (On SQLite the rank comes from a join with the FTS5 matches, which restricts
/// the rows by itself.) With `candidates`, a query over `articles` without columns that picks
/// the rows to rank (the search's condition in it, not in `select`), only those are ranked.
pub fn rank_articles(
    backend: DbBackend,
    query: &SearchQuery,
    select: &mut SelectStatement,
    candidates: Option<SelectStatement>,
) -> Expr {
    rank(engine(backend), &ARTICLES, query, select, candidates)
}

/// [`rank_articles`] for a query over `quotes`.
pub fn rank_quotes(
    backend: DbBackend,
    query: &SearchQuery,
    select: &mut SelectStatement,
    candidates: Option<SelectStatement>,
) -> Expr {
    rank(engine(backend), &QUOTES, query, select, candidates)
}

/// Where `query` matches in an article, as HTML: `<mark>` around matches, the rest escaped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleSnippets {
    /// The whole headline, when it matches.
    pub headline: Option<String>,
    /// The whole standfirst, when it matches.
    pub standfirst: Option<String>,
    /// Fragments of the body around its matches, when it matches.
    pub body: Option<String>,
}

/// Where `query` matches in a quote, as HTML.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuoteSnippets {
    /// The whole text, when it matches.
    pub text: Option<String>,
}

/// The highlighted matches of `query` in the articles `ids` (one query, any number of ids).
pub async fn article_highlights(
    conn: &impl ConnectionTrait,
    query: &SearchQuery,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, ArticleSnippets>, DbErr> {
    let found = highlights(conn, &ARTICLES, query, ids).await?;
    Ok(found
        .into_iter()
        .map(|(id, fields)| {
            let mut fields = fields.into_iter();
            let snippets = ArticleSnippets {
                headline: fields.next().flatten(),
                standfirst: fields.next().flatten(),
                body: fields.next().flatten(),
            };
            (id, snippets)
        })
        .collect())
}

/// The highlighted matches of `query` in the quotes `ids`.
pub async fn quote_highlights(
    conn: &impl ConnectionTrait,
    query: &SearchQuery,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, QuoteSnippets>, DbErr> {
    let found = highlights(conn, &QUOTES, query, ids).await?;
    Ok(found
        .into_iter()
        .map(|(id, fields)| {
            let text = fields.into_iter().next().flatten();
            (id, QuoteSnippets { text })
        })
        .collect())
}

// --- Postgres: tsquery expressions ---------------------------------------------------------------

/// The tsquery of one term: words and phrases stemmed (`phraseto_tsquery` reads any text as
/// plain words), prefixes unstemmed and joined as a phrase of letters and digits only, the one
/// text that is put into `to_tsquery` syntax.
fn term_tsquery(term: &Term) -> Expr {
    if term.prefix {
        let words: Vec<&str> = term.words().collect();
        let text = format!("{}:*", words.join(" <-> "));
        Expr::cust_with_values("to_tsquery('newsmeta_simple', $1)", [text])
    } else {
        Expr::cust_with_values(
            "phraseto_tsquery('newsmeta_english', $1)",
            [term.text.clone()],
        )
    }
}

fn either(left: Expr, right: Expr) -> Expr {
    Expr::cust_with_exprs("($1 || $2)", [left, right])
}

fn both(left: Expr, right: Expr) -> Expr {
    Expr::cust_with_exprs("($1 && $2)", [left, right])
}

/// The whole search as one tsquery. Postgres drops the stop words ("the", "down") a term is
/// made of, and an operand left empty by that.
fn tsquery(query: &SearchQuery) -> Expr {
    let clauses = query.clauses.iter().map(|clause| match clause {
        Clause::AnyOf(terms) => terms
            .iter()
            .map(term_tsquery)
            .reduce(either)
            .unwrap_or_else(|| Expr::cust("''::tsquery")),
        Clause::Not(term) => Expr::cust_with_exprs("(!! $1)", [term_tsquery(term)]),
    });
    clauses
        .reduce(both)
        .unwrap_or_else(|| Expr::cust("''::tsquery"))
}

// --- both backends -----------------------------------------------------------------------------

fn nothing() -> Condition {
    Condition::all().add(Expr::cust("1 = 0"))
}

fn matching(engine: Engine, target: &Target, query: &SearchQuery) -> Condition {
    if query.is_empty() {
        return nothing();
    }
    let condition = match engine {
        Engine::Postgres => Expr::cust_with_exprs(
            format!(r#""{}"."search_vector" @@ $1"#, target.table),
            [tsquery(query)],
        ),
        // The unary `+` keeps SQLite from taking the matches' rowids as its way into the table.
        // FTS5 gives its planner no estimate of how many there are, so it took them for few: for
        // a word in most articles it read every match's row (bodies and all) and sorted them to
        // keep the newest, 0.9 s for a page on 100,000 articles. Now it walks the index of the
        // list's order (or of its most selective filter) and tests each row against the matches
        // until the page is full: 20 ms for that word, 6 ms for a word in 500 articles
        // (bench/README.md, eighth run). A word in few rows or none walks most of the index:
        // 8 ms over 100,000 articles, 35 ms over 650,000 quotes listed by date.
        Engine::Fts5 => Expr::cust_with_values(
            format!(
                r#"+"{table}"."rowid" IN (SELECT rowid FROM "{fts}" WHERE "{fts}" MATCH ?)"#,
                table = target.table,
                fts = target.fts
            ),
            [query.to_fts5()],
        ),
    };
    Condition::all().add(condition)
}

fn rank(
    engine: Engine,
    target: &Target,
    query: &SearchQuery,
    select: &mut SelectStatement,
    candidates: Option<SelectStatement>,
) -> Expr {
    if query.is_empty() {
        select.cond_where(nothing());
        let rank = Expr::val(0.0_f64);
        select.expr_as(rank.clone(), Alias::new(RANK_COLUMN));
        return rank;
    }
    let table = Alias::new(target.table);
    let rank = match engine {
        Engine::Postgres => {
            if let Some(mut candidates) = candidates {
                // The candidates as a derived table named like the table, so the model's columns
                // and the rank read it as they would the table.
                candidates.expr(Expr::col((table.clone(), Asterisk)));
                select.from_clear().from_subquery(candidates, table);
            }
            Expr::cust_with_exprs(target.pg_rank, [tsquery(query)])
        }
        Engine::Fts5 => {
            // FTS5 ranks only inside the query that MATCHes, so the matches and their scores
            // come from a subquery joined on rowid.
            let mut hits = Query::select()
                .expr_as(Expr::cust("rowid"), Alias::new("hit_rowid"))
                .expr_as(Expr::cust(target.fts_rank), Alias::new("score"))
                .from(Alias::new(target.fts))
                .and_where(Expr::cust_with_values(
                    format!(r#""{}" MATCH ?"#, target.fts),
                    [query.to_fts5()],
                ))
                .to_owned();
            if let Some(mut candidates) = candidates {
                // The candidates' rowids, a list made once that the one scan of the matches tests
                // each match against, so that `bm25` scores the candidates alone and the table is
                // read for them alone. Joined the other way (the candidates first, each looked up
                // among the matches by rowid), `bm25` counted the matches afresh for every one,
                // and SQLite's planner chose between the ways by estimates FTS5 cannot give, some
                // of its choices taking seconds a page (bench/README.md, eighth run).
                candidates.expr(Expr::col((table.clone(), Alias::new("rowid"))));
                hits.and_where(Expr::cust("+rowid").in_subquery(candidates));
            }
            // The `+` keeps the rowid from reaching FTS5 as a lookup: one lookup per row costs
            // as much as the whole scan, because `bm25` counts the matches afresh for each.
            select.join_subquery(
                JoinType::InnerJoin,
                hits,
                Alias::new("search_hits"),
                Expr::cust(format!(
                    r#"+"search_hits"."hit_rowid" = "{}"."rowid""#,
                    target.table
                )),
            );
            Expr::col((Alias::new("search_hits"), Alias::new("score")))
        }
    };
    select.expr_as(rank.clone(), Alias::new(RANK_COLUMN));
    rank
}

/// Marks around matches in the database's answer: private-use characters, so that the text
/// around them can be HTML-escaped before they become `<mark>` tags.
const MARK_START: &str = "\u{E000}";
const MARK_END: &str = "\u{E001}";

/// `ts_headline` options (Postgres).
fn headline_options(shape: Shape) -> String {
    let marks = format!(r#"StartSel="{MARK_START}", StopSel="{MARK_END}""#);
    match shape {
        Shape::Whole => format!("HighlightAll=true, {marks}"),
        Shape::Snippet => {
            format!(r#"MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … ", {marks}"#)
        }
    }
}

/// The columns of `target` highlighted for `query`, for the rows `ids`, by id. A column that
/// does not match is `None`.
async fn highlights(
    conn: &impl ConnectionTrait,
    target: &Target,
    query: &SearchQuery,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<Option<String>>>, DbErr> {
    if ids.is_empty() || query.is_empty() {
        return Ok(HashMap::new());
    }
    let backend = conn.get_database_backend();
    let table = Alias::new(target.table);
    let mut select = Query::select();
    select.column((table.clone(), Alias::new("id")));
    match engine(backend) {
        Engine::Postgres => {
            let tsquery = tsquery(query);
            for (column, shape) in target.columns {
                // The index covers the first 100,000 characters of a body; so do the snippets.
                let text = match shape {
                    Shape::Whole => format!(r#""{}"."{column}""#, target.table),
                    Shape::Snippet => format!(r#"left("{}"."{column}", 100000)"#, target.table),
                };
                select.expr_as(
                    Expr::cust_with_exprs(
                        format!("ts_headline('newsmeta_english', {text}, $1, $2)"),
                        [tsquery.clone(), Expr::val(headline_options(*shape))],
                    ),
                    Alias::new(*column),
                );
            }
            select.from(table.clone());
        }
        Engine::Fts5 => {
            for (index, (column, shape)) in target.columns.iter().enumerate() {
                let function = match shape {
                    Shape::Whole => format!(r#"highlight("{}", {index}, ?, ?)"#, target.fts),
                    Shape::Snippet => {
                        format!(r#"snippet("{}", {index}, ?, ?, '…', 30)"#, target.fts)
                    }
                };
                select.expr_as(
                    Expr::cust_with_values(function, [MARK_START, MARK_END]),
                    Alias::new(*column),
                );
            }
            select
                .from(Alias::new(target.fts))
                .inner_join(
                    table.clone(),
                    Expr::cust(format!(
                        r#""{table}"."rowid" = "{fts}"."rowid""#,
                        table = target.table,
                        fts = target.fts
                    )),
                )
                .and_where(Expr::cust_with_values(
                    format!(r#""{}" MATCH ?"#, target.fts),
                    [query.to_fts5()],
                ));
        }
    }
    select.and_where(Expr::col((table, Alias::new("id"))).is_in(ids.iter().copied()));
    let rows = conn.query_all_raw(backend.build(&select)).await?;
    let mut found = HashMap::new();
    for row in rows {
        let id: Uuid = row.try_get("", "id")?;
        let mut fields = Vec::with_capacity(target.columns.len());
        for (column, _) in target.columns {
            let text: Option<String> = row.try_get("", column)?;
            fields.push(text.and_then(|t| marked_html(&t)));
        }
        found.insert(id, fields);
    }
    Ok(found)
}

/// The database's highlighted text as HTML, or `None` when nothing in it is marked.
fn marked_html(text: &str) -> Option<String> {
    if !text.contains(MARK_START) {
        return None;
    }
    let mut html = String::with_capacity(text.len() + 32);
    for c in text.chars() {
        match c {
            '&' => html.push_str("&amp;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '"' => html.push_str("&quot;"),
            '\u{E000}' => html.push_str("<mark>"),
            '\u{E001}' => html.push_str("</mark>"),
            c => html.push(c),
        }
    }
    Some(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlighted_text_is_escaped_around_its_marks() {
        assert_eq!(
            marked_html("a <b> & \u{E000}c\u{E001} \"d\""),
            Some("a &lt;b&gt; &amp; <mark>c</mark> &quot;d&quot;".to_owned())
        );
        assert_eq!(marked_html("no match here"), None);
    }

    #[test]
    fn postgres_terms_bind_the_users_text() {
        let query = parse("\"let down\" immig* -trump").expect("parses");
        let sql = Query::select()
            .expr(tsquery(&query))
            .to_owned()
            .build(sea_orm::sea_query::PostgresQueryBuilder);
        assert_eq!(
            sql.0,
            "SELECT ((phraseto_tsquery('newsmeta_english', $1) && to_tsquery('newsmeta_simple', $2)) \
             && (!! phraseto_tsquery('newsmeta_english', $3)))"
        );
        let values: Vec<String> = sql.1 .0.iter().map(|v| format!("{v:?}")).collect();
        assert_eq!(values.len(), 3);
        assert!(values[0].contains("let down"), "{values:?}");
        assert!(values[1].contains("immig:*"), "{values:?}");
        assert!(values[2].contains("trump"), "{values:?}");
    }
}
