//! Prints a tree's events as they happen, one line each, for the examples.

use supervisor::{EventKind, EventStream, EventStreamError, ShutdownReport, SupervisorEvent};

/// Prints every event of `events` until the tree stops.
pub(crate) async fn print_events(mut events: EventStream) {
    loop {
        match events.recv().await {
            Ok(event) => println!("{}", line(&event)),
            Err(EventStreamError::Lagged(missed)) => println!("  ... {missed} events missed"),
            Err(EventStreamError::Closed) => return,
        }
    }
}

fn line(event: &SupervisorEvent) -> String {
    let what = match &event.kind {
        EventKind::Started => format!("started (generation {})", event.generation),
        EventKind::Ready => "ready".to_owned(),
        EventKind::Exited { exit } => format!("exited: {exit}"),
        EventKind::Aborted => "aborted after its grace".to_owned(),
        EventKind::RestartScheduled { delay } => format!("restarts in {delay:.1?}"),
        EventKind::Stopped { reason } => format!("stays stopped ({reason:?})"),
        EventKind::Escalated { child, reason } => format!("escalates because of {child}: {reason}"),
        EventKind::ShutdownStarted => "shutting down".to_owned(),
        EventKind::SupervisorStopped { clean } => format!("stopped (clean: {clean})"),
        other => format!("{other:?}"),
    };
    format!(
        "{:>8.3}s  {:<24} {what}",
        event.elapsed.as_secs_f64(),
        &*event.path
    )
}

/// Prints what a shutdown did to each child.
pub(crate) fn print_report(report: &ShutdownReport) {
    println!("shutdown took {:.1?}:", report.took);
    for child in &report.children {
        println!(
            "  {:<24} {:?} in {:.1?}",
            &*child.path, child.outcome, child.took
        );
    }
}
