//! Origin allow-lists (protocol.md §2, D3, D21): `AllowedOrigins::parse` of entries from the input, then
//! `grant` on request origins from the rest, checked against the spec's rules.
//!
//! Input format: the first line holds comma-separated allow-list entries, each further line is a
//! request's `WebHook-Request-Origin` bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use webhook_core::{is_host_origin, is_visible_ascii, parse_pattern};
use webhook_runtime::{AllowedOrigins, OriginGrant};

/// D3's wildcard rule: `request` ends in `.` + `domain` (ASCII case-insensitively) after one or
/// more whole non-empty labels.
fn under(domain: &str, request: &[u8]) -> bool {
    let suffix = format!(".{domain}");
    request.len() > suffix.len() && {
        let (labels, tail) = request.split_at(request.len() - suffix.len());
        tail.eq_ignore_ascii_case(suffix.as_bytes())
            && labels.split(|&b| b == b'.').all(|l| !l.is_empty())
    }
}

fuzz_target!(|input: &[u8]| {
    let mut lines = input.split(|&b| b == b'\n');
    let Ok(first) = std::str::from_utf8(lines.next().unwrap_or_default()) else {
        return;
    };
    let entries: Vec<&str> = first.split(',').map(str::trim).collect();
    let Ok(list) = AllowedOrigins::parse(&entries) else {
        assert!(entries.iter().any(|e| parse_pattern(e).is_err()));
        return;
    };
    let any = entries.contains(&"*");
    assert_eq!(list.is_any(), any);
    for request in lines.take(16) {
        let grant = list.grant(request);
        if any {
            // `*` answers `*` to any non-empty visible ASCII, never echoes.
            assert_eq!(
                grant,
                is_visible_ascii(request).then_some(OriginGrant::Wildcard)
            );
            continue;
        }
        // Without `*`: an echo only for a D21 host name equal to a listed name ignoring ASCII
        // case, or under a listed wildcard; and always so for such a name.
        let expected = (is_host_origin(request)
            && entries.iter().any(|entry| match entry.strip_prefix("*.") {
                Some(domain) => under(domain, request),
                None => entry.as_bytes().eq_ignore_ascii_case(request),
            }))
        .then_some(OriginGrant::Echo);
        assert_eq!(
            grant,
            expected,
            "{entries:?} {:?}",
            String::from_utf8_lossy(request)
        );
        if grant.is_some() {
            assert!(is_host_origin(request));
        }
        // Letter case never changes the answer.
        assert_eq!(list.grant(&request.to_ascii_uppercase()), grant);
        assert_eq!(list.grant(&request.to_ascii_lowercase()), grant);
    }
});
