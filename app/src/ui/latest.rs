//! [`Latest`]: how a newer request supersedes an older one, everywhere on the page.
//!
//! A task whose answer replaces something on screen — opening a file, applying a filter, a
//! scan, a region read, the table's page — runs in a `Latest`. Starting one aborts the one
//! before: the older task never runs again, so nothing it would have written lands, and the
//! [`Reply`](crate::worker_client::Reply) it awaited is dropped, which abandons its call (an
//! open's loading workers are stopped). No request numbers or staleness checks in the panels:
//!
//! ```ignore
//! let asking = Latest::new();
//! Effect::new(move |_| {
//!     let request = request.get(); // runs again when the sort, the page or the filter change
//!     let client = client.clone();
//!     asking.run(async move { page.set(client.rows(request).await.ok()) });
//! });
//! // a command: `button on:click=move |_| asking.run(async move { … })`
//! ```
//!
//! [`Latest::pending`] says whether the newest task is still running; [`delayed`] turns that
//! into a "working…" that shows only once a task has taken a noticeable time.
//!
//! # Why not Leptos's `LocalResource`, `AsyncDerived` or `Action`
//!
//! Checked in the versions we use (leptos 0.8.23, reactive_graph 0.2.16), against what the
//! page needs: a superseded request is *dropped at once* (dropping its `Reply` is what stops
//! an open's loading workers and lets a newer filter go to the worker without waiting), and its
//! answer never lands.
//!
//! - `LocalResource` is an `ArcAsyncDerived` (`new_unsync`). Its one spawned loop (in
//!   `ArcAsyncDerived`'s `spawn_derived!`) awaits each future to the end before it reads the
//!   next change notification: a source change while a future runs neither drops nor aborts it.
//!   The newer request waits behind the older (a second file's open behind the first's whole
//!   load), and the older answer is stored — its version check only guards against a manual
//!   `set`, since the version moves when the *next* future starts — so it shows until the newer
//!   one arrives.
//! - `Action::dispatch_local` spawns each dispatch as its own task; nothing supersedes an
//!   earlier one. Its staleness check (`dispatched.get_value() <= current_version`) compares a
//!   counter that `dispatch` never increments, so every answer is written, in the order they
//!   come back: a slow older filter overwrites a newer one. Its `ActionAbortHandle` does drop the
//!   future, but only when the caller keeps the handle and aborts it before the next dispatch —
//!   which is what `Latest` does, without an `Action`'s single output value (a filter's answer
//!   sets the report, the problem and the scan line).
//!
//! So the page keeps `Latest`; this module's tests and `app/tests/client.rs` hold its behaviour (a
//! newer task aborts the older; an older answer never lands over a newer request's; a dropped
//! open stops its load).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use futures_util::future::{AbortHandle, abortable};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Runs one task at a time: a newer one aborts the older. `Copy`: a handle.
#[derive(Clone, Copy)]
pub struct Latest {
    running: StoredValue<Option<AbortHandle>, LocalStorage>,
    pending: RwSignal<bool>,
}

impl Default for Latest {
    fn default() -> Self {
        Self::new()
    }
}

impl Latest {
    pub fn new() -> Self {
        Self {
            running: StoredValue::new_local(None),
            pending: RwSignal::new(false),
        }
    }

    /// Starts `task`; the task still running, if any, is aborted first.
    pub fn run(&self, task: impl Future<Output = ()> + 'static) {
        // Boxed: one copy of what follows for every kind of task, not one each.
        self.run_boxed(Box::pin(task));
    }

    fn run_boxed(&self, task: Pin<Box<dyn Future<Output = ()>>>) {
        let (task, handle) = abortable(task);
        self.abort();
        self.running.set_value(Some(handle));
        self.pending.set(true);
        let this = *self;
        spawn_local(async move {
            // An aborted task is superseded (or stopped): the newer one owns `pending`.
            if task.await.is_ok() {
                this.running.set_value(None);
                this.pending.set(false);
            }
        });
    }

    /// Stops the task still running, if any; it writes nothing more.
    pub fn abort(&self) {
        if let Some(older) = self.running.try_update_value(Option::take).flatten() {
            older.abort();
            self.pending.set(false);
        }
    }

    /// Whether a task is running (tracked).
    pub fn pending(&self) -> bool {
        self.pending.get()
    }
}

/// `pending`, said only once it has lasted `delay`: a quick answer then finds the page as it
/// was, instead of waiting behind the paint of a busy state it is about to replace.
pub fn delayed(pending: impl Fn() -> bool + 'static, delay: Duration) -> ReadSignal<bool> {
    let (slow, set_slow) = signal(false);
    let timer = StoredValue::new_local(None::<TimeoutHandle>);
    Effect::new(move |_| {
        let now = pending();
        if let Some(handle) = timer.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        if now {
            let handle = set_timeout_with_handle(move || set_slow.set(true), delay).ok();
            timer.set_value(handle);
        } else {
            set_slow.set(false);
        }
    });
    slow
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    // The page's timers need a window: the crate's unit tests run in the browser.
    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    /// Resolves after `ms` milliseconds (the page's timers and tasks run meanwhile).
    pub(crate) async fn sleep(ms: u64) {
        let promise = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .expect("a window")
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32)
                .expect("a timer");
        });
        wasm_bindgen_futures::JsFuture::from(promise)
            .await
            .expect("the timer fires");
    }

    /// Reactive code needs an owner and Leptos' task executor, as on the page.
    pub(crate) fn reactive() -> Owner {
        let _ = any_spawner::Executor::init_wasm_bindgen();
        let owner = Owner::new();
        owner.set();
        owner
    }

    #[wasm_bindgen_test]
    async fn a_newer_task_aborts_the_older() {
        let _owner = reactive();
        let latest = Latest::new();
        let shown = RwSignal::new(Vec::<&str>::new());
        // The older task's answer comes last: it must not land.
        latest.run(async move {
            sleep(80).await;
            shown.update(|s| s.push("older"));
        });
        assert!(latest.pending.get_untracked());
        latest.run(async move {
            sleep(20).await;
            shown.update(|s| s.push("newer"));
        });
        sleep(160).await;
        assert_eq!(shown.get_untracked(), ["newer"]);
        assert!(!latest.pending.get_untracked());
        // A task that ends before the next one starts lands, as it should.
        latest.run(async move { shown.update(|s| s.push("third")) });
        sleep(10).await;
        latest.run(async move { shown.update(|s| s.push("fourth")) });
        sleep(10).await;
        assert_eq!(shown.get_untracked(), ["newer", "third", "fourth"]);
        // Abort stops the running one; nothing is pending.
        latest.run(async move {
            sleep(30).await;
            shown.update(|s| s.push("stopped"));
        });
        latest.abort();
        sleep(60).await;
        assert_eq!(shown.get_untracked().len(), 3);
        assert!(!latest.pending.get_untracked());
    }

    #[wasm_bindgen_test]
    async fn busy_is_said_only_when_a_task_is_slow() {
        const SLOW: u64 = 150;
        let _owner = reactive();
        let pending = RwSignal::new(false);
        let slow = delayed(move || pending.get(), Duration::from_millis(SLOW));
        // A quick answer: nothing is ever said.
        pending.set(true);
        sleep(10).await;
        pending.set(false);
        sleep(SLOW + 60).await;
        assert!(!slow.get_untracked());
        // A slow one is said until it ends.
        pending.set(true);
        sleep(SLOW + 60).await;
        assert!(slow.get_untracked());
        pending.set(false);
        sleep(10).await;
        assert!(!slow.get_untracked());
        // The timer of an earlier, ended task does not mark a later one slow early.
        pending.set(true);
        sleep(SLOW / 2).await;
        pending.set(false);
        sleep(10).await;
        pending.set(true);
        sleep(SLOW / 2 + 40).await;
        assert!(
            !slow.get_untracked(),
            "the later task is younger than the delay"
        );
        sleep(SLOW).await;
        assert!(slow.get_untracked());
        pending.set(false);
        sleep(10).await;
        assert!(!slow.get_untracked());
    }
}
