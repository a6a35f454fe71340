//! The network log: every request this page made, with its exact body. Always on the page, so
//! anyone can check that nothing of a file's content was sent.

use leptos::prelude::*;

use super::state::use_app;

#[component]
pub fn EgressLog() -> impl IntoView {
    let state = use_app();
    let log = state.api.log();
    let count = move || log.with(Vec::len);
    view! {
        <section class="panel egress" data-testid="egress-log" aria-label="Network activity">
            <details open=true>
                <summary>
                    <h2>"Network activity"</h2>
                    <span class="badge num" data-value=move || count().to_string()>
                        {move || match count() {
                            1 => "1 request".to_string(),
                            n => format!("{n} requests"),
                        }}
                    </span>
                </summary>
                <p class="muted small">
                    "Every request this page has made since it opened, with its complete body. "
                    "Loading the page's own code and styles is not listed."
                </p>
                {move || {
                    (count() == 0).then(|| view! { <p class="muted empty">"No requests yet."</p> })
                }}
                <ol class="egress-list">
                    <For each=move || log.get() key=|e| (e.id, e.outcome.clone()) let:entry>
                        <li data-method=entry.method.clone() data-url=entry.url.clone()>
                            <div class="egress-line">
                                <span class="method">{entry.method.clone()}</span>
                                <span class="url">{entry.url.clone()}</span>
                                <span class="outcome">
                                    {entry.outcome.clone().unwrap_or_else(|| "in flight…".into())}
                                </span>
                            </div>
                            {if entry.body.is_empty() {
                                view! { <p class="body none">"no body"</p> }.into_any()
                            } else {
                                view! { <pre class="body">{entry.body.clone()}</pre> }.into_any()
                            }}
                        </li>
                    </For>
                </ol>
            </details>
        </section>
    }
}
