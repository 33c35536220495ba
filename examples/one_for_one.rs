//! The `one_for_one` strategy: three services a, b and c; b fails after a second.
//! Only the child that failed is restarted: a and c keep running.
//!
//! Run it with `cargo run --example one_for_one`.

mod narrate;

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

#[tokio::main]
async fn main() -> Result<(), SpecError> {
    let app = SupervisorSpec::new("app")
        .strategy(Strategy::OneForOne)
        .children(["a", "b", "c"].map(|id| ChildSpec::new(id, TaskRole::Service, service)));
    let (handle, events) = Supervisor::builder().launch_with_events(app)?;
    let printer = tokio::spawn(narrate::print_events(events));
    tokio::time::sleep(Duration::from_secs(2)).await;
    let report = handle.shutdown().await;
    let _ = printer.await;
    narrate::print_report(&report);
    Ok(())
}
