//! Installing the SDKs that the interoperability tests (`tests/sdk_interop.rs`,
//! `tests/eventgrid_sdk.rs`) drive (the CloudEvents SDKs for Python and Node, the Azure Event Grid
//! SDK for Python): installed once under the cargo target directory and reused. When an
//! interpreter or a package install is not available the test skips (see [`Skip`]).

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::target_dir;

/// Why a test cannot run here: only a missing interpreter or a failed package install. The
/// test then prints `SKIPPED: <reason>` on stderr and passes; any other failure fails it.
pub struct Skip(pub String);

/// A [`Skip`] for `reason`.
fn skip(reason: impl Into<String>) -> Skip {
    Skip(reason.into())
}

/// The last lines of a failed command's output, for a skip reason or a panic message.
fn tail(output: &Output) -> String {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(5)..].join(" | ")
}

/// Runs a setup command; `Ok(None)` when it could not be started at all.
fn run(command: &mut Command) -> io::Result<Option<Output>> {
    match command.stdin(Stdio::null()).output() {
        Ok(output) => Ok(Some(output)),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error),
    }
}

/// The output of a setup command that ran and succeeded. Else a [`Skip`]: `missing` when it
/// could not be started, `<failed()> failed: <the end of its output>` when it failed.
fn succeeded(
    output: Option<Output>,
    missing: impl Into<String>,
    failed: impl FnOnce() -> String,
) -> Result<Output, Skip> {
    match output {
        None => Err(skip(missing)),
        Some(out) if !out.status.success() => {
            Err(skip(format!("{} failed: {}", failed(), tail(&out))))
        }
        Some(out) => Ok(out),
    }
}

/// Holds an exclusive lock on `<target>/<name>.lock` while an SDK directory is made, so that
/// two test processes sharing the target directory do not install into it at once.
fn setup_lock(name: &str) -> File {
    let target = target_dir();
    fs::create_dir_all(&target).expect("the target directory could not be created");
    let lock = File::create(target.join(format!("{name}.lock"))).expect("lock file");
    lock.lock().expect("the SDK setup lock could not be taken");
    lock
}

/// The Python of `<target>/<venv>`, made with `python3 -m venv` and holding each
/// `(distribution, version)` of `pins` at exactly that version (installed with pip when the
/// venv does not hold them yet). Made under the lock `<target>/<venv>.lock`.
pub fn python_venv(venv: &str, pins: &[(&str, &str)]) -> Result<PathBuf, Skip> {
    let _lock = setup_lock(venv);
    let dir = target_dir().join(venv);
    let python = if cfg!(windows) {
        dir.join("Scripts").join("python.exe")
    } else {
        dir.join("bin").join("python")
    };
    let requirements: Vec<String> = pins
        .iter()
        .map(|(name, version)| format!("{name}=={version}"))
        .collect();
    let expected = pins
        .iter()
        .map(|(_, version)| *version)
        .collect::<Vec<_>>()
        .join(" ");
    let probe = format!(
        "import importlib.metadata as m, sys; \
         sys.stdout.write(' '.join(m.version(d) for d in {:?}))",
        pins.iter().map(|(name, _)| *name).collect::<Vec<_>>()
    );
    let installed = |python: &Path| {
        run(Command::new(python).args(["-c", &probe]))
            .ok()
            .flatten()
            .is_some_and(|out| out.status.success() && out.stdout == expected.as_bytes())
    };
    if python.is_file() && installed(&python) {
        return Ok(python);
    }
    if !python.is_file() {
        let made = run(Command::new("python3").arg("-m").arg("venv").arg(&dir))
            .expect("python3 could not be run");
        succeeded(made, "python3 is not installed (not on PATH)", || {
            format!("python3 -m venv {}", dir.display())
        })?;
    }
    let pip = run(Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "--quiet",
        ])
        .args(&requirements))
    .expect("the virtualenv's python could not be run");
    succeeded(pip, format!("{} is missing", python.display()), || {
        format!("pip install {}", requirements.join(" "))
    })?;
    assert!(
        installed(&python),
        "pip installed {} into {} but the venv does not hold those versions",
        requirements.join(" "),
        dir.display()
    );
    Ok(python)
}

/// `node` (18 or later, for its built-in fetch) and `<target>/<dir>/node_modules` holding
/// `package` at exactly `version` (installed with npm when it does not hold it yet). Made under
/// the lock `<target>/<dir>.lock`.
pub fn node_modules(dir: &str, package: &str, version: &str) -> Result<PathBuf, Skip> {
    let node = run(Command::new("node").arg("--version")).expect("node could not be run");
    let node = succeeded(node, "node is not installed (not on PATH)", || {
        "node --version".to_owned()
    })?;
    let node = String::from_utf8_lossy(&node.stdout).trim().to_owned();
    let major: u32 = node
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    if major < 18 {
        return Err(skip(format!("node {node} has no built-in fetch (18+)")));
    }

    let _lock = setup_lock(dir);
    let dir = target_dir().join(dir);
    let modules = dir.join("node_modules");
    let installed = || {
        fs::read(modules.join(package).join("package.json"))
            .ok()
            .and_then(|json| serde_json::from_slice::<serde_json::Value>(&json).ok())
            .is_some_and(|installed| installed["version"] == version)
    };
    if installed() {
        return Ok(modules);
    }
    fs::create_dir_all(&dir).expect("the node SDK directory could not be created");
    let manifest = dir.join("package.json");
    if !manifest.is_file() {
        fs::write(&manifest, "{\"private\": true}\n").expect("package.json could not be written");
    }
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let out = run(Command::new(npm)
        .arg("install")
        .arg("--prefix")
        .arg(&dir)
        .args(["--no-audit", "--no-fund", "--loglevel=error"])
        .arg(format!("{package}@{version}")))
    .expect("npm could not be run");
    succeeded(out, "npm is not installed (not on PATH)", || {
        format!("npm install {package}@{version}")
    })?;
    assert!(
        installed(),
        "npm installed {package}@{version} but {} does not hold it",
        modules.display()
    );
    Ok(modules)
}
