//! Properties of the origin allow-list (protocol.md §2, D3, D21) and of the CloudEvents and Event Grid
//! decoders (protocol.md §4, §5, H10, C1, D22, D23), checked over generated inputs with proptest.
//!
//! Each property is named after the rule it checks. The origin and header-value properties
//! compare the runtime with small reference models written here from docs/protocol.md's rules; the
//! decoder properties check that no input, however malformed, panics or is answered with anything
//! but a client error, and that what the decoders accept satisfies the attribute rules.
//!
//! Case counts are fixed in the file (not read from `PROPTEST_CASES`) so the whole file runs in a
//! few seconds; the fuzz targets in `fuzz/` explore the same functions for longer.

use std::borrow::Cow;

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use bytes::Bytes;
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use webhook_core::{MAX_ORIGIN_LEN, is_host_origin};
use webhook_runtime::cloudevents::{self, HeaderValueError, Mode, decode_header_value};
use webhook_runtime::eventgrid::{self, DELETION_EVENT_TYPE, VALIDATION_EVENT_TYPE};
use webhook_runtime::message::decode_incoming;
use webhook_runtime::{AllowedOrigins, CloudEvent, ExtensionValue, OriginGrant, Rejection};

/// Cases per property: enough to find the edge cases below, few enough for a fast `cargo test`.
const CASES: u32 = 256;

// ---------------------------------------------------------------------------------------------
// Origins (D3, D21): generators and the reference model.

/// One DNS label of ASCII letters, digits and `-`, in mixed case.
fn label() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9-]{1,10}"
}

/// A host name of 1 to 4 labels, then an optional `:port`: a request origin or an exact entry.
fn origin() -> impl Strategy<Value = String> {
    (
        vec(label(), 1..=4),
        prop::option::weighted(0.2, "[0-9]{1,5}"),
    )
        .prop_map(|(labels, port)| {
            let host = labels.join(".");
            match port {
                Some(port) => format!("{host}:{port}"),
                None => host,
            }
        })
}

/// An allow-list entry other than `*`: a name or `*.` and a name.
fn pattern() -> impl Strategy<Value = String> {
    prop_oneof![origin(), origin().prop_map(|domain| format!("*.{domain}"))]
}

/// Which letters change case, cycled over a name.
fn case_mask() -> impl Strategy<Value = Vec<bool>> {
    vec(any::<bool>(), 1..=32)
}

fn recase(name: &str, mask: &[bool]) -> String {
    name.chars()
        .zip(mask.iter().cycle())
        .map(|(c, &flip)| match (flip, c.is_ascii_lowercase()) {
            (false, _) => c,
            (true, true) => c.to_ascii_uppercase(),
            (true, false) => c.to_ascii_lowercase(),
        })
        .collect()
}

/// D21's request-origin syntax, from the spec's wording: non-empty, at most 253 bytes, ASCII
/// letters, digits, `-` and `.`, then an optional `:port` of 1 to 5 digits.
fn d21_model(value: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(value) else {
        return false;
    };
    let (host, port) = match text.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (text, None),
    };
    !host.is_empty()
        && text.len() <= MAX_ORIGIN_LEN
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && port.is_none_or(|p| (1..=5).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()))
}

/// D3's wildcard rule: `request` ends in `.` + `domain` (ASCII case-insensitively) after one or
/// more whole non-empty labels.
fn wildcard_model(domain: &str, request: &str) -> bool {
    let suffix = format!(".{}", domain.to_ascii_lowercase());
    request
        .to_ascii_lowercase()
        .strip_suffix(&suffix)
        .is_some_and(|labels| !labels.is_empty() && labels.split('.').all(|l| !l.is_empty()))
}

/// D3 + D21: what an allow-list without `*` answers to `request`.
fn grant_model(entries: &[String], request: &[u8]) -> Option<OriginGrant> {
    if !d21_model(request) {
        return None;
    }
    let request = std::str::from_utf8(request).expect("D21 names are ASCII");
    entries
        .iter()
        .any(|entry| match entry.strip_prefix("*.") {
            Some(domain) => wildcard_model(domain, request),
            None => entry.eq_ignore_ascii_case(request),
        })
        .then_some(OriginGrant::Echo)
}

/// A request origin near one of `entries`: a listed name or a name under a listed wildcard, in
/// some letter case, then possibly damaged (a byte inserted anywhere, a header injection, a
/// scheme, a space or non-ASCII tail, or padded past 253 bytes).
fn near(entries: Vec<String>) -> impl Strategy<Value = Vec<u8>> {
    (
        select(entries),
        label(),
        case_mask(),
        any::<Index>(),
        any::<u8>(),
        0..7u8,
    )
        .prop_map(|(entry, label, mask, at, byte, damage)| {
            let name = match entry.strip_prefix("*.") {
                Some(domain) => format!("{label}.{domain}"),
                None => entry,
            };
            let mut bytes = recase(&name, &mask).into_bytes();
            match damage {
                0 | 1 => {}
                2 => bytes.insert(at.index(bytes.len() + 1), byte),
                3 => bytes.extend_from_slice(b"\r\nx: y"),
                4 => bytes = [&b"https://"[..], &bytes].concat(),
                5 => bytes.extend_from_slice(" \u{e9}/".as_bytes()),
                _ => bytes = [b"a.".repeat((MAX_ORIGIN_LEN - bytes.len()) / 2 + 1), bytes].concat(),
            }
            bytes
        })
}

/// Visible ASCII with one byte that is not (a control byte, a space, DEL or non-ASCII).
fn visible_with_one_bad_byte() -> impl Strategy<Value = Vec<u8>> {
    let bad = prop_oneof![0u8..=0x20, Just(0x7f), 0x80u8..=0xff];
    ("[!-~]{0,24}", any::<Index>(), bad).prop_map(|(text, at, bad)| {
        let mut bytes = text.into_bytes();
        bytes.insert(at.index(bytes.len() + 1), bad);
        bytes
    })
}

/// Bytes biased toward what origin syntax cares about.
fn origin_like_bytes() -> impl Strategy<Value = Vec<u8>> {
    let alphabet = b"aZ09-.:_ /*\r\n\x00\x7f\xc3\xa9".to_vec();
    prop_oneof![
        vec(select(alphabet), 0..16),
        origin().prop_map(String::into_bytes),
        vec(any::<u8>(), 0..24),
        (label(), 240..270usize)
            .prop_map(|(label, len)| label.repeat(len).into_bytes()[..len].to_vec()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// D3: a listed name is granted (echoed) exactly when the request equals it ignoring ASCII
    /// case, in any mix of letter cases.
    #[test]
    fn d3_exact_match_is_ascii_case_insensitive_equality(
        entries in vec(origin(), 1..4),
        pick in any::<Index>(),
        mask in case_mask(),
        other in origin(),
    ) {
        let list = AllowedOrigins::parse(&entries).unwrap();
        let listed = recase(pick.get::<String>(&entries), &mask);
        prop_assert_eq!(list.grant(listed.as_bytes()), Some(OriginGrant::Echo));
        for request in [listed, recase(&other, &mask), other] {
            let expected = entries
                .iter()
                .any(|entry| entry.eq_ignore_ascii_case(&request))
                .then_some(OriginGrant::Echo);
            prop_assert_eq!(list.grant(request.as_bytes()), expected, "request {:?}", request);
        }
    }

    /// D3, §2: no prefix or suffix extension (nor truncation) of a listed name is granted: the
    /// prefix-match bypass `trusted.example.com.attacker.tld` of the CloudEvents Go SDK.
    #[test]
    fn d3_no_extension_of_a_listed_name_is_granted(
        name in origin(),
        port in "[0-9]{1,5}",
        extra in label(),
        mask in case_mask(),
    ) {
        let list = AllowedOrigins::parse([&name]).unwrap();
        let mut shorter = name.clone();
        shorter.pop();
        let tail = name[1..].to_owned();
        for request in [
            format!("{name}.{extra}"),
            format!("{name}{extra}"),
            format!("{extra}{name}"),
            format!("{extra}.{name}"),
            format!("{name}:{port}"),
            shorter,
            tail,
        ] {
            let request = recase(&request, &mask);
            prop_assert_eq!(list.grant(request.as_bytes()), None, "request {:?}", request);
        }
    }

    /// D3: `*.d` grants exactly the names with at least one whole non-empty label before `.d`:
    /// never `d` itself, `xd`, `.d`, nor a name with an empty label.
    #[test]
    fn d3_wildcard_needs_at_least_one_whole_label(
        domain in origin(),
        labels in vec("[a-zA-Z0-9-]{0,6}", 0..4),
        glue in prop_oneof![4 => Just("."), 1 => select(vec!["", "..", "x", "-", ":", "_", "*."])],
        mask in case_mask(),
    ) {
        let list = AllowedOrigins::parse([format!("*.{domain}")]).unwrap();
        let request = format!("{}{glue}{}", labels.join("."), recase(&domain, &mask));
        let whole_labels =
            !labels.is_empty() && labels.iter().all(|l| !l.is_empty()) && glue == ".";
        let expected = (whole_labels && request.len() <= MAX_ORIGIN_LEN
            || d21_model(request.as_bytes()) && wildcard_model(&domain, &request))
            .then_some(OriginGrant::Echo);
        prop_assert_eq!(list.grant(request.as_bytes()), expected, "request {:?}", request);
    }

    /// D3, D21: for any allow-list without `*`, the answer is the spec's (exact or wildcard
    /// match of a D21 host name), and an echo is only ever given to a value that
    /// `webhook_core::is_host_origin` accepts: never to control bytes, spaces, non-ASCII, a URL
    /// or more than 253 bytes.
    #[test]
    fn d21_echo_only_for_host_origins(
        (entries, request) in vec(pattern(), 1..4).prop_flat_map(|entries| {
            let request = prop_oneof![3 => near(entries.clone()), 1 => origin_like_bytes()];
            (Just(entries), request)
        }),
    ) {
        let list = AllowedOrigins::parse(&entries).unwrap();
        let grant = list.grant(&request);
        if grant == Some(OriginGrant::Echo) {
            prop_assert!(is_host_origin(&request), "echoed {:?}", String::from_utf8_lossy(&request));
        }
        prop_assert_eq!(
            grant,
            grant_model(&entries, &request),
            "request {:?}",
            String::from_utf8_lossy(&request)
        );
    }

    /// D21: `webhook_core::is_host_origin` is the spec's request-origin syntax.
    #[test]
    fn d21_host_origin_syntax_is_the_spec_syntax(value in origin_like_bytes()) {
        prop_assert_eq!(is_host_origin(&value), d21_model(&value));
    }

    /// D3, D21: under `*` any non-empty visible-ASCII value is granted as `*` (never echoed, even
    /// when other names are listed too), and a value with a control byte, a space or a non-ASCII
    /// byte is refused.
    #[test]
    fn d21_star_grants_visible_ascii_as_wildcard(
        others in vec(pattern(), 0..3),
        request in prop_oneof![
            vec(any::<u8>(), 0..48),
            "[!-~]{1,300}".prop_map(String::into_bytes),
            visible_with_one_bad_byte(),
        ],
    ) {
        let list = AllowedOrigins::parse(others.iter().map(String::as_str).chain(["*"])).unwrap();
        let visible = !request.is_empty() && request.iter().all(|b| (b'!'..=b'~').contains(b));
        prop_assert_eq!(list.grant(&request), visible.then_some(OriginGrant::Wildcard));
    }
}

// ---------------------------------------------------------------------------------------------
// `ce-` header values (H10): a reference encoder, quoter and decoder.

/// How the reference encoder writes one character: as it is, or each of its bytes as `%XX` with
/// upper-case, lower-case or mixed-case hex digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Raw,
    Upper,
    Lower,
    Mixed,
}

/// Styles cycled over the characters of a text; all-encoded (no `Raw`) is frequent.
fn styles() -> impl Strategy<Value = Vec<Style>> {
    prop_oneof![
        vec(select(vec![Style::Upper, Style::Lower, Style::Mixed]), 1..4),
        vec(
            select(vec![Style::Raw, Style::Upper, Style::Lower, Style::Mixed]),
            1..16
        ),
    ]
}

fn push_escape(out: &mut Vec<u8>, byte: u8, style: Style) {
    let hex = |nibble: u8, upper: bool| {
        let digit = b"0123456789abcdef"[usize::from(nibble)];
        if upper {
            digit.to_ascii_uppercase()
        } else {
            digit
        }
    };
    let (high, low) = match style {
        Style::Upper | Style::Raw => (true, true),
        Style::Lower => (false, false),
        Style::Mixed => (false, true),
    };
    out.extend([b'%', hex(byte >> 4, high), hex(byte & 0xf, low)]);
}

/// Whether the encoder must escape `byte` whatever the style: `%` (or the decoder would read an
/// escape), `"` (or the value could look quoted) and ASCII control bytes (not header bytes).
fn must_escape(byte: u8) -> bool {
    matches!(byte, b'%' | b'"') || byte.is_ascii_control()
}

/// Percent-encodes `text` character by character; the result is still UTF-8 and a valid header
/// value (non-ASCII characters left raw are obs-text).
fn percent_encode(text: &str, styles: &[Style]) -> String {
    let mut out = Vec::new();
    for (c, &style) in text.chars().zip(styles.iter().cycle()) {
        let mut buf = [0; 4];
        let bytes = c.encode_utf8(&mut buf).as_bytes();
        if style == Style::Raw && !bytes.iter().copied().any(must_escape) {
            out.extend_from_slice(bytes);
        } else {
            bytes.iter().for_each(|&b| push_escape(&mut out, b, style));
        }
    }
    String::from_utf8(out).expect("escapes are ASCII, raw characters whole")
}

/// Percent-encodes arbitrary bytes one by one (raw bytes may be any non-ASCII byte).
fn percent_encode_bytes(bytes: &[u8], styles: &[Style]) -> Vec<u8> {
    let mut out = Vec::new();
    for (&b, &style) in bytes.iter().zip(styles.iter().cycle()) {
        if style == Style::Raw && !must_escape(b) {
            out.push(b);
        } else {
            push_escape(&mut out, b, style);
        }
    }
    out
}

/// Wraps `text` in an RFC 7230 quoted string: `"` and `\` escaped, and any other character too
/// where `mask` says (a quoted-pair may escape any character).
fn quote(text: &str, mask: &[bool]) -> String {
    let mut out = String::from('"');
    for (c, &escape) in text.chars().zip(mask.iter().cycle()) {
        if escape || c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn is_quoted(raw: &[u8]) -> bool {
    raw.len() >= 2 && raw[0] == b'"' && raw[raw.len() - 1] == b'"'
}

/// H10 as the spec states it: unquote an RFC 7230 quoted string, then percent-decode once
/// (`%` + two hex digits, either case; any other `%` literally), then require UTF-8.
fn reference_decode(raw: &[u8]) -> Result<String, HeaderValueError> {
    let unquoted = if is_quoted(raw) {
        let mut out = Vec::new();
        let mut inner = raw[1..raw.len() - 1].iter();
        while let Some(&b) = inner.next() {
            out.push(if b == b'\\' {
                *inner.next().ok_or(HeaderValueError::BadQuoting)?
            } else {
                b
            });
        }
        out
    } else {
        raw.to_vec()
    };
    let hex = |b: u8| char::from(b).to_digit(16).map(|d| d as u8);
    let mut decoded = Vec::new();
    let mut i = 0;
    while i < unquoted.len() {
        match (
            unquoted[i],
            unquoted.get(i + 1).copied().and_then(hex),
            unquoted.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                decoded.push((high << 4) | low);
                i += 3;
            }
            (b, _, _) => {
                decoded.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(decoded).map_err(|_| HeaderValueError::NotUtf8)
}

/// Text in which no `%` is followed by two hex digits: `%` + a non-hex character, `%` + one hex
/// digit + a non-hex character, or `%` / `%` + one hex digit at the very end.
fn lone_percent_text() -> impl Strategy<Value = String> {
    let not_hex =
        any::<char>().prop_filter("a hex digit or %", |c| !c.is_ascii_hexdigit() && *c != '%');
    let piece = prop_oneof![
        2 => "[^%]{1,6}",
        1 => not_hex.clone().prop_map(|c| format!("%{c}")),
        1 => ("[0-9a-fA-F]", not_hex).prop_map(|(h, c)| format!("%{h}{c}")),
    ];
    (vec(piece, 0..6), select(vec!["", "%", "%4", "%a", "%F"]))
        .prop_map(|(pieces, end)| pieces.concat() + end)
}

/// UTF-8 text with one invalid sequence spliced in at a character boundary.
fn invalid_utf8() -> impl Strategy<Value = Vec<u8>> {
    let bad: Vec<&'static [u8]> = vec![
        b"\xc0\xa0",         // overlong space (the spec's `%C0%A0`)
        b"\xed\xa0\x80",     // a surrogate
        b"\xe2\x82",         // truncated
        b"\xff",             // never valid
        b"\x80",             // lone continuation byte
        b"\xf4\x90\x80\x80", // beyond U+10FFFF
    ];
    prop_oneof![
        (any::<String>(), any::<Index>(), select(bad)).prop_map(|(text, at, bad)| {
            let boundaries: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            let at = *at.get(&boundaries);
            [&text.as_bytes()[..at], bad, &text.as_bytes()[at..]].concat()
        }),
        vec(any::<u8>(), 1..24).prop_filter("valid UTF-8", |b| std::str::from_utf8(b).is_err()),
    ]
}

/// Bytes biased toward what header decoding cares about.
fn header_like_bytes() -> impl Strategy<Value = Vec<u8>> {
    let alphabet = b"%\"\\0aF9gZ \t\xc3\xa9\xa0\xff".to_vec();
    prop_oneof![
        vec(any::<u8>(), 0..48),
        vec(select(alphabet.clone()), 0..24),
        vec(select(alphabet), 0..22).prop_map(|inner| [&b"\""[..], &inner, b"\""].concat()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// H10: percent-encoding any UTF-8 text (every byte, or only some; upper, lower or mixed hex)
    /// and decoding gives the text back exactly.
    #[test]
    fn h10_percent_encoded_text_decodes_back(text in any::<String>(), styles in styles()) {
        let encoded = percent_encode(&text, &styles);
        prop_assert_eq!(decode_header_value(encoded.as_bytes()), Ok(Cow::Borrowed(text.as_str())));
    }

    /// H10: a value is percent-decoded exactly once: encoding twice and decoding gives the text
    /// encoded once.
    #[test]
    fn h10_percent_decoded_exactly_once(
        text in any::<String>(),
        first in styles(),
        second in styles(),
    ) {
        let once = percent_encode(&text, &first);
        let twice = percent_encode(&once, &second);
        prop_assert_eq!(decode_header_value(twice.as_bytes()), Ok(Cow::Borrowed(once.as_str())));
    }

    /// H10: an RFC 7230 quoted string is unquoted, then percent-decoded: quoting an encoded text
    /// (escaping `"`, `\` and maybe more) decodes to the text.
    #[test]
    fn h10_quoted_then_percent_decoded(
        text in any::<String>(),
        styles in styles(),
        mask in vec(any::<bool>(), 1..8),
    ) {
        let quoted = quote(&percent_encode(&text, &styles), &mask);
        prop_assert_eq!(decode_header_value(quoted.as_bytes()), Ok(Cow::Borrowed(text.as_str())));
    }

    /// H10: quoting a value does not change what it decodes to (nor whether it decodes).
    #[test]
    fn h10_quoting_does_not_change_the_decoding(
        value in prop_oneof![any::<String>(), "[%\"\\\\0-9a-fA-FgZ é]{0,16}"],
        mask in vec(any::<bool>(), 1..8),
    ) {
        prop_assume!(!is_quoted(value.as_bytes()));
        let quoted = quote(&value, &mask);
        prop_assert_eq!(
            decode_header_value(quoted.as_bytes()),
            decode_header_value(value.as_bytes())
        );
    }

    /// H10 interop: a `%` not followed by two hex digits (`100%`, `%zz`, `%4`) survives literally.
    #[test]
    fn h10_lone_percent_is_kept_literally(text in lone_percent_text()) {
        prop_assume!(!is_quoted(text.as_bytes()));
        prop_assert_eq!(decode_header_value(text.as_bytes()), Ok(Cow::Borrowed(text.as_str())));
    }

    /// H10: decoded bytes that are not UTF-8 (`%C0%A0`) are always refused, however encoded.
    #[test]
    fn h10_percent_decoded_invalid_utf8_is_refused(bytes in invalid_utf8(), styles in styles()) {
        let encoded = percent_encode_bytes(&bytes, &styles);
        prop_assert_eq!(decode_header_value(&encoded), Err(HeaderValueError::NotUtf8));
    }

    /// H10: on arbitrary bytes decoding never panics, an `Ok` is valid UTF-8, and the result is
    /// the reference decoder's (unquote, percent-decode once, require UTF-8).
    #[test]
    fn h10_decoding_arbitrary_bytes_is_the_reference_decoding(raw in header_like_bytes()) {
        let decoded = decode_header_value(&raw);
        if let Ok(text) = &decoded {
            prop_assert!(std::str::from_utf8(text.as_bytes()).is_ok());
        }
        prop_assert_eq!(decoded.map(|text| text.into_owned()), reference_decode(&raw));
    }
}

// ---------------------------------------------------------------------------------------------
// Decoders (§4, §5, C1, D22, D23): no panics, only client errors, accepted events are valid.

/// Any JSON value, a few levels deep.
fn json_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        // Floats with a short exact decimal form, so JSON text round-trips them exactly.
        any::<i32>().prop_map(|n| Value::from(f64::from(n) / 4.0)),
        any::<String>().prop_map(Value::from),
        "[a-z0-9]{0,3}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..4).prop_map(Value::Array),
            btree_map("[a-zA-Z_]{0,6}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
    .boxed()
}

/// A field that is usually present with a plausible value, rarely any JSON, sometimes absent.
fn field(plausible: Vec<&'static str>) -> impl Strategy<Value = Option<Value>> {
    prop::option::weighted(
        0.95,
        prop_oneof![40 => select(plausible).prop_map(Value::from), 1 => json_value()],
    )
}

fn object(fields: Vec<(&str, Option<Value>)>) -> Value {
    Value::Object(
        fields
            .into_iter()
            .filter_map(|(name, value)| Some((name.to_owned(), value?)))
            .collect::<Map<_, _>>(),
    )
}

const TIMES: [&str; 4] = [
    "2022-10-28T04:23:35.1981776Z",
    "2024-02-29T23:59:60+01:00",
    "yesterday",
    "",
];

/// A structured-mode event, valid or nearly so.
fn ce_event() -> BoxedStrategy<Value> {
    (
        (
            field(vec!["1.0", "0.3", ""]),
            field(vec!["1", "A234-1234-1234", ""]),
            field(vec!["/s", "https://example.com/x", "a b", ""]),
            field(vec!["com.example.t", VALIDATION_EVENT_TYPE, ""]),
            prop::option::weighted(
                0.3,
                field(vec![
                    "application/json",
                    "text/plain",
                    "application/x+json",
                    "",
                ]),
            ),
            prop::option::weighted(0.2, field(vec!["https://x/schema", "/relative", ""])),
        ),
        (
            prop::option::weighted(0.2, field(vec!["subject", ""])),
            prop::option::weighted(0.3, field(TIMES.to_vec())),
            prop::option::weighted(0.7, json_value()),
            prop::option::weighted(0.2, field(vec!["aGVsbG8=", "aGVsbG8", "e30=", "!!", ""])),
            vec(("[a-zA-Z0-9_]{0,6}", json_value()), 0..3),
        ),
    )
        .prop_map(
            |((spec, id, source, ty, dct, schema), (subject, time, data, base64, exts))| {
                let mut event = object(vec![
                    ("specversion", spec),
                    ("id", id),
                    ("source", source),
                    ("type", ty),
                    ("datacontenttype", dct.flatten()),
                    ("dataschema", schema.flatten()),
                    ("subject", subject.flatten()),
                    ("time", time.flatten()),
                    ("data", data),
                    ("data_base64", base64.flatten()),
                ]);
                for (name, value) in exts {
                    event[name] = value;
                }
                event
            },
        )
        .boxed()
}

/// An Event Grid event, valid or nearly so.
fn grid_event() -> BoxedStrategy<Value> {
    let validation = (
        "[a-f0-9-]{0,8}",
        prop::option::of("https://[a-z.]{1,12}(:553)?/x"),
    )
        .prop_map(|(code, url)| {
            let mut data = Map::new();
            data.insert("validationCode".into(), code.into());
            if let Some(url) = url {
                data.insert("validationUrl".into(), url.into());
            }
            Value::Object(data)
        });
    let data = prop_oneof![
        3 => json_value(),
        1 => validation.clone(),
        1 => validation.prop_map(|v| Value::from(v.to_string())),
    ];
    (
        field(vec!["1", ""]),
        field(vec!["/subscriptions/x"]),
        field(vec!["", "/blobs/x"]),
        field(vec![
            "Contoso.Items.ItemReceived",
            VALIDATION_EVENT_TYPE,
            DELETION_EVENT_TYPE,
            "",
        ]),
        field(TIMES.to_vec()),
        prop::option::weighted(0.9, data),
        field(vec!["1", ""]),
        field(vec!["1"]),
    )
        .prop_map(
            |(id, topic, subject, ty, time, data, data_version, metadata)| {
                object(vec![
                    ("id", id),
                    ("topic", topic),
                    ("subject", subject),
                    ("eventType", ty),
                    ("eventTime", time),
                    ("data", data),
                    ("dataVersion", data_version),
                    ("metadataVersion", metadata),
                ])
            },
        )
        .boxed()
}

/// A body, mostly of the shape that `mode` expects: arbitrary bytes, one event, an array of
/// events, any JSON, or truncated JSON.
fn body(event: BoxedStrategy<Value>, mode: Mode) -> BoxedStrategy<Vec<u8>> {
    let (single, array, data) = match mode {
        Mode::Structured => (6, 1, 0),
        Mode::Batch => (1, 6, 0),
        Mode::Binary => (0, 0, 6),
    };
    prop_oneof![
        1 => vec(any::<u8>(), 0..64),
        single => event.clone().prop_map(|e| e.to_string().into_bytes()),
        array => vec(event.clone(), 0..4).prop_map(|es| Value::Array(es).to_string().into_bytes()),
        data + 1 => json_value().prop_map(|v| v.to_string().into_bytes()),
        1 => (event, any::<Index>()).prop_map(|(e, at)| {
            let text = e.to_string().into_bytes();
            text[..at.index(text.len() + 1)].to_vec()
        }),
    ]
    .boxed()
}

/// A CloudEvents request: a mode, headers and a body mostly of the shape the mode expects.
fn ce_request() -> impl Strategy<Value = (Mode, HeaderMap, Vec<u8>)> {
    mode().prop_flat_map(|mode| (Just(mode), ce_headers(), body(ce_event(), mode)))
}

/// Request headers: maybe a valid set of `ce-` attributes, then arbitrary (possibly repeated,
/// malformed or undecodable) `ce-` headers, and maybe a Content-Type.
fn ce_headers() -> impl Strategy<Value = HeaderMap> {
    let name = prop_oneof![
        6 => select(vec![
            "specversion",
            "id",
            "source",
            "type",
            "subject",
            "time",
            "dataschema",
            "datacontenttype",
            "data",
            "myext",
            "",
        ])
        .prop_map(String::from),
        1 => "[a-zA-Z0-9_.-]{0,8}",
    ];
    let value = prop_oneof![
        select(vec![
            "1.0",
            "0.3",
            "",
            "/s",
            "t",
            TIMES[0],
            "https://x/schema",
            "%C0%A0",
            "\"q\\\"\"",
            "100%"
        ])
        .prop_map(|v| v.as_bytes().to_vec()),
        vec(any::<u8>(), 0..16),
        (any::<String>(), styles())
            .prop_map(|(text, styles)| percent_encode(&text, &styles).into_bytes()),
    ];
    let content_type = prop::option::of(select(vec![
        &b"application/json"[..],
        b"application/json; charset=utf-8",
        b"text/json",
        b"application/vnd.x+json",
        b"text/plain",
        b"application/octet-stream",
        b"application/cloudevents+json",
        b"application/cloudevents-batch+json",
        b"application/cloudevents+xml",
        b"+json",
        b"caf\xc3\xa9/json",
    ]));
    (
        prop::bool::weighted(0.8),
        vec((name, value), 0..4),
        content_type,
    )
        .prop_map(|(base, extra, content_type)| {
            let mut headers = HeaderMap::new();
            if base {
                for (name, value) in [
                    ("ce-specversion", "1.0"),
                    ("ce-id", "1"),
                    ("ce-source", "/s"),
                    ("ce-type", "t"),
                ] {
                    headers.insert(name, HeaderValue::from_static(value));
                }
            }
            for (name, value) in extra {
                if let (Ok(name), Ok(value)) = (
                    HeaderName::from_bytes(format!("ce-{name}").as_bytes()),
                    HeaderValue::from_bytes(&value),
                ) {
                    headers.append(name, value);
                }
            }
            if let Some(content_type) = content_type {
                headers.insert(CONTENT_TYPE, HeaderValue::from_bytes(content_type).unwrap());
            }
            headers
        })
}

fn mode() -> impl Strategy<Value = Mode> {
    select(vec![Mode::Structured, Mode::Batch, Mode::Binary])
}

/// A rejection is a client error (400, 413, 415): a body never makes the decoder fail as a server.
fn client_error<T>(result: &Result<T, Rejection>) -> Result<(), TestCaseError> {
    if let Err(rejection) = result {
        prop_assert!(
            rejection.status().is_client_error(),
            "{} {}",
            rejection.status(),
            rejection.reason()
        );
    }
    Ok(())
}

/// C1: an accepted event has its required attributes, non-empty, and well-formed extension names.
fn valid_events<T>(result: &Result<Vec<CloudEvent<T>>, Rejection>) -> Result<(), TestCaseError> {
    client_error(result)?;
    for event in result.iter().flatten() {
        prop_assert!(
            !event.id().is_empty() && !event.source().is_empty() && !event.ty().is_empty()
        );
        prop_assert_eq!(event.specversion().as_str(), "1.0");
        for name in event.extensions().keys() {
            prop_assert!(
                cloudevents::is_attribute_name(name) && name != "data",
                "extension {:?}",
                name
            );
        }
    }
    Ok(())
}

/// Decodes with the data types that take different paths (D13): JSON, raw bytes, optional, text.
fn decode_all(mode: Mode, headers: &HeaderMap, body: &[u8]) -> Result<(), TestCaseError> {
    fn one<T: DeserializeOwned>(
        mode: Mode,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<(), TestCaseError> {
        valid_events(&cloudevents::decode::<T>(mode, headers, body))?;
        client_error(&cloudevents::decode_delivery::<T>(mode, headers, body))
    }
    one::<Value>(mode, headers, body)?;
    one::<Bytes>(mode, headers, body)?;
    one::<Option<Value>>(mode, headers, body)?;
    one::<String>(mode, headers, body)
}

/// Headers that are arbitrary for attribute values but valid, so decoding reaches the data.
fn attribute_text() -> impl Strategy<Value = String> {
    any::<String>().prop_filter("empty", |s| !s.is_empty())
}

/// A URI-reference as the decoder checks it: no whitespace, no control characters.
fn source_text() -> impl Strategy<Value = String> {
    "[^\\s\\p{Cc}]{1,12}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    /// §4: decoding arbitrary bodies with arbitrary `ce-` headers never panics in any mode, and
    /// fails only with a client error; what it accepts satisfies C1.
    #[test]
    fn cloudevents_decode_never_panics((mode, headers, body) in ce_request()) {
        decode_all(mode, &headers, &body)?;
    }

    /// D7: the whole path of a route that takes plain messages (mode detection, then a CloudEvent
    /// or a plain message) never panics and fails only with a client error.
    #[test]
    fn plain_message_decode_never_panics((_, headers, body) in ce_request()) {
        match Mode::detect_or_plain(&headers) {
            Ok(mode) => {
                client_error(&decode_incoming::<Value>(mode, &headers, &body))?;
                client_error(&decode_incoming::<Bytes>(mode, &headers, &body))?;
            }
            Err(rejection) => client_error::<()>(&Err(rejection))?,
        }
    }

    /// §5, D23: decoding arbitrary Event Grid POSTs never panics and fails only with a client
    /// error; a validation or deletion event never reaches the handler as a notification.
    #[test]
    fn eventgrid_decode_never_panics(
        kind in prop::option::of(select(vec![
            "Notification", "SubscriptionValidation", "SubscriptionDeletion", "subscriptionvalidation", "Other", "",
        ])),
        body in body(grid_event(), Mode::Batch),
    ) {
        let mut headers = HeaderMap::new();
        if let Some(kind) = kind {
            headers.insert("aeg-event-type", HeaderValue::from_static(kind));
        }
        let decoded = eventgrid::decode::<Value>(&headers, &body);
        client_error(&decoded)?;
        if let Ok(eventgrid::EventGridDelivery::Notification(events)) = &decoded {
            for event in events {
                prop_assert!(![VALIDATION_EVENT_TYPE, DELETION_EVENT_TYPE].contains(&event.event_type()));
                prop_assert!(!event.id().is_empty() && !event.event_type().is_empty());
            }
        }
        client_error(&eventgrid::decode::<Bytes>(&headers, &body))?;
        client_error(&eventgrid::decode::<Option<String>>(&headers, &body))?;
    }

    /// C1, J5: a valid structured event (any id, type and URI-reference source, any JSON data,
    /// string extensions) decodes with exactly its attributes and data; a batch of them decodes
    /// to the same events in order.
    #[test]
    fn c1_valid_structured_events_decode_to_their_attributes(
        events in vec(
            (attribute_text(), source_text(), attribute_text(), json_value(), btree_map("[a-z0-9]{1,8}", any::<String>(), 0..3)),
            1..4,
        ),
    ) {
        let json: Vec<Value> = events
            .iter()
            .map(|(id, source, ty, data, exts)| {
                let mut event = serde_json::json!({
                    "specversion": "1.0", "id": id, "source": source, "type": ty, "data": data,
                });
                for (name, value) in exts.iter().filter(|(n, _)| !is_context_attribute(n)) {
                    event[name] = value.as_str().into();
                }
                event
            })
            .collect();
        let single = cloudevents::decode::<Value>(Mode::Structured, &HeaderMap::new(), json[0].to_string().as_bytes());
        let batch = cloudevents::decode::<Value>(Mode::Batch, &HeaderMap::new(), Value::Array(json).to_string().as_bytes());
        prop_assert!(single.is_ok(), "{:?}", single.map(drop));
        prop_assert!(batch.is_ok(), "{:?}", batch.map(drop));
        let (single, batch) = (single.unwrap(), batch.unwrap());
        prop_assert_eq!(single.len(), 1);
        prop_assert_eq!(batch.len(), events.len());
        for (event, (id, source, ty, data, exts)) in single.iter().chain(&batch).zip(events.iter().take(1).chain(&events)) {
            prop_assert_eq!((event.id(), event.source(), event.ty()), (id.as_str(), source.as_str(), ty.as_str()));
            prop_assert_eq!(event.data(), data);
            for (name, value) in exts.iter().filter(|(n, _)| !is_context_attribute(n)) {
                prop_assert_eq!(event.extension(name), Some(&ExtensionValue::String(value.clone())));
            }
        }
    }

    /// H8–H10: in binary mode every attribute header is percent-decoded exactly once (after
    /// unquoting), whatever the text and however it was encoded or quoted.
    #[test]
    fn h10_binary_attributes_are_decoded_from_their_headers(
        (id, source, ty) in (attribute_text(), source_text(), attribute_text()),
        (ext_name, ext_value) in ("[a-z0-9]{1,8}", any::<String>()),
        styles in styles(),
        quoting in vec(any::<bool>(), 1..8),
        data in json_value(),
    ) {
        prop_assume!(!is_context_attribute(&ext_name));
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert("ce-specversion", HeaderValue::from_static("1.0"));
        for (i, (name, text)) in [("id", &id), ("source", &source), ("type", &ty), (ext_name.as_str(), &ext_value)]
            .into_iter()
            .enumerate()
        {
            let mut encoded = percent_encode(text, &styles);
            if quoting[i % quoting.len()] {
                encoded = quote(&encoded, &quoting);
            }
            let value = HeaderValue::from_str(&encoded);
            prop_assert!(value.is_ok(), "not a header value: {:?}", encoded);
            headers.insert(HeaderName::from_bytes(format!("ce-{name}").as_bytes()).unwrap(), value.unwrap());
        }
        let decoded = cloudevents::decode::<Value>(Mode::Binary, &headers, data.to_string().as_bytes());
        prop_assert!(decoded.is_ok(), "{:?}", decoded.map(drop));
        let decoded = decoded.unwrap();
        let event = &decoded[0];
        prop_assert_eq!((event.id(), event.source(), event.ty()), (id.as_str(), source.as_str(), ty.as_str()));
        prop_assert_eq!(event.extension(&ext_name), Some(&ExtensionValue::String(ext_value)));
        prop_assert_eq!(event.data(), &data);
    }
}

/// Names that are context attributes (or `data`), not extensions.
fn is_context_attribute(name: &str) -> bool {
    matches!(
        name,
        "specversion"
            | "id"
            | "source"
            | "type"
            | "datacontenttype"
            | "dataschema"
            | "subject"
            | "time"
            | "data"
    )
}
