//! Only one server writes an election (README, "Writer lease"): a second
//! `saksi serve` on a data directory whose server is running refuses to
//! become a second writer; after `kill -9` of that server, a new one waits
//! at most the lease's TTL, says so, and takes over with a greater fencing
//! token; a server stopped with SIGTERM releases the lease, so the next one
//! starts at once. Admin commands need no lease. Every server here runs
//! with `--lease-seconds 2`.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::{get, json, path, saksi, text};

const LEASE_SECONDS: &str = "2";

/// `saksi serve` of `dir` with a 2 s lease on a port the system picks.
fn serve_command(dir: &Path) -> Command {
    let mut cmd = saksi();
    cmd.args(["serve", "--data-dir", path(dir), "--listen", "127.0.0.1:0"])
        .args(["--lease-seconds", LEASE_SECONDS]);
    cmd
}

/// A running `saksi serve` whose standard error is kept as it comes (the
/// lease's messages), killed when dropped.
struct Serving {
    child: Child,
    addr: SocketAddr,
    stderr: Arc<Mutex<String>>,
}

impl Serving {
    fn start(dir: &Path) -> Serving {
        let mut child = serve_command(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut pipe = BufReader::new(child.stderr.take().unwrap());
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut line = String::new();
            while matches!(pipe.read_line(&mut line), Ok(n) if n > 0) {
                sink.lock().unwrap().push_str(&line);
                line.clear();
            }
        });
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let addr = loop {
            let mut line = String::new();
            if stdout.read_line(&mut line).unwrap() == 0 {
                let _ = child.wait();
                std::thread::sleep(Duration::from_millis(100));
                panic!(
                    "the server exited before it listened: {}",
                    stderr.lock().unwrap()
                );
            }
            if let Some((_, url)) = line.trim().split_once("http://") {
                break url.trim_end_matches('/').parse().unwrap();
            }
        };
        std::thread::spawn(move || {
            let mut rest = String::new();
            let _ = stdout.read_to_string(&mut rest);
        });
        Serving {
            child,
            addr,
            stderr,
        }
    }

    /// What the server printed on standard error once it contains `what`
    /// (waiting at most 10 s for the pipe).
    fn said(&self, what: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let said = self.stderr.lock().unwrap().clone();
            if said.contains(what) || Instant::now() > deadline {
                return said;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The fencing token it printed on taking the lease.
    fn token(&self) -> u64 {
        let said = self.said("fencing token ");
        let (_, after) = said
            .split_once("fencing token ")
            .unwrap_or_else(|| panic!("no token printed: {said}"));
        after
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }

    /// SIGTERM, and the exit status (within 10 s).
    fn terminate(&mut self) -> ExitStatus {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        wait_at_most(&mut self.child, Duration::from_secs(10))
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_at_most(child: &mut Child, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the process did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs `cmd` to its end (at most `limit`) and returns its output.
fn run_at_most(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let reading = std::thread::spawn(move || {
        let (mut o, mut e) = (Vec::new(), Vec::new());
        let _ = out.read_to_end(&mut o);
        let _ = err.read_to_end(&mut e);
        (o, e)
    });
    let status = wait_at_most(&mut child, limit);
    let (stdout, stderr) = reading.join().unwrap();
    Output {
        status,
        stdout,
        stderr,
    }
}

fn init(dir: &Path) {
    let out = saksi()
        .args(["init", "--data-dir", path(dir), "--scale", "0.001"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}

fn healthy(addr: SocketAddr) {
    let (status, body) = get(addr, "/healthz");
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["status"], "ok", "{body}");
}

#[test]
fn a_second_server_refuses_to_write_and_a_restart_after_kill_9_waits_at_most_the_lease() {
    // It bounds how long the refusal and the takeover take.
    let _quiet = crate::common::timed();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    init(&dir);
    let mut first = Serving::start(&dir);
    let said = first.said("acquired the write lease");
    assert!(
        said.contains("acquired the write lease (fencing token"),
        "{said}"
    );
    let first_token = first.token();
    healthy(first.addr);

    // A second server on the same election while the first renews: refused,
    // and the first goes on. (How soon, at the first renewal it sees, is
    // shown on an injected clock: saksi-server's lease tests.)
    let second = run_at_most(serve_command(&dir), Duration::from_secs(20));
    let err = text(&second.stderr);
    assert!(!second.status.success(), "the second server started: {err}");
    assert!(err.contains("holds the write lease until"), "{err}");
    assert!(
        err.contains("is writing this election; refusing to become a second writer"),
        "{err}"
    );
    assert!(!err.contains("Saksi is serving"), "{err}");
    healthy(first.addr);

    // Admin commands need no lease.
    let added = saksi()
        .args(["user", "add", "--data-dir", path(&dir)])
        .args([
            "--username",
            "ketua.lease",
            "--role",
            "kpu-ri",
            "--region",
            "0",
        ])
        .env("SAKSI_PASSWORD", "rahasia-panjang-sekali")
        .output()
        .unwrap();
    assert!(added.status.success(), "{}", text(&added.stderr));

    // kill -9: the lease is not released; the next server waits it out, at
    // most the lease's 2 s by what it says (the wait itself is shown on an
    // injected clock: saksi-server's lease tests).
    first.child.kill().unwrap();
    first.child.wait().unwrap();
    let restarted = Serving::start(&dir);
    let said = restarted.said("after waiting");
    let up_to: u64 = said
        .split("waiting up to ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no bound said: {said}"));
    assert!(up_to <= 2, "{said}");
    assert!(
        said.contains("(a server killed without stopping releases it after at most"),
        "{said}"
    );
    assert!(said.contains("after waiting"), "{said}");
    let restarted_token = restarted.token();
    assert!(restarted_token > first_token, "{said}");
    healthy(restarted.addr);

    // SIGTERM releases the lease: the next server starts without waiting.
    let mut restarted = restarted;
    assert!(restarted.terminate().success());
    let next = Serving::start(&dir);
    let said = next.said("acquired the write lease");
    assert!(said.contains("acquired the write lease"), "{said}");
    assert!(!said.contains("waiting"), "{said}");
    assert!(next.token() > restarted_token);
    healthy(next.addr);
}

#[test]
fn the_lease_lasts_two_to_ten_seconds() {
    let tmp = tempfile::tempdir().unwrap();
    for seconds in ["1", "11"] {
        let out = saksi()
            .args(["serve", "--data-dir", path(tmp.path())])
            .args(["--lease-seconds", seconds])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = text(&out.stderr);
        assert!(err.contains("--lease-seconds"), "{err}");
        assert!(err.contains("2..=10"), "{err}");
    }
}
