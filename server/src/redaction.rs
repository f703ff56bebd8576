//! The values `redact` accepts on `/v1/listen`: the number and group values and every redactable entity
//! type (docs/redaction, docs/supported-entity-types).
//!
//! Owns the list and the check of one value. It must not read the query: `listen_options.rs` calls
//! [`check`] for every `redact` occurrence (the parameter is repeatable, `redact=phi&redact=pci`).

/// Values that are not entity types: `true` (= `numbers`), `false`, the groups and the number modes.
pub const MODES: [&str; 8] = [
    "true",
    "false",
    "pci",
    "pii",
    "phi",
    "numbers",
    "aggressive_numbers",
    "ssn",
];

/// Redactable entity types. From Deepgram's entity table (PII, PHI, PCI and Other sections, 2025 text;
/// the current page says 56 of 59 detected types are redactable, 53 unique names are listed there).
pub const ENTITY_TYPES: [&str; 53] = [
    // PII
    "account_number",
    "age",
    "bank_account",
    "credit_card",
    "credit_card_expiration",
    "cvv",
    "date",
    "date_interval",
    "dob",
    "driver_license",
    "email_address",
    "event",
    "filename",
    "gender_sexuality",
    "healthcare_number",
    "ip_address",
    "location",
    "location_address",
    "location_city",
    "location_coordinate",
    "location_country",
    "location_state",
    "location_zip",
    "money",
    "name",
    "name_given",
    "name_family",
    "name_medical_professional",
    "numerical_pii",
    "occupation",
    "origin",
    "passport_number",
    "password",
    "phone_number",
    "physical_attribute",
    "ssn",
    "time",
    "url",
    "username",
    "vehicle_id",
    // PHI
    "condition",
    "drug",
    "injury",
    "blood_type",
    "medical_process",
    "statistics",
    // Other
    "language",
    "marital_status",
    "organization",
    "political_affiliation",
    "religion",
    "routing_number",
    "zodiac_sign",
];

/// Entity types that entity detection returns but `redact` refuses with a 400.
pub const DETECTED_ONLY: [&str; 3] = ["cardinal", "ordinal", "percent"];

/// Why one `redact` value is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedactError {
    /// `cardinal`, `ordinal` or `percent`: detected, never redacted.
    DetectedOnly(String),
    /// Neither a mode nor a known entity type.
    Unknown(String),
}

impl RedactError {
    /// The refused value.
    pub fn value(&self) -> &str {
        match self {
            RedactError::DetectedOnly(v) | RedactError::Unknown(v) => v,
        }
    }

    /// What to do instead, for the 400's message.
    pub fn advice(&self) -> String {
        match self {
            RedactError::DetectedOnly(v) => format!(
                "`{v}` is returned by entity detection but cannot be redacted; drop it (numbers are covered by `numbers` or `aggressive_numbers`)"
            ),
            RedactError::Unknown(_) => format!(
                "use `true`, `false`, `pci`, `pii`, `phi`, `numbers`, `aggressive_numbers`, `ssn` or a redactable entity type such as `name`, `location_city` or `email_address` ({} types; see Deepgram's supported entity types)",
                ENTITY_TYPES.len()
            ),
        }
    }
}

/// Checks one `redact` value (exact, lowercase, as Deepgram spells them).
pub fn check(value: &str) -> Result<(), RedactError> {
    if MODES.contains(&value) || ENTITY_TYPES.contains(&value) {
        Ok(())
    } else if DETECTED_ONLY.contains(&value) {
        Err(RedactError::DetectedOnly(value.to_string()))
    } else {
        Err(RedactError::Unknown(value.to_string()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]
    use super::*;

    #[test]
    fn modes_groups_and_every_entity_type_are_accepted() {
        for v in MODES.iter().chain(ENTITY_TYPES.iter()) {
            assert_eq!(check(v), Ok(()), "{v}");
        }
    }

    #[test]
    fn entity_names_are_unique_and_exclude_the_detected_only_ones() {
        let mut names = ENTITY_TYPES.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ENTITY_TYPES.len());
        for d in DETECTED_ONLY {
            assert!(!ENTITY_TYPES.contains(&d));
        }
    }

    #[test]
    fn cardinal_ordinal_percent_and_unknown_values_are_refused() {
        for v in DETECTED_ONLY {
            let e = check(v).unwrap_err();
            assert!(matches!(e, RedactError::DetectedOnly(_)));
            assert!(e.advice().contains("cannot be redacted"), "{}", e.advice());
        }
        for v in ["Name", "PII", "names", "", "phone"] {
            let e = check(v).unwrap_err();
            assert_eq!(e, RedactError::Unknown(v.to_string()));
            assert!(e.advice().contains("`pii`"));
        }
    }
}
