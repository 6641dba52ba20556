//! Extraction speed: the whole pipeline on 1 KB, 10 KB, 100 KB and 1 MB of news text, built by
//! concatenating the evaluation articles (`tests/fixtures/extraction/*.txt`) and cut at a line
//! end. Criterion reports throughput in bytes per second; the cost should grow linearly with the
//! size (the issue asks for at least 5 MB/s on one core).
//!
//! `cargo bench --bench extract` runs it; CI only compiles it (`cargo bench --no-run`).

// Bench set-up fails loudly by design.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use newsmeta::extract::extract;

const SIZES: [(&str, usize); 4] = [
    ("1KB", 1 << 10),
    ("10KB", 10 << 10),
    ("100KB", 100 << 10),
    ("1MB", 1 << 20),
];

/// The evaluation articles, in name order, each ending with a line break.
fn articles() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extraction");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no fixture articles");
    paths
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            format!("{}\n", text.trim_end())
        })
        .collect()
}

/// At most `bytes` bytes of the articles repeated, cut after the last whole line that fits
/// (or at a char boundary when not even one line does).
fn text_of(articles: &[String], bytes: usize) -> String {
    let mut text = String::with_capacity(bytes + 4096);
    for article in articles.iter().cycle() {
        if text.len() >= bytes {
            break;
        }
        text.push_str(article);
    }
    let mut cut = text[..bytes.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    if cut == 0 {
        cut = bytes.min(text.len());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
    }
    text.truncate(cut);
    text
}

fn extraction(c: &mut Criterion) {
    let articles = articles();
    let mut group = c.benchmark_group("extract");
    group.sample_size(10);
    for (label, bytes) in SIZES {
        let text = text_of(&articles, bytes);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(label), &text, |b, text| {
            b.iter(|| extract(black_box(text)));
        });
    }
    group.finish();
}

criterion_group!(benches, extraction);
criterion_main!(benches);
