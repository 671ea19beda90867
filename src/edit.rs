//! Record fields by name, and folding journal events into records.
//!
//! Pure: no storage, no clock. Fields are addressed by their JSON names (`caption`,
//! `creators`, `rights.expires`) so one code path serves the CLI flags, the journal's
//! `FieldChange`s, `history` and the HTTP API alike.

use serde_json::Value;

use crate::error::{Error, Result};
use crate::model::{Change, Event, Photo};

/// Every field an editor may set, as named in the record's JSON.
pub const EDITABLE: &[&str] = &[
    "caption",
    "headline",
    "creators",
    "creator_title",
    "agency",
    "credit_line",
    "copyright",
    "source",
    "year",
    "date_created",
    "city",
    "state",
    "country",
    "country_code",
    "keywords",
    "instructions",
    "usage_terms",
    "web_statement",
    "licensor",
    "credit_line_required",
    "digital_source_type",
    "rights.editorial_only",
    "rights.embargo_until",
    "rights.expires",
    "rights.restricted_territories",
];

fn pointer(field: &str) -> Result<String> {
    if !EDITABLE.contains(&field) {
        return Err(Error::InvalidInput(format!(
            "'{field}' is not an editable field (editable: {})",
            EDITABLE.join(", ")
        )));
    }
    Ok(format!("/{}", field.replace('.', "/")))
}

fn to_json(photo: &Photo) -> Result<Value> {
    serde_json::to_value(photo).map_err(|e| Error::Corrupt(format!("record {}: {e}", photo.id)))
}

/// A field's current value (`null` when unset).
pub fn get(photo: &Photo, field: &str) -> Result<Value> {
    let ptr = pointer(field)?;
    Ok(to_json(photo)?
        .pointer(&ptr)
        .cloned()
        .unwrap_or(Value::Null))
}

/// An ISO 3166 two-letter country code, upper-cased (`fr` → `FR`).
///
/// # Errors
/// [`Error::InvalidInput`] for anything else, saying what to give.
pub fn country_code(code: &str) -> Result<String> {
    let c = code.trim().to_ascii_uppercase();
    if c.len() == 2 && c.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(c)
    } else {
        Err(Error::InvalidInput(format!(
            "territory '{code}': give a two-letter ISO country code"
        )))
    }
}

/// Check and normalise edits a person asks for (flags, a PATCH body, upload fields) before
/// they are journalled: a year the photo could have been taken in, country codes. Replaying
/// the journal does not check again, so records already stored always replay.
///
/// # Errors
/// [`Error::InvalidInput`] naming the field and what to give.
pub fn check(edits: Vec<(String, Value)>) -> Result<Vec<(String, Value)>> {
    edits
        .into_iter()
        .map(|(field, value)| {
            let value = match (field.as_str(), value) {
                ("year", Value::Number(n)) => match n.as_i64() {
                    Some(y) if (1826..=9999).contains(&y) => Value::from(y),
                    _ => {
                        return Err(Error::InvalidInput(format!(
                            "year {n}: give the four-digit year the photo was taken"
                        )));
                    }
                },
                ("rights.restricted_territories", Value::Array(codes)) => Value::Array(
                    codes
                        .iter()
                        .map(|c| country_code(c.as_str().unwrap_or_default()).map(Value::from))
                        .collect::<Result<_>>()?,
                ),
                (_, v) => v,
            };
            Ok((field, value))
        })
        .collect()
}

/// Set fields, returning each field whose value really changed with its old value.
/// Blank strings clear a field. The record's status is refreshed; revision is not touched.
pub fn set(photo: &mut Photo, edits: &[(String, Value)]) -> Result<Vec<(String, Value, Value)>> {
    let mut json = to_json(photo)?;
    let mut changed = Vec::new();
    for (field, new) in edits {
        let ptr = pointer(field)?;
        let new = match new {
            Value::String(s) if s.trim().is_empty() => Value::Null,
            Value::String(s) => Value::String(s.trim().to_string()),
            v => v.clone(),
        };
        let slot = json
            .pointer_mut(&ptr)
            .ok_or_else(|| Error::Corrupt(format!("record {} lacks '{field}'", photo.id)))?;
        // A cleared list is an empty list, not null.
        let new = match (&*slot, new) {
            (Value::Array(_), Value::Null) => Value::Array(Vec::new()),
            (Value::Bool(_), Value::Null) => Value::Bool(false),
            (_, n) => n,
        };
        if *slot != new {
            let old = std::mem::replace(slot, new.clone());
            changed.push((field.clone(), old, new));
        }
    }
    let mut updated: Photo = serde_json::from_value(json).map_err(|e| {
        Error::InvalidInput(format!("invalid value for {}: {e}", field_names(edits)))
    })?;
    for (field, _, _) in &changed {
        updated.sources.insert(field.clone(), "edit".into());
    }
    updated.refresh_status();
    *photo = updated;
    Ok(changed)
}

fn field_names(edits: &[(String, Value)]) -> String {
    edits
        .iter()
        .map(|(f, _)| f.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The record after `event`, given the record before it.
pub fn apply(before: Option<Photo>, event: &Event) -> Result<Option<Photo>> {
    match (&event.change, before) {
        (Change::PhotoAdded { photo }, None) => Ok(Some((**photo).clone())),
        (Change::PhotoAdded { photo }, Some(_)) => Err(Error::Corrupt(format!(
            "journal event {} adds photo {} a second time",
            event.seq, photo.id
        ))),
        (Change::FieldsEdited { id, changes }, Some(mut photo)) => {
            let edits: Vec<(String, Value)> = changes
                .iter()
                .map(|c| (c.field.clone(), c.new.clone()))
                .collect();
            set(&mut photo, &edits)?;
            photo.revision = photo.revision.checked_add(1).ok_or_else(|| {
                Error::Corrupt(format!(
                    "journal event {} takes photo {id} past the last revision number",
                    event.seq
                ))
            })?;
            debug_assert_eq!(photo.id, *id);
            Ok(Some(photo))
        }
        (Change::FieldsEdited { id, .. }, None) => Err(Error::Corrupt(format!(
            "journal event {} edits photo {id}, which was never added",
            event.seq
        ))),
        // Renditions and uses refer to a photo without changing its record.
        (Change::RenditionMade { .. } | Change::UseRecorded { .. }, Some(photo)) => Ok(Some(photo)),
        (Change::RenditionMade { .. } | Change::UseRecorded { .. }, None) => {
            Err(Error::Corrupt(format!(
                "journal event {} refers to a photo that was never added",
                event.seq
            )))
        }
        (Change::TokenCreated { .. } | Change::TokenRevoked { .. }, before) => Ok(before),
    }
}
