//! The committed JSON Schemas (schema/<kind>.json) must be what the Rust types generate today.
//! Run `make schema` (REVCORE_BLESS=1) to rewrite them after changing a type.

use std::path::Path;

#[test]
fn committed_schemas_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema");
    let bless = std::env::var_os("REVCORE_BLESS").is_some();
    if bless {
        std::fs::create_dir_all(&dir).expect("create schema/");
    }
    let mut stale = Vec::new();
    let names = revcore::Kind::ALL
        .iter()
        .map(|k| k.name())
        .chain(revcore::api::RESULT_SCHEMAS);
    for name in names {
        let schema = revcore::schema(name).expect("every kind has a schema");
        let text = serde_json::to_string_pretty(&schema).expect("schemas serialise") + "\n";
        let file = dir.join(format!("{name}.json"));
        if bless {
            std::fs::write(&file, &text).expect("write schema");
        } else if std::fs::read_to_string(&file).ok().as_deref() != Some(text.as_str()) {
            stale.push(file.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "stale JSON Schemas (run `make schema` and commit): {stale:?}"
    );
}

#[test]
fn config_schemas_refuse_unknown_keys() {
    for kind in ["pipeline", "rep", "money"] {
        let schema = revcore::schema(kind).unwrap();
        assert_eq!(
            schema["additionalProperties"],
            serde_json::json!(false),
            "{kind}"
        );
    }
}
