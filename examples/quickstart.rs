//! A service, a worker and a job under one supervisor: prints the policy each
//! child runs under and where every value came from.
//!
//! Run it with `cargo run --example quickstart`.

use std::time::Duration;

use supervisor::prelude::*;

async fn api(ctx: ChildContext) -> Result<(), std::io::Error> {
    ctx.ready();
    ctx.cancelled().await;
    Ok(())
}

async fn indexer(ctx: ChildContext) -> Result<(), String> {
    ctx.cancelled().await;
    Ok(())
}

async fn migrate() -> Result<(), std::io::Error> {
    Ok(())
}

fn main() -> Result<(), SpecError> {
    let app = SupervisorSpec::new("app")
        .child(ChildSpec::without_context(
            "migrate",
            TaskRole::Job,
            migrate,
        ))
        .child(
            ChildSpec::new("api", TaskRole::Service, api)
                .shutdown(ShutdownPolicy::Timeout(Duration::from_secs(5)))
                .heartbeat(Duration::from_secs(10)),
        )
        .child(
            ChildSpec::new("indexer", TaskRole::Worker, indexer)
                .backoff(BackoffPolicy::DEFAULT.initial(Duration::from_millis(200))),
        );
    app.validate()?;
    for child in &app.children {
        println!("{}", child.effective_policy());
    }
    Ok(())
}
