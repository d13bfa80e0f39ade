//! Attribute values that most events share, kept without a copy of their own.

use std::borrow::Cow;

/// `value` as a `'static` string when it is one that most events carry (`application/json`,
/// the Event Grid versions `1`, `1.0`, `2`, `2.0`, and the empty string), as it is otherwise.
/// Saves an allocation per event and attribute for these values; any other value costs what it
/// did (a borrowed one is copied once, an owned one is kept).
pub(crate) fn interned(value: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Borrowed(match &*value {
        "application/json" => "application/json",
        "1" => "1",
        "1.0" => "1.0",
        "2" => "2",
        "2.0" => "2.0",
        "" => "",
        _ => return Cow::Owned(value.into_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_values_are_shared_and_others_kept() {
        for common in ["application/json", "1", "1.0", "2", "2.0", ""] {
            let shared = interned(Cow::Owned(common.to_owned()));
            assert!(
                matches!(shared, Cow::Borrowed(s) if s == common),
                "{common:?}"
            );
        }
        for other in ["application/JSON", "text/plain", "1.1", " 1"] {
            let kept = interned(Cow::Borrowed(other));
            assert!(matches!(&kept, Cow::Owned(s) if s == other), "{other:?}");
        }
    }
}
