//! Validation and parsing throughput (the target: above one million forms
//! per second on one core, the README's Performance section). Run with
//! `cargo bench -p saksi-core --bench validate`.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use saksi_core::Contest;
use saksi_core::form::{parse, validate};

#[path = "../tests/domain/fixture.rs"]
mod fixture;

fn bench(c: &mut Criterion) {
    let election = fixture::election();
    let tps = fixture::tps(&election, fixture::TPS_A);
    let mut group = c.benchmark_group("form");
    group.throughput(Throughput::Elements(1));
    for (name, contest) in [("ppwp", Contest::Ppwp), ("dpr_18x8", Contest::Dpr)] {
        let form = fixture::clean_form(&election, tps, contest);
        assert_eq!(validate(&election, tps, contest, &form), Ok(vec![]));
        let json = serde_json::to_vec(&form).unwrap();
        group.bench_function(format!("validate/{name}"), |b| {
            b.iter(|| validate(&election, black_box(tps), contest, black_box(&form)))
        });
        group.bench_function(format!("parse/{name} ({} bytes)", json.len()), |b| {
            b.iter(|| parse(contest, black_box(&json)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
