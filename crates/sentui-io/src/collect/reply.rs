//! Turning redis-rs [`Value`]s into the plain shapes the model parsers take.

use redis::Value;
use sentui_model::reply::Record;

/// Text of a string-like reply (bulk, simple, verbatim); None for anything else.
pub fn text(v: &Value) -> Option<String> {
    match v {
        Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::SimpleString(s) => Some(s.clone()),
        Value::VerbatimString { text, .. } => Some(text.clone()),
        Value::Okay => Some("OK".into()),
        Value::Int(i) => Some(i.to_string()),
        _ => None,
    }
}

/// One flat `field, value, ...` list (RESP2) or map (RESP3) as a record.
pub fn record(v: &Value) -> Result<Record, String> {
    match v {
        Value::Array(items) => {
            if items.len() % 2 != 0 {
                return Err(format!(
                    "odd number of items ({}) in a field list",
                    items.len()
                ));
            }
            items
                .chunks(2)
                .map(|kv| match (text(&kv[0]), text(&kv[1])) {
                    (Some(k), Some(v)) => Ok((k, v)),
                    _ => Err("a field or value is not a string".to_string()),
                })
                .collect()
        }
        Value::Map(pairs) => pairs
            .iter()
            .map(|(k, v)| match (text(k), text(v)) {
                (Some(k), Some(v)) => Ok((k, v)),
                _ => Err("a field or value is not a string".to_string()),
            })
            .collect(),
        other => Err(format!("expected a field list, got {}", kind(other))),
    }
}

/// A list reply of records (SENTINEL MASTERS / REPLICAS / SENTINELS). Entries that are not
/// records become errors next to the good ones.
pub fn records(v: &Value) -> Result<(Vec<Record>, Vec<String>), String> {
    match v {
        Value::Array(items) | Value::Set(items) => {
            let mut ok = Vec::new();
            let mut bad = Vec::new();
            for item in items {
                match record(item) {
                    Ok(r) => ok.push(r),
                    Err(e) => bad.push(e),
                }
            }
            Ok((ok, bad))
        }
        other => Err(format!("expected a list, got {}", kind(other))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Nil => "nil",
        Value::Int(_) => "an integer",
        Value::BulkString(_) | Value::SimpleString(_) | Value::VerbatimString { .. } => "a string",
        Value::Okay => "OK",
        Value::Array(_) | Value::Set(_) => "a list",
        Value::Map(_) => "a map",
        Value::ServerError(_) => "an error",
        _ => "an unexpected type",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_values_are_errors_not_panics() {
        assert!(record(&Value::Int(3)).is_err());
        assert!(record(&Value::Array(vec![Value::Int(1)])).is_err());
        assert!(record(&Value::Array(vec![Value::Nil, Value::Nil])).is_err());
        assert!(records(&Value::Nil).is_err());
        let (ok, bad) = records(&Value::Array(vec![Value::Nil])).unwrap();
        assert!(ok.is_empty());
        assert_eq!(bad.len(), 1);
    }
}
