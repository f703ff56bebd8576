//! Numbers in the classes' option bags: whole numbers within a range ([`Whole`]) and bounded fractions, read by
//! the visitor Deepgram's options use too ([`bounded`]).

use serde::{Deserialize, Deserializer};

use crate::protocol::bounded;

/// An optional whole number from `MIN` to `MAX` (a JavaScript number with no fraction; `null` or absent is
/// `None`). Every range is read by the same visitor: the bounds are values, not types, past this wrapper.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Whole<const MIN: u64, const MAX: u64>(pub Option<u64>);

impl<'de, const MIN: u64, const MAX: u64> Deserialize<'de> for Whole<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        bounded(d, MIN as f64, MAX as f64, true).map(|n| Whole(n.map(|n| n as u64)))
    }
}

/// `null` (absent) or a number from `min` to `max`, fractions allowed.
pub(crate) fn fraction<'de, D: Deserializer<'de>>(
    d: D,
    min: f64,
    max: f64,
) -> Result<Option<f64>, D::Error> {
    bounded(d, min, max, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize, Debug)]
    struct Bag {
        #[serde(default)]
        n: Whole<10, 100>,
        #[serde(default, deserialize_with = "volume")]
        v: Option<f64>,
    }

    fn volume<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        fraction(d, 0.0, 10.0)
    }

    fn read(v: serde_json::Value) -> Result<Bag, String> {
        crate::protocol::read_bag(&v).map_err(|e| e.to_string())
    }

    #[test]
    fn ranges_are_checked_and_named() {
        let b = read(json!({"n": 20, "v": 1.5})).unwrap();
        assert_eq!((b.n, b.v), (Whole(Some(20)), Some(1.5)));
        let b = read(json!({"n": 20.0, "v": null})).unwrap();
        assert_eq!((b.n, b.v), (Whole(Some(20)), None));
        assert_eq!(
            read(json!({"n": 5})).unwrap_err(),
            "\"n\": invalid value: integer `5`, expected a whole number from 10 to 100"
        );
        assert_eq!(
            read(json!({"n": 20.5})).unwrap_err(),
            "\"n\": invalid value: floating point `20.5`, expected a whole number from 10 to 100"
        );
        assert_eq!(
            read(json!({"n": "20"})).unwrap_err(),
            "\"n\": invalid type: string \"20\", expected a whole number from 10 to 100"
        );
        assert_eq!(
            read(json!({"v": 11})).unwrap_err(),
            "\"v\": invalid value: integer `11`, expected a number from 0 to 10"
        );
    }
}
