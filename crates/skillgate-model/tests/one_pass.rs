//! `RequestEnvelope::from_slice` (one pass over the body when every member fits) gives
//! exactly what the tolerant `serde_json::from_slice::<RequestEnvelope>` gives: on every
//! fixture envelope and every kept fuzz input, and on each fixture with every value replaced,
//! in turn, by values of other types, and with every object given a duplicate key.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use skillgate_model::RequestEnvelope;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The files of `dir`, sorted by name.
fn files(dir: &Path) -> Vec<Vec<u8>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_none_or(|e| e == "json"))
        .collect();
    paths.sort();
    paths.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// The two parses agree: both fail, or both succeed with equal envelopes.
fn assert_same(body: &[u8]) {
    let tolerant = serde_json::from_slice::<RequestEnvelope>(body);
    let one_pass = RequestEnvelope::from_slice(body);
    match (&tolerant, &one_pass) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{}", String::from_utf8_lossy(body)),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        _ => panic!(
            "tolerant {:?}, one pass {:?} for {}",
            tolerant.map(|_| ()),
            one_pass.map(|_| ()),
            String::from_utf8_lossy(body)
        ),
    }
}

/// Every fixture envelope: the captures and third-party envelopes, and the model's own.
fn fixtures() -> Vec<Vec<u8>> {
    let mut all = files(&root().join("testdata/alexa/envelopes"));
    all.extend(
        files(&root().join("crates/skillgate-model/tests/data"))
            .into_iter()
            .filter(|b| b.windows(9).any(|w| w == b"\"request\"")),
    );
    assert!(all.len() > 100, "expected the fixture envelopes");
    all
}

#[test]
fn fixtures_and_fuzz_inputs_parse_the_same_both_ways() {
    let mut bodies = fixtures();
    bodies.extend(files(&root().join("fuzz/seeds/envelope")));
    bodies.extend(files(&root().join("fuzz/regressions/envelope")));
    for body in &bodies {
        assert_same(body);
    }
}

/// The JSON pointer of every value inside `value` (objects' members and arrays' items).
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, member) in map {
                let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                out.push(here.clone());
                pointers(member, here, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let here = format!("{at}/{i}");
                out.push(here.clone());
                pointers(item, here, out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_value_of_another_type_parses_the_same_both_ways() {
    let others = [
        json!(null),
        json!(true),
        json!(0),
        json!(-1.5),
        json!("x"),
        json!([]),
        json!({}),
        json!({"a": [1]}),
    ];
    let mut cases = 0;
    for body in fixtures() {
        let Ok(envelope) = serde_json::from_slice::<Value>(&body) else {
            continue;
        };
        let mut at = Vec::new();
        pointers(&envelope, String::new(), &mut at);
        for pointer in &at {
            for other in &others {
                let mut changed = envelope.clone();
                *changed.pointer_mut(pointer).unwrap() = other.clone();
                assert_same(&serde_json::to_vec(&changed).unwrap());
                cases += 1;
            }
        }
    }
    assert!(cases > 10_000, "{cases}");
}

/// `value` as JSON text, with the object at `pointer` given a second member `key` (after
/// its others) holding `duplicate`.
fn with_duplicate(
    value: &Value,
    here: &str,
    pointer: &str,
    key: &str,
    duplicate: &Value,
) -> String {
    match value {
        Value::Object(map) => {
            let mut members: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    let below = format!("{here}/{}", k.replace('~', "~0").replace('/', "~1"));
                    format!(
                        "{}:{}",
                        Value::from(k.as_str()),
                        with_duplicate(v, &below, pointer, key, duplicate)
                    )
                })
                .collect();
            if here == pointer {
                members.push(format!("{}:{duplicate}", Value::from(key)));
            }
            format!("{{{}}}", members.join(","))
        }
        Value::Array(items) => {
            let items: Vec<String> = items
                .iter()
                .enumerate()
                .map(|(i, v)| with_duplicate(v, &format!("{here}/{i}"), pointer, key, duplicate))
                .collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

#[test]
fn duplicate_keys_parse_the_same_both_ways() {
    let mut cases = 0;
    for body in fixtures() {
        let Ok(envelope) = serde_json::from_slice::<Value>(&body) else {
            continue;
        };
        let mut at = vec![String::new()];
        pointers(&envelope, String::new(), &mut at);
        for pointer in &at {
            let Some(Value::Object(object)) = envelope.pointer(pointer) else {
                continue;
            };
            for (key, value) in object {
                for duplicate in [value.clone(), json!("other"), json!({"b": 2})] {
                    assert_same(with_duplicate(&envelope, "", pointer, key, &duplicate).as_bytes());
                    cases += 1;
                }
            }
        }
    }
    assert!(cases > 5_000, "{cases}");
}
