//! A string's `pattern` is not checked by the generated types: it is removed, with a note.
//!
//! typify checks a pattern with the `regress` crate, in a newtype that refuses any other
//! string. In an answer that is the wrong way round: GitHub's description says what it
//! means to send, and a value just outside a pattern (a new format of id) would fail the
//! whole answer, as a closed enum would. In a request GitHub checks the value itself and
//! says why it refuses. So the string stays a `String`, and the note says where a pattern
//! was documented.

use serde_json::Value;

use super::{Failure, Notes, for_each_schema};

pub(super) fn run(doc: &mut Value, notes: &mut Notes) -> Result<(), Failure> {
    for_each_schema(doc, &mut |at, schema| {
        let Some(map) = schema.as_object_mut() else {
            return;
        };
        if let Some(Value::String(pattern)) = map.remove("pattern") {
            notes.add(
                format!("{at}/pattern"),
                format!("pattern {pattern:?} not checked: the value is any string"),
            );
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::passes::run_one;

    #[test]
    fn patterns_go_with_a_note_and_a_property_named_pattern_stays() {
        let mut doc = json!({"components": {"schemas": {"rule": {"type": "object", "properties": {
            "ref": {"type": "string", "pattern": "^refs/"},
            "pattern": {"type": "string"}
        }}}}});
        let notes = run_one("unchecked_patterns", &mut doc);
        assert_eq!(
            doc["components"]["schemas"]["rule"]["properties"],
            json!({"ref": {"type": "string"}, "pattern": {"type": "string"}})
        );
        assert_eq!(notes.len(), 1);
        assert_eq!(
            notes[0].at,
            "/components/schemas/rule/properties/ref/pattern"
        );
    }
}
