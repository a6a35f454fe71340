//! Browser tests of the page's worker client against a stand-in for the engine: each worker of
//! the pool runs a relay script that passes the client's messages to this test over a
//! `BroadcastChannel` and the test's answers back, so the test decides what each request is
//! answered and in which order. They check what the page relies on: answers reach the call
//! they answer, a pool's shards are merged into one answer (a record's place in the merged
//! order too), a worker that dies or cannot read a message fails its calls, dropping an open's
//! reply stops its load, and an older answer never lands over a newer request's (the page's
//! [`Selection`] runs its requests in a `Latest`).

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::sync::Arc;

use app::protocol::{Columns, Envelope, Event, FilterReport, Loaded, PROTOCOL_VERSION, Request};
use app::session::Session;
use app::ui::selection::{Selection, provide_selection_context};
use app::ui::state::{LoadedFile, provide_app_context, provide_client_context};
use app::ui::table::VariantTable;
use app::worker_client::{CallError, FilterArgs, OpenArgs, Opened, PageRequest, WorkerClient};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use wasm_core::filter::Mode;
use wasm_core::formats::shards::{ShardRange, ShardSpec};
use wasm_core::progress::Silent;
use wasm_core::store::SortKey;
use web_sys::{BroadcastChannel, MessageEvent};

wasm_bindgen_test_configure!(run_in_browser);

const VCF: &str = include_str!("data/filter_small.vcf");
/// Longest a test waits for the client to post a request.
const WAIT_MS: u32 = 5000;

/// Resolves after `ms` milliseconds.
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

/// The workers' stand-in: a relay script, and this test's ends of its two channels.
struct Relay {
    script: String,
    down: BroadcastChannel,
    requests: Rc<RefCell<VecDeque<Request>>>,
    _up: BroadcastChannel,
    _on_up: Closure<dyn FnMut(MessageEvent)>,
}

impl Relay {
    /// A relay on channels named after `name` (each test its own). Every worker announces
    /// `Ready` as the engine does, then passes messages through.
    fn new(name: &str) -> Self {
        let ready = Envelope::new(&Event::Ready {
            version: PROTOCOL_VERSION,
        })
        .to_js()
        .unwrap();
        let bytes = js_sys::Reflect::get(&ready, &"msg".into())
            .unwrap()
            .unchecked_into::<js_sys::Uint8Array>()
            .to_vec();
        let source = format!(
            "const up = new BroadcastChannel('{name}-up');\n\
             const down = new BroadcastChannel('{name}-down');\n\
             down.onmessage = (e) => postMessage(e.data);\n\
             onmessage = (e) => up.postMessage(e.data);\n\
             postMessage({{ v: {PROTOCOL_VERSION}, msg: new Uint8Array({bytes:?}) }});\n"
        );
        let parts = js_sys::Array::of1(&JsValue::from_str(&source));
        let options = web_sys::BlobPropertyBag::new();
        options.set_type("text/javascript");
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).unwrap();
        let script = web_sys::Url::create_object_url_with_blob(&blob).unwrap();
        let requests = Rc::new(RefCell::new(VecDeque::new()));
        let up = BroadcastChannel::new(&format!("{name}-up")).unwrap();
        let on_up = Closure::<dyn FnMut(MessageEvent)>::new({
            let requests = requests.clone();
            move |e: MessageEvent| {
                let request = Envelope::<Request>::from_js(&e.data())
                    .expect("a request")
                    .msg;
                requests.borrow_mut().push_back(request);
            }
        });
        up.set_onmessage(Some(on_up.as_ref().unchecked_ref()));
        Self {
            script,
            down: BroadcastChannel::new(&format!("{name}-down")).unwrap(),
            requests,
            _up: up,
            _on_up: on_up,
        }
    }

    /// The next request a worker received.
    async fn next(&self) -> Request {
        for _ in 0..WAIT_MS / 5 {
            if let Some(request) = self.requests.borrow_mut().pop_front() {
                return request;
            }
            sleep(5).await;
        }
        panic!("no request came");
    }

    /// Whether a request came that was not taken yet.
    fn idle(&self) -> bool {
        self.requests.borrow().is_empty()
    }

    /// Answers, as the engine would (to every worker: each takes its own jobs).
    fn answer(&self, event: Event) {
        self.down
            .post_message(&Envelope::new(&event).to_js().unwrap())
            .unwrap();
    }
}

fn session() -> Session {
    let dataset = wasm_core::read_dataset(VCF.as_bytes(), None, &mut Silent).unwrap();
    Session::new(dataset)
}

/// What a worker holding `session` answers an open with.
fn loaded(session: &Session) -> Loaded {
    Loaded {
        summary: session.dataset().summary.clone(),
        schema: session.schema(),
        columns: Columns {
            info_keys: session.info_keys().to_vec(),
            format_keys: session.format_keys().to_vec(),
        },
        fingerprint: "f0".into(),
        millis: 1.0,
        annotation: None,
        streaming: None,
    }
}

fn open_args() -> OpenArgs {
    OpenArgs {
        file: web_sys::Blob::new().unwrap(),
        index: None,
        salt: vec![1, 2, 3],
        name: "small.vcf".into(),
        key: None,
        memory_budget: None,
    }
}

fn job(request: &Request) -> u32 {
    request.job()
}

/// Two requests in the order of their jobs: a fan-out numbers its shards' jobs in shard order
/// (the relays may pass them on in either order).
fn by_job(a: Request, b: Request) -> (Request, Request) {
    if a.job() < b.job() { (a, b) } else { (b, a) }
}

fn filter(expression: &str) -> FilterArgs {
    FilterArgs {
        expression: expression.into(),
        mode: Mode::Include,
        regions: None,
        genes: None,
    }
}

/// `expression`'s report over `session`.
fn report(session: &mut Session, expression: &str) -> FilterReport {
    session
        .filter(expression, Mode::Include, None, None, &|| 0.0)
        .unwrap()
}

/// A client whose one worker holds `session`'s file.
async fn opened(relay: &Relay, session: &Session) -> WorkerClient {
    let client = WorkerClient::with_script(&relay.script, 1);
    let reply = client.open(open_args(), |_| {});
    let request = relay.next().await;
    assert!(
        matches!(request, Request::Open { shards: 1, .. }),
        "{request:?}"
    );
    relay.answer(Event::Loaded {
        job: job(&request),
        loaded: loaded(session),
    });
    match reply.await {
        Ok(Opened::Loaded {
            loaded: got,
            workers,
        }) => {
            assert_eq!(workers, 1);
            assert_eq!(*got, loaded(session));
        }
        other => panic!("{other:?}"),
    }
    client
}

#[wasm_bindgen_test]
async fn answers_reach_the_call_they_answer_in_any_order() {
    let relay = Relay::new("order");
    let mut s = session();
    let client = opened(&relay, &s).await;
    let (want_a, want_b) = (report(&mut s, "QUAL>10"), report(&mut s, "QUAL>40"));
    let a = client.filter(filter("QUAL>10"));
    let b = client.filter(filter("QUAL>40"));
    let (ra, rb) = (relay.next().await, relay.next().await);
    assert!(matches!(&ra, Request::Filter { expression, .. } if expression == "QUAL>10"));
    relay.answer(Event::Filtered {
        job: job(&rb),
        report: want_b.clone(),
    });
    relay.answer(Event::Filtered {
        job: job(&ra),
        report: want_a.clone(),
    });
    assert_eq!(b.await, Ok(want_b));
    assert_eq!(a.await, Ok(want_a));
    // A rejection is an error of its kind, with what the worker said.
    let c = client.filter(filter("QUAL>"));
    let rc = relay.next().await;
    let rejection = s
        .filter("QUAL>", Mode::Include, None, None, &|| 0.0)
        .unwrap_err();
    relay.answer(Event::FilterRejected {
        job: job(&rc),
        expression: "QUAL>".into(),
        rejection: rejection.clone(),
    });
    assert_eq!(
        c.await,
        Err(CallError::Rejected {
            expression: "QUAL>".into(),
            rejection
        })
    );
}

#[wasm_bindgen_test]
async fn an_older_answer_never_lands_over_a_newer_requests() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = Owner::new();
    owner.set();
    let relay = Relay::new("supersede");
    let mut s = session();
    let client = opened(&relay, &s).await;
    let selection: Selection = provide_selection_context(client.clone());
    let (older, newer) = (report(&mut s, "QUAL>10"), report(&mut s, "QUAL>40"));
    assert_ne!(older.passing, newer.passing);
    let apply = |expression: &str| {
        selection.draft.set(expression.into());
        selection.apply();
    };

    // The newer answer comes first, the older one after it: the older never lands.
    apply("QUAL>10");
    let first = relay.next().await;
    apply("QUAL>40");
    let second = relay.next().await;
    relay.answer(Event::Filtered {
        job: job(&second),
        report: newer.clone(),
    });
    relay.answer(Event::Filtered {
        job: job(&first),
        report: older.clone(),
    });
    sleep(100).await;
    assert_eq!(selection.report.get_untracked(), Some(newer.clone()));

    // The older answer comes first: it lands nowhere; the newer one is shown.
    apply("QUAL>10");
    let first = relay.next().await;
    apply("QUAL>40");
    let second = relay.next().await;
    relay.answer(Event::Filtered {
        job: job(&first),
        report: older.clone(),
    });
    sleep(100).await;
    assert_eq!(selection.report.get_untracked(), Some(newer.clone()));
    // (still the earlier `newer`: the older answer did not replace it)
    let changes = selection.revision().get_untracked();
    relay.answer(Event::Filtered {
        job: job(&second),
        report: newer.clone(),
    });
    sleep(100).await;
    assert_eq!(selection.report.get_untracked(), Some(newer));
    assert_eq!(selection.revision().get_untracked(), changes + 1);

    // A request superseded before it ran is never posted.
    apply("QUAL>10");
    apply("QUAL>40");
    let only = relay.next().await;
    assert!(matches!(&only, Request::Filter { expression, .. } if expression == "QUAL>40"));
    sleep(50).await;
    assert!(relay.idle(), "the older filter was posted too");
}

#[wasm_bindgen_test]
async fn a_pool_load_and_its_filters_are_merged() {
    let relay = Relay::new("pool");
    let mut s = session();
    let client = WorkerClient::with_script(&relay.script, 2);
    let reply = client.open(open_args(), |_| {});
    let open = relay.next().await;
    assert!(matches!(open, Request::Open { shards: 2, .. }));
    let spec = |start| ShardSpec {
        range: ShardRange::Text {
            start_offset: start,
            end_offset: None,
        },
        data_bytes: 100,
    };
    relay.answer(Event::Shards {
        job: job(&open),
        specs: vec![spec(0), spec(50)],
    });
    let shard = relay.next().await;
    assert!(matches!(&shard, Request::OpenShard { spec: got, .. } if *got == spec(50)));
    relay.answer(Event::Loaded {
        job: job(&shard),
        loaded: loaded(&s),
    });
    relay.answer(Event::Loaded {
        job: job(&open),
        loaded: loaded(&s),
    });
    let Ok(Opened::Loaded {
        loaded: got,
        workers,
    }) = reply.await
    else {
        panic!("not loaded");
    };
    assert_eq!(workers, 2);
    assert_eq!(got.summary.records, 2 * s.dataset().summary.records);

    // A filter goes to both shards; the counts are summed.
    let one = report(&mut s, "QUAL>40");
    let merged = client.filter(filter("QUAL>40"));
    let (r0, r1) = (relay.next().await, relay.next().await);
    for r in [&r1, &r0] {
        relay.answer(Event::Filtered {
            job: job(r),
            report: one.clone(),
        });
    }
    let merged = merged.await.unwrap();
    assert_eq!(
        (merged.passing, merged.total),
        (2 * one.passing, 2 * one.total)
    );

    // A page asks every shard for its sort keys, then each for its rows on the page.
    let page = client.rows(PageRequest {
        offset: 0,
        limit: 3,
        sort: SortKey::Qual,
        descending: true,
    });
    let (k0, k1) = by_job(relay.next().await, relay.next().await);
    assert!(matches!(k0, Request::Keys { limit: 3, .. }));
    relay.answer(Event::Keys {
        job: job(&k0),
        total: 2,
        keys: vec![90.0, 10.0],
    });
    relay.answer(Event::Keys {
        job: job(&k1),
        total: 2,
        keys: vec![50.0, 40.0],
    });
    let (p0, p1) = by_job(relay.next().await, relay.next().await);
    let rows = s.rows(0, 2, SortKey::Qual, true).rows;
    let ask = |r: &Request| match r {
        Request::Rows { offset, limit, .. } => (*offset, *limit),
        other => panic!("{other:?}"),
    };
    // Shard 0 has the best and shard 1 the next two.
    assert_eq!((ask(&p0), ask(&p1)), ((0, 1), (0, 2)));
    relay.answer(Event::Rows {
        job: job(&p0),
        total: 2,
        offset: 0,
        rows: rows[..1].to_vec(),
        annotations: Vec::new(),
    });
    relay.answer(Event::Rows {
        job: job(&p1),
        total: 2,
        offset: 0,
        rows: rows.clone(),
        annotations: Vec::new(),
    });
    let page = page.await.unwrap();
    assert_eq!(page.total, 4);
    assert_eq!(page.rows.len(), 3);
    // Shard 1's rows are numbered after shard 0's records.
    let base = s.dataset().summary.records;
    assert_eq!(page.rows[1].index, rows[0].index + base);

    // A record's place in the merged order (a compound het's partner link): asked of the shard
    // holding it, in that shard's numbering; then every shard counts its records before it.
    let place = client.locate(base + 1, SortKey::Position, true);
    let locate = relay.next().await;
    assert!(
        matches!(
            locate,
            Request::Locate {
                record: 1,
                sort: SortKey::Position,
                descending: true,
                ..
            }
        ),
        "{locate:?}"
    );
    let key = app::shards::position_key(0, 300);
    relay.answer(Event::Located {
        job: job(&locate),
        place: Some((4, key)),
    });
    let (c0, c1) = by_job(relay.next().await, relay.next().await);
    for (c, part) in [(&c0, 0), (&c1, 1)] {
        assert!(
            matches!(c, Request::Precede { shard: 1, key: k, part: p, descending: true, .. } if *k == key && *p == part),
            "{c:?}"
        );
    }
    relay.answer(Event::Preceding {
        job: job(&c0),
        count: 7,
    });
    // The holding shard's own count is its offset already.
    relay.answer(Event::Preceding {
        job: job(&c1),
        count: 1000,
    });
    assert_eq!(place.await.unwrap(), Some(4 + 7));
    // A record the filter leaves out: no place, and nothing more asked.
    let place = client.locate(2, SortKey::Qual, false);
    let locate = relay.next().await;
    assert!(
        matches!(locate, Request::Locate { record: 2, .. }),
        "{locate:?}"
    );
    relay.answer(Event::Located {
        job: job(&locate),
        place: None,
    });
    assert_eq!(place.await.unwrap(), None);
    sleep(50).await;
    assert!(relay.idle(), "a record out of the table needs no count");
}

#[wasm_bindgen_test]
async fn a_dropped_open_stops_its_load_and_a_dead_worker_fails_its_calls() {
    let relay = Relay::new("drop");
    let s = session();
    let client = WorkerClient::with_script(&relay.script, 1);
    let reply = client.open(open_args(), |_| {});
    let open = relay.next().await;
    drop(reply);
    assert!(
        !client.cancel(),
        "the dropped open's load was still running"
    );
    // Its late answer changes nothing: no file is shown.
    relay.answer(Event::Loaded {
        job: job(&open),
        loaded: loaded(&s),
    });
    sleep(50).await;
    let no_file = client.filter(filter("QUAL>1")).await;
    assert!(
        matches!(no_file, Err(CallError::Failed { .. })),
        "{no_file:?}"
    );

    // A worker that could not read a message (job 0) is of no further use.
    let client = opened(&relay, &s).await;
    let lost = Rc::new(RefCell::new(None));
    client.set_on_lost({
        let lost = lost.clone();
        move |message| *lost.borrow_mut() = Some(message)
    });
    let call = client.filter(filter("QUAL>1"));
    let _ = relay.next().await;
    relay.answer(Event::Failed {
        job: 0,
        message: "the message is malformed".into(),
        location: None,
    });
    match call.await {
        Err(CallError::Failed { message, .. }) => {
            assert!(message.contains("stopped unexpectedly"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    assert!(lost.borrow().is_some(), "the page is told the file is lost");
}

#[wasm_bindgen_test]
async fn the_table_asks_for_its_page_again_when_the_selection_changes() {
    let _ = any_spawner::Executor::init_wasm_bindgen();
    let owner = Owner::new();
    owner.set();
    let relay = Relay::new("table");
    let mut s = session();
    let client = opened(&relay, &s).await;
    provide_client_context(client.clone());
    provide_app_context();
    let selection = provide_selection_context(client);
    let file = Arc::new(LoadedFile {
        name: "small.vcf".into(),
        size_bytes: 1,
        workers: 1,
        loaded: loaded(&s),
    });
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let _mounted = leptos::mount::mount_to(host.clone().unchecked_into(), move || {
        view! { <VariantTable file=file /> }
    });
    let total = || {
        host.query_selector("[data-testid=page-total]")
            .unwrap()
            .and_then(|e| e.get_attribute("data-value"))
    };
    let busy = || {
        host.query_selector("[data-testid=variant-table]")
            .unwrap()
            .and_then(|e| e.get_attribute("aria-busy"))
    };
    // Answers a `Rows` request with the first `n` rows of `of` passing records.
    let answer_rows = |request: &Request, rows: &[wasm_core::store::Row], of: u64| {
        relay.answer(Event::Rows {
            job: job(request),
            total: of,
            offset: 0,
            rows: rows.to_vec(),
            annotations: Vec::new(),
        });
    };
    let all = s.rows(0, 50, SortKey::Position, false);
    let first = relay.next().await;
    assert!(
        matches!(
            first,
            Request::Rows {
                offset: 0,
                limit: 50,
                ..
            }
        ),
        "{first:?}"
    );
    sleep(20).await;
    assert_eq!(busy().as_deref(), Some("true"));
    answer_rows(&first, &all.rows, all.total);
    sleep(50).await;
    assert_eq!(total().as_deref(), Some(all.total.to_string().as_str()));
    assert_eq!(busy().as_deref(), Some("false"));
    assert_eq!(
        host.query_selector_all("[data-testid=variant-row]")
            .unwrap()
            .length(),
        all.rows.len() as u32
    );

    // A filter: the same first page is asked for again, of the passing records.
    selection.draft.set("QUAL>40".into());
    selection.apply();
    let filter = relay.next().await;
    let report = report(&mut s, "QUAL>40");
    relay.answer(Event::Filtered {
        job: job(&filter),
        report: report.clone(),
    });
    let again = relay.next().await;
    assert!(
        matches!(again, Request::Rows { offset: 0, .. }),
        "{again:?}"
    );
    let passing = s.rows(0, 50, SortKey::Position, false);
    assert_eq!(passing.total, report.passing);
    answer_rows(&again, &passing.rows, passing.total);
    sleep(50).await;
    assert_eq!(
        total().as_deref(),
        Some(report.passing.to_string().as_str())
    );
    assert_eq!(
        host.query_selector_all("[data-testid=variant-row]")
            .unwrap()
            .length(),
        passing.rows.len() as u32
    );
}

/// A pedigree check asks every worker holding the file for its counts and finishes the check
/// in the page: one worker's counts as they are, two shards' counts merged (the same counts
/// twice make every number twice), with the pedigree the page keeps. The counts are asked for
/// once per shown file: callers asking together share the pass, later ones get the kept
/// counts; a failed pass is not kept.
#[wasm_bindgen_test]
async fn a_pedigree_check_merges_every_shards_counts() {
    use app::worker_client::pedigree_check::finish;
    use wasm_core::pedigree::Pedigree;
    use wasm_core::pedigree_check::{self, CheckParams, Declared, Tally};

    let s = session();
    let tally = pedigree_check::tally(&s.dataset().store, None, &CheckParams::default());
    let samples = s.dataset().summary.samples.clone();
    let ped = Pedigree::parse(
        format!(
            "f\t{}\t0\t0\t1\t1\nf\t{}\t0\t0\t2\t1\n",
            samples[0], samples[1]
        )
        .as_bytes(),
    )
    .unwrap();
    let declared = Declared::from_pedigree(&ped);

    // One worker. A worker that fails fails the call, and the failure is not kept.
    let relay = Relay::new("pedigree-one");
    let client = opened(&relay, &s).await;
    let reply = client.pedigree_check(None);
    let request = relay.next().await;
    relay.answer(Event::Failed {
        job: job(&request),
        message: "no file is loaded in this worker".into(),
        location: None,
    });
    assert!(matches!(reply.await, Err(CallError::Failed { .. })));
    // Two panels asking together wait for one pass over the file.
    let reply = client.pedigree_check(Some(ped.clone()));
    let other = client.pedigree_check(None);
    let request = relay.next().await;
    assert!(
        matches!(request, Request::PedigreeCheck { .. }),
        "{request:?}"
    );
    sleep(20).await;
    assert!(relay.idle(), "the second ask started a second pass");
    relay.answer(Event::PedigreeTally {
        job: job(&request),
        tally: Box::new(tally.clone()),
    });
    let report = reply.await.unwrap();
    assert_eq!(report.parts, 1);
    assert_eq!(
        report.check,
        pedigree_check::finish(&tally, Some(&declared), &CheckParams::default())
    );
    // Each finished against its own pedigree.
    assert_eq!(
        other.await.unwrap().check,
        pedigree_check::finish(&tally, None, &CheckParams::default())
    );
    // Asked again (an edited PED, another panel): the kept counts, nothing read again.
    let again = client.pedigree_check(Some(ped.clone())).await.unwrap();
    assert_eq!(again, report);
    sleep(20).await;
    assert!(relay.idle(), "the counts were asked for again");

    // Two shards.
    let relay = Relay::new("pedigree-two");
    let client = WorkerClient::with_script(&relay.script, 2);
    let reply = client.open(open_args(), |_| {});
    let open = relay.next().await;
    let spec = |start| ShardSpec {
        range: ShardRange::Text {
            start_offset: start,
            end_offset: None,
        },
        data_bytes: 100,
    };
    relay.answer(Event::Shards {
        job: job(&open),
        specs: vec![spec(0), spec(50)],
    });
    let shard = relay.next().await;
    relay.answer(Event::Loaded {
        job: job(&shard),
        loaded: loaded(&s),
    });
    relay.answer(Event::Loaded {
        job: job(&open),
        loaded: loaded(&s),
    });
    assert!(matches!(reply.await, Ok(Opened::Loaded { workers: 2, .. })));
    let reply = client.pedigree_check(Some(ped.clone()));
    let (c0, c1) = by_job(relay.next().await, relay.next().await);
    for r in [&c1, &c0] {
        assert!(matches!(r, Request::PedigreeCheck { .. }), "{r:?}");
        relay.answer(Event::PedigreeTally {
            job: job(r),
            tally: Box::new(tally.clone()),
        });
    }
    let report = reply.await.unwrap();
    assert_eq!(report.parts, 2);
    let both = Tally::merge(vec![tally.clone(), tally.clone()]).unwrap();
    assert_eq!(
        report,
        finish(vec![tally.clone(), tally.clone()], Some(&ped)).unwrap()
    );
    assert_eq!(
        report.check,
        pedigree_check::finish(&both, Some(&declared), &CheckParams::default())
    );
    let one = pedigree_check::finish(&tally, Some(&declared), &CheckParams::default());
    assert!(one.pairs[0].n > 0, "the counts are not all zero");
    assert_eq!(report.check.pairs[0].n, 2 * one.pairs[0].n);
}
