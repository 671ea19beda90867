//! A real SeaweedFS (`weed server` with its S3 gateway) on loopback, for the S3 blob backend
//! tests: started by the test on free ports with one access key, stopped by PID when dropped.
//! `.ci/run` installs `weed`; without it the tests skip, unless `BYLINE_REQUIRE_SEAWEEDFS`
//! is set.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The access key the test server accepts.
pub const ACCESS_KEY: &str = "byline-test";
/// Its secret.
pub const SECRET_KEY: &str = "byline-test-secret";

/// A running SeaweedFS; SIGKILLed and reaped when dropped.
pub struct Seaweed {
    child: Child,
    args: Vec<String>,
    master: u16,
    /// `http://127.0.0.1:PORT` of the S3 gateway.
    pub endpoint: String,
    dir: tempfile::TempDir,
}

impl Seaweed {
    /// Start one, or return `None` (after saying so) when `weed` is not installed.
    pub fn start() -> Option<Seaweed> {
        if Command::new("weed").arg("version").output().is_err() {
            super::skip_missing_peer("SeaweedFS (weed)", "BYLINE_REQUIRE_SEAWEEDFS");
            return None;
        }
        let dir = tempfile::tempdir().expect("a temporary directory");
        let config = dir.path().join("s3.json");
        std::fs::write(
            &config,
            serde_json::json!({
                "identities": [{
                    "name": "byline",
                    "credentials": [{ "accessKey": ACCESS_KEY, "secretKey": SECRET_KEY }],
                    "actions": ["Admin", "Read", "Write", "List", "Tagging"]
                }]
            })
            .to_string(),
        )
        .expect("write s3.json");
        // One start at a time: four `weed server`s booting together on two busy cores is
        // where a start gets slow. A failed start (a `weed` that exits, or never gets ready)
        // is retried on new ports with a fresh data folder.
        let _one_at_a_time = STARTING.lock().unwrap_or_else(|e| e.into_inner());
        let mut failures = Vec::new();
        for attempt in 0..3 {
            let data = dir.path().join(format!("data-{attempt}"));
            std::fs::create_dir_all(&data).expect("data dir");
            let ports = free_ports(8);
            let args = arguments(&data, &config, &ports);
            let mut child = spawn(dir.path(), &args);
            let endpoint = format!("http://127.0.0.1:{}", ports[0]);
            match wait_ready(&mut child, ports[2], &endpoint, dir.path()) {
                Ok(()) => {
                    let master = ports[2];
                    return Some(Seaweed {
                        child,
                        args,
                        master,
                        endpoint,
                        dir,
                    });
                }
                Err(why) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    failures.push(why);
                }
            }
        }
        panic!(
            "SeaweedFS did not start in 3 tries:\n{}",
            failures.join("\n---\n")
        );
    }

    /// Stop it (SIGKILL, as a crash or an outage would) and wait for it to go.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Start it again on the same ports and data, after [`Seaweed::kill`]. The ports stay
    /// the same (clients know the endpoint); they lie below the kernel's ephemeral range, so
    /// no outgoing connection can have taken one meanwhile.
    pub fn restart(&mut self) {
        let _one_at_a_time = STARTING.lock().unwrap_or_else(|e| e.into_inner());
        let mut failures = Vec::new();
        for _ in 0..3 {
            self.child = spawn(self.dir.path(), &self.args);
            match wait_ready(
                &mut self.child,
                self.master,
                &self.endpoint,
                self.dir.path(),
            ) {
                Ok(()) => return,
                Err(why) => {
                    self.kill();
                    failures.push(why);
                }
            }
        }
        panic!(
            "SeaweedFS did not restart in 3 tries:\n{}",
            failures.join("\n---\n")
        );
    }

    /// The environment a byline process needs to reach it (as an operator would set it).
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.endpoint.clone()),
            ("AWS_ACCESS_KEY_ID", ACCESS_KEY.into()),
            ("AWS_SECRET_ACCESS_KEY", SECRET_KEY.into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_ALLOW_HTTP", "true".into()),
        ]
    }
}

impl Drop for Seaweed {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(dir: &Path, args: &[String]) -> Child {
    Command::new("weed")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(log(dir))
        .stderr(log(dir))
        .spawn()
        .expect("weed starts")
}

fn log(dir: &Path) -> Stdio {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("weed.log"))
        .map(Stdio::from)
        .unwrap_or_else(|_| Stdio::null())
}

/// Wait until a write can succeed: a volume server has registered with the master, and
/// the S3 gateway answers (it refuses an unsigned request with an `<Error>`). It takes a
/// few seconds; a `weed` that exits, or is not ready in 90 s, is an error carrying the
/// end of its log.
fn wait_ready(child: &mut Child, master: u16, endpoint: &str, dir: &Path) -> Result<(), String> {
    let start = Instant::now();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(2)))
        .build()
        .into();
    let ok = |url: &str, want: &str| {
        agent
            .get(url)
            .call()
            .ok()
            .and_then(|mut r| r.body_mut().read_to_string().ok())
            .is_some_and(|body| body.contains(want))
    };
    while !(ok(&format!("http://127.0.0.1:{master}/dir/status"), "\"Url\":")
        && ok(endpoint, "<Error>"))
    {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("weed exited ({status}):\n{}", log_tail(dir)));
        }
        if start.elapsed() > Duration::from_secs(90) {
            return Err(format!("weed not ready in 90 s:\n{}", log_tail(dir)));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok(())
}

/// The last lines `weed` wrote, for a failure message.
fn log_tail(dir: &Path) -> String {
    let log = std::fs::read_to_string(dir.join("weed.log")).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(30)..].join("\n")
}

/// Serialises starts within one test binary.
static STARTING: Mutex<()> = Mutex::new(());

/// The `weed server` arguments for one instance on `ports` (S3, its gRPC, master, its gRPC,
/// volume, its gRPC, filer, its gRPC).
fn arguments(data: &Path, config: &Path, ports: &[u16]) -> Vec<String> {
    vec![
        "server".into(),
        "-ip=127.0.0.1".into(),
        "-ip.bind=127.0.0.1".into(),
        format!("-dir={}", data.display()),
        "-filer".into(),
        "-s3".into(),
        // Each bucket is a collection with volumes of its own: allow plenty, keep them
        // small (they are not preallocated).
        "-volume.max=50".into(),
        "-master.volumeSizeLimitMB=32".into(),
        format!("-s3.config={}", config.display()),
        format!("-s3.port={}", ports[0]),
        format!("-s3.port.grpc={}", ports[1]),
        format!("-master.port={}", ports[2]),
        format!("-master.port.grpc={}", ports[3]),
        format!("-volume.port={}", ports[4]),
        format!("-volume.port.grpc={}", ports[5]),
        format!("-filer.port={}", ports[6]),
        format!("-filer.port.grpc={}", ports[7]),
        "-s3.port.iceberg=0".into(),
        "-s3.port.lance=0".into(),
    ]
}

/// `n` distinct loopback ports that are free now, chosen below the kernel's ephemeral range
/// (`ip_local_port_range`): a port the kernel hands out for `bind(0)` or an outgoing
/// connection could be taken by another process's connection between our choosing it and
/// `weed` binding it, and `weed` picks its ports only from flags. The start is spread by the
/// process id and the clock, so parallel test binaries rarely try the same ports.
pub fn free_ports(n: usize) -> Vec<u16> {
    let ephemeral_low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|r| r.split_whitespace().next()?.parse::<u32>().ok())
        .unwrap_or(32768)
        .clamp(12_000, 65_535);
    let (low, span) = (10_000u32, ephemeral_low - 10_000);
    let seed = std::process::id()
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
    let mut ports = Vec::with_capacity(n);
    let mut held = Vec::with_capacity(n);
    for i in 0..span {
        let port = u16::try_from(low + (seed.wrapping_add(i.wrapping_mul(7919))) % span)
            .expect("below 65536");
        if ports.contains(&port) {
            continue;
        }
        if let Ok(listener) = TcpListener::bind(("127.0.0.1", port)) {
            ports.push(port);
            held.push(listener);
            if ports.len() == n {
                return ports;
            }
        }
    }
    panic!("no {n} free loopback ports below {ephemeral_low}");
}
