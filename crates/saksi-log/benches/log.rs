//! Benchmarks of the log: MemoryTree append throughput, proof
//! generation at 4,000,000 entries, and Ed25519 under the strict rule:
//! signing, single verification, and batch verification (one core and two
//! threads) of 4,096 signatures by 512 keys.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use saksi_log::batch::{Item, verify_batch_in_chunks};
use saksi_log::{
    MemoryTree, Signer, Verifier, consistency_proof, inclusion_proof, leaf_hash, verify_batch,
};

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

    // 4,096 statements of about 300 bytes by 512 keys (8 each), as an
    // auditor meets them.
    const N: usize = 4096;
    let signers: Vec<Signer> = (0..512u32)
        .map(|i| {
            let mut seed = [0u8; 32];
            seed[..4].copy_from_slice(&i.to_le_bytes());
            Signer::from_seed(&format!("kpps-{i}"), &seed).unwrap()
        })
        .collect();
    let key_texts: Vec<String> = signers.iter().map(|s| s.verifier().to_string()).collect();
    let verifiers: Vec<Verifier> = key_texts
        .iter()
        .map(|t| Verifier::parse(t).unwrap())
        .collect();
    let msgs: Vec<Vec<u8>> = (0..N)
        .map(|i| {
            let mut m = format!("saksi/statement/v1\n{{\"n\":{i}}}").into_bytes();
            m.resize(300, b' ');
            m
        })
        .collect();
    let sigs: Vec<[u8; 64]> = (0..N).map(|i| signers[i % 512].sign(&msgs[i])).collect();
    let items: Vec<Item<'_>> = (0..N)
        .map(|i| (&verifiers[i % 512], msgs[i].as_slice(), &sigs[i]))
        .collect();
    assert!(verify_batch(&items).iter().all(|&ok| ok));

    let mut g = c.benchmark_group("ed25519_4096");
    g.throughput(Throughput::Elements(N as u64));
    g.sample_size(10);
    g.bench_function("single_1_thread", |b| {
        b.iter(|| {
            for (k, m, s) in &items {
                assert!(k.verify(m, *s));
            }
        })
    });
    g.bench_function("single_2_threads", |b| {
        b.iter(|| {
            std::thread::scope(|scope| {
                for half in items.chunks(N / 2) {
                    scope.spawn(move || {
                        for (k, m, s) in half {
                            assert!(k.verify(m, *s));
                        }
                    });
                }
            })
        })
    });
    for chunk in [256, 1024, 4096] {
        g.bench_function(format!("batch_1_thread_chunk_{chunk}"), |b| {
            b.iter(|| black_box(verify_batch_in_chunks(black_box(&items), chunk)))
        });
    }
    g.bench_function("batch_2_threads", |b| {
        b.iter(|| {
            std::thread::scope(|scope| {
                for half in items.chunks(N / 2) {
                    scope.spawn(move || black_box(verify_batch(half)));
                }
            })
        })
    });
    // Keys parsed afresh every time (their torsion check not yet cached),
    // against single verification with the same parsing.
    g.bench_function("single_1_thread_parsing_keys", |b| {
        b.iter(|| {
            let fresh: Vec<Verifier> = key_texts
                .iter()
                .map(|t| Verifier::parse(t).unwrap())
                .collect();
            for (i, (_, m, s)) in items.iter().enumerate() {
                assert!(fresh[i % 512].verify(m, *s));
            }
        })
    });
    g.bench_function("batch_1_thread_parsing_keys", |b| {
        b.iter(|| {
            let fresh: Vec<Verifier> = key_texts
                .iter()
                .map(|t| Verifier::parse(t).unwrap())
                .collect();
            let items: Vec<Item<'_>> = (0..N)
                .map(|i| (&fresh[i % 512], msgs[i].as_slice(), &sigs[i]))
                .collect();
            black_box(verify_batch(&items))
        })
    });
    // One bad signature in every chunk: the worst case of the fallback.
    let mut bad_sigs = sigs.clone();
    for i in (0..N).step_by(saksi_log::batch::CHUNK) {
        bad_sigs[i + 1][40] ^= 1;
    }
    let bad_items: Vec<Item<'_>> = (0..N)
        .map(|i| (&verifiers[i % 512], msgs[i].as_slice(), &bad_sigs[i]))
        .collect();
    g.bench_function("batch_1_thread_one_bad_per_chunk", |b| {
        b.iter(|| black_box(verify_batch(black_box(&bad_items))))
    });
    g.finish();
}

criterion_group!(benches, append, proofs, signatures);
criterion_main!(benches);
