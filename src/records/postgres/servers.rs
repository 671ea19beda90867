//! The servers using a store: each `byline serve` on a store in PostgreSQL has a row in
//! `servers` (host, pid, address, when it started), refreshed every few seconds and deleted
//! when it stops cleanly, so a command that must not run under a live server (moving the
//! store out of the database) can tell whether any is running. Times are the database's
//! clock, the same for every machine.

use std::time::Duration;

use super::{Postgres, as_i64, pg_err};
use crate::error::Result;

/// A server that has said it is there recently enough to count as running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// The machine it runs on, as it named itself.
    pub host: String,
    /// Its process id there.
    pub pid: u32,
    /// Where it listens.
    pub listen: String,
    /// Seconds since it last said it was there.
    pub seen_secs_ago: u64,
}

impl Postgres {
    /// Record a running server; returns its row's number, for [`Postgres::still_serving`]
    /// and [`Postgres::stopped_serving`].
    pub fn serving(&self, host: &str, pid: u32, listen: &str) -> Result<i64> {
        let pid = i64::from(pid);
        self.writing(|c| {
            let row = c
                .query_one(
                    "INSERT INTO servers (host, pid, listen) VALUES ($1, $2, $3) RETURNING id",
                    &[&host, &pid, &listen],
                )
                .map_err(pg_err)?;
            Ok(row.get(0))
        })
    }

    /// Say that server `id` is still there (its row is made again if it was removed).
    pub fn still_serving(&self, id: i64, host: &str, pid: u32, listen: &str) -> Result<()> {
        let pid = i64::from(pid);
        self.with(|c| {
            c.query(
                "INSERT INTO servers (id, host, pid, listen) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO UPDATE SET last_seen = now()",
                &[&id, &host, &pid, &listen],
            )
            .map_err(pg_err)?;
            Ok(())
        })
    }

    /// Remove server `id`: it stopped.
    pub fn stopped_serving(&self, id: i64) -> Result<()> {
        self.with(|c| {
            c.query("DELETE FROM servers WHERE id = $1", &[&id])
                .map_err(pg_err)?;
            Ok(())
        })
    }

    /// The servers heard from within `fresh`, longest running first.
    pub fn servers(&self, fresh: Duration) -> Result<Vec<Server>> {
        let ms = as_i64(u64::try_from(fresh.as_millis()).unwrap_or(u64::MAX))?;
        let rows = self.with(|c| {
            c.query(
                "SELECT host, pid, listen, \
                 floor(extract(epoch FROM now() - last_seen))::bigint FROM servers \
                 WHERE last_seen > now() - $1::bigint * interval '1 millisecond' \
                 ORDER BY started, id",
                &[&ms],
            )
            .map_err(pg_err)
        })?;
        Ok(rows
            .iter()
            .map(|r| Server {
                host: r.get(0),
                pid: u32::try_from(r.get::<_, i64>(1)).unwrap_or(0),
                listen: r.get(2),
                seen_secs_ago: u64::try_from(r.get::<_, i64>(3)).unwrap_or(0),
            })
            .collect())
    }
}
