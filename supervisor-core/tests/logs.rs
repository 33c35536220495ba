//! What the runtime logs through `tracing`: a `child` span at INFO for every
//! instance, under its supervisor's span, and the start and end of a
//! shutdown.

use std::sync::{Arc, Mutex};

use supervisor_core::{
    ChildContext, ChildSpec, Supervisor, SupervisorSpec, TaskRole,
    testing::{EventPattern, TestTree},
};
use tracing::{
    Level, Subscriber,
    span::{Attributes, Id},
};
use tracing_subscriber::{
    Layer, Registry,
    layer::{Context, SubscriberExt},
    registry::LookupSpan,
};

/// A span as the subscriber saw it open: name, level, `path` field and the
/// name and path of its parent.
#[derive(Debug, Clone, PartialEq)]
struct Opened {
    name: String,
    level: Level,
    path: String,
    parent: Option<(String, String)>,
}

/// A log line: its message and the spans it was written in, innermost
/// first, as `name:path`.
#[derive(Debug, Clone)]
struct Line {
    message: String,
    scope: Vec<String>,
}

#[derive(Default, Clone)]
struct Seen {
    spans: Arc<Mutex<Vec<Opened>>>,
    lines: Arc<Mutex<Vec<Line>>>,
}

/// The `path` field of a span, kept in the span's extensions.
struct PathField(String);

#[derive(Default)]
struct FieldText {
    path: Option<String>,
    message: Option<String>,
}

impl tracing::field::Visit for FieldText {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "path" => self.path = Some(format!("{value:?}")),
            "message" => self.message = Some(format!("{value:?}")),
            _ => {}
        }
    }
}

fn label<S: for<'a> LookupSpan<'a>>(span: &tracing_subscriber::registry::SpanRef<'_, S>) -> String {
    let path = span
        .extensions()
        .get::<PathField>()
        .map(|path| path.0.clone())
        .unwrap_or_default();
    format!("{}:{path}", span.name())
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Seen {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = FieldText::default();
        attrs.record(&mut fields);
        let path = fields.path.unwrap_or_default();
        let span = ctx.span(id).expect("a span being opened is known");
        span.extensions_mut().insert(PathField(path.clone()));
        let parent = span.parent().map(|parent| {
            let path = parent.extensions().get::<PathField>().map(|p| p.0.clone());
            (parent.name().to_owned(), path.unwrap_or_default())
        });
        self.spans.lock().unwrap().push(Opened {
            name: span.name().to_owned(),
            level: *span.metadata().level(),
            path,
            parent,
        });
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        let mut fields = FieldText::default();
        event.record(&mut fields);
        let scope = ctx
            .event_scope(event)
            .map(|scope| scope.map(|span| label(&span)).collect())
            .unwrap_or_default();
        self.lines.lock().unwrap().push(Line {
            message: fields.message.unwrap_or_default(),
            scope,
        });
    }
}

async fn idle(ctx: ChildContext) {
    ctx.cancelled().await
}

fn child_span(seen: &Seen, path: &str) -> Opened {
    let spans = seen.spans.lock().unwrap();
    spans
        .iter()
        .find(|span| span.name == "child" && span.path == path)
        .cloned()
        .unwrap_or_else(|| panic!("no child span for {path}; spans: {spans:#?}"))
}

#[tokio::test(start_paused = true)]
async fn every_child_span_is_at_info_under_its_supervisor_span() {
    let seen = Seen::default();
    let _guard = tracing::subscriber::set_default(Registry::default().with(seen.clone()));
    let ingest =
        SupervisorSpec::new("ingest").child(ChildSpec::new("reader", TaskRole::Worker, idle));
    let spec = SupervisorSpec::new("app")
        .child(ChildSpec::new("db", TaskRole::Service, idle))
        .child(ChildSpec::supervisor(ingest));
    let mut tree = TestTree::start(spec);
    tree.run_until(&EventPattern::started("app/ingest/reader"))
        .await;
    tree.shutdown().await.assert_no_orphans();

    let db = child_span(&seen, "app/db");
    assert_eq!(db.level, Level::INFO);
    assert_eq!(db.parent, Some(("supervisor".into(), "app".into())));
    let ingest = child_span(&seen, "app/ingest");
    assert_eq!(ingest.parent, Some(("supervisor".into(), "app".into())));
    let reader = child_span(&seen, "app/ingest/reader");
    assert_eq!(reader.level, Level::INFO);
    assert_eq!(
        reader.parent,
        Some(("supervisor".into(), "app/ingest".into()))
    );
    let nested = seen.spans.lock().unwrap().clone();
    let nested = nested
        .iter()
        .find(|span| span.name == "supervisor" && span.path == "app/ingest")
        .expect("the nested tree has a supervisor span");
    assert_eq!(nested.parent, Some(("child".into(), "app/ingest".into())));
}

#[tokio::test(start_paused = true)]
async fn the_user_logs_of_a_child_carry_its_path() {
    let seen = Seen::default();
    let _guard = tracing::subscriber::set_default(Registry::default().with(seen.clone()));
    let api = ChildSpec::new("api", TaskRole::Service, |ctx: ChildContext| async move {
        tracing::info!("listening");
        ctx.cancelled().await;
    });
    let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
    tree.run_until(&EventPattern::started("app/api")).await;
    tokio::task::yield_now().await;
    tree.shutdown().await;
    let lines = seen.lines.lock().unwrap().clone();
    let line = lines
        .iter()
        .find(|line| line.message == "listening")
        .unwrap_or_else(|| panic!("the child's log line is missing: {lines:#?}"));
    assert_eq!(line.scope, ["child:app/api", "supervisor:app"]);
}

#[tokio::test(start_paused = true)]
async fn shutdown_logs_its_start_and_its_end() {
    let seen = Seen::default();
    let _guard = tracing::subscriber::set_default(Registry::default().with(seen.clone()));
    let spec = SupervisorSpec::new("app").child(ChildSpec::new("api", TaskRole::Service, idle));
    let handle = Supervisor::start(spec).unwrap();
    handle.shutdown().await;
    let lines = seen.lines.lock().unwrap().clone();
    let messages: Vec<&str> = lines.iter().map(|line| line.message.as_str()).collect();
    let started = messages.iter().position(|m| *m == "shutdown started");
    let finished = messages.iter().position(|m| *m == "shutdown finished");
    assert!(
        matches!((started, finished), (Some(s), Some(f)) if s < f),
        "{messages:?}"
    );
    let end = &lines[finished.unwrap()];
    assert_eq!(end.scope, ["supervisor:app"]);
}

/// Counts the `child` spans that are open; closing one takes a while, as
/// a subscriber that exports it may.
#[derive(Default, Clone)]
struct SlowClose {
    open: Arc<Mutex<usize>>,
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for SlowClose {
    fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        if attrs.metadata().name() == "child" {
            *self.open.lock().unwrap() += 1;
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        if ctx.span(&id).is_some_and(|span| span.name() == "child") {
            std::thread::sleep(std::time::Duration::from_millis(50));
            *self.open.lock().unwrap() -= 1;
        }
    }
}

/// On a runtime with several workers, the instance of a child is gone, its
/// span closed, by the time `shutdown()` returns: nothing of the tree is
/// left to run after it.
#[test]
fn every_child_span_is_closed_when_shutdown_returns() {
    let layer = SlowClose::default();
    let dispatch = tracing::Dispatch::new(Registry::default().with(layer.clone()));
    let on_workers = dispatch.clone();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .on_thread_start(move || {
            // Every worker logs to the layer for as long as it lives.
            std::mem::forget(tracing::dispatcher::set_default(&on_workers));
        })
        .build()
        .unwrap();
    let _guard = tracing::dispatcher::set_default(&dispatch);
    runtime.block_on(async {
        for round in 0..3 {
            let spec = SupervisorSpec::new("app")
                .children((0..4).map(|i| ChildSpec::new(format!("c{i}"), TaskRole::Service, idle)));
            let (handle, mut events) = Supervisor::builder().launch_with_events(spec).unwrap();
            let started = async {
                let mut count = 0;
                while count < 4 {
                    let event = events.recv().await.expect("the tree runs");
                    if event.kind == supervisor_core::EventKind::Started {
                        count += 1;
                    }
                }
            };
            let limit = std::time::Duration::from_secs(10);
            tokio::time::timeout(limit, started)
                .await
                .expect("every child starts");
            tokio::time::timeout(limit, handle.shutdown())
                .await
                .expect("the tree shuts down");
            let open = *layer.open.lock().unwrap();
            assert_eq!(open, 0, "round {round}: {open} child spans still open");
        }
    });
}
