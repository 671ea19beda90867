//! Work done ahead on worker threads and handed back in order: `add` reads, hashes and
//! fingerprints the next files on every core while the calling thread stages and commits
//! the ones before, in the files' order.
//!
//! The workers live for the whole batch and take the next file as soon as they finish one,
//! so one large file holds up no other worker, and each thread's allocator keeps its warm
//! pages (threads started per chunk began every chunk on fresh, zero-filled memory). At most
//! `window` files are claimed beyond the one the caller is waiting for, which bounds the
//! bytes held in memory.
//!
//! Written on std (scoped threads, a channel, a condition variable) rather than rayon:
//! rayon's ordered parallel iterators collect whole batches, and the caller must start on
//! the first file while later ones are still being decoded.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Condvar, Mutex, MutexGuard, mpsc};

/// What the workers may claim: the next index, up to (not including) `limit`.
struct Claims {
    next: usize,
    limit: usize,
    stop: bool,
}

/// The claims, shared by the workers and the caller.
struct Gate {
    claims: Mutex<Claims>,
    changed: Condvar,
}

impl Gate {
    fn lock(&self) -> MutexGuard<'_, Claims> {
        // A poisoned lock only means a thread panicked while holding it; the counters are
        // still whole (each update is one assignment).
        self.claims.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next index to work on, waiting while the window is full; `None` once every item
    /// is claimed or the caller has stopped.
    fn claim(&self, len: usize) -> Option<usize> {
        let mut c = self.lock();
        loop {
            if c.stop || c.next >= len {
                return None;
            }
            if c.next < c.limit {
                c.next += 1;
                return Some(c.next - 1);
            }
            c = self.changed.wait(c).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn set_limit(&self, limit: usize) {
        self.lock().limit = limit;
        self.changed.notify_all();
    }
}

/// Wakes and stops the workers when the caller is done, however it leaves.
struct StopOnDrop<'a>(&'a Gate);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.lock().stop = true;
        self.0.changed.notify_all();
    }
}

/// Run `work` over `items` on `workers` threads and hand each result to `consume` on this
/// thread, in the items' order. A panic in `work` becomes that item's error. `consume`
/// returning an error stops the workers (each finishes the item in hand) and is returned.
pub(super) fn for_each_in_order<T: Sync, R: Send, E>(
    items: &[T],
    workers: usize,
    window: usize,
    work: impl Fn(&T) -> Result<R, String> + Sync,
    mut consume: impl FnMut(&T, Result<R, String>) -> Result<(), E>,
) -> Result<(), E> {
    let window = window.max(1);
    let gate = Gate {
        claims: Mutex::new(Claims {
            next: 0,
            limit: window,
            stop: false,
        }),
        changed: Condvar::new(),
    };
    let (tx, rx) = mpsc::channel::<(usize, Result<R, String>)>();
    std::thread::scope(|scope| {
        let (gate, work) = (&gate, &work);
        for _ in 0..workers.max(1) {
            let tx = tx.clone();
            scope.spawn(move || {
                while let Some(i) = gate.claim(items.len()) {
                    let Some(item) = items.get(i) else { break };
                    let result =
                        catch_unwind(AssertUnwindSafe(|| work(item))).unwrap_or_else(|_| {
                            Err("failed unexpectedly (a bug: please report it)".into())
                        });
                    if tx.send((i, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let _stop = StopOnDrop(gate);
        let mut early = BTreeMap::new();
        for (i, item) in items.iter().enumerate() {
            let result = loop {
                if let Some(r) = early.remove(&i) {
                    break r;
                }
                match rx.recv() {
                    Ok((j, r)) => {
                        early.insert(j, r);
                    }
                    // Every worker has gone without sending this item (cannot happen while
                    // `work`'s panics are caught, but never wait forever).
                    Err(_) => break Err("a worker thread stopped unexpectedly".to_string()),
                }
            };
            gate.set_limit(i + 1 + window);
            consume(item, result)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn results_come_back_in_order_with_panics_as_errors() {
        let items: Vec<usize> = (0..200).collect();
        let mut seen = Vec::new();
        let r: Result<(), ()> = for_each_in_order(
            &items,
            3,
            5,
            |&n| {
                // Uneven work, so workers finish out of order.
                std::thread::sleep(std::time::Duration::from_micros((n % 7 * 50) as u64));
                if n == 13 {
                    panic!("boom");
                }
                Ok(n * 2)
            },
            |&n, r| {
                seen.push((n, r));
                Ok(())
            },
        );
        assert_eq!(r, Ok(()));
        assert_eq!(seen.len(), 200);
        for (k, (n, r)) in seen.iter().enumerate() {
            assert_eq!(*n, k);
            if *n == 13 {
                assert!(r.as_ref().is_err_and(|e| e.contains("unexpectedly")));
            } else {
                assert_eq!(r, &Ok(n * 2));
            }
        }
    }

    #[test]
    fn no_more_than_the_window_is_claimed_ahead() {
        let items: Vec<usize> = (0..100).collect();
        let started = AtomicUsize::new(0);
        let mut consumed = 0;
        let r: Result<(), ()> = for_each_in_order(
            &items,
            4,
            6,
            |_| {
                started.fetch_add(1, Ordering::SeqCst);
                Ok(())
            },
            |_, _| {
                // When item k is handed over, at most k + 1 + window items have been claimed.
                assert!(started.load(Ordering::SeqCst) <= consumed + 1 + 6);
                consumed += 1;
                Ok(())
            },
        );
        assert_eq!(r, Ok(()));
        assert_eq!(consumed, 100);
    }

    #[test]
    fn an_error_from_the_caller_stops_the_workers() {
        let items: Vec<usize> = (0..10_000).collect();
        let started = AtomicUsize::new(0);
        let r = for_each_in_order(
            &items,
            2,
            4,
            |_| {
                started.fetch_add(1, Ordering::SeqCst);
                Ok(())
            },
            |&n, _| if n == 10 { Err("stop") } else { Ok(()) },
        );
        assert_eq!(r, Err("stop"));
        assert!(started.load(Ordering::SeqCst) < 100);
    }
}
