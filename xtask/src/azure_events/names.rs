//! Rust names from Azure's: fields, variants, constants.

/// The variant of an event type: its name after `Microsoft.<Service>.`.
pub(super) fn event_variant(event: &str) -> String {
    let name = event.splitn(3, '.').nth(2).unwrap_or(event);
    pascal_case(name)
}

/// `contentLength` → `content_length`, `clientIPAddress` → `client_ip_address`; Rust keywords
/// as raw identifiers.
pub(super) fn field_name(property: &str) -> String {
    let name = snake_case(property);
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum",
        "extern", "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move",
        "mut", "pub", "ref", "return", "static", "struct", "super", "trait", "true", "type",
        "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "gen",
        "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
    ];
    if KEYWORDS.contains(&name.as_str()) {
        format!("r#{name}")
    } else {
        name
    }
}

pub(super) fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 {
            let previous = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            let boundary = previous.is_ascii_lowercase()
                || previous.is_ascii_digit()
                || (previous.is_ascii_uppercase() && next_lower);
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    let out = out.trim_matches('_').to_owned();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("n_{out}")
    } else {
        out
    }
}

/// `in-progress` → `InProgress`, `#Microsoft.Media.JobOutputAsset` → `MicrosoftMediaJobOutputAsset`.
pub(super) fn pascal_case(value: &str) -> String {
    let mut out = String::new();
    for part in value.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.is_empty() {
        "Empty".to_owned()
    } else if out.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{out}")
    } else {
        out
    }
}

pub(super) fn screaming_case(name: &str) -> String {
    snake_case(name)
        .trim_start_matches("r#")
        .to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snake_case("contentLength"), "content_length");
        assert_eq!(snake_case("clientIPAddress"), "client_ip_address");
        assert_eq!(snake_case("eTag"), "e_tag");
        assert_eq!(snake_case("Id"), "id");
        assert_eq!(snake_case("NBF"), "nbf");
        assert_eq!(snake_case("KeyVault"), "key_vault");
        assert_eq!(field_name("type"), "r#type");
        assert_eq!(pascal_case("in-progress"), "InProgress");
        assert_eq!(
            pascal_case("#Microsoft.Media.JobOutputAsset"),
            "MicrosoftMediaJobOutputAsset"
        );
        assert_eq!(pascal_case("1"), "V1");
        assert_eq!(
            event_variant("Microsoft.Storage.BlobCreated"),
            "BlobCreated"
        );
        assert_eq!(
            event_variant("Microsoft.Communication.ChatMessageReceived"),
            "ChatMessageReceived"
        );
        assert_eq!(screaming_case("BlobCreated"), "BLOB_CREATED");
    }
}
