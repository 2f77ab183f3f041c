//! The cost of measuring one HTTP answer (what `src/http/timing.rs` adds to every request):
//! the two labelled series looked up, the counter and the histogram moved, over the route
//! patterns a busy node serves. Run: `cargo bench --bench metrics`.

// Benchmark code: a registry that cannot be built fails the run.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use cyberdir::metrics::Metrics;

const ROUTES: [&str; 8] = [
    "/healthz",
    "/api/v1/providers",
    "/recherche",
    "/suivi/{token}",
    "/diagnostic/{journey}",
    "/hsds/services",
    "/echange/{token}/flux",
    "unmatched",
];

fn record(c: &mut Criterion) {
    let metrics = Metrics::new("sqlite").unwrap();
    let mut n = 0usize;
    c.bench_function("one answer measured (2 series)", |b| {
        b.iter(|| {
            n = n.wrapping_add(1);
            let route = ROUTES[n % ROUTES.len()];
            metrics
                .http_requests
                .with_label_values(&[black_box(route), "GET", "2xx"])
                .inc();
            metrics
                .http_duration
                .with_label_values(&[black_box(route), "GET"])
                .observe(black_box(0.000_42));
        })
    });
    c.bench_function("the route's pattern as text (one allocation)", |b| {
        b.iter(|| black_box(String::from(black_box("/api/v1/providers"))))
    });
}

criterion_group!(benches, record);
criterion_main!(benches);
