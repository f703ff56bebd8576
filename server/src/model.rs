//! Model names as the real service reports them (`model_info`, `model_uuid`, TTS `model_name`).
//!
//! Owns the mapping from the `model` query value to `{name, version, arch, uuid}`. Observed values
//! (LISTEN-NOTES §5.1, speak fixtures) are used where known; other models get the same naming shape with
//! version `local` and a stable UUID derived from the model name. It must not validate models: any
//! non-empty name is accepted.

use sha2::{Digest, Sha256};

/// What `model_info` and `model_uuid` say about a listen model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelInfo {
    /// `model_info.name`, e.g. `general-nova-3`.
    pub name: String,
    /// `model_info.version`, e.g. `2025-04-17.21547`.
    pub version: String,
    /// `model_info.arch`, e.g. `nova-3`.
    pub arch: String,
    /// `model_uuid`.
    pub uuid: String,
}

/// A stable UUID-shaped string for a name the real service's UUID is not known for.
pub fn derived_uuid(name: &str) -> String {
    let digest = Sha256::digest(format!("deepgram-live-server model {name}").as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let part = |a: usize, b: usize| hex.get(a..b).unwrap_or("0").to_string();
    format!(
        "{}-{}-4{}-8{}-{}",
        part(0, 8),
        part(8, 12),
        part(13, 16),
        part(17, 20),
        part(20, 32)
    )
}

fn info(name: &str, version: &str, arch: &str, uuid: Option<&str>) -> ModelInfo {
    ModelInfo {
        name: name.to_string(),
        version: version.to_string(),
        arch: arch.to_string(),
        uuid: uuid.map_or_else(|| derived_uuid(name), str::to_string),
    }
}

/// The listen model behind a `model` query value (`None` = the service default, `base`).
pub fn listen_model(model: Option<&str>) -> ModelInfo {
    let model = model.unwrap_or("base");
    match model {
        "nova-3" | "nova-3-general" => info(
            "general-nova-3",
            "2025-04-17.21547",
            "nova-3",
            Some("40bd3654-e622-47c4-a111-63a61b23bfe8"),
        ),
        "nova-2" | "nova-2-general" => info(
            "2-general-nova",
            "2024-01-18.26916",
            "nova-2",
            Some("c0d1a568-ce81-4fea-97e7-bd45cb1fdf3c"),
        ),
        "nova-2-phonecall" => info(
            "2-phonecall-nova",
            "2024-02-07.20824",
            "nova-2",
            Some("7e3b5bdf-85ed-4fd2-9f7a-7721bbcad97b"),
        ),
        "base" | "base-general" | "general" => info("general", "2024-01-26.8851", "base", None),
        _ => {
            if let Some(domain) = model.strip_prefix("nova-3-") {
                info(&format!("{domain}-nova-3"), "local", "nova-3", None)
            } else if let Some(domain) = model.strip_prefix("nova-2-") {
                info(&format!("2-{domain}-nova"), "local", "nova-2", None)
            } else if model == "nova" {
                info("general-nova", "local", "nova", None)
            } else if let Some(domain) = model.strip_prefix("nova-") {
                info(&format!("{domain}-nova"), "local", "nova", None)
            } else if let Some(domain) = model.strip_prefix("enhanced-") {
                info(&format!("{domain}-enhanced"), "local", "enhanced", None)
            } else if model == "enhanced" {
                info("general-enhanced", "local", "enhanced", None)
            } else if let Some(domain) = model.strip_prefix("base-") {
                info(domain, "local", "base", None)
            } else {
                info(model, "local", model, None)
            }
        }
    }
}

/// What the speak `Metadata` says about a voice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoiceModel {
    /// `model_name` (the query value, as the real service echoes it).
    pub name: String,
    /// `model_version`.
    pub version: String,
    /// `model_uuid`.
    pub uuid: String,
}

/// The speak model behind a `model` query value (`None` = the service default, `aura-asteria-en`).
pub fn speak_model(model: Option<&str>) -> VoiceModel {
    let name = model.unwrap_or("aura-asteria-en");
    let (version, uuid) = match name {
        "aura-asteria-en" => (
            "2024-11-19.0".to_string(),
            "ecb76e9d-f2db-4127-8060-79b05590d22f".to_string(),
        ),
        other => ("local".to_string(), derived_uuid(other)),
    };
    VoiceModel {
        name: name.to_string(),
        version,
        uuid,
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
    fn observed_models_map_to_observed_names() {
        let m = listen_model(Some("nova-3"));
        assert_eq!(
            (m.name.as_str(), m.arch.as_str()),
            ("general-nova-3", "nova-3")
        );
        assert_eq!(m.uuid, "40bd3654-e622-47c4-a111-63a61b23bfe8");
        assert_eq!(listen_model(Some("nova-2")).name, "2-general-nova");
        assert_eq!(
            listen_model(Some("nova-2-phonecall")).name,
            "2-phonecall-nova"
        );
        assert_eq!(listen_model(Some("nova-2-meeting")).name, "2-meeting-nova");
        assert_eq!(listen_model(Some("nova-3-medical")).name, "medical-nova-3");
        assert_eq!(listen_model(None).arch, "base");
    }

    #[test]
    fn derived_uuids_are_stable_and_uuid_shaped() {
        let a = derived_uuid("x");
        assert_eq!(a, derived_uuid("x"));
        assert_ne!(a, derived_uuid("y"));
        let parts: Vec<_> = a.split('-').map(str::len).collect();
        assert_eq!(parts, vec![8, 4, 4, 4, 12]);
    }

    #[test]
    fn speak_model_echoes_the_name() {
        assert_eq!(
            speak_model(Some("aura-2-thalia-en")).name,
            "aura-2-thalia-en"
        );
        assert_eq!(speak_model(None).version, "2024-11-19.0");
    }
}
