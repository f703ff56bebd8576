//! The field names of an option bag, read from its `#[derive(Deserialize)]` (so each option is declared once,
//! as a struct field), and the check that a bag holds no other keys.
//!
//! Owns the unknown-key rule and its message (the nearest name as a suggestion). It exists because the browser's
//! deserializer reads a struct's fields by name and never sees the keys it does not ask for, so serde's
//! `deny_unknown_fields` cannot catch a misspelled option there: the keys are checked here, the same way for a JS
//! object and a JSON value.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, StringDeserializer};
use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::forward_to_deserialize_any;
use serde::Deserialize;

use super::super::error::OptionsError;
use super::path;
use super::suggest::nearest;

/// The names `T`'s `Deserialize` reads (aliases included), in declaration order; empty for a type that is not a
/// struct.
pub fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    match T::deserialize(Probe) {
        Err(Found(Some(fields))) => fields,
        _ => &[],
    }
}

/// Checks `keys` (a bag's own keys, in its order) against `known`; the first unknown one is an error naming the
/// bag (`endpoint`) and suggesting the nearest known name.
pub fn check_names<'a>(
    keys: impl IntoIterator<Item = &'a str>,
    known: &[&'static str],
    endpoint: &'static str,
) -> Result<(), OptionsError> {
    match keys.into_iter().find(|k| !known.contains(k)) {
        Some(name) => Err(unknown_option(endpoint, name, known)),
        None => Ok(()),
    }
}

#[cold]
#[inline(never)]
fn unknown_option(endpoint: &'static str, name: &str, known: &[&'static str]) -> OptionsError {
    OptionsError::UnknownOption {
        endpoint,
        name: name.to_owned(),
        suggestion: nearest(name, known),
    }
}

/// An option bag whose keys are checked as it is read ([`checked`]).
pub trait OptionBag: DeserializeOwned + Default {
    /// What the bag is called in the unknown-key message (`"listen"` → `unknown listen option "modle"`).
    const NOUN: &'static str;
}

/// Reads an [`OptionBag`] (`null` or absent = its default), rejecting a key it does not have with a suggestion
/// (`unknown listen option "modle": did you mean "model"?`). For `#[serde(deserialize_with = "checked")]` on a
/// nested bag: it reads the object's entries, so the check works for any deserializer, the browser's included.
pub fn checked<'de, D: Deserializer<'de>, T: OptionBag>(d: D) -> Result<T, D::Error> {
    d.deserialize_any(CheckedVisitor(PhantomData))
}

struct CheckedVisitor<T>(PhantomData<T>);

impl<'de, T: OptionBag> Visitor<'de> for CheckedVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the {} options as an object", T::NOUN)
    }

    fn visit_unit<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_none<E: de::Error>(self) -> Result<T, E> {
        Ok(T::default())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(MapAccessDeserializer::new(CheckedMap {
            map,
            known: Some((field_names::<T>(), T::NOUN)),
        }))
    }
}

/// Reads a bag as a struct with each value's path recorded, without a key check: for a bag read as several
/// structs (whose keys are checked against all of them at once) and for server frames.
pub(crate) fn read_tracked<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<T, D::Error> {
    T::deserialize(Tracked(d))
}

/// A deserializer whose structs are read through [`CheckedMap`] (so their keys are tracked); everything else is
/// the inner deserializer's. It reads what the struct asks for, as the inner one does (a JS object by field
/// name, not by enumerating its entries).
struct Tracked<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Tracked<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.0
            .deserialize_struct(name, fields, TrackingVisitor(visitor))
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

/// A struct's visitor, handed a [`CheckedMap`] without a key check.
struct TrackingVisitor<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for TrackingVisitor<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.expecting(f)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(CheckedMap { map, known: None })
    }
}

/// A value that is either a flag (`true`/`false`) or an option bag (`microphone: true | {deviceId, ...}`,
/// `reconnect: false | {attempts, delayMs}`).
#[derive(Debug, Clone, PartialEq)]
pub struct FlagOr<T> {
    /// The flag, when one was given.
    pub flag: Option<bool>,
    /// The bag, when one was given.
    pub bag: Option<T>,
}

impl<T> Default for FlagOr<T> {
    fn default() -> Self {
        Self {
            flag: None,
            bag: None,
        }
    }
}

/// Reads a [`FlagOr`]: `null`/absent, `true`/`false`, or the bag `T` (keys checked as in [`checked`]).
pub fn flag_or_checked<'de, D: Deserializer<'de>, T: OptionBag>(
    d: D,
) -> Result<FlagOr<T>, D::Error> {
    d.deserialize_any(FlagOrVisitor(PhantomData))
}

struct FlagOrVisitor<T>(PhantomData<T>);

impl<'de, T: OptionBag> Visitor<'de> for FlagOrVisitor<T> {
    type Value = FlagOr<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "true, false or the {} options as an object", T::NOUN)
    }

    fn visit_unit<E: de::Error>(self) -> Result<FlagOr<T>, E> {
        Ok(FlagOr::default())
    }

    fn visit_none<E: de::Error>(self) -> Result<FlagOr<T>, E> {
        Ok(FlagOr::default())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<FlagOr<T>, E> {
        Ok(FlagOr {
            flag: Some(v),
            bag: None,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<FlagOr<T>, A::Error> {
        CheckedVisitor(PhantomData)
            .visit_map(map)
            .map(|bag| FlagOr {
                flag: None,
                bag: Some(bag),
            })
    }
}

/// A bag's entries: each key is checked against `known` (the bag's fields and its noun, when set) before the
/// bag's own visitor sees it, and each value is read at its key's path.
struct CheckedMap<A> {
    map: A,
    known: Option<(&'static [&'static str], &'static str)>,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for CheckedMap<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let Some(key) = self.map.next_key::<String>()? else {
            return Ok(None);
        };
        if let Some((known, noun)) = self.known {
            check_names([key.as_str()], known, noun).map_err(de::Error::custom)?;
        }
        path::enter_key(&key);
        seed.deserialize(StringDeserializer::new(key)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        // The key's segment was pushed with the key; it goes once the value read.
        let value = self.map.next_value_seed(seed)?;
        path::leave();
        Ok(value)
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

/// A deserializer that answers nothing but the field list serde hands to `deserialize_struct`.
struct Probe;

/// The outcome of probing: the fields, or `None` when the type asked for something else.
#[derive(Debug)]
struct Found(Option<&'static [&'static str]>);

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("field probe")
    }
}

impl std::error::Error for Found {}

impl de::Error for Found {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        Found(None)
    }
}

impl<'de> Deserializer<'de> for Probe {
    type Error = Found;

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Found> {
        Err(Found(None))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Found> {
        Err(Found(Some(fields)))
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Bag {
        model: Option<String>,
        #[serde(rename = "sampleRate", alias = "sample_rate")]
        rate: u32,
    }

    #[test]
    fn reads_the_names_serde_reads() {
        assert_eq!(
            field_names::<Bag>(),
            &["model", "sampleRate", "sample_rate"]
        );
        assert!(field_names::<String>().is_empty());
    }

    #[derive(Deserialize, Default, Debug, PartialEq)]
    struct Nested {
        #[serde(default, deserialize_with = "checked")]
        inner: Inner,
    }

    #[derive(Deserialize, Default, Debug, PartialEq)]
    struct Inner {
        model: Option<String>,
    }

    impl OptionBag for Inner {
        const NOUN: &'static str = "inner";
    }

    #[test]
    fn nested_bags_are_checked_while_read() {
        let read = |v: serde_json::Value| {
            crate::protocol::read_bag::<Nested, _>(&v).map_err(|e| e.to_string())
        };
        assert_eq!(read(serde_json::json!({})).unwrap(), Nested::default());
        assert_eq!(
            read(serde_json::json!({"inner": null})).unwrap(),
            Nested::default()
        );
        assert_eq!(
            read(serde_json::json!({"inner": {"model": "m"}}))
                .unwrap()
                .inner
                .model
                .as_deref(),
            Some("m")
        );
        assert_eq!(
            read(serde_json::json!({"inner": {"modle": "m"}})).unwrap_err(),
            "\"inner\": unknown inner option \"modle\": did you mean \"model\"?"
        );
        assert_eq!(
            read(serde_json::json!({"inner": "nova-3"})).unwrap_err(),
            "\"inner\": invalid type: string \"nova-3\", expected the inner options as an object"
        );
    }

    #[test]
    fn unknown_keys_are_named_with_a_suggestion() {
        let known = field_names::<Bag>();
        assert_eq!(
            check_names(["model", "sampleRate"], known, "listen"),
            Ok(())
        );
        let e = check_names(["model", "modle"], known, "listen").unwrap_err();
        assert_eq!(
            e,
            OptionsError::UnknownOption {
                endpoint: "listen",
                name: "modle".into(),
                suggestion: Some("model"),
            }
        );
    }
}
