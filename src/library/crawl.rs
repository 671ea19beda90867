//! The look-ups `byline crawl` makes for each image it sees on a page: a blob id named in a
//! URL, a caption, and the use already recorded for a page (so a rerun records nothing twice).
//!
//! Reads only; the crawler records what it finds through [`super::Library::record_use`].

use crate::error::Result;
use crate::id::BlobId;
use crate::model::{Photo, Use};

use super::Reader;

impl Reader {
    /// The photo (and the rendition, when the id is one) that a blob id or an id prefix of at
    /// least 12 hex digits names; `None` when it names nothing stored or more than one blob.
    pub fn photo_named(&self, id: &str) -> Result<Option<(BlobId, Option<BlobId>)>> {
        if id.len() < 12 {
            return Ok(None);
        }
        if let [one] = self.db.ids_with_prefix(id, 2)?.as_slice() {
            return Ok(Some((*one, None)));
        }
        if let [r] = self.db.renditions_with_prefix(id, 2)?.as_slice() {
            return Ok(Some((r.photo, Some(r.id))));
        }
        Ok(None)
    }

    /// The stored photo whose caption best matches `printed` (a printed caption or alt text),
    /// as `audit --article` matches figures, with its similarity (0–1).
    pub fn photo_by_caption(&self, printed: &str) -> Result<Option<(Photo, f32)>> {
        let fig = crate::article::Figure {
            caption: Some(printed.to_string()),
            ..Default::default()
        };
        Ok(self.photo_on_page(&fig)?.map(|p| {
            let score = p
                .fields
                .caption
                .as_deref()
                .map_or(0.0, |c| crate::article::caption_similarity(printed, c));
            (p, score)
        }))
    }

    /// The latest use recorded for this photo, outlet (case-insensitive) and URL. Reads
    /// that page's uses alone, however many pages show the photo.
    pub fn latest_use(&self, photo: &BlobId, outlet: &str, url: &str) -> Result<Option<Use>> {
        Ok(self
            .db
            .page_uses(photo, outlet, url)?
            .into_iter()
            .rfind(|u| u.url == url && u.outlet.eq_ignore_ascii_case(outlet)))
    }
}
