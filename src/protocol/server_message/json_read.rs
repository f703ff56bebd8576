//! Typed reads of server-message fields with [`ProtocolError`]s that name the message type and the field.
//!
//! Owns the leniency policy in one place: an absent or `null` optional field is "not given"; a present field of
//! the wrong JSON type is an error; every number is read as `f64` (the wire mixes `0` and `0.0`).

use super::super::json::{Map, Value};

use super::super::error::ProtocolError;

/// A JSON object seen as one server message of type `message_type`.
#[derive(Clone, Copy)]
pub(crate) struct Fields<'a> {
    map: &'a Map,
    message_type: &'static str,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(map: &'a Map, message_type: &'static str) -> Self {
        Self { map, message_type }
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    #[cold]
    #[inline(never)]
    fn missing(&self, field: &'static str) -> ProtocolError {
        ProtocolError::MissingField {
            message_type: self.message_type,
            field,
        }
    }

    #[cold]
    #[inline(never)]
    fn wrong(&self, field: &'static str, expected: &'static str) -> ProtocolError {
        ProtocolError::WrongFieldType {
            message_type: self.message_type,
            field,
            expected,
        }
    }

    #[inline(never)]
    pub(crate) fn f64_opt(&self, key: &'static str) -> Result<Option<f64>, ProtocolError> {
        self.get(key)
            .map(|v| v.as_f64().ok_or_else(|| self.wrong(key, "a number")))
            .transpose()
    }

    pub(crate) fn f64_req(&self, key: &'static str) -> Result<f64, ProtocolError> {
        self.f64_opt(key)?.ok_or_else(|| self.missing(key))
    }

    /// Absent means `false`: e.g. `from_finalize` is missing in older captures and SDK re-serializations.
    #[inline(never)]
    pub(crate) fn bool_or_false(&self, key: &'static str) -> Result<bool, ProtocolError> {
        match self.get(key) {
            None => Ok(false),
            Some(v) => v.as_bool().ok_or_else(|| self.wrong(key, "a boolean")),
        }
    }

    #[inline(never)]
    pub(crate) fn string_opt(&self, key: &'static str) -> Result<Option<String>, ProtocolError> {
        self.get(key)
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| self.wrong(key, "a string"))
            })
            .transpose()
    }

    pub(crate) fn string_req(&self, key: &'static str) -> Result<String, ProtocolError> {
        self.string_opt(key)?.ok_or_else(|| self.missing(key))
    }

    /// A whole number that fits `u32`; `2.0` is accepted, `2.5` is not.
    #[inline(never)]
    pub(crate) fn u32_opt(&self, key: &'static str) -> Result<Option<u32>, ProtocolError> {
        self.get(key)
            .map(|v| v.as_u32().ok_or_else(|| self.wrong(key, "a whole number")))
            .transpose()
    }

    pub(crate) fn u32_req(&self, key: &'static str) -> Result<u32, ProtocolError> {
        self.u32_opt(key)?.ok_or_else(|| self.missing(key))
    }

    /// A list of whole numbers such as `channel_index: [0, 1]`.
    #[inline(never)]
    pub(crate) fn u32_list_req(&self, key: &'static str) -> Result<Vec<u32>, ProtocolError> {
        let items = self.get(key).ok_or_else(|| self.missing(key))?;
        let items = items
            .as_array()
            .ok_or_else(|| self.wrong(key, "a list of whole numbers"))?;
        items
            .iter()
            .map(|v| {
                v.as_u32()
                    .ok_or_else(|| self.wrong(key, "a list of whole numbers"))
            })
            .collect()
    }

    #[inline(never)]
    pub(crate) fn string_list_opt(&self, key: &'static str) -> Result<Vec<String>, ProtocolError> {
        let Some(items) = self.get(key) else {
            return Ok(Vec::new());
        };
        let items = items
            .as_array()
            .ok_or_else(|| self.wrong(key, "a list of strings"))?;
        items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| self.wrong(key, "a list of strings"))
            })
            .collect()
    }

    #[inline(never)]
    pub(crate) fn object_opt(
        &self,
        key: &'static str,
    ) -> Result<Option<Fields<'a>>, ProtocolError> {
        self.get(key)
            .map(|v| {
                v.as_object()
                    .map(|m| Fields::new(m, self.message_type))
                    .ok_or_else(|| self.wrong(key, "an object"))
            })
            .transpose()
    }

    pub(crate) fn object_req(&self, key: &'static str) -> Result<Fields<'a>, ProtocolError> {
        self.object_opt(key)?.ok_or_else(|| self.missing(key))
    }

    #[inline(never)]
    pub(crate) fn array_opt(&self, key: &'static str) -> Result<&'a [Value], ProtocolError> {
        match self.get(key) {
            None => Ok(&[]),
            Some(v) => v
                .as_array()
                .map(Vec::as_slice)
                .ok_or_else(|| self.wrong(key, "a list")),
        }
    }

    /// Reads an element of a list that must be an object (`field` names the list for the error).
    #[inline(never)]
    pub(crate) fn element(
        &self,
        v: &'a Value,
        field: &'static str,
    ) -> Result<Fields<'a>, ProtocolError> {
        v.as_object()
            .map(|m| Fields::new(m, self.message_type))
            .ok_or_else(|| self.wrong(field, "a list of objects"))
    }
}
