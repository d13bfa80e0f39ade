//! The repository carries its own account of the protocol rules it cites: every rule label
//! (`P14`, `W8`, `D20`, …) used anywhere in the repository has an entry in `docs/protocol.md`,
//! and every entry there names the source of its rule.
//!
//! What counts as a citation:
//! - an upper-case letter among `C D G H J P W` followed by a number from 1 to 99 (no leading
//!   zero), standing alone: not part of a longer word or number and not preceded by `%` or `#`,
//!   so `E0277`, `0xD1`, `%C3%A9` and `W3C` are not labels;
//! - a range of one letter written with an en dash or a hyphen (`H8–H11`, `H8-H11`), which cites
//!   every label from its first to its last;
//! - the leading segments of a function name (`fn p4_d2_options_without_origin…` cites P4 and
//!   D2), as tests are named after the rules they check.
//!
//! What counts as a definition: a level-3 heading of `docs/protocol.md` whose first word is the
//! label (`### P14 — …`). Its entry runs to the next heading and has a line that starts with
//! `Source:`.
//!
//! Scanned: `*.rs`, `*.md`, `*.toml`, `*.sh`, `*.py`, `*.js` and `.ci/run` under the repository
//! root, except `docs/protocol.md` itself and the directories `target/` (at any depth, so
//! `fuzz/target/` too), `.git/` and other hidden directories but `.ci/`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

/// The letters that start a rule label.
const LETTERS: &[u8] = b"CDGHJPW";

/// The document that defines the labels, relative to the repository root.
const PROTOCOL_DOC: &str = "docs/protocol.md";

/// The decisions that must all have an entry: D1 up to this number, with no gap.
const LAST_DECISION: u32 = 26;

/// A rule label such as `P14`: a letter and a number from 1 to 99.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
struct Label {
    letter: u8,
    number: u32,
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", char::from(self.letter), self.number)
    }
}

impl fmt::Debug for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Where a label is cited: a file relative to the repository root and a 1-based line.
#[derive(Clone, Debug)]
struct Citation {
    path: String,
    line: usize,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `true` for the bytes that make up words and numbers: a label may not touch one.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Reads the digits of a label number at `at`: 1 or 2 digits, the first not `0`. Returns the
/// number and the index after it.
fn number_at(bytes: &[u8], at: usize) -> Option<(u32, usize)> {
    let first = *bytes.get(at)?;
    if !(b'1'..=b'9').contains(&first) {
        return None;
    }
    let mut number = u32::from(first - b'0');
    let mut end = at + 1;
    if let Some(&second) = bytes.get(end)
        && second.is_ascii_digit()
    {
        number = number * 10 + u32::from(second - b'0');
        end += 1;
    }
    Some((number, end))
}

/// An upper-case label starting exactly at `at`, standing alone. Returns it and the index after
/// it.
fn upper_label_at(bytes: &[u8], at: usize) -> Option<(Label, usize)> {
    let letter = *bytes.get(at)?;
    if !LETTERS.contains(&letter) {
        return None;
    }
    if at > 0 {
        let before = bytes[at - 1];
        if is_word_byte(before) || before == b'%' || before == b'#' {
            return None;
        }
    }
    let (number, end) = number_at(bytes, at + 1)?;
    if bytes.get(end).is_some_and(|&b| is_word_byte(b)) {
        return None;
    }
    Some((Label { letter, number }, end))
}

/// The dash of a range right at `at` (en dash or hyphen): the index after it.
fn range_dash_at(bytes: &[u8], at: usize) -> Option<usize> {
    let rest = bytes.get(at..)?;
    if rest.starts_with("\u{2013}".as_bytes()) {
        Some(at + "\u{2013}".len())
    } else if rest.starts_with(b"-") {
        Some(at + 1)
    } else {
        None
    }
}

/// The labels of a function name's leading segments: `p4_d2_options` gives P4 and D2.
fn labels_of_fn_name(name: &[u8]) -> Vec<Label> {
    let mut labels = Vec::new();
    for segment in name.split(|&b| b == b'_') {
        let Some((&first, digits)) = segment.split_first() else {
            break;
        };
        let letter = first.to_ascii_uppercase();
        if !first.is_ascii_lowercase() || !LETTERS.contains(&letter) {
            break;
        }
        match number_at(digits, 0) {
            Some((number, end)) if end == digits.len() => labels.push(Label { letter, number }),
            _ => break,
        }
    }
    labels
}

/// Every label cited in `text`, with its 1-based line, ranges expanded.
fn cited_labels(text: &str) -> Vec<(Label, usize)> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            line += 1;
            i += 1;
            continue;
        }
        if let Some((first, end)) = upper_label_at(bytes, i) {
            found.push((first, line));
            i = end;
            if let Some(after_dash) = range_dash_at(bytes, end)
                && let Some((last, after_last)) = upper_label_at(bytes, after_dash)
                && last.letter == first.letter
                && last.number > first.number
            {
                for number in first.number + 1..=last.number {
                    found.push((
                        Label {
                            letter: first.letter,
                            number,
                        },
                        line,
                    ));
                }
                i = after_last;
            }
            continue;
        }
        let starts_fn = bytes[i..].starts_with(b"fn ") && (i == 0 || !is_word_byte(bytes[i - 1]));
        if starts_fn {
            let mut start = i + 3;
            while bytes.get(start) == Some(&b' ') {
                start += 1;
            }
            let mut end = start;
            while bytes.get(end).is_some_and(|&b| is_word_byte(b)) {
                end += 1;
            }
            found.extend(
                labels_of_fn_name(&bytes[start..end])
                    .into_iter()
                    .map(|label| (label, line)),
            );
            i = end.max(i + 1);
            continue;
        }
        i += 1;
    }
    found
}

/// Whether a file is one the citations are collected from (`relative` uses `/`).
fn is_scanned_file(relative: &str) -> bool {
    if relative == PROTOCOL_DOC {
        return false;
    }
    if relative == ".ci/run" {
        return true;
    }
    ["rs", "md", "toml", "sh", "py", "js"]
        .iter()
        .any(|ext| relative.ends_with(&format!(".{ext}")))
}

/// Whether a directory is left out of the scan.
fn is_skipped_dir(name: &str) -> bool {
    name == "target" || (name.starts_with('.') && name != ".ci")
}

/// The scanned files under `dir`, as paths relative to `root` with `/` separators, sorted.
fn scanned_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let file_type = entry
            .file_type()
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        if file_type.is_dir() {
            if !is_skipped_dir(&name) {
                scanned_files(root, &path, out);
            }
        } else if file_type.is_file() {
            let relative = path
                .strip_prefix(root)
                .expect("under the root")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            if is_scanned_file(&relative) {
                out.push(relative);
            }
        }
    }
}

/// Every label cited in the repository, with every place it is cited.
fn citations() -> BTreeMap<Label, Vec<Citation>> {
    let root = root();
    let mut files = Vec::new();
    scanned_files(&root, &root, &mut files);
    files.sort();
    assert!(
        files.iter().any(|f| f == "README.md") && files.iter().any(|f| f.starts_with("tests/")),
        "the scan found no README.md or tests/: is the root {} right?",
        root.display()
    );
    let mut cited: BTreeMap<Label, Vec<Citation>> = BTreeMap::new();
    for path in files {
        let bytes = fs::read(root.join(&path)).unwrap_or_else(|e| panic!("reading {path}: {e}"));
        let text = String::from_utf8_lossy(&bytes);
        for (label, line) in cited_labels(&text) {
            cited.entry(label).or_default().push(Citation {
                path: path.clone(),
                line,
            });
        }
    }
    cited
}

/// One entry of `docs/protocol.md`: its label, the line of its heading and the lines under it
/// up to the next heading.
struct Entry {
    label: Label,
    line: usize,
    body: Vec<String>,
}

/// `docs/protocol.md` read as entries, and the level-3 headings that do not start with a label.
struct ProtocolDoc {
    entries: Vec<Entry>,
    unlabelled_headings: Vec<(usize, String)>,
}

/// Parses a whole word as a label (`P14`), upper case only.
fn parse_label(word: &str) -> Option<Label> {
    let bytes = word.as_bytes();
    let (label, end) = upper_label_at(bytes, 0)?;
    (end == bytes.len()).then_some(label)
}

/// Reads `docs/protocol.md`. A heading is a line outside a code fence that starts with `#`; an
/// entry is a level-3 heading whose first word is a label, and it runs to the next heading.
fn protocol_doc() -> ProtocolDoc {
    let path = root().join(PROTOCOL_DOC);
    let text =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut doc = ProtocolDoc {
        entries: Vec::new(),
        unlabelled_headings: Vec::new(),
    };
    let mut in_entry = false;
    let mut in_fence = false;
    for (index, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        let is_heading = !in_fence && line.starts_with('#');
        if !is_heading {
            if in_entry && let Some(entry) = doc.entries.last_mut() {
                entry.body.push(line.to_owned());
            }
            continue;
        }
        in_entry = false;
        if let Some(heading) = line.strip_prefix("### ") {
            let first_word = heading.split_whitespace().next().unwrap_or("");
            match parse_label(first_word) {
                Some(label) => {
                    doc.entries.push(Entry {
                        label,
                        line: index + 1,
                        body: Vec::new(),
                    });
                    in_entry = true;
                }
                None => doc.unlabelled_headings.push((index + 1, line.to_owned())),
            }
        }
    }
    doc
}

/// The labels `docs/protocol.md` defines.
fn defined_labels() -> BTreeSet<Label> {
    protocol_doc().entries.iter().map(|e| e.label).collect()
}

#[test]
fn every_cited_label_is_defined_in_docs_protocol() {
    let defined = defined_labels();
    let cited = citations();
    assert!(
        cited.len() > 20,
        "only {} labels cited: the scanner missed the repository",
        cited.len()
    );
    let missing: Vec<String> = cited
        .iter()
        .filter(|(label, _)| !defined.contains(label))
        .map(|(label, places)| {
            let places: Vec<String> = places
                .iter()
                .map(|c| format!("{}:{}", c.path, c.line))
                .collect();
            format!("  {label}, cited in {}", places.join(", "))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "{} label(s) cited but not defined in {PROTOCOL_DOC} (add a `### <label> — <title>` \
         entry with a `Source:` line):\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn every_docs_protocol_entry_names_its_source() {
    let without_source: Vec<String> = protocol_doc()
        .entries
        .into_iter()
        .filter(|entry| {
            !entry.body.iter().any(|line| {
                line.strip_prefix("Source:")
                    .is_some_and(|rest| rest.starts_with(' ') && !rest.trim().is_empty())
            })
        })
        .map(|entry| format!("  {} (line {})", entry.label, entry.line))
        .collect();
    assert!(
        without_source.is_empty(),
        "{} entr(ies) of {PROTOCOL_DOC} have no `Source: …` line:\n{}",
        without_source.len(),
        without_source.join("\n")
    );
}

#[test]
fn every_level_three_heading_in_docs_protocol_defines_one_new_label() {
    let doc = protocol_doc();
    let mut problems: Vec<String> = doc
        .unlabelled_headings
        .iter()
        .map(|(line, heading)| format!("  line {line}: `{heading}` does not start with a label"))
        .collect();
    let mut seen: BTreeMap<Label, usize> = BTreeMap::new();
    for entry in &doc.entries {
        if let Some(first) = seen.insert(entry.label, entry.line) {
            problems.push(format!(
                "  {} defined twice, lines {first} and {}",
                entry.label, entry.line
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{PROTOCOL_DOC}: every `### ` heading starts with a label not defined before:\n{}",
        problems.join("\n")
    );
}

#[test]
fn docs_protocol_defines_every_decision_without_gaps() {
    let decisions: BTreeSet<u32> = defined_labels()
        .into_iter()
        .filter(|label| label.letter == b'D')
        .map(|label| label.number)
        .collect();
    let last = decisions.last().copied().unwrap_or(0).max(LAST_DECISION);
    let missing: Vec<String> = (1..=last)
        .filter(|n| !decisions.contains(n))
        .map(|n| format!("D{n}"))
        .collect();
    assert!(
        missing.is_empty(),
        "decisions missing from {PROTOCOL_DOC}: {}",
        missing.join(", ")
    );
}

fn labels(text: &str) -> Vec<String> {
    cited_labels(text)
        .into_iter()
        .map(|(label, _)| label.to_string())
        .collect()
}

#[test]
fn label_scanner_ignores_error_codes_hex_percent_escapes_and_longer_words() {
    let text = "error[E0277]; 0xD1 and \\xC1; `caf%C3%A9`; W3C; D1A0; D100; C0; P0; #D12; \
                my_P14; P14x; let p99_ms = 1; fn s6_outcome() {}";
    assert_eq!(labels(text), Vec::<String>::new());
}

#[test]
fn label_scanner_reads_labels_ranges_and_test_names_with_their_lines() {
    let text = "see P14, W4/P5 and (D20).\nJ3\u{2013}J6 and H8-H11\nasync fn p4_d2_no_origin() {}\n\
                fn h8_h11_x() {}\nfn d21_model() {}\nfn pass() {}";
    let found: Vec<String> = cited_labels(text)
        .into_iter()
        .map(|(label, line)| format!("{label}@{line}"))
        .collect();
    assert_eq!(
        found,
        [
            "P14@1", "W4@1", "P5@1", "D20@1", "J3@2", "J4@2", "J5@2", "J6@2", "H8@2", "H9@2",
            "H10@2", "H11@2", "P4@3", "D2@3", "H8@4", "H11@4", "D21@5"
        ]
    );
}
