//! Moving a whole store to the other kind (`byline migrate --to`): a local store into
//! PostgreSQL with its blobs in a bucket, or a store in PostgreSQL back into a local folder.
//!
//! The order keeps the invariants of both kinds: every blob the records name is copied first
//! (each checked on both ends, several at a time), then each photo's whole history is
//! committed in one transaction with its original times and actors, several photos at a time;
//! the live tokens come last. A photo already in the target is skipped, so a killed move is
//! simply run again. At the end every record is compared with the one it was copied from and
//! every blob is read back from the new place. The source is never changed.

use std::path::Path;
use std::sync::Mutex;

use serde::Serialize;

use super::migrate::{MigrateReport, for_each_parallel};
use super::{Access, Library, PgStore};
use crate::error::{Error, IoContext, Result};
use crate::id::BlobId;
use crate::model::{Change, Event};

/// Photos whose histories are committed together.
const PHOTOS_PER_COMMIT: usize = 64;

/// What a move did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MoveReport {
    /// Where the store is now: a PostgreSQL URL (without its password) or a folder.
    pub to: String,
    /// Photos in the store moved.
    pub photos: usize,
    /// Photos copied in this run.
    pub copied_photos: usize,
    /// Photos already in the target (an earlier, interrupted run).
    pub photos_already_there: usize,
    /// Live tokens copied in this run.
    pub copied_tokens: usize,
    /// The blobs, as `migrate --blobs` reports them.
    pub blobs: MigrateReport,
}

/// The steps of a move, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Copying blobs.
    Blobs,
    /// Committing photo histories.
    Records,
    /// Comparing records and reading blobs back.
    Checking,
}

/// Called with the step, how much of it is done and its total.
pub type MoveProgress<'a> = dyn Fn(Step, usize, usize) + Sync + 'a;

impl Library {
    /// Move this local store into PostgreSQL (`pg`) with its blobs in the bucket `blobs`
    /// (`s3://BUCKET/PREFIX`, reached with the object store settings `remote`), `jobs` at
    /// a time. Its config (presets, outlets, server settings) goes with it.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a store already in PostgreSQL; [`Error::Config`] when the
    /// database records another bucket; [`Error::Unavailable`] when an engine cannot be
    /// reached; [`Error::Conflict`] when a record differs after the copy.
    pub fn move_to_postgres(
        &self,
        pg: PgStore<'_>,
        blobs: &str,
        remote: &[(String, String)],
        jobs: usize,
        progress: &MoveProgress<'_>,
    ) -> Result<MoveReport> {
        if self.is_shared() {
            return Err(Error::InvalidInput(
                "this store is in PostgreSQL already; to move it back to a local folder give \
                 --to DIR"
                    .into(),
            ));
        }
        let first = self.config_text(Some(blobs))?;
        let mut target =
            Library::open_postgres_first(pg, Access::Write, Some(blobs), remote, &first)?;
        let mut report = self.copy_into(&mut target, jobs, progress)?;
        report.to = crate::records::redact(pg.url);
        Ok(report)
    }

    /// Move this store in PostgreSQL into a local store at `dir` (made if missing; its blobs
    /// in `dir/blobs`), `jobs` at a time; `holder` names this process for the store lock.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a local store; [`Error::Locked`] when another process holds
    /// `dir`, or a server uses this store (before the copy, or started during it);
    /// [`Error::Conflict`] when a record differs after the copy.
    pub fn move_to_local(
        &self,
        dir: &Path,
        holder: &str,
        jobs: usize,
        progress: &MoveProgress<'_>,
    ) -> Result<MoveReport> {
        if !self.is_shared() {
            return Err(Error::InvalidInput(
                "this store is local already: give --to postgres://… to move it into \
                 PostgreSQL, or --blobs to move only its blobs"
                    .into(),
            ));
        }
        self.refuse_if_served()?;
        std::fs::create_dir_all(dir).at(dir)?;
        let config = dir.join("config.toml");
        if !config.exists() {
            let tmp = dir.join("config.toml.tmp");
            std::fs::write(&tmp, self.config_text(None)?).at(&tmp)?;
            std::fs::File::open(&tmp)
                .and_then(|f| f.sync_all())
                .at(&tmp)?;
            std::fs::rename(&tmp, &config).at(&config)?;
        }
        let mut target = Library::open(dir, Access::Write, holder)?;
        let mut report = self.copy_into(&mut target, jobs, progress)?;
        // A server started while copying may have written what the copy missed.
        self.refuse_if_served()?;
        report.to = dir.display().to_string();
        Ok(report)
    }

    /// This store's config as a file's text, with `blobs` as where its blobs live.
    fn config_text(&self, blobs: Option<&str>) -> Result<String> {
        let mut config = (*self.reader.config).clone();
        config.blobs.url = blobs.map(str::to_owned);
        toml::to_string(&config).map_err(|e| Error::Config(format!("config.toml: {e}")))
    }

    /// Copy blobs, then photo histories, then tokens into `target`, and check the result.
    fn copy_into(
        &self,
        target: &mut Library,
        jobs: usize,
        progress: &MoveProgress<'_>,
    ) -> Result<MoveReport> {
        let blobs = self.copy_blobs(&*target.reader.blobs, jobs, &|d, t| {
            progress(Step::Blobs, d, t);
        })?;
        let db = &self.reader.db;
        let to = &target.reader.db;
        let mut photos = Vec::new();
        for p in db.all()? {
            photos.push(p?.id);
        }
        let mut report = MoveReport {
            photos: photos.len(),
            ..MoveReport::default()
        };
        let mut todo = Vec::new();
        for id in &photos {
            if to.has_photo(id)? {
                report.photos_already_there += 1;
            } else {
                todo.push(*id);
            }
        }
        let batches: Vec<&[BlobId]> = todo.chunks(PHOTOS_PER_COMMIT).collect();
        let done = Mutex::new(0);
        for_each_parallel(&batches, jobs, |batch| {
            let mut events = Vec::new();
            for id in *batch {
                events.extend(db.history(id)?);
            }
            let committed = to.commit(events, &[])?;
            if let Some(dup) = committed.duplicates.first() {
                return Err(Error::Conflict(format!(
                    "photo {dup} was added to the target while moving: move into an empty \
                     store that nothing else writes to"
                )));
            }
            let mut n = done.lock().map_err(|_| poisoned())?;
            *n += batch.len();
            progress(Step::Records, *n, todo.len());
            Ok(())
        })?;
        report.copied_photos = todo.len();
        report.copied_tokens = self.copy_tokens(target)?;
        self.check_copy(target, &photos, &blobs, jobs, progress)?;
        report.blobs = blobs;
        Ok(report)
    }

    /// Copy the live tokens `target` lacks (by name), as created at their first time.
    fn copy_tokens(&self, target: &Library) -> Result<usize> {
        let there: Vec<String> = target
            .reader
            .db
            .tokens()?
            .into_iter()
            .map(|t| t.name)
            .collect();
        let events: Vec<Event> = self
            .reader
            .db
            .tokens()?
            .into_iter()
            .filter(|t| !there.contains(&t.name))
            .map(|t| Event {
                seq: 0,
                at: t.created,
                by: "byline migrate".into(),
                change: Change::TokenCreated {
                    name: t.name,
                    hash: t.hash,
                    access: t.access,
                },
            })
            .collect();
        let n = events.len();
        if n > 0 {
            target.reader.db.commit(events, &[])?;
        }
        Ok(n)
    }

    /// Compare every record (and its renditions and uses) with its copy in `target`, and
    /// read every blob back from there.
    fn check_copy(
        &self,
        target: &Library,
        photos: &[BlobId],
        blobs: &MigrateReport,
        jobs: usize,
        progress: &MoveProgress<'_>,
    ) -> Result<()> {
        let (db, to) = (&self.reader.db, &target.reader.db);
        let done = Mutex::new(0);
        for_each_parallel(photos, jobs, |id| {
            let differs = |what: &str| {
                Error::Conflict(format!(
                    "photo {id}: its {what} in the new store differs from the old one; nothing \
                     was changed in the old store, which stays usable"
                ))
            };
            if db.photo(id)? != to.photo(id)? {
                return Err(differs("record"));
            }
            if db.renditions_of(id)? != to.renditions_of(id)? {
                return Err(differs("renditions"));
            }
            let uses = |r: &dyn crate::records::Records| -> Result<Vec<_>> {
                r.uses(Some(id), None, None)?
                    .map(|u| u.map(|u| (u.outlet, u.url, u.published)))
                    .collect()
            };
            if uses(&**db)? != uses(&**to)? {
                return Err(differs("uses"));
            }
            let mut n = done.lock().map_err(|_| poisoned())?;
            *n += 1;
            progress(Step::Checking, *n, photos.len());
            Ok(())
        })?;
        self.check_blobs_at(&*target.reader.blobs, blobs, jobs, &|d, t| {
            progress(Step::Checking, d, t);
        })
    }
}

fn poisoned() -> Error {
    Error::Corrupt("a migration worker failed".into())
}
