//! The request's tracing span, as the route and its rejections record on it: whether requests
//! are traced at all, and the current request's span.

/// Whether requests are traced: a subscriber takes `info` events (the request's span and its
/// answer line are at `info`). Without one, the route neither makes a span nor looks for the
/// current one.
pub(crate) fn traced() -> bool {
    tracing::Level::INFO <= tracing::level_filters::LevelFilter::current()
}

/// The request's span, to record its fields on: the current span when requests are traced,
/// none otherwise (no span was made, so none is looked for).
pub(crate) fn request_span() -> tracing::Span {
    if traced() {
        tracing::Span::current()
    } else {
        tracing::Span::none()
    }
}
