//! The store lock: one writer, or any number of readers, never both.
//!
//! An OS file lock on `STORE/lock` (released by the kernel if the process dies, so no stale
//! locks after a crash). The writer also writes who it is into the file, so a second process can
//! say who holds the store instead of hitting sled's own lock and panicking.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::error::{Error, IoContext, Result};

/// A held store lock; released on drop.
#[derive(Debug)]
pub struct StoreLock {
    file: File,
    exclusive: bool,
}

impl StoreLock {
    /// Take the lock without waiting. `holder` (e.g. "byline add (pid 42)") is recorded for
    /// others to read when `exclusive`.
    pub fn acquire(root: &Path, exclusive: bool, holder: &str) -> Result<StoreLock> {
        let path = root.join("lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .at(&path)?;
        let got = if exclusive {
            file.try_lock()
        } else {
            file.try_lock_shared()
        };
        match got {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut who = String::new();
                // Best effort: the holder text is advice for the message only.
                let _ = file.read_to_string(&mut who);
                let who = who.trim();
                let holder = if who.is_empty() {
                    "a read-only byline command".to_string()
                } else {
                    who.to_string()
                };
                return Err(Error::Locked {
                    path: root.to_path_buf(),
                    holder,
                });
            }
            Err(TryLockError::Error(e)) => return Err(Error::io(&path, e)),
        }
        if exclusive {
            file.set_len(0).at(&path)?;
            file.seek(SeekFrom::Start(0)).at(&path)?;
            file.write_all(holder.as_bytes()).at(&path)?;
        }
        Ok(StoreLock { file, exclusive })
    }

    /// Whether this is the writer's lock.
    pub fn is_exclusive(&self) -> bool {
        self.exclusive
    }
}

impl Drop for StoreLock {
    fn drop(&mut self) {
        if self.exclusive {
            // Clear the holder so a later reader's message is not stale; the unlock itself
            // happens when the file closes.
            let _ = self.file.set_len(0);
        }
        let _ = self.file.unlock();
    }
}
