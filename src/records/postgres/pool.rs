//! The connection pool: r2d2 over the synchronous client, each connection a [`Session`] that
//! keeps the statements it has prepared.
//!
//! A point read is then one round trip: no `Parse` of its text on every call (which the
//! client would otherwise send, and wait for, before each query), and no test query on
//! every checkout. A connection that broke while idle (the server restarted) is found by the
//! read that uses it, which is tried once more on a fresh connection ([`super::Postgres`]);
//! a write tests its connection first instead, since a write cut off midway cannot be
//! safely repeated.

use std::collections::HashMap;

use postgres::types::ToSql;
use postgres::{Client, Config, NoTls, Row, Statement};

/// A pooled connection and the statements prepared on it, by their text.
pub(super) struct Session {
    pub(super) client: Client,
    prepared: HashMap<&'static str, Statement>,
}

/// Statements a connection keeps: more than byline's fixed queries, so the cache never
/// churns; a statement built at run time is never cached.
const KEPT: usize = 256;

impl Session {
    /// `sql` prepared on this connection, once.
    fn prepared(&mut self, sql: &'static str) -> Result<Statement, postgres::Error> {
        if let Some(s) = self.prepared.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client.prepare(sql)?;
        if self.prepared.len() >= KEPT {
            self.prepared.clear();
        }
        self.prepared.insert(sql, s.clone());
        Ok(s)
    }

    pub(super) fn query(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Vec<Row>, postgres::Error> {
        let s = self.prepared(sql)?;
        self.client.query(&s, params)
    }

    pub(super) fn query_opt(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<Row>, postgres::Error> {
        let s = self.prepared(sql)?;
        self.client.query_opt(&s, params)
    }

    pub(super) fn query_one(
        &mut self,
        sql: &'static str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Row, postgres::Error> {
        let s = self.prepared(sql)?;
        self.client.query_one(&s, params)
    }
}

/// Opens [`Session`]s for r2d2.
pub(super) struct Manager(pub(super) Config);

impl r2d2::ManageConnection for Manager {
    type Connection = Session;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Session, postgres::Error> {
        Ok(Session {
            client: self.0.connect(NoTls)?,
            prepared: HashMap::new(),
        })
    }

    fn is_valid(&self, s: &mut Session) -> Result<(), postgres::Error> {
        s.client.simple_query("").map(|_| ())
    }

    fn has_broken(&self, s: &mut Session) -> bool {
        s.client.is_closed()
    }
}
