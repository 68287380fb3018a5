//! Criterion benchmarks of revcore live in `benches/`; this library is empty on purpose.
