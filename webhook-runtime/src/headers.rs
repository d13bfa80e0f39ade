//! Reading request headers by name without hashing the name.

use http::{HeaderMap, HeaderName, HeaderValue};

/// The first value of header `name`, as [`HeaderMap::get`] gives it, found by comparing the
/// names of the request's headers rather than hashing `name`: for the custom names a webhook
/// reads (`ce-type`, `aeg-event-type`, …) hashing and probing costs more than comparing the
/// names of a request's few headers (a name of another length is passed over at once).
#[inline]
pub(crate) fn first<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Option<&'a HeaderValue> {
    headers
        .iter()
        .find(|(sent, _)| *sent == name)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Agrees with `HeaderMap::get` for present, absent and repeated names, standard or custom,
    /// among other headers.
    #[test]
    fn first_is_what_get_gives() {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("host", "a"),
            ("ce-type", "t1"),
            ("content-type", "application/json"),
            ("aeg-event-type", "Notification"),
            ("ce-type", "t2"),
            ("content-type", "text/plain"),
            ("x-other", "o"),
        ] {
            headers.append(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        for name in [
            "host",
            "ce-type",
            "content-type",
            "aeg-event-type",
            "x-other",
            "ce-id",
            "aeg-subscription-name",
            "accept",
        ] {
            let name = HeaderName::from_static(name);
            assert_eq!(first(&headers, &name), headers.get(&name), "{name}");
        }
        assert_eq!(
            first(&headers, &HeaderName::from_static("ce-type")).unwrap(),
            "t1"
        );
        assert_eq!(first(&HeaderMap::new(), &http::header::HOST), None);
    }
}
