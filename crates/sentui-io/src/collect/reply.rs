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

/// A reply that is not the shape the command answers with.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    #[error("odd number of items ({0}) in a field list")]
    OddItems(usize),
    #[error("a field or value is not a string")]
    NotAString,
    #[error("expected a field list, got {0}")]
    NotARecord(&'static str),
    #[error("expected a list, got {0}")]
    NotAList(&'static str),
}

/// One flat `field, value, ...` list (RESP2) or map (RESP3) as a record.
pub fn record(v: &Value) -> Result<Record, ShapeError> {
    let pair = |k: &Value, v: &Value| match (text(k), text(v)) {
        (Some(k), Some(v)) => Ok((k, v)),
        _ => Err(ShapeError::NotAString),
    };
    match v {
        Value::Array(items) => {
            if items.len() % 2 != 0 {
                return Err(ShapeError::OddItems(items.len()));
            }
            items.chunks(2).map(|kv| pair(&kv[0], &kv[1])).collect()
        }
        Value::Map(pairs) => pairs.iter().map(|(k, v)| pair(k, v)).collect(),
        other => Err(ShapeError::NotARecord(kind(other))),
    }
}

/// A list reply of records (SENTINEL MASTERS / REPLICAS / SENTINELS). Entries that are not
/// records become errors next to the good ones (in words: the poll keeps and shows them).
pub fn records(v: &Value) -> Result<(Vec<Record>, Vec<String>), ShapeError> {
    match v {
        Value::Array(items) | Value::Set(items) => {
            let mut ok = Vec::new();
            let mut bad = Vec::new();
            for item in items {
                match record(item) {
                    Ok(r) => ok.push(r),
                    Err(e) => bad.push(e.to_string()),
                }
            }
            Ok((ok, bad))
        }
        other => Err(ShapeError::NotAList(kind(other))),
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
