//! A read page's images → our photos with what is printed beside them → uses in the ledger.
//!
//! A use is recorded only when it differs from the latest one for the same photo, outlet and
//! URL (a changed credit supersedes it, as a re-recorded use does): so a rerun after a crash,
//! or a re-crawl of a page whose bytes changed but whose credits did not, records nothing
//! twice. This is derived from the ledger itself, not from the crawl's cache.

use std::collections::HashSet;
use std::sync::Mutex;

use jiff::Timestamp;

use crate::article::PlainText;
use crate::error::Result;
use crate::id::BlobId;
use crate::library::{Library, NewUse, Reader};

use super::Seen;
use super::fetch::Fetcher;
use super::matching::{self, ImageWork, Match};
use super::page::Facts;
use super::state::State;

/// One of our photos printed on a page.
#[derive(Debug, Clone)]
pub struct Find {
    /// Which photo, and how it was recognised.
    pub matched: Match,
    /// The credit printed with it.
    pub credit: Option<String>,
    /// The caption printed with it.
    pub caption: Option<String>,
}

/// How many of an image's URLs are downloaded before falling back to its caption.
const FETCHES_PER_IMAGE: usize = 2;

/// Our photos on a page: each printed image by id, bytes or caption; then the `og:image` and
/// JSON-LD images not printed in the story, with the credit printed after their caption in
/// the page's text, if any. Each photo counts once per page.
pub fn find(
    reader: &Reader,
    fetcher: &Fetcher,
    state: &Mutex<State>,
    facts: &Facts,
    image_cap: u64,
    fetched: &mut u32,
) -> Result<Vec<Find>> {
    let mut work = ImageWork::default();
    let mut out: Vec<Find> = Vec::new();
    let mut have: HashSet<BlobId> = HashSet::new();
    for shown in &facts.shown {
        let fig = &shown.figure;
        let mut m = matching::by_id(reader, &fig.ids, &shown.urls)?;
        for url in shown.urls.iter().take(FETCHES_PER_IMAGE) {
            if m.is_some() {
                break;
            }
            m = matching::by_bytes(reader, fetcher, state, url, image_cap, &mut work)?;
        }
        if m.is_none()
            && let Some(printed) = fig.caption.as_deref().or(fig.alt.as_deref())
        {
            m = matching::by_caption(reader, printed)?;
        }
        if let Some(m) = m
            && have.insert(m.photo)
        {
            out.push(Find {
                matched: m,
                credit: fig.credit.clone(),
                caption: fig.caption.clone(),
            });
        }
    }
    let plain = PlainText::new(&facts.text);
    for url in &facts.meta_images {
        let m = match matching::by_id(reader, &[], std::slice::from_ref(url))? {
            Some(m) => Some(m),
            None => matching::by_bytes(reader, fetcher, state, url, image_cap, &mut work)?,
        };
        let Some(m) = m else { continue };
        if !have.insert(m.photo) {
            continue;
        }
        let photo = reader.photo(&m.photo)?;
        let hit = photo.fields.caption.as_deref().and_then(|c| plain.find(c));
        out.push(Find {
            matched: m,
            credit: hit.as_ref().and_then(|h| h.credit.clone()),
            caption: hit.map(|h| h.printed_caption),
        });
    }
    *fetched += work.fetched;
    Ok(out)
}

/// Record each find as a use of `outlet` at `url`, unless the latest use recorded for that
/// photo, outlet and URL already says the same.
pub fn record(
    lib: &mut Library,
    outlet: &str,
    url: &str,
    published: Option<Timestamp>,
    finds: Vec<Find>,
    by: &str,
    now: Timestamp,
) -> Result<Vec<Seen>> {
    let mut out = Vec::new();
    for f in finds {
        let norm = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        let (credit, caption) = (norm(f.credit.as_deref()), norm(f.caption.as_deref()));
        let latest = lib.latest_use(&f.matched.photo, outlet, url)?;
        let same = latest.is_some_and(|u| {
            u.printed_credit == credit
                && u.printed_caption == caption
                && published.is_none_or(|p| p == u.published)
        });
        let use_id = if same {
            None
        } else {
            let u = lib.record_use(
                &f.matched.photo,
                NewUse {
                    outlet: outlet.to_string(),
                    url: url.to_string(),
                    published,
                    printed_credit: credit.clone(),
                    printed_caption: caption,
                    territory: None,
                    commercial: false,
                    rendition: f.matched.rendition,
                    found: Some(f.matched.found.clone()),
                },
                by,
                now,
            )?;
            Some(u.id)
        };
        out.push(Seen {
            photo: f.matched.photo,
            by: f.matched.found.by,
            distance: f.matched.found.distance,
            printed_credit: credit,
            use_id,
        });
    }
    Ok(out)
}
