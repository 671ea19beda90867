//! A real SeaweedFS (`weed server` with its S3 gateway) on loopback, for the S3 blob backend
//! tests: started by the test on free ports with one access key, stopped by PID when dropped.
//! `.ci/run` installs `weed`; without it the tests skip, unless `BYLINE_REQUIRE_SEAWEEDFS`
//! is set.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
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
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).expect("data dir");
        let ports = free_ports(8);
        let s3 = ports[0];
        let args: Vec<String> = vec![
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
            format!("-s3.port={s3}"),
            format!("-s3.port.grpc={}", ports[1]),
            format!("-master.port={}", ports[2]),
            format!("-master.port.grpc={}", ports[3]),
            format!("-volume.port={}", ports[4]),
            format!("-volume.port.grpc={}", ports[5]),
            format!("-filer.port={}", ports[6]),
            format!("-filer.port.grpc={}", ports[7]),
            "-s3.port.iceberg=0".into(),
            "-s3.port.lance=0".into(),
        ];
        let weed = Seaweed {
            child: spawn(dir.path(), &args),
            args,
            master: ports[2],
            endpoint: format!("http://127.0.0.1:{s3}"),
            dir,
        };
        weed.wait_ready();
        Some(weed)
    }

    /// Stop it (SIGKILL, as a crash or an outage would) and wait for it to go.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Start it again on the same ports and data, after [`Seaweed::kill`].
    pub fn restart(&mut self) {
        self.child = spawn(self.dir.path(), &self.args);
        self.wait_ready();
    }

    /// Wait until a write can succeed: a volume server has registered with the master, and
    /// the S3 gateway answers (it refuses an unsigned request with an `<Error>`). It takes a
    /// few seconds.
    fn wait_ready(&self) {
        let master = self.master;
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
            && ok(&self.endpoint, "<Error>"))
        {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "SeaweedFS did not start within 60 s"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
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

/// `n` distinct free loopback ports (held together while chosen, so none repeats).
fn free_ports(n: usize) -> Vec<u16> {
    let listeners: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("bind a free port"))
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().expect("bound address").port())
        .collect()
}
