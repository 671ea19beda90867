//! Which stored photo an image on a page is: a blob id in its URLs or `data-byline-id` at
//! once; else its bytes (fetched within the image cap, cached by URL and validators) by exact
//! hash against originals and renditions, then by fingerprint as `identify` does; else the
//! caption printed with it, as `audit --article` matches figures.

use std::sync::Mutex;

use url::Url;

use crate::article::ids_in;
use crate::error::Result;
use crate::id::BlobId;
use crate::library::{Identified, Reader};
use crate::model::{Found, FoundBy};

use super::fetch::{Fetcher, Validators};
use super::hold;
use super::state::{ImageState, State};

/// A recognised photo.
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// The photo.
    pub photo: BlobId,
    /// The rendition, when the image is one.
    pub rendition: Option<BlobId>,
    /// How, and how near.
    pub found: Found,
}

/// Counts of image work, for the page's report.
#[derive(Debug, Default, Clone, Copy)]
pub struct ImageWork {
    /// Images fetched (200).
    pub fetched: u32,
    /// Answered from the cache (304 or seen this run).
    pub cached: u32,
}

/// Match by a blob id named in `ids` or in `urls`.
pub fn by_id(reader: &Reader, ids: &[String], urls: &[Url]) -> Result<Option<Match>> {
    let mut all: Vec<String> = ids.to_vec();
    for u in urls {
        all.extend(ids_in(u.as_str()));
    }
    for id in all {
        if let Some((photo, rendition)) = reader.photo_named(&id)? {
            let image = urls
                .iter()
                .find(|u| u.as_str().to_ascii_lowercase().contains(&id))
                .map(Url::to_string);
            return Ok(Some(Match {
                photo,
                rendition,
                found: Found {
                    by: FoundBy::Id,
                    distance: 0,
                    image,
                },
            }));
        }
    }
    Ok(None)
}

/// Match an image by its bytes, fetching it unless the cache knows it: an image already
/// fetched or revalidated while this crawl runs is not asked again, one known from an earlier
/// crawl is asked with a conditional GET.
pub fn by_bytes(
    reader: &Reader,
    fetcher: &Fetcher,
    state: &Mutex<State>,
    url: &Url,
    cap: u64,
    work: &mut ImageWork,
) -> Result<Option<Match>> {
    let key = url.to_string();
    let (cached, fresh) = {
        let st = hold(state);
        (st.images.get(&key).cloned(), st.fresh.contains(&key))
    };
    let v = Validators {
        etag: cached.as_ref().and_then(|c| c.etag.as_deref()),
        last_modified: cached.as_ref().and_then(|c| c.last_modified.as_deref()),
    };
    let have_validators = v.etag.is_some() || v.last_modified.is_some();
    let as_match = |c: &ImageState| {
        c.matched.clone().map(|(photo, rendition, found)| Match {
            photo,
            rendition,
            found,
        })
    };
    // Known, and fresh in this run or with nothing to revalidate with: the answer stands.
    if let Some(c) = cached.as_ref().filter(|_| fresh || !have_validators) {
        work.cached += 1;
        return Ok(as_match(c));
    }
    let f = match fetcher.get(url, &v, cap) {
        Ok(f) => f,
        Err(_) => return Ok(None),
    };
    let f = match (f.status, &cached) {
        (304, Some(c)) => {
            work.cached += 1;
            hold(state).fresh.insert(key);
            return Ok(as_match(c));
        }
        (200, _) => f,
        _ => return Ok(None),
    };
    work.fetched += 1;
    let image = Some(key.clone());
    // A body that is not a decodable image is simply not ours.
    let matched = match reader.identify(&f.body) {
        Ok(Identified::Original { photo }) => Some((photo, None, FoundBy::Original, 0)),
        Ok(Identified::Rendition { photo, rendition }) => {
            Some((photo, Some(rendition), FoundBy::Rendition, 0))
        }
        Ok(Identified::Similar { candidates }) => candidates
            .first()
            .map(|(photo, bits)| (*photo, None, FoundBy::Fingerprint, *bits)),
        Ok(Identified::Unknown) | Err(_) => None,
    }
    .map(|(photo, rendition, by, distance)| {
        (
            photo,
            rendition,
            Found {
                by,
                distance,
                image: image.clone(),
            },
        )
    });
    let entry = ImageState {
        etag: f.etag,
        last_modified: f.last_modified,
        matched,
    };
    let out = as_match(&entry);
    hold(state).image(&key, entry)?;
    Ok(out)
}

/// Match by a printed caption (or alt text).
pub fn by_caption(reader: &Reader, printed: &str) -> Result<Option<Match>> {
    Ok(reader.photo_by_caption(printed)?.map(|(p, score)| Match {
        photo: p.id,
        rendition: None,
        found: Found {
            by: FoundBy::Caption,
            distance: ((1.0 - score.clamp(0.0, 1.0)) * 100.0).round() as u32,
            image: None,
        },
    }))
}
