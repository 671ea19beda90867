//! Changes committed by any writer, told to every server as they commit: PostgreSQL's
//! `LISTEN`/`NOTIFY`.
//!
//! Each commit that changes photos sends, in its own transaction, one notification on
//! [`CHANNEL`] naming them (hex ids separated by spaces), or `*` for "anything may have
//! changed" (a reindex, or more photos than a notification holds). PostgreSQL delivers it
//! only once the commit is visible to every new read, and never for a rolled-back one.
//!
//! A server that keeps answers computed from records (`byline serve`'s credit cache) asks for
//! a [`Watch`]: a thread of its own holding one connection that listens, and passes each
//! change on. Whether the watch can be trusted is [`Watch::is_current`]: the connection
//! proved alive within [`CURRENT`] (a notification, or an empty query every [`BEAT`]). A
//! connection that breaks or stops answering is no longer current, and a new one is opened;
//! as notifications sent in between are lost, a new connection starts with
//! [`Changed::Everything`]. While not current, the caller must fall back on keeping answers
//! only briefly.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use postgres::{Client, Config, NoTls, Transaction};

use super::{Postgres, pg_err};
use crate::error::{Error, Result};
use crate::id::BlobId;

/// The channel commits notify on.
const CHANNEL: &str = "byline_changes";

/// Photos a notification names at most (PostgreSQL takes payloads under 8,000 bytes; an id
/// is 65): a commit touching more says `*`.
const MAX_IDS: usize = 100;

/// How often an idle listening connection is asked an empty query, to prove it alive.
const BEAT: Duration = Duration::from_millis(250);

/// How recently the listening connection must have proved alive for the watch to be current.
const CURRENT: Duration = Duration::from_millis(750);

/// How long a listening connection may leave data unacknowledged before it counts as broken
/// (a network that drops packets without closing the connection).
const GONE_AFTER: Duration = Duration::from_secs(2);

/// What another writer (or this one) changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    /// These photos' records (or what hangs off them: renditions, uses).
    Photos(Vec<BlobId>),
    /// Anything may have changed: forget whatever was computed from records.
    Everything,
}

/// Tell listeners, in `tx`, that it changes `photos` (sent when `tx` commits). Nothing is
/// sent for none.
pub(super) fn notify(tx: &mut Transaction<'_>, photos: &[BlobId]) -> Result<()> {
    if photos.is_empty() {
        return Ok(());
    }
    let payload = payload(photos);
    tx.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &payload])
        .map_err(pg_err)?;
    Ok(())
}

/// Tell listeners, in `tx`, that anything may have changed.
pub(super) fn notify_everything(tx: &mut Transaction<'_>) -> Result<()> {
    tx.execute("SELECT pg_notify($1, '*')", &[&CHANNEL])
        .map_err(pg_err)?;
    Ok(())
}

/// The notification for a commit changing `photos` (distinct, in any order).
fn payload(photos: &[BlobId]) -> String {
    let mut ids: Vec<String> = photos.iter().map(BlobId::to_hex).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() > MAX_IDS {
        return "*".into();
    }
    ids.join(" ")
}

/// What a notification says; anything unreadable counts as everything.
fn parse(payload: &str) -> Changed {
    let ids: Option<Vec<BlobId>> = payload
        .split(' ')
        .map(|hex| hex.parse::<BlobId>().ok())
        .collect();
    match ids {
        Some(ids) if !ids.is_empty() => Changed::Photos(ids),
        _ => Changed::Everything,
    }
}

/// Called with each change, on the watch's own thread.
pub type OnChange = Box<dyn Fn(Changed) + Send>;

/// A thread listening for changes; it stops soon after this is dropped.
pub struct Watch {
    state: Arc<State>,
}

/// What the thread and the [`Watch`] share.
struct State {
    start: Instant,
    /// When the connection last proved alive, in ms since `start`, plus one; 0 while no
    /// connection listens.
    alive: AtomicU64,
    stop: AtomicBool,
}

impl State {
    fn now(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX - 1)
    }

    fn alive(&self) {
        self.alive.store(self.now() + 1, Ordering::Release);
    }

    fn lost(&self) {
        self.alive.store(0, Ordering::Release);
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }
}

impl Watch {
    /// Whether every change committed until 750 ms ago has been passed on: the listening
    /// connection proved alive since. While false, changes may be missed.
    pub fn is_current(&self) -> bool {
        match self.state.alive.load(Ordering::Acquire) {
            0 => false,
            at => {
                let limit = u64::try_from(CURRENT.as_millis()).unwrap_or(u64::MAX);
                self.state.now().saturating_sub(at - 1) <= limit
            }
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::Release);
    }
}

impl Postgres {
    /// Listen for committed changes on a connection of its own, passing each to `on` (on a
    /// thread of its own) until the [`Watch`] is dropped. A connection that cannot be opened
    /// or breaks is opened again every 250 ms; each new one first passes
    /// [`Changed::Everything`].
    ///
    /// # Errors
    /// [`Error::Unavailable`] when the thread cannot be started.
    pub fn watch(&self, on: OnChange) -> Result<Watch> {
        let state = Arc::new(State {
            start: Instant::now(),
            alive: AtomicU64::new(0),
            stop: AtomicBool::new(false),
        });
        let mut config = (*self.config).clone();
        config
            .application_name("byline listen")
            .tcp_user_timeout(GONE_AFTER)
            .keepalives(true)
            .keepalives_idle(GONE_AFTER);
        let shared = Arc::clone(&state);
        std::thread::Builder::new()
            .name("byline listen".into())
            .spawn(move || run(&config, &shared, &on))
            .map_err(|e| Error::Unavailable(format!("cannot start listening for changes: {e}")))?;
        Ok(Watch { state })
    }
}

/// Listen until stopped, opening a connection again whenever one breaks.
fn run(config: &Config, state: &State, on: &OnChange) {
    while !state.stopped() {
        match listening(config) {
            Ok(mut client) => {
                // Whatever committed before LISTEN took effect was never told to us.
                on(Changed::Everything);
                state.alive();
                follow(&mut client, state, on);
                state.lost();
                on(Changed::Everything);
                drop(client);
            }
            Err(_) => state.lost(),
        }
        if !state.stopped() {
            std::thread::sleep(BEAT);
        }
    }
}

fn listening(config: &Config) -> std::result::Result<Client, postgres::Error> {
    let mut client = config.connect(NoTls)?;
    client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
    Ok(client)
}

/// Pass on notifications as they come, proving the connection alive when none come for a
/// [`BEAT`]; returns when it breaks or the watch is dropped.
fn follow(client: &mut Client, state: &State, on: &OnChange) {
    use postgres::fallible_iterator::FallibleIterator;
    while !state.stopped() {
        {
            let mut notes = client.notifications();
            let mut waiting = notes.timeout_iter(BEAT);
            loop {
                match waiting.next() {
                    Ok(Some(note)) => {
                        state.alive();
                        on(parse(note.payload()));
                        if state.stopped() {
                            return;
                        }
                    }
                    Ok(None) => break,
                    Err(_) => return,
                }
            }
        }
        if client.is_closed() || client.simple_query("").is_err() {
            return;
        }
        state.alive();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notification_names_the_photos_or_everything() {
        let a = BlobId::of(b"a");
        let b = BlobId::of(b"b");
        let said = payload(&[b, a, b]);
        match parse(&said) {
            Changed::Photos(mut ids) => {
                ids.sort_unstable_by_key(BlobId::to_hex);
                let mut want = vec![a, b];
                want.sort_unstable_by_key(BlobId::to_hex);
                assert_eq!(ids, want);
            }
            Changed::Everything => panic!("two photos said as everything: {said}"),
        }
        let many: Vec<BlobId> = (0..=MAX_IDS)
            .map(|i| BlobId::of(&i.to_le_bytes()))
            .collect();
        assert_eq!(parse(&payload(&many)), Changed::Everything);
        assert!(payload(&many[..MAX_IDS]).len() < 8000);
        assert_eq!(parse("*"), Changed::Everything);
        assert_eq!(parse("not an id"), Changed::Everything);
        assert_eq!(parse(""), Changed::Everything);
    }
}
