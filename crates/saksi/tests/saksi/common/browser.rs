//! The tools the browser tests drive outside Rust: Node, npm, Playwright's
//! library (`e2e/`, pinned in `e2e/package-lock.json`; it downloads no
//! browser) and Debian's chromium. Each is found on `PATH`; one that is
//! missing skips the test with the reason printed, except under `CI=true`,
//! where it fails it (`.ci/run` installs them all).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// The repository's root, where `e2e/` and `crates/` are.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The first of `names` on `PATH`.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// `found`, or `None` after printing why the test is skipped; under CI a
/// missing tool fails the test instead.
fn required(found: Option<PathBuf>, what: &str, install: &str) -> Option<PathBuf> {
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must have {what} on PATH ({install})"
        );
        eprintln!("skipped: no {what} on PATH ({install})");
    }
    found
}

/// Node on `PATH` (20 or later: WebCrypto Ed25519), or `None` outside CI.
pub fn node() -> Option<PathBuf> {
    required(on_path(&["node"]), "node", "apt-get install nodejs")
}

/// The headless browser on `PATH`, or `None` outside CI.
pub fn chromium() -> Option<PathBuf> {
    required(
        on_path(&["chromium", "chromium-browser", "google-chrome"]),
        "chromium",
        "apt-get install chromium",
    )
}

/// Node and chromium as [`playwright`] found them, once per test process.
static PLAYWRIGHT: OnceLock<Option<(PathBuf, PathBuf)>> = OnceLock::new();

/// Readies the end-to-end scripts: node, chromium, and `e2e/node_modules`
/// (installed with `npm ci --prefix e2e` if it does not hold the locked
/// Playwright yet). Returns chromium's path, or `None` (reason printed)
/// when a tool is missing outside CI.
pub fn playwright() -> Option<PathBuf> {
    PLAYWRIGHT
        .get_or_init(|| {
            let node = node()?;
            let browser = chromium()?;
            ensure_node_modules()?;
            Some((node, browser))
        })
        .as_ref()
        .map(|(_, browser)| browser.clone())
}

/// Runs `npm ci --prefix e2e` unless `e2e/node_modules` already holds the
/// locked `playwright-core`. An exclusive lock on a file beside it keeps
/// two test processes from installing at once (and from deleting the
/// modules under a script running in the other); within one process the
/// caller's `OnceLock` runs this once.
fn ensure_node_modules() -> Option<()> {
    let e2e = workspace().join("e2e");
    let lock = File::create(e2e.join(".npm-ci.lock")).expect("e2e/ is writable");
    lock.lock().expect("locks e2e/.npm-ci.lock");
    if installed(&e2e) {
        return Some(());
    }
    let npm = required(on_path(&["npm"]), "npm", "apt-get install npm")?;
    let out = Command::new(npm)
        .args(["ci", "--no-audit", "--no-fund", "--prefix"])
        .arg(&e2e)
        .stdin(Stdio::null())
        .output()
        .expect("npm runs");
    assert!(
        out.status.success() && installed(&e2e),
        "npm ci --prefix e2e failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(())
}

/// Whether `e2e/node_modules` holds the `playwright-core` version the lock
/// file pins.
fn installed(e2e: &Path) -> bool {
    let version = |file: PathBuf, pointer: &str| {
        let text = std::fs::read_to_string(file).ok()?;
        let value: serde_json::Value = serde_json::from_str(&text).ok()?;
        value.pointer(pointer)?.as_str().map(str::to_owned)
    };
    let locked = version(
        e2e.join("package-lock.json"),
        "/packages/node_modules~1playwright-core/version",
    );
    let present = version(
        e2e.join("node_modules/playwright-core/package.json"),
        "/version",
    );
    locked.is_some() && locked == present
}

/// Runs `node e2e/<script>` from the repository's root with `CHROMIUM` set
/// to the browser and `env` added; its output, whatever its exit. Call
/// [`playwright`] first (and skip the test if it answers `None`).
pub fn run_script(script: &Path, env: &[(&str, &str)]) -> Output {
    let (node, browser) = PLAYWRIGHT
        .get()
        .cloned()
        .flatten()
        .expect("browser::playwright() found everything before run_script");
    Command::new(node)
        .arg(workspace().join("e2e").join(script))
        .current_dir(workspace())
        .env("CHROMIUM", browser)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("node runs")
}

/// Runs `node e2e/<script>` (no browser) with `input` on its standard
/// input, and answers what it prints as JSON ([`script_json`]): the
/// agreement tests hand their generated cases to a Node script this way.
pub fn node_json(node: &Path, script: &str, input: &str) -> serde_json::Value {
    let mut child = Command::new(node)
        .arg(workspace().join("e2e").join(script))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), input.as_bytes()).unwrap();
    script_json(&child.wait_with_output().unwrap())
}

/// A script's standard output as JSON, or a failure that shows everything
/// it printed.
pub fn script_json(out: &Output) -> serde_json::Value {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the script failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("the script printed no JSON ({e}):\n{stdout}\n{stderr}"))
}
