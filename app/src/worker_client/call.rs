//! One call to the engine: [`Reply`], the future a [`WorkerClient`] call returns, and
//! [`Answer`], its sending half inside the client.
//!
//! A reply resolves once: with the answer, or with a [`CallError`] — the engine failed, it
//! rejected the request, or the call was dropped inside the client (its worker was stopped:
//! cancelled, or a newer file). Dropping a reply abandons its call: its answer lands nowhere,
//! and an open's loading workers are stopped ([`Reply::on_drop`]). That is the one way a newer
//! request supersedes an older one: the page drops the older future — a
//! [`Latest`](crate::ui::latest::Latest) action aborts its older task, a `LocalResource` keeps
//! only its latest run — and nothing of the older answer reaches the page.
//!
//! [`WorkerClient`]: super::WorkerClient

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_channel::oneshot;

use crate::protocol::{Event, FilterRejection};
use wasm_core::Location;

/// Why a call gave no answer.
#[derive(Debug, Clone, PartialEq)]
pub enum CallError {
    /// The engine could not do it: what, and where in the file when it knows.
    Failed {
        message: String,
        location: Option<Location>,
    },
    /// The expression, region list or gene list was not applied (what is wrong and where); the
    /// previous selection stays in force.
    Rejected {
        expression: String,
        rejection: FilterRejection,
    },
    /// The client let go of the call: its workers were stopped (a cancel, or a newer file).
    Dropped,
}

impl CallError {
    /// The error a final event other than the expected answer stands for.
    pub(crate) fn from_event(event: Event) -> Self {
        match event {
            Event::Failed {
                message, location, ..
            } => Self::Failed { message, location },
            Event::FilterRejected {
                expression,
                rejection,
                ..
            } => Self::Rejected {
                expression,
                rejection,
            },
            _ => Self::failed("the engine answered out of order"),
        }
    }

    pub(crate) fn failed(message: impl Into<String>) -> Self {
        Self::Failed {
            message: message.into(),
            location: None,
        }
    }
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Failed { message, .. } => f.write_str(message),
            Self::Rejected { expression, .. } => write!(f, "“{expression}” was not applied"),
            Self::Dropped => f.write_str("the request was dropped"),
        }
    }
}

impl std::error::Error for CallError {}

/// A new call: the client keeps the [`Answer`], the caller awaits the [`Reply`].
pub(crate) fn call<T>() -> (Answer<T>, Reply<T>) {
    let (sender, receiver) = oneshot::channel();
    (
        Answer(Some(sender)),
        Reply {
            receiver,
            on_drop: None,
        },
    )
}

/// The client's half of a call: resolves its [`Reply`] once.
pub(crate) struct Answer<T>(Option<oneshot::Sender<Result<T, CallError>>>);

impl<T> Answer<T> {
    /// Resolves the reply; later sends do nothing.
    pub(crate) fn send(&mut self, outcome: Result<T, CallError>) {
        if let Some(sender) = self.0.take() {
            // A dropped reply wanted nothing more.
            let _ = sender.send(outcome);
        }
    }

    /// Whether someone still awaits the reply: progress and further work for a dropped one
    /// are skipped.
    pub(crate) fn is_wanted(&self) -> bool {
        self.0.as_ref().is_some_and(|s| !s.is_canceled())
    }
}

/// The answer to a [`WorkerClient`](super::WorkerClient) call, to `.await`. Dropping it
/// abandons the call.
#[must_use = "a reply does nothing unless awaited; dropping it abandons the call"]
pub struct Reply<T> {
    receiver: oneshot::Receiver<Result<T, CallError>>,
    on_drop: Option<Box<dyn FnOnce()>>,
}

impl<T> Reply<T> {
    /// Runs `abandon` if the reply is dropped before it resolves.
    pub(crate) fn on_drop(mut self, abandon: impl FnOnce() + 'static) -> Self {
        self.on_drop = Some(Box::new(abandon));
        self
    }
}

impl<T> Future for Reply<T> {
    type Output = Result<T, CallError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        match Pin::new(&mut this.receiver).poll(cx) {
            Poll::Ready(outcome) => {
                this.on_drop = None;
                Poll::Ready(outcome.unwrap_or(Err(CallError::Dropped)))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T> Drop for Reply<T> {
    fn drop(&mut self) {
        if let Some(abandon) = self.on_drop.take() {
            abandon();
        }
    }
}
