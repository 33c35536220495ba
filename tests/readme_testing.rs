//! The testing snippet of the README, verbatim between the markers: it must
//! compile and pass with exactly the imports it shows.

// README:begin
use supervisor::prelude::*;
use supervisor::testing::{EventPattern, FaultScript, Step, TestTree};

#[tokio::test(start_paused = true)]
async fn api_recovers_after_two_failures() {
    let api = FaultScript::new()
        .on_attempts([1, 2], Step::fail("connection refused"))
        .then(Step::Run)
        .child("api", TaskRole::Service);
    let mut tree = TestTree::start(SupervisorSpec::new("app").child(api));
    tree.run_until(&EventPattern::started("app/api").generation(3))
        .await;
    let done = tree.shutdown().await;
    assert_eq!(
        done.trace.exits_by_reason("app/api")[&ExitReason::Failed],
        2
    );
    done.assert_no_orphans();
}
// README:end

mod readme;

#[test]
fn readme_shows_the_snippet_of_this_file() {
    readme::assert_shows(include_str!("readme_testing.rs"), "tests/readme_testing.rs");
}
