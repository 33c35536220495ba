//! The builder snippet of the README, verbatim between the markers: it must
//! compile with exactly the imports it shows, and it runs to its end.

// README:begin
use std::time::Duration;
use supervisor::prelude::*;

async fn migrate() -> Result<(), std::io::Error> {
    Ok(())
}

async fn api(ctx: ChildContext) -> Result<(), std::io::Error> {
    ctx.ready();
    ctx.cancelled().await;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app = SupervisorSpec::new("app")
        .strategy(Strategy::RestForOne)
        .child(ChildSpec::without_context(
            "migrate",
            TaskRole::Job,
            migrate,
        ))
        .child(ChildSpec::new("api", TaskRole::Service, api).heartbeat(Duration::from_secs(10)));
    let handle = Supervisor::start(app)?; // children start in order
    println!("{:#?}", handle.snapshot().await?); // states, generations, restarts, last exits
    handle.restart_child("api").await?; // typed error for an unknown id
    let report = handle.shutdown().await; // reverse order, grace, abort; nothing left running
    assert!(report.is_clean());
    Ok(())
}
// README:end

mod readme;

#[test]
fn the_builder_snippet_runs_to_its_end() {
    main().unwrap();
}

#[test]
fn readme_shows_the_builder_snippet_of_this_file() {
    readme::assert_shows(include_str!("readme_builder.rs"), "tests/readme_builder.rs");
}
