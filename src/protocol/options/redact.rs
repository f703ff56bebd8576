//! `redact` values of `/v1/listen`: the groups, number redaction and the entity types Deepgram redacts
//! (docs/redaction, docs/supported-entity-types; entity redaction is English only on streaming).
//!
//! Owns the tables and the reading of one value. It must not render URLs (the listen options do).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::suggest::nearest;

/// Values that redact a group or a kind of number: `true` (streaming: the same as `numbers`), `numbers`,
/// `aggressive_numbers`, and the groups `pci`, `pii`, `phi`; `ssn` is also an entity type.
pub const REDACT_GROUPS: &[&str] = &["true", "numbers", "aggressive_numbers", "pci", "pii", "phi"];

/// The entity types `redact` takes one at a time, as docs/supported-entity-types lists them (PII, PHI, PCI and
/// other entities; 53 names: Deepgram counts 56 redactable types, and a name not listed here that is not a
/// near miss of one is passed on, so a type added since is not refused).
pub const REDACT_ENTITY_TYPES: &[&str] = &[
    "account_number",
    "age",
    "bank_account",
    "blood_type",
    "condition",
    "credit_card",
    "credit_card_expiration",
    "cvv",
    "date",
    "date_interval",
    "dob",
    "driver_license",
    "drug",
    "email_address",
    "event",
    "filename",
    "gender_sexuality",
    "healthcare_number",
    "injury",
    "ip_address",
    "language",
    "location",
    "location_address",
    "location_city",
    "location_coordinate",
    "location_country",
    "location_state",
    "location_zip",
    "marital_status",
    "medical_process",
    "money",
    "name",
    "name_family",
    "name_given",
    "name_medical_professional",
    "numerical_pii",
    "occupation",
    "organization",
    "origin",
    "passport_number",
    "password",
    "phone_number",
    "physical_attribute",
    "political_affiliation",
    "religion",
    "routing_number",
    "ssn",
    "statistics",
    "time",
    "url",
    "username",
    "vehicle_id",
    "zodiac_sign",
];

/// Entity types that entity detection returns but `redact` refuses (Deepgram answers HTTP 400).
pub const NOT_REDACTABLE: &[&str] = &["cardinal", "ordinal", "percent"];

/// One `redact` value (repeatable): a group, a kind of number, or an entity type, as Deepgram spells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redact(Cow<'static, str>);

impl Redact {
    /// `redact=true`.
    pub const TRUE: Redact = Redact(Cow::Borrowed("true"));

    /// The value, if Deepgram's `redact` may take it: a listed value, or an entity type spelt as Deepgram spells
    /// them (lowercase words joined by `_`) that is not a near miss of a listed one.
    pub fn parse(value: &str) -> Result<Redact, String> {
        if let Some(v) = REDACT_GROUPS
            .iter()
            .chain(REDACT_ENTITY_TYPES)
            .find(|v| **v == value)
        {
            return Ok(Redact(Cow::Borrowed(v)));
        }
        if NOT_REDACTABLE.contains(&value) {
            return Err([
                "\"",
                value,
                "\" is an entity type that detect_entities finds but redact cannot remove (Deepgram refuses it): \
                 use a group (pii, phi, pci, numbers) or another entity type",
            ]
            .concat());
        }
        let all: Vec<&'static str> = REDACT_GROUPS
            .iter()
            .chain(REDACT_ENTITY_TYPES)
            .copied()
            .collect();
        let near = nearest(value, &all);
        let well_formed = !value.is_empty()
            && value
                .split('_')
                .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()));
        match near {
            None if well_formed => Ok(Redact(Cow::Owned(value.to_owned()))),
            _ => Err([
                "\"",
                value,
                "\" is not a redact value",
                &near
                    .map(|s| [" (did you mean \"", s, "\"?)"].concat())
                    .unwrap_or_default(),
                ": use true, numbers, aggressive_numbers, pci, pii, phi, or an entity type such as name, \
                 location_city or ssn (docs/supported-entity-types)",
            ]
            .concat()),
        }
    }

    /// The value as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Redact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Redact {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Redact {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Redact;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a redact value (a group such as pii, or an entity type such as name)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Redact, E> {
                Redact::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_and_entity_types_are_taken_as_spelt() {
        for v in [
            "true",
            "pii",
            "phi",
            "pci",
            "numbers",
            "aggressive_numbers",
            "ssn",
            "name",
            "location_city",
        ] {
            assert_eq!(Redact::parse(v).unwrap().as_str(), v);
        }
        assert_eq!(REDACT_ENTITY_TYPES.len(), 53);
        let mut sorted = REDACT_ENTITY_TYPES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), REDACT_ENTITY_TYPES.len(), "no duplicates");
    }

    #[test]
    fn detected_only_types_and_unknown_values_are_refused_with_the_fix() {
        let e = Redact::parse("cardinal").unwrap_err();
        assert!(e.contains("redact cannot remove"), "{e}");
        assert!(e.contains("pii, phi, pci, numbers"), "{e}");
        let e = Redact::parse("location_cty").unwrap_err();
        assert!(e.contains("did you mean \"location_city\"?"), "{e}");
        assert!(
            Redact::parse("Name").is_err(),
            "case matters, as on the wire"
        );
        assert!(Redact::parse("").is_err() && Redact::parse("two words").is_err());
        // A type added after our table, spelt as Deepgram spells them, goes through (the server decides).
        assert_eq!(
            Redact::parse("license_plate").unwrap().as_str(),
            "license_plate"
        );
    }
}
