//! `cargo xtask msrv`: checks that each published crate's `rust-version` covers what its
//! dependencies declare.
//!
//! A crate's `rust-version` must state the oldest compiler its code and its dependencies build
//! with. Only the newest toolchain is installed here, so it cannot be shown by building with an
//! older one; the three parts are checked separately:
//! - the standard library: clippy's `incompatible_msrv` lint (on by default, an error in CI) flags
//!   any item stabilized after the declared version;
//! - the language: the features we use are listed in the workspace `Cargo.toml` beside the
//!   versions;
//! - the dependencies: this check. Every normal and build dependency of the crate with all of its
//!   features on, as locked in `Cargo.lock` for this machine's target, must declare a
//!   `rust-version` at or below the crate's.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// A Rust version as `(major, minor, patch)`.
type Version = (u64, u64, u64);

pub(crate) fn check(root: &Path) -> Result<(), String> {
    let host = host_target()?;
    let metadata: Value = serde_json::from_slice(&cargo(
        root,
        &[
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--all-features",
            "--filter-platform",
            &host,
        ],
    )?)
    .map_err(|e| format!("cargo metadata printed no JSON: {e}"))?;
    let declared = rust_versions(&metadata)?;
    let members: Vec<&str> = array(&metadata, "workspace_members")?
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut failed = Vec::new();
    for package in array(&metadata, "packages")? {
        let member = package["id"]
            .as_str()
            .is_some_and(|id| members.contains(&id));
        // `publish = false` shows as an empty list of registries.
        if !member || package["publish"].as_array().is_some_and(Vec::is_empty) {
            continue;
        }
        let name = package["name"].as_str().unwrap_or_default();
        let own = package["rust_version"]
            .as_str()
            .and_then(parse)
            .ok_or_else(|| format!("{name} declares no rust-version"))?;
        // cargo tree resolves features as a build of this crate would (all of its own on).
        let tree = cargo(
            root,
            &[
                "tree",
                "--locked",
                "-p",
                name,
                "--all-features",
                "-e",
                "normal,build",
                "--target",
                &host,
                "--prefix",
                "none",
                "--format",
                "{p}",
            ],
        )?;
        let tree = String::from_utf8_lossy(&tree);
        let (needed, by) = highest(name, tree.lines(), &declared);
        println!(
            "{name:<16} declares {:<7} dependencies need {:<7} ({by})",
            show(own),
            show(needed)
        );
        if own < needed {
            failed.push(format!(
                "{name} declares rust-version {} but {by} needs {}",
                show(own),
                show(needed)
            ));
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed.join("; "))
    }
}

/// The `rust-version` of every package in the lock file, by `name version`.
fn rust_versions(metadata: &Value) -> Result<HashMap<String, Version>, String> {
    Ok(array(metadata, "packages")?
        .iter()
        .filter_map(|p| {
            let version = parse(p["rust_version"].as_str()?)?;
            Some((
                format!("{} v{}", p["name"].as_str()?, p["version"].as_str()?),
                version,
            ))
        })
        .collect())
}

/// The highest `rust-version` among the lines of `cargo tree --format {p}` (`name vX.Y.Z`,
/// with a path or `(*)` after it for some), `crate` itself left out, and who declares it.
fn highest<'a>(
    krate: &str,
    tree: impl Iterator<Item = &'a str>,
    declared: &HashMap<String, Version>,
) -> (Version, String) {
    let mut needed = ((0, 0, 0), "none".to_owned());
    for line in tree {
        let mut words = line.split_whitespace();
        let (Some(name), Some(version)) = (words.next(), words.next()) else {
            continue;
        };
        if name == krate {
            continue;
        }
        let key = format!("{name} {version}");
        if let Some(&rust) = declared.get(&key)
            && rust > needed.0
        {
            needed = (rust, key);
        }
    }
    needed
}

fn cargo(root: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let output = Command::new(cargo)
        .current_dir(root)
        .args(args)
        .output()
        .map_err(|e| format!("cargo {} could not run: {e}", args[0]))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(format!(
            "cargo {} failed: {}",
            args[0],
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

fn array<'a>(value: &'a Value, key: &str) -> Result<&'a Vec<Value>, String> {
    value[key]
        .as_array()
        .ok_or_else(|| format!("cargo metadata has no `{key}` list"))
}

fn parse(text: &str) -> Option<Version> {
    let mut parts = text.split('.').map(str::parse::<u64>);
    let major = parts.next()?.ok()?;
    let minor = parts.next().unwrap_or(Ok(0)).ok()?;
    let patch = parts.next().unwrap_or(Ok(0)).ok()?;
    Some((major, minor, patch))
}

fn show((major, minor, patch): Version) -> String {
    if patch == 0 {
        format!("{major}.{minor}")
    } else {
        format!("{major}.{minor}.{patch}")
    }
}

/// This machine's target triple, as `rustc -vV` prints it.
fn host_target() -> Result<String, String> {
    let output = Command::new("rustc")
        .arg("-vV")
        .output()
        .map_err(|e| format!("rustc could not run: {e}"))?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(str::to_owned)
        .ok_or_else(|| "rustc -vV named no host".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_number_not_text() {
        assert!(parse("1.9").unwrap() < parse("1.10").unwrap());
        assert_eq!(parse("1.88"), Some((1, 88, 0)));
        assert_eq!(parse("1.88.1"), Some((1, 88, 1)));
        assert_eq!(parse("one"), None);
    }

    /// The highest version wins, the crate's own line and unknown packages do not count, and
    /// `cargo tree`'s path and `(*)` suffixes are ignored.
    #[test]
    fn the_dependency_needing_the_newest_compiler_is_named() {
        let declared = HashMap::from([
            ("app v0.1.0".to_owned(), (1, 95, 0)),
            ("mid v1.0.0".to_owned(), (1, 70, 0)),
            ("new v2.0.0".to_owned(), (1, 89, 0)),
        ]);
        let tree = "app v0.1.0 (/src/app)\nmid v1.0.0\nnew v2.0.0 (*)\nother v3.0.0\n";
        assert_eq!(
            highest("app", tree.lines(), &declared),
            ((1, 89, 0), "new v2.0.0".to_owned())
        );
        assert_eq!(highest("app", "".lines(), &declared).0, (0, 0, 0));
    }
}
