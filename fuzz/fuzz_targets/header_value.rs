//! `decode_header_value` (protocol.md §4, H10) on arbitrary bytes: never panics, and what it returns is
//! consistent with re-encoding, quoting and the input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use webhook_runtime::cloudevents::{HeaderValueError, decode_header_value};

fn is_quoted(raw: &[u8]) -> bool {
    raw.len() >= 2 && raw[0] == b'"' && raw[raw.len() - 1] == b'"'
}

/// Wraps `raw` in an RFC 7230 quoted string, escaping `"` and `\`.
fn quote(raw: &[u8]) -> Vec<u8> {
    let mut out = vec![b'"'];
    for &b in raw {
        if b == b'"' || b == b'\\' {
            out.push(b'\\');
        }
        out.push(b);
    }
    out.push(b'"');
    out
}

fuzz_target!(|raw: &[u8]| {
    let decoded = decode_header_value(raw);
    match &decoded {
        Ok(text) => {
            // Decoding never grows a value (unquoting and %XX both shrink it).
            assert!(text.len() <= raw.len());
            // Percent-encoding every byte of the result decodes back to it, exactly once.
            let encoded: String = text.bytes().map(|b| format!("%{b:02X}")).collect();
            assert_eq!(decode_header_value(encoded.as_bytes()).as_ref(), Ok(text));
            let lower = encoded.to_ascii_lowercase();
            assert_eq!(decode_header_value(lower.as_bytes()).as_ref(), Ok(text));
            // Without `%` and quotes, a value is its own decoding.
            if !raw.contains(&b'%') && !is_quoted(raw) {
                assert_eq!(text.as_bytes(), raw);
            }
        }
        // A dangling `\` can only be reported for a quoted string.
        Err(HeaderValueError::BadQuoting) => assert!(is_quoted(raw)),
        // Not UTF-8 after decoding: then the input itself is not a UTF-8 text without `%`.
        Err(HeaderValueError::NotUtf8) => {
            assert!(raw.contains(&b'%') || is_quoted(raw) || std::str::from_utf8(raw).is_err())
        }
    }
    // Quoting a value that is not already quoted does not change its decoding.
    if !is_quoted(raw) {
        assert_eq!(decode_header_value(&quote(raw)), decoded);
    }
});
