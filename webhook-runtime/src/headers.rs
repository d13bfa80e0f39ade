//! Reading request headers by name without hashing the name, and refusing a header the
//! runtime decides on when it is sent more than once.

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::rejection::Rejection;

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

/// 400, naming the header, when the request sends one of `names` more than once: the runtime
/// reads one value of each (`HeaderMap::get`, [`first`]), so two could be read two ways (the
/// first by the runtime, the last by a proxy or the handler). One pass over the headers:
/// `HeaderMap::iter` yields the values of a name one after another, so a repeated header is the
/// same name twice in a row, and only then is it looked for in `names`.
pub(crate) fn refuse_repeated(headers: &HeaderMap, names: &[HeaderName]) -> Result<(), Rejection> {
    let mut previous: Option<&HeaderName> = None;
    for (name, _) in headers {
        if previous == Some(name) && names.contains(name) {
            return Err(repeated(name));
        }
        previous = Some(name);
    }
    Ok(())
}

#[cold]
fn repeated(name: &HeaderName) -> Rejection {
    Rejection::bad_request(format!(
        "header `{name}` appears more than once: send exactly one"
    ))
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

    /// A repeated header among `names` is refused wherever its values come, naming it; a
    /// repeated header not among them, or headers sent once, are not.
    #[test]
    fn refuse_repeated_names_the_repeated_header() {
        let (content_type, event_type) = (
            http::header::CONTENT_TYPE,
            HeaderName::from_static("aeg-event-type"),
        );
        let names = [content_type, event_type];
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("host", "a"),
            ("content-type", "application/json"),
            ("x-other", "o1"),
            ("aeg-event-type", "Notification"),
            ("x-other", "o2"),
        ] {
            headers.append(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        assert!(refuse_repeated(&headers, &names).is_ok());
        for (name, value) in [
            ("aeg-event-type", "SubscriptionValidation"),
            ("content-type", "text/plain"),
        ] {
            let mut twice = headers.clone();
            twice.append(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
            let refused = refuse_repeated(&twice, &names).unwrap_err();
            assert_eq!(refused.status(), http::StatusCode::BAD_REQUEST);
            assert_eq!(
                refused.reason(),
                format!("header `{name}` appears more than once: send exactly one")
            );
        }
        assert!(refuse_repeated(&HeaderMap::new(), &names).is_ok());
    }
}
