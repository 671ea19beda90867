//! Every write: photos added, fields edited, uses recorded, renditions made, tokens; the
//! commit that makes them durable.

use jiff::Timestamp;
use serde_json::Value;

#[cfg(doc)]
use super::Reader;
use super::{Added, Library, NewUse};
use crate::blob::Put;
use crate::credit;
use crate::edit;
use crate::error::{Error, Result};
use crate::id::BlobId;
use crate::meta;
use crate::model::{
    Change, Event, FieldChange, Original, Photo, Rendition, RenditionSpec, Status, Token,
    TokenAccess, Use,
};
use crate::records::Committed;
use crate::rendition;
use crate::terms;

impl Library {
    /// Stage a new photo: its blob is written (and fsynced) now; its event is journalled by
    /// the next [`Library::commit`]. `edits` override what the file says, as `(field, value)`.
    /// The same as [`Reader::prepare`] followed by [`Library::add_prepared`].
    ///
    /// # Errors
    /// The bytes are not an image ([`Error::UnsupportedFormat`]) or are damaged
    /// ([`Error::InvalidInput`]); nothing is stored then.
    pub fn add(
        &mut self,
        bytes: &[u8],
        edits: &[(String, Value)],
        by: &str,
        now: Timestamp,
    ) -> Result<Added> {
        self.add_prepared(self.reader.prepare(bytes)?, bytes, edits, by, now)
    }

    /// Stage a photo whose metadata and fingerprint [`Reader::prepare`] already read (on another
    /// thread, for a batch). `bytes` are the same bytes `prepare` was given.
    pub fn add_prepared(
        &mut self,
        prepared: Prepared,
        bytes: &[u8],
        edits: &[(String, Value)],
        by: &str,
        now: Timestamp,
    ) -> Result<Added> {
        if prepared.id != BlobId::of(bytes) {
            return Err(Error::InvalidInput(
                "the bytes are not the ones that were prepared".into(),
            ));
        }
        self.add_hashed(prepared, bytes, None, edits, by, now)
    }

    /// Stage a photo [`Reader::prepare_owned`] read: the same as [`Library::add_prepared`],
    /// but its bytes came with it, so they are hashed once in all (`add` of a folder). The
    /// bytes come back, for renditions.
    pub fn add_owned(
        &mut self,
        prepared: Prepared,
        edits: &[(String, Value)],
        by: &str,
        now: Timestamp,
    ) -> Result<(Added, Vec<u8>)> {
        self.add_owned_staged(prepared, None, edits, by, now)
    }

    /// [`Library::add_owned`] for bytes that are also in `file`, written and fsynced in the
    /// store's staging folder (`incoming`; an upload `byline serve` streamed there): a store
    /// whose blobs are on disk renames that file into place instead of writing the bytes a
    /// second time, so `file` may be gone afterwards. Other stores stage the bytes.
    pub fn add_owned_from(
        &mut self,
        prepared: Prepared,
        file: &std::path::Path,
        edits: &[(String, Value)],
        by: &str,
        now: Timestamp,
    ) -> Result<(Added, Vec<u8>)> {
        self.add_owned_staged(prepared, Some(file), edits, by, now)
    }

    /// [`Library::add_owned`], the bytes perhaps already staged in `file`.
    fn add_owned_staged(
        &mut self,
        mut prepared: Prepared,
        file: Option<&std::path::Path>,
        edits: &[(String, Value)],
        by: &str,
        now: Timestamp,
    ) -> Result<(Added, Vec<u8>)> {
        let bytes = prepared.owned.take().ok_or_else(|| {
            Error::InvalidInput("the photo was prepared without its bytes".into())
        })?;
        let added = self.add_hashed(prepared, &bytes, file, edits, by, now)?;
        Ok((added, bytes))
    }

    /// Stage a photo whose `prepared.id` is the hash of `bytes` (also in `file`, if given).
    fn add_hashed(
        &mut self,
        prepared: Prepared,
        bytes: &[u8],
        file: Option<&std::path::Path>,
        edits: &[(String, Value)],
        by: &str,
        now: Timestamp,
    ) -> Result<Added> {
        self.require_writer()?;
        let Prepared {
            id,
            extracted,
            format,
            fingerprint,
            crop_fingerprints,
            owned: _,
        } = prepared;
        if self.pending_ids.contains(&id) || self.reader.db.has_photo(&id)? {
            // Bytes already known: make sure the blob itself is sound (repairs a torn one).
            self.stage_original(id, bytes, file)?;
            return Ok(Added::Duplicate(id));
        }
        let mut photo = Photo {
            id,
            original: Original {
                bytes: bytes.len() as u64,
                format,
                width: extracted.width,
                height: extracted.height,
                orientation: extracted.orientation,
                fingerprint,
                crop_fingerprints,
            },
            fields: extracted.fields,
            rights: extracted.rights,
            status: Status::Incomplete,
            missing: Vec::new(),
            added_at: now,
            revision: 1,
            sources: extracted.sources,
            warnings: extracted.warnings,
        };
        for (field, _, _) in edit::set(&mut photo, &edit::check(edits.to_vec())?)? {
            photo.sources.insert(field, "flag".into());
        }
        derive_fields(&mut photo, now);
        self.stage_original(id, bytes, file)?;
        let event = Event {
            seq: self.next_seq(),
            at: now,
            by: by.to_string(),
            change: Change::PhotoAdded {
                photo: Box::new(photo.clone()),
            },
        };
        self.pending.push(event);
        self.pending_ids.insert(id);
        Ok(Added::New(Box::new(photo)))
    }

    /// Stage a blob for the next commit, saying so when this repaired a damaged copy.
    fn stage_blob(&mut self, bytes: &[u8]) -> Result<BlobId> {
        let id = BlobId::of(bytes);
        self.stage_blob_as(id, bytes)?;
        Ok(id)
    }

    /// As `stage_blob`, for bytes just hashed to `id`.
    fn stage_blob_as(&mut self, id: BlobId, bytes: &[u8]) -> Result<()> {
        self.stage_original(id, bytes, None)
    }

    /// As `stage_blob_as`, from the staged `file` holding the bytes when there is one.
    fn stage_original(
        &mut self,
        id: BlobId,
        bytes: &[u8],
        file: Option<&std::path::Path>,
    ) -> Result<()> {
        let put = match file {
            Some(file) => self.reader.blobs.stage_file(id, bytes, file)?,
            None => self.reader.blobs.stage_hashed(id, bytes)?,
        };
        if put == Put::Repaired {
            self.warnings.push(format!(
                "blob {id} was damaged on disk and has been repaired"
            ));
        }
        Ok(())
    }

    /// Make every staged change durable: make staged blobs durable, commit the events to
    /// the records (the journal's fsync, or PostgreSQL's commit: the commit point, which
    /// updates the index with them), then move the blobs into place. Only after this returns
    /// may a change be reported as saved. Photos another writer added first (possible only
    /// with records in PostgreSQL) come back in [`Committed::duplicates`].
    ///
    /// # Errors
    /// [`Error::Conflict`] when a staged edit was made on a revision someone else has
    /// changed since; nothing of the batch is saved then.
    pub fn commit(&mut self) -> Result<Committed> {
        self.reader.blobs.prepare()?;
        let events = std::mem::take(&mut self.pending);
        let expect = std::mem::take(&mut self.expect);
        self.pending_ids.clear();
        let committed = match events.is_empty() {
            true => Committed::default(),
            false => self.reader.db.commit(events, &expect)?,
        };
        self.reader.blobs.publish()?;
        Ok(committed)
    }

    /// Edit fields of a photo, journalled as one event. Returns the new record, or `None` when
    /// nothing changed.
    pub fn edit(
        &mut self,
        id: &BlobId,
        edits: &[(String, Value)],
        by: &str,
        now: Timestamp,
    ) -> Result<Option<Photo>> {
        self.edit_revision(id, None, edits, by, now)
    }

    /// [`Library::edit`], made on `revision` of the photo when given (the one its editor
    /// saw).
    ///
    /// # Errors
    /// [`Error::Conflict`] when the photo is no longer at `revision`, or another writer
    /// changed it between this read and the commit.
    pub fn edit_revision(
        &mut self,
        id: &BlobId,
        revision: Option<u64>,
        edits: &[(String, Value)],
        by: &str,
        now: Timestamp,
    ) -> Result<Option<Photo>> {
        self.require_writer()?;
        let mut photo = self.photo(id)?;
        if let Some(r) = revision.filter(|r| *r != photo.revision) {
            return Err(crate::records::stale(id, r, Some(photo.revision)));
        }
        let seen = photo.revision;
        let changed = edit::set(&mut photo, &edit::check(edits.to_vec())?)?;
        if changed.is_empty() {
            return Ok(None);
        }
        let event = Event {
            seq: self.next_seq(),
            at: now,
            by: by.to_string(),
            change: Change::FieldsEdited {
                id: *id,
                changes: changed
                    .into_iter()
                    .map(|(field, old, new)| FieldChange { field, old, new })
                    .collect(),
            },
        };
        self.pending.push(event);
        self.expect.push((*id, seen));
        self.commit()?;
        self.photo(id).map(Some)
    }

    /// Record a published use of a photo in the ledger.
    pub fn record_use(
        &mut self,
        photo: &BlobId,
        new: NewUse,
        by: &str,
        now: Timestamp,
    ) -> Result<Use> {
        self.require_writer()?;
        self.photo(photo)?;
        if new.outlet.trim().is_empty() || new.url.trim().is_empty() {
            return Err(Error::InvalidInput(
                "a use needs an outlet and a URL".into(),
            ));
        }
        if let Some(rid) = &new.rendition {
            let of_photo = self
                .reader
                .db
                .renditions_of(photo)?
                .iter()
                .any(|r| r.id == *rid);
            if !of_photo {
                return Err(match self.reader.db.rendition(rid)? {
                    Some(_) => Error::InvalidInput(format!(
                        "rendition {rid} is not a rendition of photo {photo}"
                    )),
                    None => Error::NotFound(format!("no rendition with id {rid}")),
                });
            }
        }
        let seq = self.next_seq();
        let usage = Use {
            id: seq,
            photo: *photo,
            outlet: new.outlet.trim().to_string(),
            url: new.url.trim().to_string(),
            published: new.published.unwrap_or(now),
            printed_credit: new.printed_credit.filter(|c| !c.trim().is_empty()),
            printed_caption: new.printed_caption.filter(|c| !c.trim().is_empty()),
            territory: new
                .territory
                .as_deref()
                .map(edit::country_code)
                .transpose()?,
            commercial: new.commercial,
            rendition: new.rendition,
            found: new.found,
        };
        self.pending.push(Event {
            seq,
            at: now,
            by: by.to_string(),
            change: Change::UseRecorded {
                usage: usage.clone(),
            },
        });
        // Numbered by the records when committed: the ledger number is the final one.
        let committed = self.commit()?;
        let stored = committed.events.into_iter().find_map(|e| match e.change {
            Change::UseRecorded { usage } => Some(usage),
            _ => None,
        });
        Ok(stored.unwrap_or(usage))
    }

    /// The rendition of a photo for `spec`, made now or found: a rendition already made with
    /// the same spec from the photo's current revision (so carrying its current credit) is
    /// returned as it is. Returns the rendition and whether it already existed.
    pub fn render(
        &mut self,
        photo: &BlobId,
        spec: RenditionSpec,
        preset: Option<&str>,
        by: &str,
        now: Timestamp,
    ) -> Result<(Rendition, bool)> {
        self.require_writer()?;
        let record = self.photo(photo)?;
        if let Some(r) = self
            .db
            .renditions_of(photo)?
            .into_iter()
            .find(|r| r.spec == spec && r.revision == record.revision)
        {
            return Ok((r, true));
        }
        let original = self.reader.blobs.get(photo)?;
        let set = render_specs(&record, &original, vec![(preset.map(String::from), spec)])?;
        let made = self.stage_rendered(set, by, now)?;
        self.commit()?;
        made.into_iter()
            .next()
            .map(|r| (r, false))
            .ok_or_else(|| Error::Image("no rendition was produced".into()))
    }

    /// Render every preset of the config from one decode and stage them (blobs and events)
    /// for the next [`Library::commit`]; used by `add --renditions` and uploads. A batch can
    /// instead render on other threads with [`Reader::render_presets`] and stage the results
    /// with [`Library::stage_rendered`].
    pub fn stage_presets(
        &mut self,
        photo: &Photo,
        original: &[u8],
        by: &str,
        now: Timestamp,
    ) -> Result<Vec<Rendition>> {
        let set = self.reader.render_presets(photo, original)?;
        self.stage_rendered(set, by, now)
    }

    /// Stage renditions already rendered (blobs and events) for the next
    /// [`Library::commit`].
    pub fn stage_rendered(
        &mut self,
        set: RenderedSet,
        by: &str,
        now: Timestamp,
    ) -> Result<Vec<Rendition>> {
        self.require_writer()?;
        let mut out = Vec::with_capacity(set.items.len());
        for (preset, spec, r) in set.items {
            let id = self.stage_blob(&r.bytes)?;
            let rendition = Rendition {
                id,
                photo: set.photo,
                preset,
                spec,
                width: r.width,
                height: r.height,
                bytes: r.bytes.len() as u64,
                revision: set.revision,
                partial: r.partial,
                // On the record (and so in the journal), not in the library's warnings.
                warnings: r.warnings,
            };
            let seq = self.next_seq();
            self.pending.push(Event {
                seq,
                at: now,
                by: by.to_string(),
                change: Change::RenditionMade {
                    rendition: rendition.clone(),
                },
            });
            out.push(rendition);
        }
        Ok(out)
    }

    /// Create an API token from a secret the caller generated; only its hash is stored.
    pub fn create_token(
        &mut self,
        name: &str,
        secret: &str,
        access: TokenAccess,
        by: &str,
        now: Timestamp,
    ) -> Result<Token> {
        self.require_writer()?;
        let name = name.trim();
        if name.is_empty() || self.reader.db.tokens()?.iter().any(|t| t.name == name) {
            return Err(Error::InvalidInput(format!(
                "a token needs a new, non-empty name; '{name}' is taken or empty"
            )));
        }
        let hash = blake3::hash(secret.as_bytes()).to_hex().to_string();
        let seq = self.next_seq();
        self.pending.push(Event {
            seq,
            at: now,
            by: by.to_string(),
            change: Change::TokenCreated {
                name: name.to_string(),
                hash: hash.clone(),
                access,
            },
        });
        self.commit()?;
        Ok(Token {
            name: name.to_string(),
            hash,
            access,
            created: now,
        })
    }

    /// Revoke a token by name.
    pub fn revoke_token(&mut self, name: &str, by: &str, now: Timestamp) -> Result<()> {
        self.require_writer()?;
        if !self.reader.db.tokens()?.iter().any(|t| t.name == name) {
            return Err(Error::NotFound(format!("no token named '{name}'")));
        }
        let seq = self.next_seq();
        self.pending.push(Event {
            seq,
            at: now,
            by: by.to_string(),
            change: Change::TokenRevoked {
                name: name.to_string(),
            },
        });
        self.commit().map(drop)
    }
}

/// What a file says about itself, read before the store is touched: the expensive part of
/// adding a photo (metadata, a fingerprint decode, the hash), safe to run on other threads.
#[derive(Debug)]
pub struct Prepared {
    id: BlobId,
    extracted: meta::Extracted,
    format: crate::model::Format,
    fingerprint: Option<String>,
    crop_fingerprints: Vec<String>,
    /// The bytes themselves, when [`Reader::prepare_owned`] was given them.
    pub(super) owned: Option<Vec<u8>>,
}

impl Prepared {
    /// The id (blake3) of the prepared bytes.
    pub fn id(&self) -> BlobId {
        self.id
    }
}

/// What [`Reader::prepare`] reads; the fingerprint only when asked for.
pub(super) fn prepare(bytes: &[u8], id: BlobId, fingerprint: bool) -> Result<Prepared> {
    let extracted = meta::extract(bytes)?;
    if extracted.truncated {
        return Err(Error::InvalidInput(
            "the image data is truncated (the file ends before the image does); \
             fetch the file again"
                .into(),
        ));
    }
    let format = extracted
        .format
        .ok_or_else(|| Error::UnsupportedFormat("unrecognised image format".into()))?;
    // A picture that does not decode (HEIC without its codec, damage) is still added, without
    // fingerprints.
    let prints = fingerprint.then(|| rendition::prints(bytes).ok()).flatten();
    Ok(Prepared {
        id,
        fingerprint: prints.as_ref().map(|p| format!("{:016x}", p.full)),
        crop_fingerprints: prints
            .map(|p| p.crops.iter().map(|c| format!("{c:016x}")).collect())
            .unwrap_or_default(),
        extracted,
        format,
        owned: None,
    })
}

/// Renditions of one photo revision, rendered and not yet staged: what
/// [`Reader::render_presets`] makes, on any thread, for [`Library::stage_rendered`].
pub struct RenderedSet {
    photo: BlobId,
    revision: u64,
    items: Vec<(Option<String>, RenditionSpec, rendition::Rendered)>,
}

/// Render `specs` (each with its preset name, if any) of `photo` from one decode; pure.
pub(super) fn render_specs(
    photo: &Photo,
    original: &[u8],
    specs: Vec<(Option<String>, RenditionSpec)>,
) -> Result<RenderedSet> {
    let only: Vec<RenditionSpec> = specs.iter().map(|(_, s)| *s).collect();
    let rendered = rendition::render_set(original, &only, &photo.fields)?;
    Ok(RenderedSet {
        photo: photo.id,
        revision: photo.revision,
        items: specs
            .into_iter()
            .zip(rendered)
            .map(|((name, spec), r)| (name, spec, r))
            .collect(),
    })
}

/// Fill fields implied by others: the year from the date taken, the agency from the credit,
/// and rights from the special instructions and usage terms ("may only be used for 14 days",
/// "CHINA OUT"), counting days from `received`, when the file reached us.
fn derive_fields(photo: &mut Photo, received: Timestamp) {
    let f = &mut photo.fields;
    if f.year.is_none()
        && let Some(y) = f.date_created.as_deref().and_then(meta::year_of)
    {
        f.year = Some(y);
        photo.sources.insert("year".into(), "date_created".into());
    }
    if f.agency.is_none()
        && let Some(a) = credit::agency_of(
            f.credit_line.as_deref(),
            f.source.as_deref(),
            f.copyright.as_deref(),
        )
    {
        f.agency = Some(a);
        photo.sources.insert("agency".into(), "derived".into());
    }
    let terms = terms::read(
        f.instructions.as_deref().unwrap_or(""),
        f.usage_terms.as_deref().unwrap_or(""),
    );
    let sent = photo.rights.embargo_until.unwrap_or(received);
    terms.merge_into(&mut photo.rights, Some(sent));
    photo.refresh_status();
}

/// A new API token's secret: `byl_` and 32 random bytes from the kernel, as hex. Only its
/// hash is stored ([`Library::create_token`]); the caller shows it once.
pub fn new_token_secret() -> Result<String> {
    use std::io::Read;
    let mut b = [0u8; 32];
    let urandom = "/dev/urandom";
    std::fs::File::open(urandom)
        .and_then(|mut f| f.read_exact(&mut b))
        .map_err(|e| Error::io(urandom, e))?;
    Ok(format!(
        "byl_{}",
        b.iter().map(|x| format!("{x:02x}")).collect::<String>()
    ))
}
