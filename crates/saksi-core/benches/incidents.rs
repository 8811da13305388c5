//! The incident book with 100,000 open incidents (README: Incidents; the
//! escalation sweep must never stall the write path): what one look of
//! the sweep costs (the deadlines fallen due, those falling due within 15
//! minutes), one escalation entered, and the reads that walk every
//! incident (the public statistics, a TPS page's flags). Run with
//! `cargo bench -p saksi-core --bench incidents`; the figures are in the
//! README's Performance section.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use saksi_core::RegionCode;
use saksi_core::incident::book::Book;
use saksi_core::incident::notice::DUE_SOON_SECONDS;
use saksi_core::incident::{Action, Actor, Category, Deadlines, Public, Severity, Step};
use saksi_core::time::UnixTime;
use saksi_core::{Contest, Level};

const OPEN: u32 = 100_000;

/// A TPS code spread over 38 provinces, 13 kab/kota each, and so on.
fn tps(n: u32) -> RegionCode {
    let text = format!(
        "{}.{:02}.{:02}.{}.{:03}",
        11 + n % 38,
        1 + (n / 38) % 13,
        1 + (n / 494) % 20,
        2001 + (n / 9_880) % 10,
        1 + n % 7
    );
    RegionCode::parse(&text).expect("a well-formed TPS code")
}

/// `OPEN` incidents filed one a second from 0 at TPS all over, every
/// severity, under the default deadlines.
fn book() -> Book {
    let mut book = Book::new();
    let deadlines = Deadlines::default();
    for n in 0..OPEN {
        let at = UnixTime(i64::from(n));
        let state = Public::filed(
            tps(n),
            tps(n),
            Category::ALL[n as usize % Category::ALL.len()],
            Severity::ALL[n as usize % Severity::ALL.len()],
            vec![Contest::Ppwp],
            at,
            &deadlines,
        )
        .expect("filed at its own TPS");
        let mut id = [0; 16];
        id[..4].copy_from_slice(&n.to_be_bytes());
        book.apply(id, 0, Action::File, at, state)
            .expect("a new id");
    }
    book
}

fn bench(c: &mut Criterion) {
    let book = book();
    // An hour after the last filing: the critical ones of the first
    // hours have fallen due, more are falling due.
    let now = UnixTime(i64::from(OPEN) + 3_600);
    let mut group = c.benchmark_group("incidents_100k");
    group.bench_function("sweep look: the first 256 fallen due", |b| {
        b.iter(|| book.fallen_due(black_box(now)).take(256).count())
    });
    let soon = UnixTime(now.0 + DUE_SOON_SECONDS);
    eprintln!(
        "{} fallen due, {} falling due within 15 minutes",
        book.fallen_due(now).count(),
        book.falling_due(now, soon).count()
    );
    group.bench_function("sweep look: every deadline within 15 minutes", |b| {
        b.iter(|| book.falling_due(black_box(now), soon).count())
    });
    let (id, record) = book.fallen_due(now).next().expect("something is due");
    let (id, record) = (*id, record.clone());
    let step = Step {
        action: record.public.due_action(),
        actor: Actor::SYSTEM,
        at: now,
    };
    let escalated = record
        .public
        .next(step, &Deadlines::default())
        .expect("due");
    group.bench_function("one escalation entered", |b| {
        b.iter_batched(
            || book.clone(),
            |mut book| {
                book.apply(id, record.seq + 1, step.action, now, escalated.clone())
                    .expect("in order");
                // Dropped after the timing.
                book
            },
            BatchSize::LargeInput,
        )
    });
    group.bench_function("public statistics, national", |b| {
        b.iter(|| book.totals(RegionCode::NASIONAL, black_box(now)))
    });
    let flagged = tps(3);
    assert_eq!(flagged.level(), Level::Tps);
    group.bench_function("a TPS page's flags", |b| {
        b.iter(|| book.flagging(black_box(flagged), Severity::High).count())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
