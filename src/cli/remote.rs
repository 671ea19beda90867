//! `byline --server URL …`: show, list, credit, add, edit and use against a running
//! `byline serve` instead of the store, printing exactly what the local commands print.
//!
//! A blocking HTTP client (ureq) at the edge; this file never opens the store. The actor of a
//! change is the token's name on the server, so `--by` is not sent.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::Command;
use super::{add, ledger, read};
use crate::model::{Photo, Use};

/// A server and the token to send it.
struct Remote {
    base: String,
    token: Option<String>,
    agent: ureq::Agent,
}

/// Percent-encode one path segment (ids are hex, but what a user types need not be).
fn segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Remote {
    fn new(url: &str, token: Option<&str>) -> Remote {
        // Error statuses are answers with a JSON body here, not transport failures.
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build();
        Remote {
            base: url.trim_end_matches('/').to_string(),
            token: token.map(String::from),
            agent: config.into(),
        }
    }

    fn auth<B>(&self, req: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.token {
            Some(t) => req.header("Authorization", format!("Bearer {t}")),
            None => req,
        }
    }

    /// Read an answer: its JSON on success, the server's `message` as the error otherwise
    /// (a [`ServerError`] when the server named its error code).
    fn answer<T: DeserializeOwned>(
        &self,
        res: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<T> {
        let mut res = res.with_context(|| format!("cannot reach the server at {}", self.base))?;
        let status = res.status();
        let text = res
            .body_mut()
            .read_to_string()
            .context("reading the server's answer")?;
        if !status.is_success() {
            let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            match (v["message"].as_str(), v["code"].as_str()) {
                (Some(m), Some("unauthorized" | "invalid_token" | "forbidden")) => bail!(
                    "server: {m} (HTTP {}); pass a token with --token TOKEN or $BYLINE_TOKEN",
                    status.as_u16()
                ),
                (Some(m), Some(c)) => {
                    return Err(ServerError {
                        message: m.to_owned(),
                        code: c.to_owned(),
                        status: status.as_u16(),
                    }
                    .into());
                }
                _ => bail!(
                    "{} answered HTTP {}, not a byline error: is it the URL `byline serve` \
                     printed?",
                    self.base,
                    status.as_u16()
                ),
            }
        }
        serde_json::from_str(&text).context("the server's answer is not the JSON expected")
    }

    fn get<T: DeserializeOwned>(&self, path: &str, query: &[(&str, String)]) -> Result<T> {
        let mut req = self.auth(self.agent.get(format!("{}{path}", self.base)));
        for (k, v) in query {
            req = req.query(*k, v);
        }
        self.answer(req.call())
    }
}

/// Run a command against the server at `url`.
pub(super) fn run(
    url: &str,
    token: Option<&str>,
    command: Command,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    let r = Remote::new(url, token);
    match command {
        Command::Show { id } => {
            let photo: Photo = r.get(&format!("/photos/{}", segment(&id)), &[])?;
            if json {
                super::output::json_pretty(out, &photo)?;
            } else {
                read::print_record(&photo, out)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::List(args) => {
            let q = args.query();
            let mut params: Vec<(&str, String)> = vec![("limit", "1000".into())];
            params.extend(q.agency.map(|v| ("agency", v)));
            params.extend(q.creator.map(|v| ("creator", v)));
            params.extend(q.year.map(|v| ("year", v.to_string())));
            params.extend(q.text.map(|v| ("text", v)));
            if q.incomplete {
                params.push(("incomplete", "true".into()));
            }
            let mut photos: Vec<Photo> = Vec::new();
            loop {
                let page: Value = r.get("/photos", &params)?;
                photos.extend(serde_json::from_value::<Vec<Photo>>(
                    page["photos"].clone(),
                )?);
                match page["next_cursor"].as_str() {
                    Some(c) => {
                        params.retain(|(k, _)| *k != "cursor");
                        params.push(("cursor", c.to_string()));
                    }
                    None => break,
                }
            }
            read::print_list(&photos, json, out)
        }
        Command::Credit { id, style } => {
            let mut params = Vec::new();
            params.extend(style.style.map(|v| ("style", v)));
            params.extend(style.outlet.map(|v| ("outlet", v)));
            let report: Value = r.get(&format!("/photos/{}/credit", segment(&id)), &params)?;
            let line = report["line"].as_str().unwrap_or("").to_string();
            let short: String = id.chars().take(12).collect();
            ledger::print_credit(&report, &line, &short, json, out)
        }
        Command::Add(args) => upload(&r, &args, json, out),
        Command::Edit {
            id,
            revision,
            fields,
            ..
        } => {
            let edits = fields.edits()?;
            if edits.is_empty() {
                bail!("nothing to change: give at least one field flag, e.g. --caption TEXT");
            }
            let path = format!("/photos/{}", segment(&id));
            let before: Photo = r.get(&path, &[])?;
            let body = Value::Object(edits.iter().cloned().collect());
            let req = r.auth(r.agent.patch(format!("{}{path}", r.base)));
            // The edit is made on the revision just read (or the one given): a change by
            // someone else in between is a 409, never silently overwritten.
            let on = revision.unwrap_or(before.revision);
            let answer = r.answer(
                req.header("Content-Type", "application/json")
                    .header("If-Match", format!("\"{on}\""))
                    .send(body.to_string()),
            );
            let after: Photo = match answer {
                Err(e)
                    if e.downcast_ref::<ServerError>()
                        .is_some_and(|s| s.code == "conflict") =>
                {
                    return Err(read::conflict(&e, &before.id));
                }
                other => other?,
            };
            let changed = (after.revision != before.revision).then_some(after);
            read::print_edit(&before, changed, &edits, json, out)
        }
        Command::Use(a) => {
            let published = super::parse_date(&a.published)
                .with_context(|| format!("--published '{}'", a.published))?;
            let body = serde_json::json!({
                "photo": a.id,
                "outlet": a.outlet,
                "url": a.url,
                "published": published.to_string(),
                "printed_credit": if a.no_credit { None } else { a.printed_credit },
                "printed_caption": a.printed_caption,
                "territory": a.territory,
                "commercial": a.commercial,
                "rendition": a.rendition,
            });
            let req = r.auth(r.agent.post(format!("{}/uses", r.base)));
            let usage: Use = r.answer(
                req.header("Content-Type", "application/json")
                    .send(body.to_string()),
            )?;
            ledger::print_use(&usage, json, out)
        }
        Command::Token(cmd) => manage_tokens(&r, &cmd, json, out),
        Command::Verify { repair: false, .. } => {
            let report: crate::library::VerifyReport = r.get("/admin/verify", &[])?;
            super::admin::print_verify(&report, json, out)
        }
        _ => bail!(
            "--server works with show, list, credit, add, edit, use, token and verify (without \
             --repair); run other commands where the store is (or stop `byline serve` first)"
        ),
    }
}

/// `byline --server URL token …` with an admin token: printed as the local command prints.
fn manage_tokens(
    r: &Remote,
    cmd: &ledger::TokenCommand,
    json: bool,
    out: &mut impl Write,
) -> Result<ExitCode> {
    use ledger::TokenCommand;
    match cmd {
        TokenCommand::Create {
            name, write, admin, ..
        } => {
            let access = match (*admin, *write) {
                (true, _) => "admin",
                (false, true) => "write",
                (false, false) => "read",
            };
            let body = serde_json::json!({"name": name, "access": access});
            let req = r.auth(r.agent.post(format!("{}/admin/tokens", r.base)));
            let t: Value = r.answer(
                req.header("Content-Type", "application/json")
                    .send(body.to_string()),
            )?;
            if json {
                super::output::json_line(out, &t)?;
            } else {
                writeln!(out, "{}", t["token"].as_str().unwrap_or(""))?;
                eprintln!("token '{name}' ({access}); it is shown only this once");
            }
        }
        TokenCommand::List => {
            let list: Vec<Value> = r.get("/admin/tokens", &[])?;
            for t in list {
                if json {
                    super::output::json_line(out, &t)?;
                } else {
                    writeln!(
                        out,
                        "{:<20} {:<6} {}",
                        super::output::clean(t["name"].as_str().unwrap_or("")),
                        t["access"].as_str().unwrap_or(""),
                        t["created"].as_str().unwrap_or("")
                    )?;
                }
            }
        }
        TokenCommand::Revoke { name, .. } => {
            let req = r.auth(
                r.agent
                    .delete(format!("{}/admin/tokens/{}", r.base, segment(name))),
            );
            let _: Value = r.answer(req.call())?;
            if !json {
                writeln!(out, "revoked token '{}'", super::output::clean(name))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Uploads in flight at once: the server reads one file (hash, metadata, fingerprint) while
/// it commits the other. More take CPU from the server's readers: with 4, reads during a
/// batch upload had a p99 of 7–100 ms against 4–6 ms with 2, for the same upload time
/// (tests/bench/http.sh).
const IN_FLIGHT: usize = 2;

/// `byline --server URL add …`: one upload per file, a few at a time, reported in order like
/// a local add.
fn upload(r: &Remote, args: &add::AddArgs, json: bool, out: &mut impl Write) -> Result<ExitCode> {
    let edits = args.fields.edits()?;
    let fields = (!edits.is_empty()).then(|| Value::Object(edits.into_iter().collect()));
    let (mut added, mut dupes, mut failed) = (0usize, 0usize, 0usize);
    let paths = add::expand(&args.paths);
    for group in paths.chunks(IN_FLIGHT) {
        let reports: Vec<add::Report> = std::thread::scope(|s| {
            let running: Vec<_> = group
                .iter()
                .map(|path| (path, s.spawn(|| upload_one(r, path, fields.as_ref()))))
                .collect();
            running
                .into_iter()
                .map(|(path, h)| {
                    h.join().unwrap_or_else(|_| {
                        add::failed(
                            path.display().to_string(),
                            "the upload thread failed".into(),
                        )
                    })
                })
                .collect()
        });
        for report in &reports {
            match report.status {
                "added" => added += 1,
                "duplicate" => dupes += 1,
                _ => failed += 1,
            }
        }
        add::print_reports(&reports, json, out)?;
    }
    add::finish(added, dupes, failed, json, out)
}

/// Upload one file; what went wrong is the report's error.
fn upload_one(r: &Remote, path: &std::path::Path, fields: Option<&Value>) -> add::Report {
    let shown = path.display().to_string();
    let bytes = match add::read_file(path) {
        Ok(b) => b,
        Err(e) => return add::failed(shown, e),
    };
    let mut req = r
        .auth(r.agent.post(format!("{}/photos", r.base)))
        .query("name", &shown);
    if let Some(f) = fields {
        req = req.query("fields", f.to_string());
    }
    let res = req
        .header("Content-Type", "application/octet-stream")
        .send(&bytes[..]);
    match r.answer::<Value>(res) {
        Ok(v) => add::Report {
            path: shown,
            id: v["id"].as_str().map(String::from),
            status: if v["status"] == "duplicate" {
                "duplicate"
            } else {
                "added"
            },
            error: None,
            missing: serde_json::from_value(v["missing"].clone()).unwrap_or_default(),
            credit: v["credit"].as_str().map(String::from),
            rendition_warnings: Vec::new(),
        },
        Err(e) => add::failed(shown, format!("{e:#}")),
    }
}

/// A byline error the server answered with: callers match on its `code`, never on the text.
#[derive(Debug)]
struct ServerError {
    message: String,
    code: String,
    status: u16,
}

impl std::fmt::Display for ServerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "server: {} ({}, HTTP {})",
            self.message, self.code, self.status
        )
    }
}

impl std::error::Error for ServerError {}
