//! Request bodies that break off: a first chunk, then a stall, a failure or a pause, as a
//! sender whose connection stalls or drops mid-body produces (for the body timeout, 400 and 408).

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use http_body_util::combinators::MapErr;
use http_body_util::{BodyExt, Full};

/// The first chunk of a [`broken_off`] body. `http_body::Frame` is not reachable from the
/// dev-dependencies, so frames come from a `Full` body and their type is named through the
/// output of `BodyExt::frame`'s future.
type Chunk = MapErr<Full<Bytes>, fn(Infallible) -> io::Error>;
type Polled = <http_body_util::combinators::Frame<'static, Chunk> as Future>::Output;

/// What a [`broken_off`] body does after its first chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Then {
    /// Never sends anything more and never ends (a sender that stalls).
    Stall,
    /// Fails, as hyper's body does when the connection closes before `Content-Length` bytes.
    Fail,
    /// Sends the rest after a pause, then ends (a slow sender).
    After(Duration, &'static str),
    /// Ends there.
    End,
}

struct BrokenOff {
    first: Option<Chunk>,
    then: Then,
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl HttpBody for BrokenOff {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Polled> {
        if let Some(first) = self.first.as_mut() {
            match Pin::new(first).poll_frame(cx) {
                Poll::Ready(None) => self.first = None,
                frame => return frame,
            }
        }
        match self.then {
            Then::After(pause, rest) => {
                let sleep = self
                    .pause
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(pause)));
                std::task::ready!(sleep.as_mut().poll(cx));
                self.first = Some(chunk(rest));
                self.then = Then::End;
                self.poll_frame(cx)
            }
            Then::End => Poll::Ready(None),
            Then::Stall => Poll::Pending,
            Then::Fail => Poll::Ready(Some(Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the body broke off",
            )))),
        }
    }
}

fn chunk(bytes: impl Into<Bytes>) -> Chunk {
    fn never(never: Infallible) -> io::Error {
        match never {}
    }
    Full::new(bytes.into()).map_err(never as fn(Infallible) -> io::Error)
}

/// A request body that yields `first` and then stalls forever, fails, or ends after a
/// pause.
pub fn broken_off(first: impl Into<Bytes>, then: Then) -> Body {
    Body::new(BrokenOff {
        first: Some(chunk(first)),
        then,
        pause: None,
    })
}
