//! Auditing: recorded uses and published pages checked against the stored credits.

use std::collections::BTreeMap;

use jiff::Timestamp;

use crate::audit::{self, AuditReport};
use crate::credit::Style;
use crate::error::Result;
use crate::id::BlobId;
use crate::model::Photo;

use super::{Reader, UseQuery};

impl Reader {
    /// Audit every recorded use (optionally of one outlet, since a date) and every photo
    /// concerned (all photos when no filter is given).
    pub fn audit(
        &self,
        outlet: Option<&str>,
        since: Option<Timestamp>,
        style: Option<&Style>,
        now: Timestamp,
    ) -> Result<AuditReport> {
        let mut uses = self.uses(&UseQuery {
            photo: None,
            outlet: outlet.map(String::from),
            since,
        })?;
        // A use recorded again for the same photo, outlet and URL (the page was corrected)
        // supersedes the earlier record: only the latest is audited.
        let mut latest: BTreeMap<(BlobId, String, String), u64> = BTreeMap::new();
        for u in &uses {
            latest.insert((u.photo, u.outlet.to_lowercase(), u.url.clone()), u.id);
        }
        uses.retain(|u| {
            latest.get(&(u.photo, u.outlet.to_lowercase(), u.url.clone())) == Some(&u.id)
        });
        let mut findings = Vec::new();
        let mut photos: BTreeMap<BlobId, Photo> = BTreeMap::new();
        for u in &uses {
            let photo = match photos.entry(u.photo) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => e.insert(self.photo(&u.photo)?),
            };
            findings.extend(audit::check_use(
                photo,
                u,
                &self.style_for(&u.outlet, style),
            ));
        }
        if outlet.is_none() && since.is_none() {
            for p in self.db.all() {
                let p = p?;
                photos.entry(p.id).or_insert(p);
            }
        }
        for p in photos.values() {
            findings.extend(audit::check_photo(p));
        }
        Ok(AuditReport::new(
            now,
            outlet.map(String::from),
            since,
            photos.len(),
            uses.len(),
            findings,
        ))
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
    ) -> Result<AuditReport> {
        let mut findings = Vec::new();
        let mut checked = 0;
        let mut photos: BTreeMap<BlobId, Photo> = BTreeMap::new();
        // Scraped-text pages are matched by caption against every photo: read the captions
        // once for all pages, and a record only when it matches.
        let mut captions: Option<Vec<(BlobId, String)>> = None;
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
                                findings.push(f);
                            }
                        }
                    }
                }
                crate::article::PageFormat::Text => {
                    let plain = crate::article::PlainText::new(&page.text);
                    let captions = match &mut captions {
                        Some(c) => c,
                        None => captions.insert(self.captions()?),
                    };
                    for (id, caption) in captions.iter() {
                        if let Some(hit) = plain.find(caption) {
                            found.push((self.photo(id)?, hit.credit, hit.printed_caption));
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
                    findings.push(f);
                }
                photos.entry(photo.id).or_insert(photo);
            }
        }
        for p in photos.values() {
            findings.extend(audit::check_photo(p));
        }
        Ok(AuditReport::new(
            now,
            outlet.map(String::from),
            None,
            photos.len(),
            checked,
            findings,
        ))
    }

    /// The stored photo a page figure shows: by id (original or rendition, full or a prefix of
    /// at least 12 hex digits), else by the best caption (or alt text) match.
    fn photo_on_page(&self, fig: &crate::article::Figure) -> Result<Option<Photo>> {
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

    /// Every photo's caption, by id, for matching scraped-text pages.
    fn captions(&self) -> Result<Vec<(BlobId, String)>> {
        let mut out = Vec::new();
        for p in self.db.all() {
            let p = p?;
            if let Some(c) = p.fields.caption {
                out.push((p.id, c));
            }
        }
        Ok(out)
    }
}

/// The first 60 characters of a caption or URL, for a finding's message.
fn snippet(text: &str) -> String {
    let mut s: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        s.push('…');
    }
    s
}
