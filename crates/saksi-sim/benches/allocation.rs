//! The whole nation's allocation (823,366 units, 915,456 regions): what
//! every server computes at start-up, so it must take well under a second
//! per million TPS; then one region's answer. Run with `cargo bench -p
//! saksi-sim --bench allocation` (the election is generated once, ~1 s).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use saksi_core::logistics::{Allocation, AllocationTable};
use saksi_core::{RegionCode, RegionId};
use saksi_sim::generate::{GenerateOptions, generate};

fn allocation(c: &mut Criterion) {
    let election = generate(&GenerateOptions {
        seed: 2024,
        scale: 1.0,
    })
    .expect("the whole nation generates");
    let table = AllocationTable::default();
    let mut group = c.benchmark_group("allocation");
    group.sample_size(10);
    group.bench_function("whole nation", |b| {
        b.iter(|| Allocation::compute(black_box(&election), &table));
    });
    let allocation = Allocation::compute(&election, &table);
    let province = election
        .tree
        .find(RegionCode::parse("32").expect("a code"))
        .expect("Jawa Barat");
    let tps = election.tree.tps_ids().next().expect("a TPS");
    group.bench_function("national answer", |b| {
        b.iter(|| allocation.named(&election, black_box(RegionId(0))));
    });
    group.bench_function("province answer", |b| {
        b.iter(|| allocation.named(&election, black_box(province)));
    });
    group.bench_function("TPS answer", |b| {
        b.iter(|| allocation.named(&election, black_box(tps)));
    });
    group.finish();
}

criterion_group!(benches, allocation);
criterion_main!(benches);
