//! What the integration tests share: the `saksi` command with a clean
//! environment, a running server read from its own output, a plain
//! HTTP/1.1 request, small conversions, and the lock that keeps the
//! timing-sensitive tests apart from the heavy ones.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub mod browser;
pub mod chain;
pub mod pg;

/// All the tests are one binary, run on as many threads as there are
/// cores. The crash tests drive a server at full speed; a test that bounds
/// how long something takes (the writer lease) must not share the two
/// cores with them. The heavy tests take this lock to read (they may run
/// together, as they did when they were a binary of their own), a timed
/// test takes it to write, so it runs while none of them does.
static LOAD: RwLock<()> = RwLock::new(());

/// Held by a test that loads the machine at full speed.
pub fn heavy() -> RwLockReadGuard<'static, ()> {
    LOAD.read().unwrap_or_else(|e| e.into_inner())
}

/// Held by a test whose assertions bound a duration: no heavy test runs
/// meanwhile.
pub fn timed() -> RwLockWriteGuard<'static, ()> {
    LOAD.write().unwrap_or_else(|e| e.into_inner())
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A temporary path as a command-line argument.
pub fn path(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

/// Lowercase hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The clock, in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The `saksi` binary, without any `SAKSI_*` setting from the caller's
/// environment.
pub fn saksi() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_saksi"));
    for var in [
        "SAKSI_DATA_DIR",
        "SAKSI_SCALE",
        "SAKSI_SEED",
        "SAKSI_RATE",
        "SAKSI_LISTEN",
        "SAKSI_PASSWORD",
        "SAKSI_SERVER",
        "SAKSI_ORIGIN",
        "SAKSI_CA_CERT",
        "SAKSI_INCIDENTS_EVERY",
        "SAKSI_INCIDENT_DEADLINES",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// `saksi ARGS...` to its end, its output.
pub fn run(args: &[&str]) -> Output {
    saksi().args(args).output().expect("the binary runs")
}

/// One HTTP/1.1 request with `Connection: close`; returns status and body.
pub fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    try_http(addr, method, path, headers, body).expect("the server answers")
}

/// [`http`], with a connection failure as an error (for a server that may
/// be gone).
pub fn try_http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    // Every body these tests send is JSON; the server refuses a JSON
    // endpoint's body sent as anything else.
    if !body.is_empty()
        && !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        request.push_str("Content-Type: application/json\r\n");
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes())?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not an HTTP answer: {response:?}")))?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// A GET.
pub fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    http(addr, "GET", path, &[], "")
}

/// A body as JSON, or a failure that shows it.
pub fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// A running `saksi demo` or `saksi serve`, killed when dropped.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    printed: String,
    rest: Option<JoinHandle<String>>,
}

impl Server {
    /// Starts `saksi <args> --listen 127.0.0.1:0` on a port the system
    /// picks, and reads the address the server prints (so parallel tests
    /// never race for a port).
    pub fn start(args: &[&str]) -> Server {
        Server::start_env(args, &[])
    }

    /// [`Server::start`] with these environment variables set.
    pub fn start_env(args: &[&str], env: &[(&str, &str)]) -> Server {
        Server::spawn(args, env, Stdio::null())
    }

    /// [`Server::start`] with standard error written to `file`.
    pub fn start_logged(args: &[&str], file: &Path) -> Server {
        Server::spawn(args, &[], std::fs::File::create(file).unwrap().into())
    }

    fn spawn(args: &[&str], env: &[(&str, &str)], stderr: Stdio) -> Server {
        let mut child = saksi()
            .envs(env.iter().copied())
            .args(args)
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut printed = String::new();
        let addr = loop {
            let mut line = String::new();
            if stdout.read_line(&mut line).unwrap() == 0 {
                panic!("the server exited before it listened: {printed}");
            }
            printed.push_str(&line);
            if let Some((_, url)) = line.trim().split_once("http://") {
                break url.trim_end_matches('/').parse().unwrap();
            }
        };
        let rest = std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = stdout.read_to_string(&mut rest);
            rest
        });
        Server {
            child,
            addr,
            printed,
            rest: Some(rest),
        }
    }

    /// A demo of a small election (seed `seed`) streaming `rate` forms/s.
    pub fn demo(dir: &Path, seed: &str, rate: &str) -> Server {
        Server::start(&Server::demo_args(dir, seed, rate))
    }

    /// [`Server::demo`] with its stderr in `log`, for what it prints as it
    /// goes.
    pub fn demo_logged(dir: &Path, seed: &str, rate: &str, log: &Path) -> Server {
        Server::start_logged(&Server::demo_args(dir, seed, rate), log)
    }

    fn demo_args<'a>(dir: &'a Path, seed: &'a str, rate: &'a str) -> [&'a str; 9] {
        [
            "demo",
            "--data-dir",
            dir.to_str().unwrap(),
            "--scale",
            "0.001",
            "--seed",
            seed,
            "--rate",
            rate,
        ]
    }

    /// `saksi serve` of an existing data directory.
    pub fn serve(dir: &Path) -> Server {
        Server::start(&["serve", "--data-dir", dir.to_str().unwrap()])
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Sends SIGTERM and waits (at most 30 s) for the exit. A demo stops
    /// in well under a second on its own; the margin is for a machine
    /// running many tests' servers and builds at once, where a stop under
    /// a load average of 10 on two cores was seen to pass 10 s.
    pub fn terminate(&mut self) -> ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not stop within 30 s of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Everything the server printed, once it has exited.
    pub fn output(&mut self) -> String {
        let rest = self
            .rest
            .take()
            .map(|r| r.join().unwrap())
            .unwrap_or_default();
        format!("{}{rest}", self.printed)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
