//! Plain records: the photo, its credits, rights and the journal's events.
//!
//! No storage or HTTP types live here; everything is serde data that the journal,
//! the index, `--json` output and `schema/` share.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::id::BlobId;

/// A stored photo: the original's facts, its credits and caption, its rights and status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Photo {
    /// blake3 of the original's bytes.
    pub id: BlobId,
    /// What the original file is.
    pub original: Original,
    /// Credits, caption and the other descriptive fields.
    #[serde(flatten)]
    pub fields: Fields,
    /// What the photo may be used for, and when.
    pub rights: Rights,
    /// `complete` when every field a publishable photo needs is present.
    pub status: Status,
    /// The fields still needed before the photo can be published.
    pub missing: Vec<String>,
    /// When the photo was added (journal time of its first event).
    pub added_at: Timestamp,
    /// How many journal events have shaped this record (1 after `add`).
    pub revision: u64,
    /// Where each field's value came from: `exif`, `iptc`, `xmp`, `png`, `flag` or `edit`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sources: BTreeMap<String, String>,
    /// What the metadata reader noticed: charset guesses, blocks that disagree, damage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// Facts about the original file, fixed at ingest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Original {
    /// Size in bytes.
    pub bytes: u64,
    /// Container format sniffed from magic bytes.
    pub format: Format,
    /// Stored pixel width (before orientation is applied).
    pub width: Option<u32>,
    /// Stored pixel height (before orientation is applied).
    pub height: Option<u32>,
    /// EXIF orientation, 1–8; `None` when the file has none.
    pub orientation: Option<u16>,
    /// Perceptual fingerprint (dHash, 16 hex digits) of the picture as displayed, for
    /// `identify`; `None` when the pixels could not be decoded (e.g. HEIC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Fingerprints of the crops pages make of the picture (centred 16:9, 4:3, square…, and
    /// slightly trimmed edges), each 16 hex digits, so `identify` finds cropped copies too.
    /// Empty for a picture too flat to match, one that could not be decoded, and photos added
    /// before byline kept them (`byline reindex` computes theirs into the index).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub crop_fingerprints: Vec<String>,
}

/// An image container format, recognised by its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JPEG / JFIF / EXIF.
    Jpeg,
    /// PNG.
    Png,
    /// TIFF (and TIFF-based raw files such as DNG).
    Tiff,
    /// WebP (RIFF).
    Webp,
    /// HEIF / HEIC (ISO BMFF).
    Heic,
}

impl Format {
    /// The lower-case name used in JSON and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Tiff => "tiff",
            Format::Webp => "webp",
            Format::Heic => "heic",
        }
    }

    /// The MIME type served for this format.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Tiff => "image/tiff",
            Format::Webp => "image/webp",
            Format::Heic => "image/heic",
        }
    }
}

/// The descriptive fields an editor edits, each named as in JSON (`caption`, `creators`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Fields {
    /// Caption / description (IIM 2:120, `dc:description`, EXIF ImageDescription).
    pub caption: Option<String>,
    /// Headline (IIM 2:105, `photoshop:Headline`).
    pub headline: Option<String>,
    /// Photographers (IIM 2:80, `dc:creator`, EXIF Artist).
    pub creators: Vec<String>,
    /// Creator's job title (IIM 2:85, `photoshop:AuthorsPosition`).
    pub creator_title: Option<String>,
    /// The agency the credit names (AFP, Reuters, …).
    pub agency: Option<String>,
    /// The credit line as supplied (IIM 2:110, `photoshop:Credit`).
    pub credit_line: Option<String>,
    /// Copyright notice (IIM 2:116, `dc:rights`, EXIF Copyright).
    pub copyright: Option<String>,
    /// Source: owner or agency of origin (IIM 2:115, `photoshop:Source`).
    pub source: Option<String>,
    /// The year the photo was taken: the year every credit line prints.
    pub year: Option<i32>,
    /// Date (and time, with offset when known) the photo was taken, ISO 8601.
    pub date_created: Option<String>,
    /// City (IIM 2:90, `photoshop:City`).
    pub city: Option<String>,
    /// Province or state (IIM 2:95, `photoshop:State`).
    pub state: Option<String>,
    /// Country name (IIM 2:101, `photoshop:Country`).
    pub country: Option<String>,
    /// ISO country code (IIM 2:100, `Iptc4xmpCore:CountryCode`).
    pub country_code: Option<String>,
    /// Keywords (IIM 2:25, `dc:subject`).
    pub keywords: Vec<String>,
    /// Special instructions (IIM 2:40, `photoshop:Instructions`).
    pub instructions: Option<String>,
    /// Usage terms (`xmpRights:UsageTerms`).
    pub usage_terms: Option<String>,
    /// Rights statement URL (`xmpRights:WebStatement`).
    pub web_statement: Option<String>,
    /// Licensor name (`plus:Licensor`).
    pub licensor: Option<String>,
    /// Whether the licence requires a credit line (`plus:CreditLineRequired`).
    pub credit_line_required: Option<bool>,
    /// IPTC digital source type URI (`Iptc4xmpExt:DigitalSourceType`).
    pub digital_source_type: Option<String>,
}

/// Usage rights and restrictions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Rights {
    /// Editorial use only: no advertising or other commercial use.
    pub editorial_only: bool,
    /// Not to be published before this moment (IIM 2:30/2:35 release date).
    pub embargo_until: Option<Timestamp>,
    /// The licence ends at this moment (IIM 2:37/2:38, `plus:LicenseEndDate`).
    pub expires: Option<Timestamp>,
    /// ISO country codes where the photo must not be published ("CHINA OUT" → `CN`).
    pub restricted_territories: Vec<String>,
}

/// Whether a photo has what publishing needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Caption, a creator or agency, and a year are present.
    Complete,
    /// Something in `missing` is still needed.
    Incomplete,
}

impl Photo {
    /// Recompute `missing` and `status` from the fields: a publishable photo needs a caption,
    /// a creator or an agency, and a year.
    pub fn refresh_status(&mut self) {
        let f = &self.fields;
        let mut missing = Vec::new();
        if f.caption.as_deref().is_none_or(|c| c.trim().is_empty()) {
            missing.push("caption".to_string());
        }
        if f.creators.is_empty() && f.agency.is_none() {
            missing.push("creator_or_agency".to_string());
        }
        if f.year.is_none() {
            missing.push("year".to_string());
        }
        self.status = if missing.is_empty() {
            Status::Complete
        } else {
            Status::Incomplete
        };
        self.missing = missing;
    }
}

/// One journal record: who changed what, when. The journal of these is the store's truth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the journal, from 1, without gaps.
    pub seq: u64,
    /// When the change was made.
    pub at: Timestamp,
    /// Who made it (`--by`, `$USER`, or an API token's name).
    pub by: String,
    /// What changed.
    pub change: Change,
}

/// The change an event records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Change {
    /// A new photo, with its record as first stored.
    PhotoAdded {
        /// The record at revision 1.
        photo: Box<Photo>,
    },
    /// Fields of a photo were edited.
    FieldsEdited {
        /// The photo.
        id: BlobId,
        /// One entry per field that changed.
        changes: Vec<FieldChange>,
    },
    /// A resized copy of a photo was made and stored as a blob.
    RenditionMade {
        /// The rendition.
        rendition: Rendition,
    },
    /// A photo was published somewhere.
    UseRecorded {
        /// The publication.
        #[serde(rename = "use")]
        usage: Use,
    },
    /// An API token was created; only its hash is kept.
    TokenCreated {
        /// The token's name, used as the actor of its changes.
        name: String,
        /// blake3 of the token, hex.
        hash: String,
        /// What the token allows.
        access: TokenAccess,
    },
    /// An API token was revoked.
    TokenRevoked {
        /// The token's name.
        name: String,
    },
}

impl Change {
    /// The photo this change concerns, if any.
    pub fn photo_id(&self) -> Option<BlobId> {
        match self {
            Change::PhotoAdded { photo } => Some(photo.id),
            Change::FieldsEdited { id, .. } => Some(*id),
            Change::RenditionMade { rendition } => Some(rendition.photo),
            Change::UseRecorded { usage } => Some(usage.photo),
            Change::TokenCreated { .. } | Change::TokenRevoked { .. } => None,
        }
    }

    /// The token a `TokenCreated` change made at `at` creates.
    pub fn created_token(&self, at: Timestamp) -> Option<Token> {
        match self {
            Change::TokenCreated { name, hash, access } => Some(Token {
                name: name.clone(),
                hash: hash.clone(),
                access: *access,
                created: at,
            }),
            _ => None,
        }
    }

    /// Whether this change makes a new revision of a photo's record (renditions and uses
    /// only refer to the photo).
    pub fn changes_record(&self) -> bool {
        matches!(
            self,
            Change::PhotoAdded { .. } | Change::FieldsEdited { .. }
        )
    }
}

/// The output format of a rendition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// JPEG, with EXIF, IIM and XMP credits.
    Jpeg,
    /// WebP, with EXIF and XMP credits.
    Webp,
}

impl OutputFormat {
    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Jpeg => "jpg",
            OutputFormat::Webp => "webp",
        }
    }

    /// The MIME type served for this format.
    pub fn mime(self) -> &'static str {
        match self {
            OutputFormat::Jpeg => "image/jpeg",
            OutputFormat::Webp => "image/webp",
        }
    }
}

/// What a rendition should be: the key under which the same photo gives the same bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RenditionSpec {
    /// Longest side in pixels; never upscaled.
    pub max_side: u32,
    /// Output format (default JPEG).
    #[serde(default = "default_format")]
    pub format: OutputFormat,
    /// Encoder quality, 1–100 (default 85).
    #[serde(default = "default_quality")]
    pub quality: u8,
}

fn default_format() -> OutputFormat {
    OutputFormat::Jpeg
}

fn default_quality() -> u8 {
    85
}

/// A stored rendition of a photo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rendition {
    /// blake3 of the rendition's bytes.
    pub id: BlobId,
    /// The photo it was made from.
    pub photo: BlobId,
    /// The preset name, when made from one.
    pub preset: Option<String>,
    /// What was asked for.
    pub spec: RenditionSpec,
    /// Pixel width of the output.
    pub width: u32,
    /// Pixel height of the output.
    pub height: u32,
    /// Size in bytes.
    pub bytes: u64,
    /// The photo's revision whose credit the rendition carries.
    pub revision: u64,
    /// The original was damaged and only part of it could be rendered.
    #[serde(default)]
    pub partial: bool,
    /// What went less than perfectly: damaged data, an unusable colour profile, a value cut
    /// or left out to fit its metadata block (the credit fields get their room first).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// One published use of a photo, recorded in the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Use {
    /// The ledger number: the journal sequence number of the event that recorded it.
    pub id: u64,
    /// The photo published.
    pub photo: BlobId,
    /// Who published it.
    pub outlet: String,
    /// Where.
    pub url: String,
    /// When.
    pub published: Timestamp,
    /// The credit line as printed (`None` when printed without one).
    pub printed_credit: Option<String>,
    /// The caption as printed.
    pub printed_caption: Option<String>,
    /// ISO country code of the territory it was published in.
    pub territory: Option<String>,
    /// Commercial (advertising, sponsored) rather than editorial use.
    pub commercial: bool,
    /// The rendition published, when known.
    pub rendition: Option<BlobId>,
    /// How `byline crawl` found the photo on the page; `None` for uses recorded by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found: Option<Found>,
}

/// How a crawl recognised one of our photos on a page (issue 12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    /// Which test matched.
    pub by: FoundBy,
    /// The match distance: differing fingerprint bits of 64 for `fingerprint`, the caption's
    /// dissimilarity in percent for `caption`, 0 for the exact matches.
    pub distance: u32,
    /// The image URL the photo was printed as, when the match came from an image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// The test that recognised a photo on a page, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FoundBy {
    /// A blob id (or a prefix of 12+ hex digits) in an image URL or `data-byline-id`.
    Id,
    /// The image's bytes are a stored original.
    Original,
    /// The image's bytes are a stored rendition.
    Rendition,
    /// The image's perceptual fingerprint is near a stored photo's.
    Fingerprint,
    /// The caption printed with the image matches a stored photo's.
    Caption,
}

/// What an API token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenAccess {
    /// Reads only.
    Read,
    /// Reads and writes.
    Write,
    /// Reads, writes, and managing tokens and checking the store over HTTP while `byline
    /// serve` runs (issue 15).
    Admin,
}

/// A stored API token (its hash, never the token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// Its name.
    pub name: String,
    /// blake3 of the token, hex.
    pub hash: String,
    /// What it may do.
    pub access: TokenAccess,
    /// When it was created.
    pub created: Timestamp,
}

/// One field's change: JSON values so every field shares one shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Field name as in the record's JSON, e.g. `caption` or `rights.expires`.
    pub field: String,
    /// The value before (`null` when unset).
    pub old: serde_json::Value,
    /// The value after (`null` to clear).
    pub new: serde_json::Value,
}

/// A date given by a person (a flag, a form field): `YYYY-MM-DD` (midnight UTC) or an
/// RFC 3339 time such as `2024-05-01T12:00:00Z`.
pub fn parse_date(s: &str) -> crate::Result<Timestamp> {
    let s = s.trim();
    if let Ok(ts) = s.parse::<Timestamp>() {
        return Ok(ts);
    }
    let invalid = || {
        crate::Error::InvalidInput(
            "expected a date as YYYY-MM-DD or an RFC 3339 time such as 2024-05-01T12:00:00Z".into(),
        )
    };
    let date: jiff::civil::Date = s.parse().map_err(|_| invalid())?;
    jiff::tz::Offset::UTC
        .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        .map_err(|_| invalid())
}
