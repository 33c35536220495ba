//! The tree the strategy examples share: services a, b and c, where the
//! first instance of b fails after a second.

use std::time::Duration;

use supervisor::prelude::*;

/// Runs until cancelled; the first instance of `b` fails after a second.
async fn service(ctx: ChildContext) -> Result<(), String> {
    if ctx.id() == "b" && ctx.generation() == 1 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        return Err("lost its connection".to_owned());
    }
    ctx.cancelled().await;
    Ok(())
}

/// Runs a, b and c under `strategy` for two seconds, printing every event
/// and the shutdown report.
pub(crate) async fn run(strategy: Strategy) -> Result<(), SpecError> {
    let app = SupervisorSpec::new("app")
        .strategy(strategy)
        .children(["a", "b", "c"].map(|id| ChildSpec::new(id, TaskRole::Service, service)));
    let (handle, events) = Supervisor::builder().launch_with_events(app)?;
    let printer = tokio::spawn(super::narrate::print_events(events));
    tokio::time::sleep(Duration::from_secs(2)).await;
    let report = handle.shutdown().await;
    let _ = printer.await;
    super::narrate::print_report(&report);
    Ok(())
}
