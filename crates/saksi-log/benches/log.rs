//! Benchmarks of the log (issue 3 §8): MemoryTree append throughput, proof
//! generation at 4,000,000 entries, and the single Ed25519 verification
//! rate under the strict rule.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use saksi_log::{MemoryTree, Signer, consistency_proof, inclusion_proof, leaf_hash};

const BIG: u64 = 4_000_000;

fn leaves(n: u64) -> Vec<[u8; 32]> {
    (0..n).map(|i| leaf_hash(&i.to_be_bytes())).collect()
}

fn append(c: &mut Criterion) {
    let batch = leaves(100_000);
    let mut g = c.benchmark_group("append");
    g.throughput(Throughput::Elements(batch.len() as u64));
    g.sample_size(20);
    g.bench_function("memory_tree_100k_leaf_hashes", |b| {
        b.iter(|| {
            let mut tree = MemoryTree::with_capacity(batch.len());
            for leaf in &batch {
                tree.append(*leaf);
            }
            black_box(tree.root())
        })
    });
    g.bench_function("leaf_hash_and_append_100k_200B_entries", |b| {
        let entry = [0x5au8; 200];
        b.iter(|| {
            let mut tree = MemoryTree::with_capacity(100_000);
            for _ in 0..100_000 {
                tree.append(leaf_hash(&entry));
            }
            black_box(tree.root())
        })
    });
    g.finish();
}

fn proofs(c: &mut Criterion) {
    let mut tree = MemoryTree::with_capacity(BIG as usize);
    for i in 0..BIG {
        tree.append(leaf_hash(&i.to_be_bytes()));
    }
    let mut g = c.benchmark_group("proofs_at_4m");
    let mut i = 0u64;
    g.bench_function("inclusion", |b| {
        b.iter(|| {
            i = (i + 7_919) % BIG;
            black_box(inclusion_proof(&tree, i, BIG).unwrap())
        })
    });
    let mut m = 0u64;
    g.bench_function("consistency", |b| {
        b.iter(|| {
            m = (m + 7_919) % (BIG - 1) + 1;
            black_box(consistency_proof(&tree, m, BIG).unwrap())
        })
    });
    g.bench_function("inclusion_old_size", |b| {
        b.iter(|| {
            i = (i + 7_919) % 3_000_001;
            black_box(inclusion_proof(&tree, i, 3_000_001).unwrap())
        })
    });
    g.finish();
}

fn signatures(c: &mut Criterion) {
    let signer = Signer::from_seed("bench", &[1; 32]).unwrap();
    let verifier = signer.verifier();
    let msg = [0x42u8; 300];
    let sig = signer.sign(&msg);
    let mut g = c.benchmark_group("ed25519");
    g.throughput(Throughput::Elements(1));
    g.bench_function("verify_strict_single", |b| {
        b.iter(|| assert!(verifier.verify(black_box(&msg), black_box(&sig))))
    });
    g.bench_function("sign", |b| {
        b.iter(|| black_box(signer.sign(black_box(&msg))))
    });
    g.finish();
}

criterion_group!(benches, append, proofs, signatures);
criterion_main!(benches);
