//! Crash safety of `byline add`: the real binary killed with SIGKILL at many moments.
//! Afterwards every photo it reported as stored must be there, every blob must re-hash to its
//! name, and `byline verify` must be clean.

mod common;

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use common::{Store, corpus, json_lines, sample};

const ROUNDS: u64 = 24;
const FILES_PER_ROUND: usize = 200;

/// Small real photos to copy; each copy gets unique bytes after its end-of-image marker.
fn sources() -> Vec<Vec<u8>> {
    [
        sample("afp-nato-brussels.jpg"),
        sample("ap-pool-summit.jpg"),
        sample("reuters-handout-flood.jpg"),
        corpus("afp-getty-xmp.jpg"),
        corpus("navy-reagan.jpg"),
        corpus("swedish-mixed-latin1-utf8.jpg"),
    ]
    .iter()
    .map(|p| std::fs::read(p).expect("source photo"))
    .collect()
}

fn write_round(dir: &Path, round: u64, sources: &[Vec<u8>]) {
    std::fs::create_dir_all(dir).expect("round folder");
    for i in 0..FILES_PER_ROUND {
        let mut bytes = sources[i % sources.len()].clone();
        bytes.extend_from_slice(format!("round {round} copy {i}").as_bytes());
        std::fs::write(dir.join(format!("photo-{i:03}.jpg")), bytes).expect("write copy");
    }
}

#[test]
fn killing_add_at_random_moments_loses_nothing_reported() {
    let s = Store::new();
    let sources = sources();
    // A fixed-seed generator, so a failure can be replayed.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut reported: BTreeSet<String> = BTreeSet::new();
    let mut killed_mid_batch = 0;
    // How long a whole round takes here, so kills land inside rounds on fast and slow machines.
    let warmup = s.dir.path().join("warmup");
    write_round(&warmup, u64::MAX, &sources);
    let started = std::time::Instant::now();
    s.cmd(&["add"]).arg(&warmup).assert().success();
    let whole_round = started.elapsed().as_micros().max(20_000) as u64;
    for round in 0..ROUNDS {
        let dir = s.dir.path().join(format!("round-{round}"));
        write_round(&dir, round, &sources);
        // Every other round also re-adds the previous round's files (duplicates + repairs).
        let mut cmd = s.cmd(&["add", "--json"]);
        cmd.arg(&dir);
        if round % 2 == 1 {
            cmd.arg(s.dir.path().join(format!("round-{}", round - 1)));
        }
        let mut child = std::process::Command::new(cmd.get_program())
            .args(cmd.get_args())
            .env_remove("BYLINE_STORE")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn byline add");
        std::thread::sleep(Duration::from_micros(1_000 + next() % (whole_round * 3 / 2)));
        let finished = child.try_wait().expect("poll").is_some();
        child.kill().ok(); // SIGKILL
        child.wait().expect("reap");
        let mut out = String::new();
        child
            .stdout
            .take()
            .expect("stdout")
            .read_to_string(&mut out)
            .expect("read output");
        // The last line may be cut by the kill; only whole lines count as reported.
        let whole = match out.rfind('\n') {
            Some(i) => &out[..=i],
            None => "",
        };
        let lines = json_lines(whole);
        if !finished && lines.len() < FILES_PER_ROUND {
            killed_mid_batch += 1;
        }
        for l in lines {
            if l["status"] == "added" || l["status"] == "duplicate" {
                reported.insert(l["id"].as_str().expect("id").to_string());
            }
        }

        let (code, out, err) = s.run(&["verify", "--json"]);
        assert_eq!(code, 0, "round {round}: verify not clean: {out}{err}");
        let stored: BTreeSet<String> = json_lines(&s.ok(&["list", "--json"]))
            .iter()
            .map(|r| r["id"].as_str().expect("id").to_string())
            .collect();
        let lost: Vec<_> = reported.difference(&stored).collect();
        assert!(
            lost.is_empty(),
            "round {round}: reported but lost: {lost:?}"
        );
    }
    eprintln!(
        "{killed_mid_batch} of {ROUNDS} rounds killed mid-batch; {} photos reported",
        reported.len()
    );
    assert!(
        killed_mid_batch >= 8,
        "only {killed_mid_batch} of {ROUNDS} rounds were killed mid-batch; the test lost its teeth"
    );
    assert!(!reported.is_empty());
}
