//! How option values are read from the app's option bag (serde visitors for the shapes JSON and JavaScript
//! give: a string or a list of strings, a whole number, `extra_query`'s object or pairs), with `expecting` texts
//! that say what to write.
//!
//! Owns the value shapes only; which options exist and how they depend on each other is the option types'.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::path;

/// The items of `seq`, each read at its index's path.
pub(crate) fn items<'de, A: SeqAccess<'de>, T: Deserialize<'de>>(
    mut seq: A,
) -> Result<Vec<T>, A::Error> {
    let mut out = Vec::new();
    loop {
        let i = out.len();
        match path::within(|| path::enter_index(i), || seq.next_element::<T>())? {
            Some(item) => out.push(item),
            None => {
                // The end of the list is not an item: its segment goes.
                path::leave();
                return Ok(out);
            }
        }
    }
}

/// `null` (absent), a string, or a list of strings: Deepgram's repeatable parameters (`keyterm=a&keyterm=b`).
pub(crate) fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    struct OneOrMany;
    impl<'de> Visitor<'de> for OneOrMany {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or a list of strings")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(vec![v.to_owned()])
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(vec![v])
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            items(seq)
        }
    }
    d.deserialize_any(OneOrMany)
}

/// `null` (absent) or a whole number from 0 to 4294967295 (a JavaScript number with no fraction).
pub(crate) fn whole_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    bounded(d, 0.0, f64::from(u32::MAX), true).map(|n| n.map(|n| n as u32))
}

/// `null` (absent) or a number from `min` to `max` (`whole`: without a fraction), with an `expecting` text that
/// gives the range. One visitor for every range: the bounds are values, so no range costs code of its own.
pub fn bounded<'de, D: Deserializer<'de>>(
    d: D,
    min: f64,
    max: f64,
    whole: bool,
) -> Result<Option<f64>, D::Error> {
    d.deserialize_option(Optional(Range { min, max, whole }))
}

/// A number from `min` to `max` (whole, or any finite one).
#[derive(Clone, Copy)]
struct Range {
    min: f64,
    max: f64,
    whole: bool,
}

impl Range {
    fn check<E: de::Error>(self, v: f64, unexpected: de::Unexpected<'_>) -> Result<f64, E> {
        let fits = v.is_finite() && v >= self.min && v <= self.max;
        if fits && (!self.whole || v.fract() == 0.0) {
            Ok(v)
        } else {
            Err(E::invalid_value(unexpected, &self))
        }
    }
}

impl<'de> Visitor<'de> for Range {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = if self.whole {
            "a whole number"
        } else {
            "a number"
        };
        write!(f, "{kind} from {} to {}", self.min, self.max)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        self.check(v as f64, de::Unexpected::Unsigned(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        self.check(v as f64, de::Unexpected::Signed(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        // A JavaScript number with no fraction is named as an integer.
        let unexpected = if v.fract() == 0.0 && v.abs() < 9.0e15 {
            de::Unexpected::Signed(v as i64)
        } else {
            de::Unexpected::Float(v)
        };
        self.check(v, unexpected)
    }
}

/// `null` or a [`Range`].
struct Optional(Range);

impl<'de> Visitor<'de> for Optional {
    type Value = Option<f64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<f64>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<f64>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<f64>, D::Error> {
        d.deserialize_f64(self.0).map(Some)
    }
}

/// `extra_query`: an object (`{"key": "v"}`, a list value repeats the key; pairs in the object's key order,
/// which from JavaScript is its property order) or a list of `[key, value]` pairs (the order given, repeated keys
/// included). Values may be strings, numbers or booleans; `null` values in an object are left out.
pub(crate) fn extra_query<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Vec<(String, String)>, D::Error> {
    struct ExtraQuery;
    impl<'de> Visitor<'de> for ExtraQuery {
        type Value = Vec<(String, String)>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object or a list of [key, value] pairs")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(Vec::new())
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                let value =
                    path::within(|| path::enter_key(&key), || map.next_value::<ExtraValue>())?;
                for v in value.0 {
                    out.push((key.clone(), v));
                }
            }
            Ok(out)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            let pairs: Vec<(String, Scalar)> = items(seq)?;
            Ok(pairs.into_iter().map(|(k, Scalar(v))| (k, v)).collect())
        }
    }
    d.deserialize_any(ExtraQuery)
}

/// A query value written as text: a string as it is, a boolean as `true`/`false`, a number in decimal.
struct Scalar(String);

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, number or boolean")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar(v))
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar(if v { "true" } else { "false" }.to_owned()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
        Ok(Scalar(v.to_string()))
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

/// An `extra_query` object's value: a scalar, a list of scalars (the key repeated), or `null` (left out).
struct ExtraValue(Vec<String>);

impl<'de> Deserialize<'de> for ExtraValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ExtraValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, number or boolean, or a list of them")
            }
            fn visit_unit<E: de::Error>(self) -> Result<ExtraValue, E> {
                Ok(ExtraValue(Vec::new()))
            }
            fn visit_none<E: de::Error>(self) -> Result<ExtraValue, E> {
                Ok(ExtraValue(Vec::new()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ExtraValue, A::Error> {
                let scalars: Vec<Scalar> = items(seq)?;
                Ok(ExtraValue(scalars.into_iter().map(|s| s.0).collect()))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ExtraValue, E> {
                ScalarVisitor.visit_str(v).map(|s| ExtraValue(vec![s.0]))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<ExtraValue, E> {
                Ok(ExtraValue(vec![v]))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<ExtraValue, E> {
                ScalarVisitor.visit_bool(v).map(|s| ExtraValue(vec![s.0]))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ExtraValue, E> {
                ScalarVisitor.visit_i64(v).map(|s| ExtraValue(vec![s.0]))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ExtraValue, E> {
                ScalarVisitor.visit_u64(v).map(|s| ExtraValue(vec![s.0]))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<ExtraValue, E> {
                ScalarVisitor.visit_f64(v).map(|s| ExtraValue(vec![s.0]))
            }
        }
        d.deserialize_any(V)
    }
}
