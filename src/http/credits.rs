//! Credit answers already computed, as JSON, by photo and style. Publishing tools ask for the
//! same photos' credits again and again while laying out pages, and a credit costs about
//! twice a record read to compute (on PostgreSQL, a round trip).
//!
//! No answer outlives the record it was computed from:
//! - every write of this server clears the cache once its change is in the index, and bumps
//!   a generation; a reader keeps its answer only if the generation is still the one it saw
//!   before reading the record, so an answer read before a change and kept after it is never
//!   kept, even though reads never wait for writes;
//! - on a store other servers and commands write too (records in PostgreSQL), each commit
//!   is told to every server as it commits ([`Watch`]); the photos it names
//!   lose their answers (and the generation is bumped, for readers in flight), or all
//!   answers do when it says "everything" or when the listening connection is new;
//! - while that listening connection is not known to be alive (it broke, or stopped
//!   answering), changes may be missed: answers are then kept for [`SHARED_CREDIT_AGE`] at
//!   most, so an edit made through another server still shows here within a second.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::body::Bytes;

use super::error::{ApiError, ApiResult};
use crate::id::BlobId;
use crate::library::{Changed, Library, Watch};

/// How long a credit answer is kept on a store shared with other servers while their
/// changes cannot be told: an edit made through another server shows here within this time.
const SHARED_CREDIT_AGE: Duration = Duration::from_millis(500);

/// The cache is emptied when it reaches this many answers (about 700 bytes each).
const CREDITS_CACHED: usize = 50_000;

/// Answers by photo, then by the style asked for.
type Answers = HashMap<BlobId, HashMap<String, Bytes>>;

/// The cache and how long its answers may be trusted.
pub(super) struct Credits {
    cache: Arc<Mutex<Cache>>,
    others: Others,
}

/// Who else writes the store.
enum Others {
    /// Nobody: this server is the store's only writer, and its writes clear the cache.
    None,
    /// Other servers and commands, whose changes are told by the watch while it is current.
    Told(Watch),
    /// Other writers whose changes cannot be told: answers are kept briefly.
    Untold,
}

struct Cache {
    generation: u64,
    answers: Answers,
    /// Answers kept, over every photo.
    kept: usize,
    /// When the oldest answer still kept may have been computed.
    since: Instant,
}

impl Cache {
    /// Forget every answer (and let no reader in flight keep one): a change was made.
    fn clear(&mut self) -> Answers {
        self.generation += 1;
        self.since = Instant::now();
        self.kept = 0;
        std::mem::take(&mut self.answers)
    }

    /// Forget the answers about `photos` (and let no reader in flight keep one).
    fn forget(&mut self, photos: &[BlobId]) -> Vec<HashMap<String, Bytes>> {
        self.generation += 1;
        let gone: Vec<_> = photos
            .iter()
            .filter_map(|id| self.answers.remove(id))
            .collect();
        self.kept -= gone.iter().map(HashMap::len).sum::<usize>();
        gone
    }
}

impl Credits {
    /// The cache for a server on `lib`: on a store others write too, a watch on their
    /// changes is started.
    ///
    /// # Errors
    /// The watch's thread cannot be started.
    pub(super) fn new(lib: &Library) -> std::io::Result<Credits> {
        let cache = Arc::new(Mutex::new(Cache {
            generation: 0,
            answers: HashMap::new(),
            kept: 0,
            since: Instant::now(),
        }));
        if !lib.is_shared() {
            return Ok(Credits {
                cache,
                others: Others::None,
            });
        }
        let told = Arc::clone(&cache);
        let watch = lib
            .watch(Box::new(move |changed| {
                // A panic while the lock was held left the cache as consistent as ever
                // (each change to it is whole): forgetting must still happen.
                let mut c = told.lock().unwrap_or_else(PoisonError::into_inner);
                match changed {
                    Changed::Everything => {
                        let gone = c.clear();
                        drop(c);
                        drop(gone);
                    }
                    Changed::Photos(ids) => {
                        let gone = c.forget(&ids);
                        drop(c);
                        drop(gone);
                    }
                }
            }))
            .map_err(std::io::Error::other)?;
        Ok(Credits {
            cache,
            others: watch.map_or(Others::Untold, Others::Told),
        })
    }

    /// How old an answer may be, if there is a limit now.
    fn max_age(&self) -> Option<Duration> {
        match &self.others {
            Others::None => None,
            Others::Told(watch) if watch.is_current() => None,
            Others::Told(_) | Others::Untold => Some(SHARED_CREDIT_AGE),
        }
    }

    /// The answer kept for `style` of `photo`, or the generation to pass to
    /// [`Credits::keep`] with the answer computed now.
    pub(super) fn get(&self, photo: &BlobId, style: &str) -> ApiResult<Result<Bytes, u64>> {
        let max = self.max_age();
        let mut c = self.cache.lock().map_err(ApiError::internal)?;
        let expired = max
            .is_some_and(|max| c.since.elapsed() > max)
            .then(|| c.clear());
        let found = c
            .answers
            .get(photo)
            .and_then(|styles| styles.get(style))
            .cloned()
            .ok_or(c.generation);
        drop(c);
        // Freeing thousands of answers takes a while: not while other lookups wait.
        drop(expired);
        Ok(found)
    }

    /// Keep `body` as the answer for `style` of `photo`, computed from a record read after
    /// [`Credits::get`] gave `generation`, unless something changed since.
    pub(super) fn keep(
        &self,
        photo: BlobId,
        style: String,
        body: Bytes,
        generation: u64,
    ) -> ApiResult<()> {
        let mut c = self.cache.lock().map_err(ApiError::internal)?;
        if c.generation != generation {
            return Ok(());
        }
        let full = (c.kept >= CREDITS_CACHED).then(|| {
            c.kept = 0;
            std::mem::take(&mut c.answers)
        });
        if c.answers
            .entry(photo)
            .or_default()
            .insert(style, body)
            .is_none()
        {
            c.kept += 1;
        }
        drop(c);
        drop(full);
        Ok(())
    }

    /// Forget every answer: this server changed the store.
    pub(super) fn clear(&self) -> ApiResult<()> {
        let mut c = self.cache.lock().map_err(ApiError::internal)?;
        let gone = c.clear();
        drop(c);
        drop(gone);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> Cache {
        Cache {
            generation: 0,
            answers: HashMap::new(),
            kept: 0,
            since: Instant::now(),
        }
    }

    #[test]
    fn a_change_to_one_photo_forgets_its_answers_only() {
        let credits = Credits {
            cache: Arc::new(Mutex::new(cache())),
            others: Others::None,
        };
        let (a, b) = (BlobId::of(b"a"), BlobId::of(b"b"));
        for (id, style) in [(a, "afp"), (a, "default"), (b, "afp")] {
            let Ok(Err(generation)) = credits.get(&id, style) else {
                panic!("nothing kept yet");
            };
            credits
                .keep(id, style.into(), Bytes::from(style), generation)
                .expect("kept");
        }
        assert!(matches!(credits.get(&a, "afp"), Ok(Ok(_))));
        // A reader that saw the cache before the change keeps nothing after it.
        let Ok(Err(before)) = credits.get(&b, "default") else {
            panic!("not kept");
        };
        let mut c = credits.cache.lock().expect("lock");
        let gone = c.forget(&[a]);
        assert_eq!(gone.iter().map(HashMap::len).sum::<usize>(), 2);
        assert_eq!(c.kept, 1);
        drop(c);
        assert!(matches!(credits.get(&a, "afp"), Ok(Err(_))));
        assert!(matches!(credits.get(&a, "default"), Ok(Err(_))));
        assert!(matches!(credits.get(&b, "afp"), Ok(Ok(_))));
        credits
            .keep(b, "default".into(), Bytes::from("stale"), before)
            .expect("keep");
        assert!(matches!(credits.get(&b, "default"), Ok(Err(_))));
    }

    #[test]
    fn answers_expire_while_other_writers_cannot_be_heard() {
        let credits = Credits {
            cache: Arc::new(Mutex::new(cache())),
            others: Others::Untold,
        };
        let id = BlobId::of(b"a");
        let Ok(Err(generation)) = credits.get(&id, "afp") else {
            panic!("nothing kept yet");
        };
        credits
            .keep(id, "afp".into(), Bytes::from("x"), generation)
            .expect("kept");
        assert!(matches!(credits.get(&id, "afp"), Ok(Ok(_))));
        credits.cache.lock().expect("lock").since -= SHARED_CREDIT_AGE * 2;
        assert!(matches!(credits.get(&id, "afp"), Ok(Err(_))));
    }
}
