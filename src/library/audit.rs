//! Auditing: recorded uses and published pages checked against the stored credits.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;

use crate::audit::{self, AuditReport};
use crate::credit::Style;
use crate::error::Result;
use crate::id::BlobId;
use crate::model::{Photo, Use};

use super::findings::{AuditStream, Spill};
use super::{Reader, UseQuery};

impl Reader {
    /// A small JPEG of a photo (`side` px on its longest side, no metadata) for the HTML
    /// report, which shows auditors the photo rather than its hash.
    pub fn thumbnail(&self, id: &BlobId, side: u32) -> Result<Vec<u8>> {
        let spec = crate::rendition::Spec {
            max_side: side,
            format: crate::model::OutputFormat::Jpeg,
            quality: 70,
        };
        spec.validate()?;
        let original = self.blobs.get(id)?;
        Ok(crate::rendition::render(&original, &spec, &crate::model::Fields::default())?.bytes)
    }

    /// Audit every recorded use (optionally of one outlet, since a date) and every photo
    /// concerned (all photos when no filter is given), the whole report in memory. See
    /// [`Reader::audit_stream`] for a store of any size.
    pub fn audit(
        &self,
        outlet: Option<&str>,
        since: Option<Timestamp>,
        style: Option<&Style>,
        now: Timestamp,
    ) -> Result<AuditReport> {
        self.audit_stream(outlet, since, style, now)?.into_report()
    }

    /// [`Reader::audit`] for a store of any size: each finding is written to a temporary
    /// file as it is found, and the report reads them back in its order. Walks without a
    /// filter photo by photo with its own uses; with one, over the filtered uses twice (the
    /// second pass checks the latest of each photo, outlet and URL), holding ids rather than
    /// records.
    pub fn audit_stream(
        &self,
        outlet: Option<&str>,
        since: Option<Timestamp>,
        style: Option<&Style>,
        now: Timestamp,
    ) -> Result<AuditStream> {
        let mut findings = Spill::new()?;
        let (mut photos_checked, mut uses_checked) = (0, 0);
        // Each outlet's style is looked up once (by the outlet as recorded).
        let mut styles: HashMap<String, Style> = HashMap::new();
        let mut check_uses = |photo: &Photo, uses: &[Use], findings: &mut Spill| -> Result<()> {
            for u in uses {
                let style = styles
                    .entry(u.outlet.clone())
                    .or_insert_with(|| self.style_for(&u.outlet, style));
                for f in audit::check_use(photo, u, style) {
                    findings.push(f)?;
                }
            }
            Ok(())
        };
        if outlet.is_none() && since.is_none() {
            (photos_checked, uses_checked) = self.audit_all(style, &mut findings)?;
        } else {
            let q = UseQuery {
                photo: None,
                outlet: outlet.map(String::from),
                since,
            };
            let mut latest: HashMap<[u8; 16], u64> = HashMap::new();
            for u in self.uses_from(&q, None)? {
                let u = u?;
                latest.insert(use_key(&u), u.id);
            }
            let mut concerned: Vec<BlobId> = Vec::new();
            for u in self.uses_from(&q, None)? {
                let u = u?;
                if latest.get(&use_key(&u)) != Some(&u.id) {
                    continue;
                }
                uses_checked += 1;
                check_uses(
                    &self.photo(&u.photo)?,
                    std::slice::from_ref(&u),
                    &mut findings,
                )?;
                concerned.push(u.photo);
            }
            concerned.sort_unstable();
            concerned.dedup();
            for id in concerned {
                photos_checked += 1;
                for f in audit::check_photo(&self.photo(&id)?) {
                    findings.push(f)?;
                }
            }
        }
        findings.finish(
            now,
            outlet.map(String::from),
            since,
            photos_checked,
            uses_checked,
        )
    }

    /// Audit published pages (HTML or scraped text) against `style`: find each stored photo
    /// on the page — by an original or rendition id in an image URL or `data-byline-id`, else
    /// by its caption — and check the credit printed with it. Images that match nothing are
    /// listed as unknown. `pages` are `(name, text)`; the name is reported as the URL.
    pub fn audit_pages(
        &self,
        pages: &[(String, String)],
        outlet: Option<&str>,
        style: &Style,
        now: Timestamp,
    ) -> Result<AuditStream> {
        let mut findings = Spill::new()?;
        let mut checked = 0;
        let mut photos: BTreeMap<BlobId, Photo> = BTreeMap::new();
        for (name, text) in pages {
            let page = crate::article::read(text);
            let mut found: Vec<(Photo, Option<String>, String)> = Vec::new();
            match page.format {
                crate::article::PageFormat::Html => {
                    for fig in &page.figures {
                        let what = fig
                            .img_src
                            .clone()
                            .or_else(|| fig.caption.clone())
                            .unwrap_or_else(|| "an image".into());
                        match self.photo_on_page(fig)? {
                            Some(p) => found.push((p, fig.credit.clone(), what)),
                            None => {
                                let mut f = audit::finding(
                                    audit::Kind::UnknownImage,
                                    None,
                                    format!("no stored photo matches {what}"),
                                );
                                f.url = Some(name.clone());
                                f.outlet = outlet.map(String::from);
                                findings.push(f)?;
                            }
                        }
                    }
                }
                crate::article::PageFormat::Text => {
                    // As for HTML, the word index names the candidates: the photos whose
                    // indexed words the page shares most; only their captions are compared.
                    let plain = crate::article::PlainText::new(&page.text);
                    for photo in self.photos_sharing_page_words(&page.text)? {
                        let Some(caption) = photo.fields.caption.as_deref() else {
                            continue;
                        };
                        if let Some(hit) = plain.find(caption) {
                            found.push((photo.clone(), hit.credit, hit.printed_caption));
                        }
                    }
                }
            }
            for (photo, credit, what) in found {
                checked += 1;
                for mut f in audit::check_credit(&photo, credit.as_deref(), style) {
                    f.url = Some(name.clone());
                    f.outlet = outlet.map(String::from);
                    f.message = format!("{} (on {name}: {})", f.message, snippet(&what));
                    findings.push(f)?;
                }
                photos.entry(photo.id).or_insert(photo);
            }
        }
        for p in photos.values() {
            for f in audit::check_photo(p) {
                findings.push(f)?;
            }
        }
        findings.finish(now, outlet.map(String::from), None, photos.len(), checked)
    }

    /// The whole-store audit, photo by photo with its own uses: one thread reads and decodes
    /// the records ([`AUDIT_CHUNK`] at a time) while the chunk before is judged on every
    /// core, and the findings are written in the records' order. Returns the photos and uses
    /// checked.
    fn audit_all(&self, style: Option<&Style>, findings: &mut Spill) -> Result<(usize, usize)> {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
        let items = self.db.all_with_uses()?;
        let (mut photos, mut uses) = (0, 0);
        std::thread::scope(|s| -> Result<()> {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<PhotoUses>>>(2);
            s.spawn(move || {
                let mut chunk = Vec::with_capacity(AUDIT_CHUNK);
                for item in items {
                    let full = match item {
                        Ok(x) => {
                            chunk.push(x);
                            chunk.len() == AUDIT_CHUNK
                        }
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            return;
                        }
                    };
                    // The judging side stopped (an error): stop reading.
                    if full && tx.send(Ok(std::mem::take(&mut chunk))).is_err() {
                        return;
                    }
                }
                if !chunk.is_empty() {
                    let _ = tx.send(Ok(chunk));
                }
            });
            for chunk in rx {
                let chunk = chunk?;
                let per = chunk.len().div_ceil(cores);
                let judged: Vec<Vec<Judged>> = std::thread::scope(|s| {
                    let parts: Vec<_> = chunk
                        .chunks(per)
                        .map(|part| s.spawn(move || self.judge_part(part, style)))
                        .collect();
                    parts
                        .into_iter()
                        .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                        .collect()
                });
                for (n, found) in judged.into_iter().flatten() {
                    photos += 1;
                    uses += n;
                    for f in found {
                        findings.push(f)?;
                    }
                }
            }
            Ok(())
        })?;
        Ok((photos, uses))
    }

    /// Judge photos with their uses: for each, the uses checked and the findings.
    fn judge_part(&self, part: &[PhotoUses], style: Option<&Style>) -> Vec<Judged> {
        // Each outlet's style is looked up once (by the outlet as recorded).
        let mut styles: HashMap<String, Style> = HashMap::new();
        part.iter()
            .map(|(p, uses)| {
                // A use recorded again for the same photo, outlet and URL (the page was
                // corrected) supersedes the earlier record: only the latest is audited.
                let mut latest: HashMap<(String, &str), u64> = HashMap::new();
                for u in uses {
                    latest.insert((u.outlet.to_lowercase(), u.url.as_str()), u.id);
                }
                let mut found = Vec::new();
                let mut checked = 0;
                for u in uses {
                    if latest.get(&(u.outlet.to_lowercase(), u.url.as_str())) != Some(&u.id) {
                        continue;
                    }
                    checked += 1;
                    let style = styles
                        .entry(u.outlet.clone())
                        .or_insert_with(|| self.style_for(&u.outlet, style));
                    found.extend(audit::check_use(p, u, style));
                }
                found.extend(audit::check_photo(p));
                (checked, found)
            })
            .collect()
    }

    /// The stored photo a page figure shows: by id (original or rendition, full or a prefix of
    /// at least 12 hex digits), else by the best caption (or alt text) match.
    pub(super) fn photo_on_page(&self, fig: &crate::article::Figure) -> Result<Option<Photo>> {
        let db = &self.db;
        for id in &fig.ids {
            if let [one] = db.ids_with_prefix(id, 2)?.as_slice() {
                return self.photo(one).map(Some);
            }
            if let [r] = db.renditions_with_prefix(id, 2)?.as_slice() {
                return self.photo(&r.photo).map(Some);
            }
        }
        let Some(printed) = fig.caption.as_deref().or(fig.alt.as_deref()) else {
            return Ok(None);
        };
        let words: Vec<String> = crate::db::words(printed)
            .into_iter()
            .filter(|w| w.chars().count() >= 4)
            .collect();
        let mut best: Option<(f32, Photo)> = None;
        for (id, _) in db.photos_sharing_words(&words)?.into_iter().take(50) {
            let Some(p) = db.photo(&id)? else { continue };
            let Some(stored) = p.fields.caption.as_deref() else {
                continue;
            };
            let score = crate::article::caption_similarity(printed, stored);
            if score >= crate::article::CAPTION_THRESHOLD
                && best.as_ref().is_none_or(|(b, _)| score > *b)
            {
                best = Some((score, p));
            }
        }
        Ok(best.map(|(_, p)| p))
    }

    /// The photos a scraped-text page may print, best candidates first: those sharing the
    /// most of the page's words of four letters or more (each word counted once).
    fn photos_sharing_page_words(&self, text: &str) -> Result<Vec<Photo>> {
        let mut words: Vec<String> = crate::db::words(text)
            .into_iter()
            .filter(|w| w.chars().count() >= 4)
            .collect();
        words.sort_unstable();
        words.dedup();
        let mut out = Vec::new();
        for (id, _) in self
            .db
            .photos_sharing_words(&words)?
            .into_iter()
            .take(PAGE_CANDIDATES)
        {
            if let Some(p) = self.db.photo(&id)? {
                out.push(p);
            }
        }
        Ok(out)
    }
}

/// Photos read ahead by the whole-store audit while the chunk before is judged: enough to
/// keep every core busy for a while (about 75 µs of work a photo), few enough to hold little.
const AUDIT_CHUNK: usize = 2048;

/// A photo with its recorded uses, as the whole-store audit reads them.
type PhotoUses = (Photo, Vec<Use>);

/// What judging one photo gave: the uses checked and the findings.
type Judged = (usize, Vec<audit::Finding>);

/// How many candidate photos of a scraped-text page have their captions compared: a page
/// prints a few dozen photos at most, and their captions share many words with it.
const PAGE_CANDIDATES: usize = 200;

/// What makes two uses the same publication: photo, outlet (case-insensitive) and URL,
/// hashed to 16 bytes so the filtered audit holds one small key per use.
fn use_key(u: &Use) -> [u8; 16] {
    let mut h = blake3::Hasher::new();
    h.update(u.photo.as_bytes());
    h.update(u.outlet.to_lowercase().as_bytes());
    h.update(&[0]);
    h.update(u.url.as_bytes());
    let mut k = [0; 16];
    k.copy_from_slice(&h.finalize().as_bytes()[..16]);
    k
}

/// The first 60 characters of a caption or URL, for a finding's message.
fn snippet(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        s.push('…');
    }
    s
}
