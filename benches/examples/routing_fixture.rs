//! Prints the routing bench fixture as one JSON document
//! `{"now", "config", "reps", "accounts", "leads"}` for the Node peer comparison
//! (`compare/routing.mjs`): `cargo run --release -p revcore-benches --example routing_fixture`.

use revcore_benches::{routing_fixture, ROUTING_NOW};
use serde_json::json;

fn main() {
    let f = routing_fixture(10_000);
    let doc = json!({
        "now": ROUTING_NOW, "config": f.config, "reps": f.reps,
        "accounts": f.accounts, "leads": f.leads,
    });
    println!("{doc}");
}
